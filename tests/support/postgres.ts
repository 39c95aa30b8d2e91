import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, pidAlive, sleep } from '../../bench/lib/util';

/**
 * A throwaway PostgreSQL cluster for hosted-mode tests: initdb in a temporary directory, one server
 * on a free 127.0.0.1 port (its Unix socket in the same directory), trust authentication, user and
 * database `postgres`. Debian's `postgresql` package (.ci/run installs it). initdb refuses to run
 * as root, so as root every server command runs as the `postgres` user (runuser), who owns the
 * directory. fsync is off for speed unless `durable` (a durability test must keep it on).
 */

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** The postmaster's pid (changes on restart()). */
  pid: number;
  /** Fast shutdown (then SIGKILL if it lingers) and the directory removed. */
  stop(): Promise<void>;
  /** Fast shutdown and start again on the same port and data (connections are cut). */
  restart(): Promise<void>;
}

export interface PostgresOptions {
  /** Keep fsync on (default off). */
  durable?: boolean;
}

const run = promisify(execFile);
const START_TIMEOUT_S = 30;

/** The directory of initdb/pg_ctl: /usr/lib/postgresql/<newest>/bin, then pg_config --bindir, then PATH. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config: look in PATH
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries (initdb) not found: apt-get install postgresql (see .ci/run)');
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as the `postgres` user when we are root. */
async function pgCommand(bin: string, args: string[], timeoutMs: number): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  await run(file, argv, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  const port = await freePort();
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);

  const readLog = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-4000) : '');
  const readPid = () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const settings = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${dir}`,
    `-c fsync=${opts.durable ? 'on' : 'off'}`,
  ].join(' ');

  const start = async () => {
    try {
      await pgCommand(
        path.join(bin, 'pg_ctl'),
        ['-D', data, '-l', log, '-w', '-t', String(START_TIMEOUT_S), '-o', settings, 'start'],
        (START_TIMEOUT_S + 10) * 1000,
      );
    } catch (err) {
      throw new Error(`PostgreSQL did not start on ${port}: ${(err as Error).message}\n${readLog()}`);
    }
    state.pid = readPid();
  };

  const shutdown = async () => {
    const pid = state.pid;
    try {
      await pgCommand(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '15', 'stop'], 20_000);
    } catch {
      // fall through to the pid
    }
    if (pid && pidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
    }
  };

  const state = { pid: 0 };
  try {
    await pgCommand(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'],
      60_000,
    );
    await start();
  } catch (err) {
    await shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    get pid() {
      return state.pid;
    },
    async stop() {
      await shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await shutdown();
      await start();
    },
  };
}
