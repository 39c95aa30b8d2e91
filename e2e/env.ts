/** Shared by playwright.config.ts, e2e/server.mjs (which reads the same values) and the tests. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3217);
export const E2E_BOOTH_TOKEN = 'e2e-booth-token-0123456789';
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const E2E_ORIGIN = `http://127.0.0.1:${E2E_PORT}`;
