import { prepareDatabase } from '@/db/connection';
import { getTokens } from './auth';
import { pairingLinkAtStartup } from './booth-startup';
import { startChangeWatcher } from './change-watcher';
import { runSweep, startSweeper } from './cleanup';
import { ConfigError, getConfig } from './config';
import { firstLanIPv4 } from './links';
import { startPgBus } from './pg-bus';
import { registerEventStreamHandler } from './sse-node';
import { ensureDirs } from './storage';
import { startTelegramForServer } from './telegram/runtime';

const g = globalThis as unknown as { __pbStarted?: boolean };

export async function startServer(): Promise<void> {
  if (g.__pbStarted) return;
  g.__pbStarted = true;
  try {
    const config = getConfig();
    ensureDirs();
    await prepareDatabase();
    const hosted = config.databaseUrl;
    // One listening connection per process: live events from every instance reach its streams.
    if (hosted) await startPgBus(hosted);
    const tokens = getTokens();
    // Under server.mjs only the first worker sweeps as at start-up: a worker started beside
    // running siblings must not remove the fresh files of their uploads in flight.
    const { clusterRole } = config;
    if (tokens.generated && clusterRole !== 'follower') {
      console.log(`[auth] booth and admin tokens are in ${tokens.file} (readable by this user only)`);
    }
    // A fresh install (tokens generated, not configured): a link that pairs the first booth.
    if (tokens.generated && (!clusterRole || clusterRole === 'leader')) await pairingLinkAtStartup();
    // Nor when a bot process (TELEGRAM_MODE=external) may be mid-upload on the same data directory.
    // Hosted, other instances are always running (and uploading): never "alone".
    const alone =
      !hosted && (!clusterRole || clusterRole === 'leader') && config.telegram?.mode !== 'external';
    const swept = await runSweep({ startup: alone });
    if (swept.deleted_sessions || swept.orphans || swept.tmp) {
      console.log(
        `[cleanup] start-up sweep: ${swept.deleted_sessions} expired sessions, ${swept.orphans} orphan files, ${swept.tmp} temporary files removed`,
      );
    }
    startSweeper();
    // server.mjs serves the event streams itself, outside Next (lib/sse-node.ts).
    registerEventStreamHandler();
    // Polling and webhook registration run in the background: Telegram being unreachable never stops the server.
    // Under server.mjs one worker at a time runs the bot (two pollers would fight over updates).
    if (!clusterRole || clusterRole.startsWith('leader')) await startTelegramForServer();
    // With the bot in its own process, its changes reach this process's streams through the database.
    // (Hosted, they come through PostgreSQL's NOTIFY like every other instance's.)
    if (config.telegram?.mode === 'external' && !hosted) startChangeWatcher();
    if (!config.publicUrl && !firstLanIPv4()) {
      console.warn(
        '[links] no LAN address and no PUBLIC_URL: guest links will point to localhost, which phones cannot open',
      );
    }
    console.log(`[photobooth] data in ${config.dataDir}`);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\n${err.message}\n\nSee the configuration table in README.md.\n`);
    } else {
      console.error('[photobooth] start-up failed:', err);
    }
    // A server that cannot start correctly must not stay up answering 500s.
    process.exit(1);
  }
}
