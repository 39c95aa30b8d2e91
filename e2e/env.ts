/** Shared by playwright.config.ts, e2e/server.mjs (which reads the same values) and the tests. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3217);
export const E2E_BOOTH_TOKEN = 'e2e-booth-token-0123456789';
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789';
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
