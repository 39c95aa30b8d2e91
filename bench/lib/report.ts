/** What each benchmark hands back to bench/run.ts for the table and BENCHMARKS.md. */
export interface Row {
  id: string;
  what: string;
  /** The product's number. */
  value: string;
  /** The baseline measured in the same run. */
  baseline: string;
  ratio: string;
  target: string;
  /** true met, false missed, null: a number to report (no pass/fail target) or not measured. */
  met: boolean | null;
}

export interface BenchResult {
  rows: Row[];
  /** Markdown lines with the details (every run, settings, what limits it). */
  details: string[];
}

export interface BenchContext {
  tmp: string;
  quick: boolean;
  log: (msg: string) => void;
}

export const x = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a');
