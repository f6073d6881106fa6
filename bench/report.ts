// What every benchmark section shares: timing helpers, the figures recorded with their targets, the
// machine description and the summary table printed at the end of a run.
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Figure {
  /** Short name for the summary table. */
  name: string;
  /** The measured value, formatted with its unit. */
  measured: string;
  /** The target as text, e.g. "≤ 15 ms". */
  target: string;
  /** undefined: reported without a target (context for another figure). */
  met?: boolean;
}

const figures: Figure[] = [];

/** Records a figure and prints it at once, with its target and whether it was met. */
export function report(figure: Figure): void {
  figures.push(figure);
  const verdict = figure.met === undefined ? '' : figure.met ? '  met' : '  NOT met';
  console.log(`  ${figure.name}: ${figure.measured}${figure.target ? ` (target ${figure.target})` : ''}${verdict}`);
}

/** A line of context under the current section (not a figure). */
export function note(text: string): void {
  console.log(`    ${text}`);
}

export function section(title: string): void {
  console.log(`\n== ${title}`);
}

/** A figure that could not be measured on this machine: listed in the summary as skipped. */
export function skipped(name: string, target: string, why: string): void {
  figures.push({ name, measured: `skipped: ${why}`, target });
  console.log(`  ${name}: skipped — ${why}`);
}

export function summaryTable(): string {
  const rows = figures.map((f) => [f.name, f.target || '—', f.measured, f.met === undefined ? '—' : f.met ? 'met' : 'NOT met']);
  const header = ['figure', 'target', 'measured', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function allFigures(): readonly Figure[] {
  return figures;
}

export function machine(): string {
  const cpu = cpus();
  return [
    `cpu: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    `load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`,
    `node ${process.version}, ${platform()} ${release()}`,
  ].join('\n');
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function ms(value: number, digits = value < 10 ? 2 : value < 100 ? 1 : 0): string {
  return `${value.toFixed(digits)} ms`;
}

export function mib(bytes: number, digits = 1): string {
  return `${(bytes / 2 ** 20).toFixed(digits)} MiB`;
}

export function timeSync(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Full garbage collections (with or without --expose-gc), so heap figures and pauses are our own. */
export function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) gc();
}
