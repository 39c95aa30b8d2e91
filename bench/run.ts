import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runB1 } from './b1-api';
import { runB2B3 } from './b2-ingest';
import { runB4 } from './b4-live';
import { runB5 } from './b5-page';
import { runB6 } from './b6-compose';
import { runB7 } from './b7-brand';
import { runB8 } from './b8-gallery';
import { runB9 } from './b9-hosted';
import type { BenchContext, BenchResult, Row } from './lib/report';
import { distDir, ensureBuild, ROOT } from './lib/servers';
import { ANALYSIS } from './notes';

/**
 * `npm run bench`: builds if needed (into NEXT_DIST_DIR, default .next-bench), runs B1–B9 against
 * servers it starts itself on 127.0.0.1 with throwaway data, prints the table and rewrites
 * BENCHMARKS.md. Options: --only B1,B5 (e.g. --only B7: just the branding rows)  --quick (shorter runs, for trying the harness)
 * --no-write (print only).
 */

const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only='))?.slice(7) ?? args[args.indexOf('--only') + 1] ?? '')
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter((s) => /^B\d$/.test(s));
const quick = args.includes('--quick');
const write = !args.includes('--no-write') && only.length === 0 && !quick;

const BENCHES: { ids: string[]; title: string; run: (ctx: BenchContext) => Promise<BenchResult> }[] = [
  { ids: ['B1'], title: 'B1 — API throughput and latency', run: runB1 },
  { ids: ['B2', 'B3'], title: 'B2/B3 — photo ingest and its memory', run: runB2B3 },
  { ids: ['B4'], title: 'B4 — live latency (upload → SSE)', run: runB4 },
  { ids: ['B5'], title: 'B5 — guest page weight and LCP', run: runB5 },
  { ids: ['B6'], title: 'B6 — compose', run: runB6 },
  { ids: ['B7'], title: 'B7 — branded pictures: template cost and preview latency', run: runB7 },
  { ids: ['B8'], title: 'B8 — host gallery: ZIP of 1,000 pictures and the gallery page', run: runB8 },
  {
    ids: ['B9'],
    title: 'B9 — hosted pair (2 instances, nginx, PostgreSQL, S3) vs the embedded server',
    run: runB9,
  },
];

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown'})`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    `- Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`,
    `- Load average before the run (1/5/15 min): ${loadAverage()}`,
  ];
}

function table(rows: Row[]): string[] {
  const mark = (m: boolean | null) => (m === true ? 'met' : m === false ? '**missed**' : '—');
  const out = [
    '| # | what | product | baseline (same run) | ratio | target | |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    out.push(
      `| ${r.id} | ${r.what} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} | ${mark(r.met)} |`,
    );
  return out;
}

function printTable(rows: Row[]): void {
  const cols: (keyof Row)[] = ['id', 'what', 'value', 'baseline', 'ratio', 'target', 'met'];
  const cell = (r: Row, c: keyof Row) =>
    c === 'met' ? (r.met === true ? 'met' : r.met === false ? 'MISSED' : '-') : String(r[c]);
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r, c).length))));
  const line = (vals: string[]) =>
    vals.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i] ?? 0)).join(' | ');
  console.log(line(cols.map(String)));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const r of rows) console.log(line(cols.map((c) => cell(r, c))));
}

async function main() {
  const started = Date.now();
  const log = (msg: string) =>
    console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}`);
  const info = machine();
  process.env.NEXT_DIST_DIR = process.env.NEXT_DIST_DIR || '.next-bench';
  if (ensureBuild(distDir(), { log })) log('build done');
  else log(`using the existing build in ${distDir()}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-'));
  const ctx: BenchContext = { tmp, quick, log };
  const rows: Row[] = [];
  const sections: string[] = [];
  try {
    for (const b of BENCHES) {
      if (only.length && !b.ids.some((id) => only.includes(id))) continue;
      log(`${b.title}`);
      const t0 = Date.now();
      try {
        const res = await b.run(ctx);
        rows.push(...res.rows);
        sections.push(
          `### ${b.title}`,
          '',
          ...res.details,
          '',
          `(${((Date.now() - t0) / 1000).toFixed(0)} s)`,
          '',
        );
      } catch (err) {
        console.error(err);
        for (const id of b.ids) {
          rows.push({
            id,
            what: b.title,
            value: 'failed',
            baseline: '—',
            ratio: '—',
            target: '—',
            met: false,
          });
        }
        sections.push(
          `### ${b.title}`,
          '',
          `The benchmark failed: \`${String((err as Error).message).split('\n')[0]}\``,
          '',
        );
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const took = (Date.now() - started) / 1000;
  console.log('');
  printTable(rows);
  console.log(`\n${took.toFixed(0)} s in all; load average now ${loadAverage()}`);

  if (!write) {
    // --only / --quick / --no-write: the details go to the console instead of BENCHMARKS.md.
    console.log(`\n${sections.join('\n')}`);
    return;
  }
  const md = [
    '# Benchmarks',
    '',
    'Made by `npm run bench` (bench/run.ts): every number is measured in the same run as its baseline, on',
    'this machine, with servers the script starts itself on 127.0.0.1 with throwaway data. The machine is',
    'shared and noisy: compare ratios, not absolute numbers; differences under about 10% are noise.',
    '',
    '## Machine',
    '',
    ...info,
    `- Load average after the run: ${loadAverage()}; the run took ${took.toFixed(0)} s`,
    `- Product: the production start command \`node server.mjs\` (${os.availableParallelism() > 1 ? `${Math.min(4, os.availableParallelism())} workers` : '1 process'}), build in \`${distDir()}\``,
    '',
    '## Results',
    '',
    ...table(rows),
    '',
    ...ANALYSIS,
    '',
    '## Details of this run',
    '',
    ...sections,
  ];
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), `${md.join('\n').trimEnd()}\n`);
  log('wrote BENCHMARKS.md');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
