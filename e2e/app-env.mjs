// The app's settings for every e2e server (the embedded one of e2e/server.mjs and the hosted pair
// of e2e/hosted-server.ts): the same event, Wi-Fi, tokens and timings the journeys expect.
export const E2E_APP_ENV = {
  BOOTH_TOKEN: 'e2e-booth-token-0123456789',
  ADMIN_TOKEN: 'e2e-admin-token-0123456789',
  PUBLIC_URL: '',
  EVENT_NAME: 'Anna & Boris',
  WIFI_SSID: 'Wedding Guests',
  WIFI_PASSWORD: 'confetti;2026',
  BOOTH_IDLE_SECONDS: '600',
  SESSION_TTL_MINUTES: '30',
  CLEANUP_INTERVAL_MINUTES: '60',
  // The bot is configured but run elsewhere ('external'): the booth shows its deep-link QR and
  // nothing here contacts Telegram.
  TELEGRAM_BOT_TOKEN: '123456789:e2e-fake-token-never-used-AAAAAAAAAA',
  TELEGRAM_BOT_USERNAME: 'e2e_photobooth_bot',
  TELEGRAM_MODE: 'external',
};
