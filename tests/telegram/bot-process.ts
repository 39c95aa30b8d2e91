import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BOOTH_TOKEN } from '../support/env';
import { BOT_TOKEN, BOT_USERNAME } from './harness';

/**
 * `npm run bot` (scripts/bot.ts) as a real child process on a test's data directory, pointed at
 * the Bot API stand-in. Stopped by its pid only.
 */
export class BotProcess {
  logs = '';
  private child: ChildProcess;

  constructor(dataDir: string, apiRoot: string, env: Record<string, string> = {}) {
    // tsx's loader in this very process (not tsx's CLI, which runs the script in a child of its
    // own): a signal sent to this pid reaches the bot itself.
    const loader = pathToFileURL(path.join(process.cwd(), 'node_modules', 'tsx', 'dist', 'loader.mjs'));
    this.child = spawn(process.execPath, ['--import', loader.href, 'scripts/bot.ts'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        BOOTH_TOKEN,
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_BOT_USERNAME: BOT_USERNAME,
        TELEGRAM_MODE: 'external',
        TELEGRAM_API_ROOT: apiRoot,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => {
      this.logs += d;
    });
    this.child.stderr?.on('data', (d) => {
      this.logs += d;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends the signal to this process and waits until it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}
