/** Shared by playwright.config.ts, e2e/server.mjs (which reads the same values) and the tests. */
import { E2E_APP_ENV } from './app-env.mjs';

export const E2E_BOOTH_TOKEN = E2E_APP_ENV.BOOTH_TOKEN;
export const E2E_ADMIN_TOKEN = E2E_APP_ENV.ADMIN_TOKEN;
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3217);
export const E2E_ORIGIN = `http://127.0.0.1:${E2E_PORT}`;

/**
 * The hosted pair of the `hosted` project (e2e/hosted-server.ts): nginx on E2E_HOSTED_PORT,
 * instance A on the next port and instance B on the one after.
 */
export const E2E_HOSTED_PORT = Number(process.env.E2E_HOSTED_PORT ?? 3227);
export const E2E_HOSTED = {
  nginx: `http://127.0.0.1:${E2E_HOSTED_PORT}`,
  a: `http://127.0.0.1:${E2E_HOSTED_PORT + 1}`,
  b: `http://127.0.0.1:${E2E_HOSTED_PORT + 2}`,
};
