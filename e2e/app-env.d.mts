/** e2e/app-env.mjs: the app's settings for every e2e server. */
export declare const E2E_APP_ENV: Readonly<Record<string, string>> & {
  BOOTH_TOKEN: string;
  ADMIN_TOKEN: string;
};
