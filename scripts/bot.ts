import { loadEnvConfig } from '@next/env';
import { prepareDatabase } from '@/db/connection';
import { ConfigError, getConfig } from '@/lib/config';
import { startPgBus } from '@/lib/pg-bus';
import { startTelegram, stopTelegram } from '@/lib/telegram/runtime';

/**
 * `npm run bot`: the Telegram bot in its own process, by long polling — for a booth that has
 * outgoing internet but no public address. It shares DATA_DIR (the database and photos) with the
 * web server, which then runs with TELEGRAM_MODE=external (it only makes the deep links), and it
 * sends finished pictures by scanning the database, since the server's events stay in the server.
 */

// The same .env files `next start` reads.
loadEnvConfig(process.cwd());

async function main(): Promise<void> {
  let config: ReturnType<typeof getConfig>;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const telegram = config.telegram;
  if (!telegram) {
    console.error(
      'Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_USERNAME (see docs/telegram.md).',
    );
    process.exit(1);
  }
  if (telegram.mode === 'webhook') {
    console.error(
      'TELEGRAM_MODE is webhook: Telegram sends updates to the web server. Polling here would remove that webhook.\n' +
        'For `npm run bot`, run the web server with TELEGRAM_MODE=external.',
    );
    process.exit(1);
  }
  if (telegram.mode === 'polling') {
    console.warn(
      '[telegram] TELEGRAM_MODE=polling: if the web server runs with the same setting it polls too, and Telegram ' +
        'answers one of the two with 409 Conflict. Use TELEGRAM_MODE=external for the web server.',
    );
  }
  await prepareDatabase();
  // Hosted: what the bot changes reaches every instance's streams through NOTIFY.
  if (config.databaseUrl) await startPgBus(config.databaseUrl);
  await startTelegram({ polling: true, notifier: true, scanIntervalMs: 2_000, inbox: true });
  console.log(`[telegram] bot running on ${config.dataDir}; Ctrl+C stops it`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[telegram] ${signal}: stopping`);
    await stopTelegram();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error('[telegram] bot failed:', err);
  process.exit(1);
});
