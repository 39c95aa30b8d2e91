import path from 'node:path';
import { createSession, uploadPhoto } from './lib/api';
import { multipartBody, smallJpeg } from './lib/images';
import { cannon, type LoadResult, openLoop } from './lib/load';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import {
  type RunningServer,
  SEED_FLASK_DIR,
  seedFlaskAvailable,
  startBare,
  startFlask,
  startProduct,
} from './lib/servers';
import { fmtMs, median, pool } from './lib/util';

/**
 * B1: GET /api/session/:id and POST /api/session/:id/photos (a small JPEG, multipart) at 50
 * connections against the production start command, side by side with the Flask service, Next's
 * own floor (the near-empty /api/health handler of the same build) and a bare node:http server.
 * Runs alternate between the servers, so drift of the shared machine hits all of them alike.
 */

const CONNECTIONS = 50;

async function makeUploadPaths(base: string, sessions: number, perSession: number): Promise<string[]> {
  const ids = await pool(
    Array.from({ length: sessions }, (_, i) => i),
    16,
    async () => await createSession(base),
  );
  // Consecutive requests go to different sessions; each session takes `perSession` photos.
  const paths: string[] = [];
  for (let k = 0; k < perSession; k++) for (const id of ids) paths.push(`/api/session/${id}/photos`);
  return paths;
}

function postRequests(paths: string[], body: Buffer, contentType: string) {
  let i = 0;
  return [
    {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      setupRequest: (req: object) => ({ ...req, path: paths[i++ % paths.length] }),
    },
  ];
}

const fmtRun = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, ${r.errors} errors` : ''}`;

