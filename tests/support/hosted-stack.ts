import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import postgres from 'postgres';
import { type RunningPostgres, startPostgres } from './postgres';
import { type RunningSwift, startSwift } from './swift';

/**
 * Hosted mode's shared services, free of vitest (the e2e starter e2e/hosted-server.ts uses them
 * too): ONE throwaway PostgreSQL cluster and ONE Swift (S3 API) with one bucket, and the
 * environment that points an instance at a database of the cluster and a prefix of the bucket.
 */

/** Where the shared PostgreSQL and Swift listen. */
export interface HostedStack {
  /** The cluster's maintenance database: postgres://postgres@127.0.0.1:PORT/postgres */
  postgresUrl: string;
  s3: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    bucket: string;
  };
}

export interface RunningHostedStack {
  stack: HostedStack;
  /** The pids of PostgreSQL's postmaster and the Swift servers. */
  pids: number[];
  /** Stops both; throws if one of the pids is still running after. */
  stop(): Promise<void>;
}

export const TEST_BUCKET = 'pb-test';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startHostedStack(bucket = TEST_BUCKET): Promise<RunningHostedStack> {
  let pg: RunningPostgres | undefined;
  let swift: RunningSwift | undefined;
  const pids = () => [pg?.pid ?? 0, ...Object.values(swift?.pids ?? {})].filter((p) => p > 0);
  const stop = async () => {
    const started = pids();
    await Promise.allSettled([pg?.stop(), swift?.stop()]);
    const left = started.filter(alive);
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
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
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
    await stop().catch(() => {});
    throw err;
  }
  const stack: HostedStack = {
    postgresUrl: pg.url,
    s3: {
      endpoint: swift.endpoint,
      region: swift.region,
      accessKeyId: swift.accessKeyId,
      secretAccessKey: swift.secretAccessKey,
      bucket,
    },
  };
  return { stack, pids: pids(), stop };
}

/** Makes the database `name` on the stack's cluster unless it exists; returns its URL. */
export async function createDatabase(stack: HostedStack, name: string): Promise<string> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const sql = postgres(stack.postgresUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(stack.postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The S3_PREFIX of a test database: its name, so a file's blobs sit beside nobody else's. */
export const s3PrefixFor = (databaseUrl: string): string => `${new URL(databaseUrl).pathname.slice(1)}/`;

/** The environment that puts the app in hosted mode on `databaseUrl` and its blob prefix. */
export function hostedEnvFor(stack: HostedStack, databaseUrl: string): Record<string, string> {
  const { s3 } = stack;
  return {
    DATABASE_URL: databaseUrl,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: '1',
    S3_PREFIX: s3PrefixFor(databaseUrl),
  };
}
