import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { TestProject } from 'vitest/node';
import type { HostedStack } from './mode';
import { type RunningPostgres, startPostgres } from './postgres';
import { type RunningSwift, startSwift } from './swift';

/**
 * The hosted project's global setup: ONE throwaway PostgreSQL cluster and ONE Swift (S3 API) with
 * one bucket for the whole run, their coordinates provided to every test file
 * (`inject('hostedStack')`, read through tests/support/mode.ts). Test files make their own
 * databases and S3 prefixes on them. Both are stopped at teardown and checked gone by pid.
 */

export const TEST_BUCKET = 'pb-test';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject) {
  let pg: RunningPostgres | undefined;
  let swift: RunningSwift | undefined;
  const teardown = async () => {
    const pids = [pg?.pid ?? 0, ...Object.values(swift?.pids ?? {})].filter((p) => p > 0);
    await Promise.allSettled([pg?.stop(), swift?.stop()]);
    const left = pids.filter(alive);
    if (left.length > 0) throw new Error(`hosted test stack: processes still running after stop: ${left}`);
  };
  try {
    // Both at once (Swift takes several seconds to answer); whichever started is stopped on failure.
    const [p, s] = await Promise.allSettled([startPostgres(), startSwift()]);
    if (p.status === 'fulfilled') pg = p.value;
    if (s.status === 'fulfilled') swift = s.value;
    if (p.status === 'rejected') throw p.reason;
    if (s.status === 'rejected') throw s.reason;
    if (!pg || !swift) throw new Error('unreachable');
    const s3 = new S3Client({
      endpoint: swift.endpoint,
      region: swift.region,
      forcePathStyle: true,
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
    });
    try {
      // Swift may still answer 503 for a moment after start (its account being made).
      for (let attempt = 1; ; attempt++) {
        try {
          await s3.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
          break;
        } catch (err) {
          if (attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      s3.destroy();
    }
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }
  const stack: HostedStack = {
    postgresUrl: pg.url,
    s3: {
      endpoint: swift.endpoint,
      region: swift.region,
      accessKeyId: swift.accessKeyId,
      secretAccessKey: swift.secretAccessKey,
      bucket: TEST_BUCKET,
    },
  };
  project.provide('hostedStack', stack);
  return teardown;
}
