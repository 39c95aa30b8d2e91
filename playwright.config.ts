import fs from 'node:fs';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, FAKE_CAMERA_ARGS, SYSTEM_CHROMIUM } from './e2e/chromium';
import { E2E_HOSTED, E2E_PORT } from './e2e/env';
import { HOSTED_PROJECT, type JourneyOptions } from './e2e/fixtures';

/**
 * End-to-end journeys in real Chromium against the production build (`next build` into
 * .next-e2e, then the production server `node server.mjs` on 127.0.0.1 with a throwaway data
 * directory): see e2e/server.mjs. The `hosted` project runs the phone → booth journey once more
 * against hosted mode (e2e/hosted-server.ts: PostgreSQL, Swift's S3 API, two instances, nginx),
 * the booth on instance A and the phone on instance B.
 */

/**
 * The projects named on the command line (`--project a b`, `--project=a`, '*' wildcards), or
 * null: all. A web server is started only for a project that runs (this file is read again in
 * every worker, where no such flag is given: there only the projects' options matter).
 */
function selectedProjects(argv = process.argv): RegExp[] | null {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--project=')) names.push(arg.slice('--project='.length));
    else if (arg === '--project')
      for (; argv[i + 1] && !argv[i + 1]?.startsWith('-'); i++) names.push(argv[i + 1] ?? '');
  }
  if (names.length === 0) return null;
  const literal = (t: string) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return names.map((n) => new RegExp(`^${n.split('*').map(literal).join('.*')}$`, 'i'));
}
const selected = selectedProjects();
const runs = (project: string) => !selected || selected.some((re) => re.test(project));
const embedded = runs('chromium');

export default defineConfig<JourneyOptions>({
  testDir: './e2e',
  // WebKit and Firefox journeys: node's test runner (npm run test:engines), not Playwright.
  testIgnore: 'engines/**',
  // Journeys share one server; on a small machine one at a time is faster and deterministic.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  // One retry in CI only, so a rare timing flake cannot sink a run; Playwright still reports it as flaky.
  retries: process.env.CI ? 1 : 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    actionTimeout: 20_000,
    navigationTimeout: 60_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(fs.existsSync(SYSTEM_CHROMIUM) && { executablePath: SYSTEM_CHROMIUM }),
      args: [...CHROMIUM_ARGS, ...FAKE_CAMERA_ARGS],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' } },
    {
      // One journey, the booth and the phone on different instances of the hosted pair.
      name: HOSTED_PROJECT,
      testMatch: 'phone-to-booth.spec.ts',
      grep: /phone → booth → phone/,
      use: { browserName: 'chromium', baseURL: E2E_HOSTED.a, boothURL: E2E_HOSTED.a, phoneURL: E2E_HOSTED.b },
    },
  ],
  webServer: [
    ...(embedded
      ? [
          {
            command: 'node e2e/server.mjs',
            url: `http://127.0.0.1:${E2E_PORT}/api/health`,
            // Includes the production build on a 2-core machine.
            timeout: 15 * 60_000,
            reuseExistingServer: false,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
        ]
      : []),
    ...(runs(HOSTED_PROJECT)
      ? [
          {
            command: 'node --import tsx e2e/hosted-server.ts',
            url: `${E2E_HOSTED.nginx}/api/health`,
            // Web servers start one after the other: with the embedded one, its build is reused.
            env: embedded ? { E2E_SKIP_BUILD: '1' } : {},
            timeout: 15 * 60_000,
            reuseExistingServer: false,
            // SIGTERM, so PostgreSQL, Swift, both instances and nginx are stopped (not SIGKILL).
            gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 60_000 },
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
        ]
      : []),
  ],
});
