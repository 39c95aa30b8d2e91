// The production server: `node server.mjs` (after `npm run build`).
//
// One Next.js request handler per CPU core (node:cluster), because a single Next process tops out
// well below the Flask service this product replaces (see BENCHMARKS.md). Start-up order matters:
//   1. the primary forks ONE "leader" worker; its instrumentation hook validates the config,
//      migrates the database, creates the tokens and sweeps what a crash left behind;
//   2. only when the leader listens are the other workers forked ("followers": they migrate
//      nothing new and skip the destructive start-up sweep, which could otherwise remove the
//      files of an upload in flight in a sibling);
//   3. a worker that fails to start takes the whole server down (exit 1): never a half-up server
//      answering 500s. A worker that dies later is replaced, unless it keeps dying.
// Live events cross processes through the primary (lib/events.ts relays them over cluster IPC).
//
// Environment: PORT (3000), HOSTNAME (all interfaces), WEB_CONCURRENCY (workers; default: the
// number of CPUs, at most 4; 1 runs a single process without cluster). Flags: -p/--port, -H/--hostname.
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard, loadApiRoutes, securityHeaders } from './edge.mjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
// The young generation's size, pinned: 64 MB was reported to give a single process about +20%
// requests/s, but across two workers the gain was within noise while every worker kept up to
// ~50 MB more resident under bursts (500 SSE streams: +97 MB at 64, +42 MB at 16; BENCHMARKS.md).
// Applied to the workers unless given on the command line.
const WORKER_FLAGS = ['--max-semi-space-size=16'];

function argValue(names) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

const port = Number(argValue(['-p', '--port']) ?? process.env.PORT ?? 3000);
const hostname = argValue(['-H', '--hostname']) ?? (process.env.HOSTNAME || undefined);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`[server] invalid port ${port}`);
  process.exit(1);
}
// Make the port visible to lib/config.ts (guest links keep the port).
process.env.PORT = String(port);
process.env.NODE_ENV = 'production';

function workerCount() {
  const fromEnv = Number(process.env.WEB_CONCURRENCY);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

const trustProxy = /^(1|true|yes)$/i.test(process.env.TRUST_PROXY ?? '');

// ------------------------------------------------------------------------------ the HTTP edge
//
// Connection floods. Every connection costs a file descriptor; at the process limit the server
// would stop accepting, and connections would wait in the kernel's backlog unanswered. Each
// worker therefore accepts at most MAX_CONNECTIONS (its fd limit less a reserve for the
// database, photo files, image decoding and IPC) and resets the ones over it at once, logging
// how many (rate-limited). The workers accept themselves (SCHED_NONE below): with cluster's
// round-robin the primary accepted every socket and handed it over IPC, and once the workers
// were at their limit it held the sockets it could not hand over for good (CLOSE-WAIT, the
// whole server unanswered long after the flood).

/** The soft limit on open files of this process (`ulimit -n`), from /proc; undefined elsewhere. */
function fdLimit() {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (m && m[1] !== 'unlimited') return Number(m[1]);
  } catch {
    // not Linux
  }
  return undefined;
}

/** Connections one worker holds at most: its fd limit less a reserve (idle, a worker has ~25 open). */
function maxConnectionsFor(limit) {
  if (!limit) return undefined;
  return Math.max(16, limit - Math.max(48, Math.ceil(limit * 0.1)));
}

// Slow clients: the request head must arrive within 20 s (Node's default: 60 s); the timeouts are
// checked every 2 s (default 30 s). Slow bodies are cut by the minimum upload rate (lib/upload.ts).
const HEADERS_TIMEOUT_MS = 20_000;
const CHECK_INTERVAL_MS = 2_000;

/** One log line per interval at most, with what was counted since the last one. */
function rateLimitedLog(everyMs, format) {
  let count = 0;
  let timer;
  return () => {
    count++;
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      const n = count;
      count = 0;
      if (n) console.warn(format(n, everyMs));
    }, everyMs);
    timer.unref();
  };
}

// The benchmarks' memory probe (bench/b4-live.ts): with PB_MEMORY_PROBE=1 and --expose-gc, SIGUSR2
// makes every process collect garbage and print its memory on one line.
const memoryProbe = process.env.PB_MEMORY_PROBE === '1';
function installMemoryProbe(onSignal) {
  if (!memoryProbe) return;
  process.on('SIGUSR2', () => {
    onSignal?.();
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    console.log(
      `[memory] ${JSON.stringify({ pid: process.pid, primary: cluster.isPrimary, heapUsed: m.heapUsed, rss: m.rss, external: m.external })}`,
    );
  });
}

