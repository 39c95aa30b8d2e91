import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresBinDir } from '../tests/support/postgres';
import { createSession, uploadPhoto } from './lib/api';
import {
  createDatabase,
  databaseConnections,
  type HostedPair,
  hostedEnvFor,
  type RunningHostedStack,
  startHostedPairOn,
  startHostedStack,
} from './lib/hosted';
import { makePhoneJpeg, smallJpeg } from './lib/images';
import { sessionsFor, uploadAll } from './lib/ingest';
import { timeUploadsToBooth, type UploadToEvent } from './lib/live';
import { cannon, type LoadResult } from './lib/load';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import { distDir, type RunningServer, startProduct } from './lib/servers';
import type { SseClient } from './lib/sse';
import { fmtMB, fmtMs, MB, median, percentile, processTree, treeRss } from './lib/util';

/**
 * B9: the hosted pair (issue 11) against the embedded server, in one run on this machine.
 * - embedded: today's `node server.mjs`, 2 workers, SQLite + photo files in DATA_DIR;
 * - hosted: two `node server.mjs` instances (WEB_CONCURRENCY = B9_WORKERS, default 1 each: two
 *   Node processes for two cores, as the embedded server has), DATABASE_URL on a throwaway
 *   PostgreSQL, S3_BUCKET on a throwaway Swift, behind nginx round-robin (bench/lib/hosted.ts).
 * Measured: GET /api/session/:id throughput at 50 connections (B1's autocannon run) through nginx,
 * on one instance directly, and on the embedded server; upload on instance A → the booth's
 * `event: session` frame on instance B (B4's timing loop) against the embedded same-process path;
 * 12 MP JPEG ingest at 8 in flight (B2's uploads) through nginx against the embedded disk path.
 * The CPU time of every process tree (app, nginx, PostgreSQL, Swift) is read from /proc around
 * each phase: what a request costs where.
 */

const CONNECTIONS = 50;
const IN_FLIGHT = 8;
const CLK_TCK = 100;

/** CPU seconds (user + system) of a process tree so far (Linux /proc; exited children not counted). */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLK_TCK;
}

type Trees = Record<string, number[]>;

function cpuOf(trees: Trees): Record<string, number> {
  return Object.fromEntries(
    Object.entries(trees).map(([k, pids]) => [k, pids.reduce((a, p) => a + cpuSeconds(p), 0)]),
  );
}

/** Runs fn and returns what it returned with the CPU seconds each tree spent meanwhile. */
async function withCpu<T>(
  trees: Trees,
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = cpuOf(trees);
  const result = await fn();
  const after = cpuOf(trees);
  return {
    result,
    cpu: Object.fromEntries(Object.keys(trees).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])),
  };
}

const fmtCpu = (cpu: Record<string, number>, per: number, unit: string) =>
  Object.entries(cpu)
    .filter(([, s]) => s > 0.005)
    .map(([k, s]) => `${k} ${((s * 1000) / per).toFixed(unit === 'req' ? 2 : 0)} ms`)
    .join(', ');

/** The process trees a hosted request runs through on this machine (Swift stands in for the bucket). */
const HOSTED_TREES = ['instance A', 'instance B', 'nginx', 'PostgreSQL'];
const sumCpu = (cpu: Record<string, number>, keys: string[]) => keys.reduce((a, k) => a + (cpu[k] ?? 0), 0);

