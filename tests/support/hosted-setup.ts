import type { TestProject } from 'vitest/node';
import { startHostedStack } from '../../bench/lib/hosted';
import { pidAlive } from '../../bench/lib/util';

/**
 * The hosted project's global setup: ONE throwaway PostgreSQL cluster and ONE Swift (S3 API) with
 * one bucket for the whole run (bench/lib/hosted.ts startHostedStack, shared with the benchmarks),
 * their coordinates provided to every test file (`inject('hostedStack')`, read through
 * tests/support/mode.ts). Test files make their own databases and S3 prefixes on them. Both are
 * stopped at teardown and checked gone by pid.
 */

export const TEST_BUCKET = 'pb-test';

export default async function setup(project: TestProject) {
  const running = await startHostedStack(TEST_BUCKET);
  project.provide('hostedStack', running.stack);
  return async () => {
    const left = (await running.stop()).filter(pidAlive);
    if (left.length > 0) throw new Error(`hosted test stack: processes still running after stop: ${left}`);
  };
}
