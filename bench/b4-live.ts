import net from 'node:net';
import path from 'node:path';
import { createSession, uploadPhoto } from './lib/api';
import { smallJpeg } from './lib/images';
import { timeUploadsToBooth } from './lib/live';
import type { BenchContext, BenchResult, Row } from './lib/report';
import { boothAuth, type RunningServer, startProduct } from './lib/servers';
import { openSse, type SseClient } from './lib/sse';
import { fmtMB, fmtMs, MB, percentile, pool, sleep, treeRss } from './lib/util';

/**
 * B4: a guest's upload is answered → the booth's SSE stream shows the new count. 200 uploads one
 * after another (40 sessions × 5), each session watched by a booth stream, while 500 other idle
 * SSE clients stay connected. Baseline: the raw loopback round trip (a TCP echo in this process).
 * Also the memory 500 idle streams cost the server.
 */

async function loopbackRtt(samples: number): Promise<number[]> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      sock.once('data', () => r());
      sock.write('x');
    });
    out.push(performance.now() - t0);
  }
  sock.destroy();
  server.close();
  return out;
}

interface Memory {
  heapUsed: number;
  rss: number;
}

/**
 * The server's memory after a full GC in every process (server.mjs's probe: PB_MEMORY_PROBE=1 with
 * --expose-gc; SIGUSR2 to the primary makes each process collect and print one [memory] line).
 */
async function serverMemory(server: RunningServer, processes: number): Promise<Memory> {
  const before = server.logs().split('[memory] ').length;
  process.kill(server.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const parts = server.logs().split('[memory] ');
    if (parts.length - before >= processes) {
      const lines = parts.slice(-processes).map((p) => JSON.parse(p.split('\n')[0] as string) as Memory);
      return {
        heapUsed: lines.reduce((a, m) => a + m.heapUsed, 0),
        rss: lines.reduce((a, m) => a + m.rss, 0),
      };
    }
    if (Date.now() > deadline) throw new Error('the server did not report its memory (PB_MEMORY_PROBE)');
    await sleep(50);
  }
}

const KB = 1024;
const fmtKB = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
const fmtMB1 = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