export async function runB1(ctx: BenchContext): Promise<BenchResult> {
  const duration = ctx.quick ? 4 : 8;
  const rounds = ctx.quick ? 1 : 3;
  const details: string[] = [];
  const jpeg = await smallJpeg();
  const { body, contentType } = multipartBody(jpeg);
  details.push(
    `Small JPEG: 640×480, ${(jpeg.length / 1024).toFixed(0)} KB, sent as multipart/form-data; ${CONNECTIONS} connections (autocannon, closed loop), ${rounds} alternating GET rounds and ${Math.min(rounds, 2)} POST rounds of ${duration} s per server (medians of the rounds). Throughput counts 2xx answers only. Fixed-rate runs are open loop (evenly spaced arrivals, up to 50 keep-alive connections).`,
  );

  const dataDir = path.join(ctx.tmp, 'b1-product');
  const servers: RunningServer[] = [];
  try {
    ctx.log('B1: starting the product (node server.mjs), the bare server and the Flask service');
    const product = await startProduct({ dataDir });
    servers.push(product);
    const getId = await createSession(product.url);
    for (let i = 0; i < 3; i++) await uploadPhoto(product.url, getId, jpeg);
    const bare = await startBare(path.join(dataDir, 'photobooth.db'));
    servers.push(bare);

    let flask: RunningServer | undefined;
    let flaskGetId = '';
    if (seedFlaskAvailable()) {
      flask = await startFlask(path.join(ctx.tmp, 'b1-flask', 'photobooth.db'));
      servers.push(flask);
      flaskGetId = await createSession(flask.url);
      for (let i = 0; i < 3; i++) await uploadPhoto(flask.url, flaskGetId, jpeg);
    } else {
      details.push(
        `The Flask service was not found at ${SEED_FLASK_DIR} (../shared is absent): its rows say so.`,
      );
    }

    const sessionsNeeded = ctx.quick ? 400 : 1200;
    ctx.log(`B1: creating ${sessionsNeeded} upload sessions per server for the POST runs`);
    const productPaths = await makeUploadPaths(product.url, sessionsNeeded, 5);
    const flaskPaths = flask ? await makeUploadPaths(flask.url, sessionsNeeded * 2, 5) : [];
    const productPost = postRequests(productPaths, body, contentType);
    const flaskPost = flask ? postRequests(flaskPaths, body, contentType) : [];

    const runs: Record<string, LoadResult[]> = {
      productGet: [],
      flaskGet: [],
      bareGet: [],
      emptyRoute: [],
      productPost: [],
      flaskPost: [],
    };
    // Warm-up: JIT, caches, connection pools.
    await cannon({ url: `${product.url}/api/session/${getId}`, duration: 2, connections: CONNECTIONS });
    if (flask)
      await cannon({ url: `${flask.url}/api/session/${flaskGetId}`, duration: 2, connections: CONNECTIONS });
    await cannon({ url: `${bare.url}/api/session/${getId}`, duration: 1, connections: CONNECTIONS });

    for (let r = 0; r < rounds; r++) {
      ctx.log(`B1: GET round ${r + 1}/${rounds}`);
      runs.productGet?.push(await cannon({ url: `${product.url}/api/session/${getId}`, duration }));
      if (flask)
        runs.flaskGet?.push(await cannon({ url: `${flask.url}/api/session/${flaskGetId}`, duration }));
      runs.bareGet?.push(await cannon({ url: `${bare.url}/api/session/${getId}`, duration }));
      runs.emptyRoute?.push(await cannon({ url: `${product.url}/api/health`, duration }));
    }
    for (let r = 0; r < Math.min(rounds, 2); r++) {
      ctx.log(`B1: POST round ${r + 1}/${Math.min(rounds, 2)}`);
      runs.productPost?.push(await cannon({ url: product.url, duration, requests: productPost }));
      if (flask) runs.flaskPost?.push(await cannon({ url: flask.url, duration, requests: flaskPost }));
    }

    const med = (k: string, f: (r: LoadResult) => number) => median((runs[k] ?? []).map(f));
    const pg = {
      rps: med('productGet', (r) => r.rps),
      p50: med('productGet', (r) => r.p50),
      p99: med('productGet', (r) => r.p99),
    };
    const fg = {
      rps: med('flaskGet', (r) => r.rps),
      p50: med('flaskGet', (r) => r.p50),
      p99: med('flaskGet', (r) => r.p99),
    };
    const bg = med('bareGet', (r) => r.rps);
    const eg = med('emptyRoute', (r) => r.rps);
    const pp = {
      rps: med('productPost', (r) => r.rps),
      p50: med('productPost', (r) => r.p50),
      p99: med('productPost', (r) => r.p99),
    };
    const fp = {
      rps: med('flaskPost', (r) => r.rps),
      p50: med('flaskPost', (r) => r.p50),
      p99: med('flaskPost', (r) => r.p99),
    };

    // Latency at the rate the Flask service sustains: what a client sees when the booth is as
    // busy as the old service could ever be (a saturated closed loop only measures queueing).
    let atRate: LoadResult | undefined;
    let atHalf: LoadResult | undefined;
    const rate = Math.round(flask ? fg.rps : 500);
    if (Number.isFinite(rate) && rate > 0) {
      ctx.log(`B1: GET at a fixed ${rate} req/s, then at half of it`);
      atRate = await openLoop(`${product.url}/api/session/${getId}`, rate, duration);
      atHalf = await openLoop(`${product.url}/api/session/${getId}`, Math.round(rate / 2), duration);
    }

    // For the record: a single `next start` process on the same data (what the cluster replaced).
    await product.stop();
    servers.splice(servers.indexOf(product), 1);
    ctx.log('B1: reference run on a single `next start`');
    const single = await startProduct({ dataDir, mode: 'next-start' });
    servers.push(single);
    await cannon({ url: `${single.url}/api/session/${getId}`, duration: 2 });
    const singleGet = await cannon({ url: `${single.url}/api/session/${getId}`, duration });

    for (const [k, label] of [
      ['productGet', 'product GET /api/session/:id (node server.mjs)'],
      ['flaskGet', 'Flask GET /api/session/:id (gunicorn 2×4)'],
      ['bareGet', 'bare node:http + better-sqlite3 GET'],
      ['emptyRoute', 'product GET /api/health (empty route, same build)'],
      ['productPost', 'product POST photos (decode, re-encode, thumbnail, fsync)'],
      ['flaskPost', 'Flask POST photos (base64 into SQLite, unchecked)'],
    ] as const) {
      const list = runs[k] ?? [];
      if (list.length) details.push(`- ${label}: ${list.map(fmtRun).join(' | ')}`);
    }
    if (atRate)
      details.push(
        `- product GET at a fixed ${rate} req/s (Flask's measured maximum), 50 connections: ${fmtRun(atRate)}`,
      );
    if (atHalf)
      details.push(`- product GET at a fixed ${Math.round(rate / 2)} req/s (half of it): ${fmtRun(atHalf)}`);
    details.push(`- single \`next start\` GET (for comparison, same data): ${fmtRun(singleGet)}`);

    const noFlask = 'Flask absent (../shared missing)';
    const getMet = flask ? pg.rps >= fg.rps && pg.p99 <= 50 : null;
    const rows: Row[] = [
      {
        id: 'B1',
        what: 'GET /api/session/:id, 50 conn.',
        value: `${pg.rps.toFixed(0)} req/s, p50 ${fmtMs(pg.p50)}, p99 ${fmtMs(pg.p99)}${atHalf ? `; p99 ${fmtMs(atHalf.p99)} at ${Math.round(rate / 2)} req/s` : ''}`,
        baseline: flask ? `Flask ${fg.rps.toFixed(0)} req/s, p99 ${fmtMs(fg.p99)}` : noFlask,
        ratio: flask ? x(pg.rps / fg.rps) : 'n/a',
        target: '≥ 1.0× Flask, p99 ≤ 50 ms',
        met: getMet,
      },
      {
        id: 'B1b',
        what: 'GET session vs Next empty route (same build)',
        value: `${pg.rps.toFixed(0)} req/s`,
        baseline: `/api/health ${eg.toFixed(0)} req/s`,
        ratio: x(pg.rps / eg),
        target: 'report',
        met: null,
      },
      {
        id: 'B1c',
        what: 'GET session vs bare node:http + better-sqlite3',
        value: `${pg.rps.toFixed(0)} req/s`,
        baseline: `bare ${bg.toFixed(0)} req/s`,
        ratio: x(pg.rps / bg),
        target: 'report',
        met: null,
      },
      {
        id: 'B1',
        what: 'POST photo (small JPEG), 50 conn.',
        value: `${pp.rps.toFixed(0)} req/s, p50 ${fmtMs(pp.p50)}, p99 ${fmtMs(pp.p99)}`,
        baseline: flask ? `Flask ${fp.rps.toFixed(0)} req/s, p99 ${fmtMs(fp.p99)}` : noFlask,
        ratio: flask ? x(pp.rps / fp.rps) : 'n/a',
        target: 'report (Flask stores bytes unchecked)',
        met: null,
      },
    ];
    return { rows, details };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
