import fs from 'node:fs';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, FAKE_CAMERA_ARGS, SYSTEM_CHROMIUM } from './e2e/chromium';
import { E2E_PORT } from './e2e/env';

/**
 * End-to-end journeys in real Chromium against the production build (`next build` into
 * .next-e2e, then the production server `node server.mjs` on 127.0.0.1 with a throwaway data
 * directory): see e2e/server.mjs.
 */

export default defineConfig({
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
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node e2e/server.mjs',
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    // Includes the production build on a 2-core machine.
    timeout: 15 * 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
