import { test as base } from '@playwright/test';

/**
 * Where a journey opens its booth and its phone. Unset (the `chromium` project): both on the
 * project's baseURL. The `hosted` project puts the booth on instance A and the phone on instance B,
 * so what the phone does reaches the booth only through PostgreSQL (LISTEN/NOTIFY).
 */
export interface JourneyOptions {
  boothURL: string | undefined;
  phoneURL: string | undefined;
}

export const HOSTED_PROJECT = 'hosted';

export const test = base.extend<JourneyOptions>({
  boothURL: [undefined, { option: true }],
  phoneURL: [undefined, { option: true }],
});

/** Context options that open pages at `url` (nothing when unset: the project's baseURL). */
export const at = (url: string | undefined) => (url ? { baseURL: url } : {});