const fmtRun = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s (p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, ${r.errors} errors` : ''})`;

const pcts = (v: number[]) =>
  `p50 ${fmtMs(percentile(v, 50))}, p95 ${fmtMs(percentile(v, 95))}, p99 ${fmtMs(percentile(v, 99))}`;

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

export async function runB9(ctx: BenchContext): Promise<BenchResult> {
  const workers = Number(process.env.B9_WORKERS || 1);
  // The embedded server holds cores / 2 workers = 1 decode slot per worker, 2 on this machine.
  // Each hosted instance would take cores / workers for itself (it expects a machine of its own):
  // here the pair shares one machine, so it gets the embedded server's total, split between the two.
  const imageSlots =
    process.env.B9_IMAGE_CONCURRENCY ||
    String(Math.max(1, Math.floor(os.availableParallelism() / (2 * workers))));
  const duration = ctx.quick ? 4 : 8;
  const rounds = ctx.quick ? 1 : 3;
  const liveUploads = ctx.quick ? 40 : 120;
  const ingestUploads = ctx.quick ? 16 : 24;
  const ingestRounds = ctx.quick ? 1 : 2;
  const details: string[] = [];
  const rows: Row[] = [];
  const servers: RunningServer[] = [];
  const streams: SseClient[] = [];
  let stack: RunningHostedStack | undefined;
  try {
    ctx.log('B9: starting PostgreSQL + Swift, the embedded server (2 workers) and the hosted pair');
    const stackP = startHostedStack('pb-bench');
    const embedded = await startProduct({ dataDir: path.join(ctx.tmp, 'b9-embedded'), workers: 2 });
    servers.push(embedded);
    stack = await stackP;
    const databaseUrl = await createDatabase(stack.stack, 'pb_bench');
    const pair: HostedPair = await startHostedPairOn({
      dataDir: path.join(ctx.tmp, 'b9-hosted'),
      databaseUrl,
      env: { ...hostedEnvFor(stack.stack, databaseUrl), IMAGE_CONCURRENCY: imageSlots },
      workers,
      dist: distDir(),
    });
    servers.push(pair);
    const trees: Trees = {
      embedded: [embedded.pid],
      'instance A': [pair.a.pid],
      'instance B': [pair.b.pid],
      nginx: [pair.nginx.pid],
      PostgreSQL: [stack.pg.pid],
      Swift: Object.values(stack.swift.pids),
    };
    details.push(
      `Embedded: \`node server.mjs\`, 2 workers, SQLite + disk. Hosted: 2 instances × ${workers} worker${workers > 1 ? 's' : ''} (WEB_CONCURRENCY=${workers}, IMAGE_CONCURRENCY=${imageSlots}: the embedded server's 2 decode slots in all), PostgreSQL ${path.basename(path.dirname(postgresBinDir()))} (fsync off, a throwaway cluster), OpenStack Swift all-in-one (S3 API, 1 proxy worker), nginx 1 worker round-robin (tests/support/nginx.ts, the site of docs/hosting.md). All on this machine's ${os.availableParallelism()} cores at once; nothing else of the benchmark runs meanwhile, other work on the shared machine may. Load average at the start: ${load()}.`,
    );

    // ----------------------------------------------------------------------------- 1) GET
    const jpeg = await smallJpeg();
    const embeddedId = await createSession(embedded.url);
    const hostedId = await createSession(pair.url);
    for (let i = 0; i < 3; i++) {
      await uploadPhoto(embedded.url, embeddedId, jpeg);
      await uploadPhoto(pair.url, hostedId, jpeg);
    }
    const targets = {
      embedded: `${embedded.url}/api/session/${embeddedId}`,
      nginx: `${pair.url}/api/session/${hostedId}`,
      direct: `${pair.a.url}/api/session/${hostedId}`,
    };
    ctx.log('B9: GET warm-up');
    for (const url of [
      targets.embedded,
      targets.nginx,
      `${pair.b.url}/api/session/${hostedId}`,
      targets.direct,
    ])
      await cannon({ url, duration: 2, connections: CONNECTIONS });
    const get: Record<keyof typeof targets, LoadResult[]> = { embedded: [], nginx: [], direct: [] };
    const getCpu: Record<keyof typeof targets, { cpu: Record<string, number>; requests: number }[]> = {
      embedded: [],
      nginx: [],
      direct: [],
    };
    for (let r = 0; r < rounds; r++) {
      ctx.log(`B9: GET round ${r + 1}/${rounds} (load ${load()})`);
      for (const k of ['embedded', 'nginx', 'direct'] as const) {
        const { result, cpu } = await withCpu(trees, () =>
          cannon({ url: targets[k], duration, connections: CONNECTIONS }),
        );
        get[k].push(result);
        getCpu[k].push({ cpu, requests: result.ok + result.non2xx });
      }
    }
    const connectionsAfterGet = await databaseConnections(stack.stack, 'pb_bench');
    const rps = (k: keyof typeof targets) => median(get[k].map((r) => r.rps));
    const p99 = (k: keyof typeof targets) => median(get[k].map((r) => r.p99));
    const getRatio = rps('nginx') / rps('embedded');
    const getBad = [...get.nginx, ...get.direct].some((r) => r.non2xx > 0 || r.errors > 0);
    details.push(
      `- GET /api/session/:id (3 photos), ${CONNECTIONS} connections, ${rounds} alternating rounds of ${duration} s (medians):`,
      `  - embedded (2 workers): ${get.embedded.map(fmtRun).join(' | ')}`,
      `  - hosted through nginx (A + B): ${get.nginx.map(fmtRun).join(' | ')}`,
      `  - hosted, instance A directly: ${get.direct.map(fmtRun).join(' | ')}`,
    );
    const lastCpu = (k: keyof typeof targets) => {
      const c = getCpu[k].at(-1);
      return c ? fmtCpu(c.cpu, c.requests, 'req') : '';
    };
    details.push(
      `- CPU time per GET request, by process tree (last round): embedded: ${lastCpu('embedded')}; through nginx: ${lastCpu('nginx')}; instance A directly: ${lastCpu('direct')}`,
    );
    // CPU per request, whatever the machine's other load: what bounds throughput when CPU-bound.
    const perReq = (k: keyof typeof targets, trees: string[]) =>
      median(getCpu[k].map((c) => (sumCpu(c.cpu, trees) * 1000) / Math.max(1, c.requests)));
    const cpuEmbedded = perReq('embedded', ['embedded']);
    const cpuHosted = perReq('nginx', HOSTED_TREES);
    const cpuHostedApp = perReq('nginx', ['instance A', 'instance B']);
    const cpuDirect = perReq('direct', HOSTED_TREES);
    details.push(
      `- CPU per GET request (medians of the rounds): embedded ${cpuEmbedded.toFixed(2)} ms; hosted through nginx ${cpuHosted.toFixed(2)} ms, of which the two instances ${cpuHostedApp.toFixed(2)} ms, nginx and PostgreSQL the rest; instance A directly (one busy Node process instead of two) ${cpuDirect.toFixed(2)} ms with PostgreSQL`,
    );
    rows.push(
      {
        id: 'B9',
        what: `GET /api/session/:id, ${CONNECTIONS} conn.: hosted pair via nginx vs embedded`,
        value: `${rps('nginx').toFixed(0)} req/s, p99 ${fmtMs(p99('nginx'))}`,
        baseline: `embedded ${rps('embedded').toFixed(0)} req/s, p99 ${fmtMs(p99('embedded'))}`,
        ratio: x(getRatio),
        target: '≥ 0.6× embedded',
        met: !getBad && getRatio >= 0.6,
      },
      {
        id: 'B9b',
        what: 'GET session: one hosted instance directly vs embedded',
        value: `${rps('direct').toFixed(0)} req/s, p99 ${fmtMs(p99('direct'))}`,
        baseline: `embedded ${rps('embedded').toFixed(0)} req/s`,
        ratio: x(rps('direct') / rps('embedded')),
        target: 'report',
        met: null,
      },
      {
        id: 'B9c',
        what: 'CPU per GET session request: hosted (instances + nginx + PostgreSQL) vs embedded',
        value: `${cpuHosted.toFixed(2)} ms (instances ${cpuHostedApp.toFixed(2)} ms)`,
        baseline: `embedded ${cpuEmbedded.toFixed(2)} ms`,
        ratio: `${x(cpuEmbedded / cpuHosted)} capacity`,
        target: 'report (≥ 0.6× when CPU-bound)',
        met: null,
      },
    );

    // ----------------------------------------------------------------------------- 2) live
    ctx.log(
      `B9: ${liveUploads} uploads on instance A timed to the booth's event on instance B (load ${load()})`,
    );
    const cross = await withCpu(trees, () =>
      timeUploadsToBooth({
        uploadBase: pair.a.url,
        streamBase: pair.b.url,
        uploads: liveUploads,
        jpeg,
        streams,
      }),
    );
    ctx.log(`B9: the same on the embedded server (load ${load()})`);
    const local: UploadToEvent = await timeUploadsToBooth({
      uploadBase: embedded.url,
      streamBase: embedded.url,
      uploads: liveUploads,
      jpeg,
      streams,
    });
    ctx.log('B9: and on one hosted instance (upload and stream on A)');
    const sameInstance = await timeUploadsToBooth({
      uploadBase: pair.a.url,
      streamBase: pair.a.url,
      uploads: Math.ceil(liveUploads / 2),
      jpeg,
      streams,
    });
    for (const s of streams) s.close();
    const c = cross.result;
    details.push(
      `- ${liveUploads} uploads of a ${(jpeg.length / 1024).toFixed(0)} KB JPEG one after another over ${c.sessions} sessions, each watched by a booth stream (B4's loop, bench/lib/live.ts)${c.bad + local.bad + sameInstance.bad ? `; failed or without event: hosted ${c.bad}, embedded ${local.bad}, same instance ${sameInstance.bad}` : ''}:`,
      `  - hosted, upload on A → event on B (NOTIFY through PostgreSQL): answer → event ${pcts(c.afterAnswer)}, max ${fmtMs(Math.max(...c.afterAnswer))}; request sent → event ${pcts(c.fromSend)}`,
      `  - hosted, upload and stream on A (${sameInstance.fromSend.length} uploads; local delivery): answer → event ${pcts(sameInstance.afterAnswer)}; sent → event ${pcts(sameInstance.fromSend)}`,
      `  - embedded, same server (cluster relay between workers): answer → event ${pcts(local.afterAnswer)}; sent → event ${pcts(local.fromSend)}`,
      `  - CPU time per upload on the hosted path: ${fmtCpu(cross.cpu, liveUploads, 'photo')}`,
    );
    const crossP99 = percentile(c.afterAnswer, 99);
    rows.push({
      id: 'B9',
      what: `upload answered on A → booth SSE event on B (${liveUploads} uploads)`,
      value: pcts(c.afterAnswer),
      baseline: `embedded ${pcts(local.afterAnswer)}`,
      ratio: '—',
      target: 'p99 ≤ 100 ms',
      met: c.bad === 0 && crossP99 <= 100,
    });

    // ----------------------------------------------------------------------------- 3) ingest
    const photoFile = path.join(ctx.tmp, 'b9-phone-12mp.jpg');
    const photoBytes = await makePhoneJpeg(photoFile, { sigma: 24, quality: 92 });
    const photo = fs.readFileSync(photoFile);
    await uploadPhoto(embedded.url, await createSession(embedded.url), photo);
    await uploadPhoto(pair.a.url, await createSession(pair.url), photo);
    await uploadPhoto(pair.b.url, await createSession(pair.url), photo);
    const ingest: Record<'embedded' | 'hosted', number[]> = { embedded: [], hosted: [] };
    const ingestCpu: Record<string, number>[] = [];
    const ingestCpuEmbedded: Record<string, number>[] = [];
    let ingestBad = 0;
    for (let r = 0; r < ingestRounds; r++) {
      ctx.log(
        `B9: ingest round ${r + 1}/${ingestRounds}: ${ingestUploads} × 12 MP, ${IN_FLIGHT} in flight (load ${load()})`,
      );
      const embeddedTargets = await sessionsFor(embedded.url, ingestUploads);
      const eRun = await withCpu(trees, () => uploadAll(embedded.url, photo, embeddedTargets, IN_FLIGHT));
      const e = eRun.result;
      ingestCpuEmbedded.push(eRun.cpu);
      const hostedTargets = await sessionsFor(pair.url, ingestUploads);
      const h = await withCpu(trees, () => uploadAll(pair.url, photo, hostedTargets, IN_FLIGHT));
      ingestBad += [...e.statuses, ...h.result.statuses].filter((s) => s !== 201).length;
      ingest.embedded.push(ingestUploads / e.seconds);
      ingest.hosted.push(ingestUploads / h.result.seconds);
      ingestCpu.push(h.cpu);
    }
    const ie = median(ingest.embedded);
    const ih = median(ingest.hosted);
    const perPhoto = (list: Record<string, number>[], trees: string[]) =>
      median(list.map((c) => (sumCpu(c, trees) * 1000) / ingestUploads));
    const photoCpuEmbedded = perPhoto(ingestCpuEmbedded, ['embedded']);
    const photoCpuHosted = perPhoto(ingestCpu, HOSTED_TREES);
    const photoCpuSwift = perPhoto(ingestCpu, ['Swift']);
    const mbs = (photosPerS: number) => `${((photosPerS * photoBytes) / MB).toFixed(1)} MB/s`;
    details.push(
      `- 12 MP JPEG (${(photoBytes / MB).toFixed(1)} MB, B2's photo) × ${ingestUploads}, ${IN_FLIGHT} in flight, ${ingestRounds} rounds: embedded ${ingest.embedded.map((v) => v.toFixed(2)).join(', ')} photos/s; hosted through nginx ${ingest.hosted.map((v) => v.toFixed(2)).join(', ')} photos/s${ingestBad ? `; ${ingestBad} uploads not answered 201` : ''}`,
      `  - CPU time per photo, by process tree (last round): embedded: ${fmtCpu(ingestCpuEmbedded.at(-1) ?? {}, ingestUploads, 'photo')}; hosted: ${fmtCpu(ingestCpu.at(-1) ?? {}, ingestUploads, 'photo')}`,
      `- PostgreSQL connections to the app's database: ${connectionsAfterGet} after the GET runs, ${await databaseConnections(stack.stack, 'pb_bench')} after the uploads (2 instances × ${workers} worker${workers > 1 ? 's' : ''}; see the fleet analysis)`,
      `- RSS after the run: embedded (primary + 2 workers) ${fmtMB(treeRss(embedded.pid))}; instance A ${fmtMB(treeRss(pair.a.pid))}, instance B ${fmtMB(treeRss(pair.b.pid))} (each primary + ${workers} worker${workers > 1 ? 's' : ''}), nginx ${fmtMB(treeRss(pair.nginx.pid))}, PostgreSQL ${fmtMB(treeRss(stack.pg.pid))}, Swift ${fmtMB(Object.values(stack.swift.pids).reduce((a, p) => a + treeRss(p), 0))}`,
      `Load average at the end: ${load()}.`,
    );
    rows.push({
      id: 'B9',
      what: `ingest 12 MP JPEG (${(photoBytes / MB).toFixed(1)} MB), ${IN_FLIGHT} in flight: hosted via nginx vs embedded disk`,
      value: `${ih.toFixed(2)} photos/s (${mbs(ih)})`,
      baseline: `embedded ${ie.toFixed(2)} photos/s (${mbs(ie)})`,
      ratio: x(ih / ie),
      target: '≥ 0.7× embedded',
      met: ingestBad === 0 && ih / ie >= 0.7,
    });
    rows.push({
      id: 'B9c',
      what: 'CPU per 12 MP photo: hosted (instances + nginx + PostgreSQL; Swift apart) vs embedded',
      value: `${photoCpuHosted.toFixed(0)} ms (+ Swift ${photoCpuSwift.toFixed(0)} ms)`,
      baseline: `embedded ${photoCpuEmbedded.toFixed(0)} ms`,
      ratio: `${x(photoCpuEmbedded / photoCpuHosted)} capacity`,
      target: 'report',
      met: null,
    });
    return { rows, details };
  } finally {
    for (const s of streams) s.close();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await stack?.stop();
  }
}