const EVENTS_PATH = /^\/api\/session\/([^/?#]+)\/events\/?(?:\?.*)?$/;

async function runWorker() {
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: ROOT, hostname, port });
  await app.prepare();
  // In production Next prepares its server, and so runs instrumentation.ts register() (config,
  // migrations, tokens, the start-up sweep), only at the first request. Do it now, before
  // listening: the primary forks the other workers once this one listens.
  const nextServer = await app.server.getServer();
  await nextServer.prepare();
  const handle = app.getRequestHandler();
  // next.config.mjs turns Next's compression off: API answers are small JSON and event streams
  // must not sit in a compressor. Pages and their scripts and styles are another matter on a
  // phone's connection (the guest page's JS is ~3× smaller gzipped): compress all but /api/.
  const { default: compression } = await import('next/dist/compiled/compression/index.js');
  const compress = compression();
  const run = (req, res) =>
    handle(req, res).catch((err) => {
      console.error('[server] request failed:', err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  // Malformed paths, unknown methods and the one JSON 405 of every API route (edge.mjs).
  const pageHeaders = await securityHeaders(ROOT);
  const guard = createGuard({
    routes: loadApiRoutes(ROOT, process.env.NEXT_DIST_DIR || '.next'),
    headers: pageHeaders,
  });
  const maxConnections = maxConnectionsFor(fdLimit());
  const server = http.createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: CHECK_INTERVAL_MS,
    },
    (req, res) => {
      // Next keeps an X-Forwarded-For the client sent; unless a trusted reverse proxy sets it
      // (TRUST_PROXY=1), the address is the socket's, so the login limit per address holds.
      if (!trustProxy) req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      if (guard(req, res)) return;
      // Event streams are served outside Next (lib/sse-node.ts: a fraction of the memory each).
      if (req.method === 'GET') {
        const m = EVENTS_PATH.exec(req.url ?? '');
        const serve = globalThis.__pbServeEventStream;
        if (m && serve) return serve(req, res, m[1], pageHeaders);
      }
      if (req.url?.startsWith('/api/')) run(req, res);
      else compress(req, res, () => run(req, res));
    },
  );
  if (maxConnections) server.maxConnections = maxConnections;
  const noteDrop = rateLimitedLog(
    10_000,
    (n, ms) =>
      `[server] worker ${process.pid} at its connection limit (${maxConnections}, from ulimit -n ${fdLimit()}): reset ${n} new connection(s) in the last ${ms / 1000} s`,
  );
  server.on('drop', noteDrop);
  server.on('error', (err) => {
    console.error('[server] cannot listen:', err.message);
    process.exit(1);
  });
  await new Promise((resolve) => server.listen(port, hostname, resolve));
  return server;
}

function startPrimary(n) {
  // Workers accept their own connections (see "Connection floods" above).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    execArgv: [
      ...process.execArgv,
      ...WORKER_FLAGS.filter((f) => !process.execArgv.some((a) => a.startsWith(f.split('=')[0]))),
    ],
  });
  const workers = new Set();
  const restarts = [];
  let shuttingDown = false;
  let leaderUp = false;
  let allUp = false;

  // Each worker decodes images in its own queue: share the cores among them, so the total held
  // in memory stays bounded (a 12 MP decode holds ~100 MB). glibc's per-thread malloc arenas
  // keep libvips' freed memory resident; two arenas per process keep RSS close to what is used.
  const cores = os.availableParallelism();
  const workerEnv = {
    // lib/limits.ts: each worker enforces its share of the caps on streams and uploads.
    PB_WORKERS: String(n),
    IMAGE_CONCURRENCY: process.env.IMAGE_CONCURRENCY || String(Math.max(1, Math.floor(cores / n))),
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '2',
  };

  // Roles: "leader" = the first worker (start-up sweep, migrations, singletons such as the
  // Telegram bot); "leader-restarted" = its replacement (singletons only); "follower" = the rest.
  const fork = (role) => {
    const w = cluster.fork({ ...workerEnv, PB_CLUSTER_ROLE: role });
    w.pbRole = role;
    w.pbListening = false;
    workers.add(w);
    w.on('listening', () => {
      w.pbListening = true;
      if (role === 'leader' && !leaderUp) {
        leaderUp = true;
        for (let i = 1; i < n; i++) fork('follower');
      }
      if (!allUp && [...workers].filter((x) => x.pbListening).length === n) {
        allUp = true;
        console.log(
          `[server] listening on ${hostname ?? '0.0.0.0'}:${port} with ${n} workers (pid ${process.pid})`,
        );
      }
    });
    // Relay live events to the sibling workers (lib/events.ts).
    w.on('message', (msg) => {
      if (msg && typeof msg === 'object' && msg.type === 'pb:session-event') {
        for (const other of workers) if (other !== w && other.isConnected()) other.send(msg, () => {});
      }
    });
    w.on('exit', (code, signal) => {
      workers.delete(w);
      if (shuttingDown) {
        if (workers.size === 0) process.exit(0);
        return;
      }
      if (!allUp) {
        // The server itself cannot start (bad configuration, unreadable data folder...).
        console.error(`[server] a worker failed to start (${signal ?? `exit ${code}`}); stopping`);
        shutdown(1);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
      if (restarts.length > 5) {
        console.error('[server] workers keep dying; stopping');
        shutdown(1);
        return;
      }
      console.error(
        `[server] worker ${w.process.pid} died (${signal ?? `exit ${code}`}); starting a new one`,
      );
      // The siblings keep serving meanwhile; a short pause spares a tight crash loop.
      setTimeout(() => {
        if (!shuttingDown) fork(role === 'follower' ? 'follower' : 'leader-restarted');
      }, 500 * restarts.length).unref();
    });
  };

  const shutdown = (code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.exitCode = code;
    for (const w of workers) w.process.kill('SIGTERM');
    if (workers.size === 0) process.exit(code);
    // Streams (SSE) never end by themselves: do not wait for them for long.
    setTimeout(() => {
      for (const w of workers) w.process.kill('SIGKILL');
      process.exit(code);
    }, 5_000).unref();
  };
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  installMemoryProbe(() => {
    for (const w of workers) w.process.kill('SIGUSR2');
  });
  fork('leader');
}

const n = workerCount();
if (cluster.isPrimary && n > 1) {
  startPrimary(n);
} else {
  runWorker()
    .then(() => {
      if (cluster.isPrimary)
        console.log(`[server] listening on ${hostname ?? '0.0.0.0'}:${port} (single process)`);
    })
    .catch((err) => {
      console.error('[server] start-up failed:', err);
      process.exit(1);
    });
  if (cluster.isWorker) {
    process.on('SIGTERM', () => process.exit(0));
  }
  installMemoryProbe();
}
