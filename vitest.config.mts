import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two projects, one suite (README "Testing: two modes"):
 * - `embedded`: every test, on SQLite and files in a throwaway DATA_DIR per file (as a booth runs);
 * - `hosted`: the API, server, load and Telegram tests again, unchanged, on one PostgreSQL and one
 *   Swift (S3) for the run (tests/support/hosted-setup.ts), a fresh database and S3 prefix per
 *   file, and every real server as two `node server.mjs` behind nginx (tests/support/hosted.ts).
 * `vitest run --project embedded` (or `hosted`) runs one of them.
 */

/** In the hosted project: the tests of what users reach through the API and the servers. */
const HOSTED = [
  'tests/hosted/**/*.test.ts',
  'tests/api/**/*.test.ts',
  'tests/server/**/*.test.ts',
  'tests/load/**/*.test.ts',
  'tests/telegram/**/*.test.ts',
];

/**
 * Not in the hosted project, and why (each runs in `embedded`):
 * - tests of one `node server.mjs`'s own sockets and caps, which nginx in front answers instead:
 *   connection-flood (the server's connection limit), slow-clients (its header and body timeouts,
 *   read from /proc/net/tcp on its port), limits (caps per server, which two instances each apply);
 * - disk-trouble: it makes DATA_DIR/photos unwritable; hosted bytes live in the bucket (the blob
 *   store's own test breaks Swift's writes instead: tests/blobs/blob-store.test.ts);
 * - disk-floor: the free-space floor guards bytes on DATA_DIR's disk; with S3_BUCKET they are not
 *   there and the floor does not apply (docs/hosting.md "Object storage");
 * - unit tests of the configuration and the bot's texts (no database, no server).
 */
const EMBEDDED_ONLY = [
  'tests/api/disk-floor.test.ts',
  'tests/load/connection-flood.test.ts',
  'tests/load/slow-clients.test.ts',
  'tests/load/limits.test.ts',
  'tests/load/disk-trouble.test.ts',
  'tests/telegram/disabled.test.ts',
  'tests/telegram/limits.test.ts',
];

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '') } },
  test: {
    environment: 'node',
    // Each file gets its own throwaway DATA_DIR (and, hosted, database) and module state.
    pool: 'forks',
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'embedded',
          include: ['tests/**/*.test.ts'],
          // The hosted project's own plumbing needs the hosted stack.
          exclude: ['tests/hosted/**'],
          env: { PB_TEST_MODE: 'embedded' },
          // The embedded run first, then the hosted one: not both at once on a small machine.
          sequence: { groupOrder: 0 },
          globalSetup: ['tests/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'hosted',
          include: HOSTED,
          exclude: EMBEDDED_ONLY,
          env: { PB_TEST_MODE: 'hosted' },
          sequence: { groupOrder: 1 },
          globalSetup: ['tests/support/global-setup.ts', 'tests/support/hosted-setup.ts'],
        },
      },
    ],
  },
});