export async function runB4(ctx: BenchContext): Promise<BenchResult> {
  const details: string[] = [];
  const idleClients = 500;
  const uploads = ctx.quick ? 50 : 200;
  const jpeg = await smallJpeg();
  const servers: RunningServer[] = [];
  const streams: SseClient[] = [];
  try {
    const product = await startProduct({
      dataDir: path.join(ctx.tmp, 'b4-product'),
      workers: 2,
      env: { PB_MEMORY_PROBE: '1' },
      nodeArgs: ['--expose-gc'],
    });
    const processes = 3; // the primary and two workers
    servers.push(product);
    // Warm-up: one upload and one stream, so idle RSS is a server that has served both.
    const warm = await createSession(product.url);
    const w = await openSse(`${product.url}/api/session/${warm}/events`, { headers: boothAuth });
    await uploadPhoto(product.url, warm, jpeg);
    await w.waitFor((e) => e.data?.photo_count === 1);
    w.close();
    await sleep(1500);
    const idleSessions = await pool(
      Array.from({ length: 100 }, (_, i) => i),
      8,
      async () => await createSession(product.url),
    );
    const openIdle = async (): Promise<SseClient[]> => {
      const opened: SseClient[] = [];
      let firstEvents = 0;
      await pool(
        Array.from({ length: idleClients }, (_, i) => idleSessions[i % idleSessions.length] as string),
        50,
        async (id) => {
          const c = await openSse(`${product.url}/api/session/${id}/events`, {
            keep: false,
            onEvent: (e) => {
              if (e.event === 'session') firstEvents++;
            },
          });
          opened.push(c);
          streams.push(c);
        },
      );
      const deadline = Date.now() + 20_000;
      while (firstEvents < idleClients && Date.now() < deadline) await sleep(50);
      await sleep(2000);
      return opened;
    };

    // The memory of idle streams, after a GC in every process: open, measure, close, measure.
    ctx.log(`B4: memory of ${idleClients} idle SSE streams (after GC)`);
    const mem0 = await serverMemory(product, processes);
    const measured = await openIdle();
    const mem1 = await serverMemory(product, processes);
    const measuredOpen = measured.filter((s) => !s.isClosed()).length;
    for (const c of measured) c.close();
    await sleep(3000);
    const mem2 = await serverMemory(product, processes);
    const heapPer = (mem1.heapUsed - mem0.heapUsed) / measuredOpen;
    const rssPer = (mem1.rss - mem0.rss) / measuredOpen;

    const rssBefore = treeRss(product.pid);
    ctx.log(`B4: opening ${idleClients} idle SSE clients`);
    await openIdle();
    const rssStreams = treeRss(product.pid);
    const open = streams.filter((s) => !s.isClosed()).length;

    ctx.log(`B4: ${uploads} uploads, each timed to its booth's SSE event`);
    const { afterAnswer, fromSend, bad, sessions } = await timeUploadsToBooth({
      uploadBase: product.url,
      streamBase: product.url,
      uploads,
      jpeg,
      streams,
    });
    const rtt = await loopbackRtt(200);
    const p50 = percentile(afterAnswer, 50);
    const p99 = percentile(afterAnswer, 99);
    const added = rssStreams - rssBefore;
    details.push(
      `- ${uploads} uploads of a ${(jpeg.length / 1024).toFixed(0)} KB JPEG, one at a time, ${sessions} sessions each watched by a booth stream, with ${open}/${idleClients} idle streams open on 100 other sessions${bad ? `; ${bad} uploads failed or had no event` : ''}.`,
      `- answer → booth event: p50 ${fmtMs(p50)}, p99 ${fmtMs(p99)}, max ${fmtMs(Math.max(...afterAnswer))} (0 when the event arrived before the answer: the server publishes right after the commit)`,
      `- request sent → booth event (the guest's whole wait, including decoding and storing): p50 ${fmtMs(percentile(fromSend, 50))}, p99 ${fmtMs(percentile(fromSend, 99))}`,
      `- raw loopback TCP round trip (echo, 200 samples): p50 ${fmtMs(percentile(rtt, 50))}, p99 ${fmtMs(percentile(rtt, 99))}`,
      `- server RSS (primary + workers): ${fmtMB(rssBefore)} before the idle streams, ${fmtMB(rssStreams)} with ${open} open: +${fmtMB(added)}`,
      `- memory of ${measuredOpen} idle streams after a full GC in each process (\`PB_MEMORY_PROBE=1\`, \`--expose-gc\`): V8 heap used ${fmtMB1(mem0.heapUsed)} → ${fmtMB1(mem1.heapUsed)} open → ${fmtMB1(mem2.heapUsed)} closed; RSS ${fmtMB1(mem0.rss)} → ${fmtMB1(mem1.rss)} → ${fmtMB1(mem2.rss)}`,
      `- per idle stream: ${fmtKB(rssPer)} RSS, ${fmtKB(heapPer)} V8 heap; closing them freed ${fmtMB1(mem1.heapUsed - mem2.heapUsed)} of heap and ${fmtMB1(mem1.rss - mem2.rss)} of RSS`,
    );
    const rows: Row[] = [
      {
        id: 'B4',
        what: `upload answered → booth SSE event (${uploads} uploads, ${idleClients} idle streams)`,
        value: `p50 ${fmtMs(p50)}, p99 ${fmtMs(p99)}`,
        baseline: `loopback RTT p50 ${fmtMs(percentile(rtt, 50))}, p99 ${fmtMs(percentile(rtt, 99))}`,
        ratio: '—',
        target: 'p99 ≤ 50 ms',
        met: bad === 0 && p99 <= 50,
      },
      {
        id: 'B4',
        what: `RSS added by ${idleClients} idle SSE streams`,
        value: `+${fmtMB(added)}`,
        baseline: `${fmtMB(rssBefore)} before`,
        ratio: '—',
        target: '≤ 100 MB',
        met: open === idleClients && added <= 100 * MB,
      },
      {
        id: 'B4',
        what: `memory per idle SSE stream (${measuredOpen} streams, after GC)`,
        value: `${fmtKB(rssPer)} RSS (${fmtKB(heapPer)} heap)`,
        baseline: `closing freed ${fmtMB1(mem1.heapUsed - mem2.heapUsed)} heap, ${fmtMB1(mem1.rss - mem2.rss)} RSS`,
        ratio: '—',
        target: '≤ 40 KB RSS and heap',
        met: measuredOpen === idleClients && rssPer <= 40 * KB && heapPer <= 40 * KB,
      },
    ];
    return { rows, details };
  } finally {
    for (const s of streams) s.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
