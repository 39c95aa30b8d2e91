import type { TestProject } from 'vitest/node';
import { startHostedStack } from './hosted-stack';

/**
 * The hosted project's global setup: ONE throwaway PostgreSQL cluster and ONE Swift (S3 API) with
 * one bucket for the whole run (tests/support/hosted-stack.ts), their coordinates provided to every
 * test file (`inject('hostedStack')`, read through tests/support/mode.ts). Test files make their own
 * databases and S3 prefixes on them. Both are stopped at teardown and checked gone by pid.
 */

export default async function setup(project: TestProject) {
  const running = await startHostedStack();
  project.provide('hostedStack', running.stack);
  return running.stop;
}
