// The hosted pair the `hosted` Playwright project runs against (run with `node --import tsx`): a
// fresh production build in .next-e2e (unless E2E_SKIP_BUILD=1 and one is there), a throwaway
// PostgreSQL and Swift (S3 API) with one bucket, two `node server.mjs` instances on them (own
// DATA_DIRs) on E2E_HOSTED_PORT+1 and +2, and nginx in front on E2E_HOSTED_PORT. On SIGTERM or
// SIGINT (Playwright's gracefulShutdown) everything is stopped and checked gone by pid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, hostedEnvFor, startHostedStack } from '../bench/lib/hosted';
import { nextBuild, type RunningServer, startProduct } from '../bench/lib/servers';
import { pidAlive } from '../bench/lib/util';
import { startNginx } from '../tests/support/nginx';
import { E2E_APP_ENV } from './app-env.mjs';
import { E2E_HOSTED_PORT } from './env';

const root = process.cwd();
const distDir = '.next-e2e';
const log = (line: string) => console.log(`[e2e hosted] ${line}`);

/** What is running, stopped last-started first. */
const stops: { name: string; pids: number[]; stop: () => Promise<void> }[] = [];
let stopRequested = false;
let stopping: Promise<void> | undefined;

/** Registers something started; when a stop came in meanwhile, start-up ends here. */
function started(name: string, pids: number[], stop: () => Promise<void>): void {
  stops.push({ name, pids, stop });
  if (stopRequested) throw new Error('stopped while starting');
}

/** Waits for start-up to get to a stop, stops everything, checks every pid gone and exits. */
function shutdown(code: number): void {
  stopRequested = true;
  stopping ??= (async () => {
    await startup.catch(() => {});
    const pids = stops.flatMap((s) => s.pids);
    for (const s of [...stops].reverse()) {
      await s.stop().catch((err) => console.error(`[e2e hosted] stopping ${s.name}: ${err}`));
    }
    const left = pids.filter(pidAlive);
    if (left.length > 0) throw new Error(`processes still running after stop: ${left.join(', ')}`);
    log('stopped');
  })();
  stopping.then(
    () => process.exit(code),
    (err) => {
      console.error(`[e2e hosted] ${err}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

function forward(name: string, server: RunningServer) {
  for (const stream of [server.proc.stdout, server.proc.stderr]) {
    stream?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line) console.log(`[${name}] ${line}`);
    });
  }
}

async function main() {
  if (!(process.env.E2E_SKIP_BUILD === '1' && fs.existsSync(path.join(root, distDir, 'BUILD_ID')))) {
    nextBuild(root, { NEXT_DIST_DIR: distDir }, { inherit: true });
  }

  const t0 = Date.now();
  const services = await startHostedStack('pb-e2e');
  started('PostgreSQL and Swift', [services.pg.pid, ...Object.values(services.swift.pids)], async () => {
    await services.stop();
  });
  const databaseUrl = await createDatabase(services.stack, 'pb_e2e');
  log(`PostgreSQL and Swift ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const dirs = ['a', 'b'].map((n) => fs.mkdtempSync(path.join(os.tmpdir(), `photobooth-e2e-hosted-${n}-`)));
  started('data dirs', [], async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  log(`data in ${dirs.join(' and ')}`);

  // As e2e/server.mjs configures the embedded server, plus hosted mode (DATABASE_URL, S3_*).
  const env = {
    ...hostedEnvFor(services.stack, databaseUrl),
    TRUST_PROXY: '1',
    ...E2E_APP_ENV,
  };
  // Both at once, as a deployment's instances start: migrations are serialised by the database.
  const instances = await Promise.allSettled(
    dirs.map((dataDir, i) =>
      startProduct({ dataDir, env, workers: 2, dist: distDir, port: E2E_HOSTED_PORT + 1 + i }),
    ),
  );
  for (const [i, s] of instances.entries()) {
    if (s.status === 'fulfilled')
      stops.push({ name: `instance ${'ab'[i]}`, pids: [s.value.pid], stop: () => s.value.stop() });
  }
  started('both instances', [], async () => {});
  const failed = instances.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [a, b] = instances.map((s) => (s as PromiseFulfilledResult<RunningServer>).value) as [
    RunningServer,
    RunningServer,
  ];
  forward('a', a);
  forward('b', b);

  const nginx = await startNginx({
    upstreams: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
    maxBodySize: '100m',
    port: E2E_HOSTED_PORT,
  });
  started('nginx', [nginx.pid], nginx.stop);
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: A ${a.url}, B ${b.url}, nginx ${nginx.url}`);

  // An instance that dies ends the run (Playwright reports the web server gone).
  for (const [name, s] of [
    ['a', a],
    ['b', b],
  ] as const) {
    s.proc.once('exit', (code, signal) => {
      if (stopRequested) return;
      console.error(`[e2e hosted] instance ${name} exited (${code ?? signal})`);
      shutdown(1);
    });
  }
}

const startup = main();
startup.catch((err) => {
  if (!stopRequested)
    console.error(`[e2e hosted] ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  shutdown(1);
});
