/**
 * How every benchmark reports: figure lines (`name ours=… bare=… ratio=…`) and a PASS/MISS per goal.
 * A MISS is a finding, not an error: nothing here throws. `run.ts` prints every collected row again
 * as a summary table at the end.
 */

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'ERROR';

export interface Row {
  bench: string;
  metric: string;
  ours: string;
  baseline: string;
  /** "ratio=1.03x" or "delta=+0.4 ms". */
  comparison: string;
  goal: string;
  verdict: Verdict;
}

const rows: Row[] = [];

export function allRows(): readonly Row[] {
  return rows;
}

/** Numbers to at most 3 significant decimals, without trailing noise. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  return value.toFixed(digits);
}

export class BenchReport {
  constructor(readonly bench: string) {}

  /** An informational line: `bench.metric k=v k=v`. */
  info(metric: string, fields: Record<string, string | number>): void {
    const text = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'number' ? fmt(value) : value}`)
      .join(' ');
    console.log(`${this.bench}.${metric} ${text}`);
  }

  /** A note printed as-is (findings, explanations). */
  note(text: string): void {
    for (const line of text.split('\n')) console.log(`  # ${line}`);
  }

  /**
   * ours vs baseline as a ratio (ours / bare). `goal.max`/`goal.min` bound the ratio.
   * Prints `bench.metric ours=… bare=… ratio=…x  PASS|MISS (goal …)`.
   */
  ratio(
    metric: string,
    ours: number,
    bare: number,
    options: { unit?: string; max?: number; min?: number; label?: string } = {},
  ): boolean | null {
    const unit = options.unit ?? '';
    const ratio = ours / bare;
    const goal = goalText('ratio', options.max, options.min, 'x');
    const verdict = judge(ratio, options.max, options.min);
    const comparison = `ratio=${fmt(ratio, 3)}x`;
    this.#emit(metric, `${fmt(ours)}${unit}`, `${fmt(bare)}${unit}`, comparison, goal, verdict, options.label ?? 'bare');
    return verdict === 'INFO' ? null : verdict === 'PASS';
  }

  /** ours vs baseline as a difference (ours - bare), with `goal.max` bounding the difference. */
  delta(metric: string, ours: number, bare: number, options: { unit?: string; max?: number; label?: string } = {}): boolean | null {
    const unit = options.unit ?? '';
    const delta = ours - bare;
    const goal = goalText('delta', options.max, undefined, unit);
    const verdict = judge(delta, options.max, undefined);
    const comparison = `delta=${delta >= 0 ? '+' : ''}${fmt(delta)}${unit}`;
    this.#emit(metric, `${fmt(ours)}${unit}`, `${fmt(bare)}${unit}`, comparison, goal, verdict, options.label ?? 'bare');
    return verdict === 'INFO' ? null : verdict === 'PASS';
  }

  /** A single figure against an absolute goal (no baseline), e.g. RSS growth under 64 MB. */
  absolute(metric: string, value: number, options: { unit?: string; max?: number; min?: number } = {}): boolean | null {
    const unit = options.unit ?? '';
    const goal = goalText('value', options.max, options.min, unit);
    const verdict = judge(value, options.max, options.min);
    this.#emit(metric, `${fmt(value)}${unit}`, '', '', goal, verdict, '');
    return verdict === 'INFO' ? null : verdict === 'PASS';
  }

  /** The bench itself failed (exception); recorded so the summary shows it. */
  error(metric: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`${this.bench}.${metric} ERROR ${message}`);
    if (error instanceof Error && error.stack) console.log(error.stack.split('\n').slice(1, 6).join('\n'));
    rows.push({
      bench: this.bench,
      metric,
      ours: '',
      baseline: '',
      comparison: message.slice(0, 60),
      goal: '',
      verdict: 'ERROR',
    });
  }

  #emit(metric: string, ours: string, bare: string, comparison: string, goal: string, verdict: Verdict, label: string) {
    const parts = [`${this.bench}.${metric}`, `ours=${ours}`];
    if (bare) parts.push(`${label}=${bare}`);
    if (comparison) parts.push(comparison);
    const tail = verdict === 'INFO' ? '' : `  ${verdict} (goal ${goal})`;
    console.log(parts.join(' ') + tail);
    rows.push({ bench: this.bench, metric, ours, baseline: bare, comparison, goal, verdict });
  }
}

function judge(value: number, max: number | undefined, min: number | undefined): Verdict {
  if (max === undefined && min === undefined) return 'INFO';
  if (!Number.isFinite(value)) return 'MISS';
  if (max !== undefined && value > max) return 'MISS';
  if (min !== undefined && value < min) return 'MISS';
  return 'PASS';
}

function goalText(what: string, max: number | undefined, min: number | undefined, unit: string): string {
  if (max !== undefined && min !== undefined) return `${min}${unit} <= ${what} <= ${max}${unit}`;
  if (max !== undefined) return `${what} <= ${what === 'delta' ? '+' : ''}${max}${unit}`;
  if (min !== undefined) return `${what} >= ${min}${unit}`;
  return '';
}

/** Prints the collected rows as an aligned table. */
export function printSummary(): void {
  const header: Row = {
    bench: 'bench',
    metric: 'metric',
    ours: 'ours',
    baseline: 'baseline',
    comparison: 'vs baseline',
    goal: 'goal',
    verdict: 'result' as Verdict,
  };
  const keys = ['bench', 'metric', 'ours', 'baseline', 'comparison', 'goal', 'verdict'] as const;
  const table = [header, ...rows];
  const widths = keys.map((key) => Math.max(...table.map((row) => row[key].length)));
  const line = (row: Row) => keys.map((key, i) => row[key].padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-+-'));
  for (const row of rows) console.log(line(row));
}
