// Start-up: activate() of the production bundle (with a stub vscode module, in a fresh process), and the
// first findings for a newly opened 1,000-line model file, cold, including wasm start-up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './children';
import { ms, note, percentile, report, section } from './report';
import { largeModelFile } from './synthetic';

const ROUNDS = 5;

async function child<T>(root: string, args: string[]): Promise<T> {
  const result = await run(process.execPath, [join(root, 'dist', 'bench-child.js'), ...args]);
  if (result.code !== 0) throw new Error(`bench-child ${args[0]} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.toString()) as T;
}

export async function benchActivation(root: string): Promise<void> {
  section('6. Activation and first findings (each in a fresh process)');
  const activations: Array<{ requireMs: number; activateMs: number; subscriptions: number; registrations: number; kinds: string[] }> = [];
  for (let i = 0; i < ROUNDS; i++) activations.push(await child(root, ['activate']));
  const activate = percentile(activations.map((a) => a.activateMs), 50);
  const loadAndActivate = percentile(activations.map((a) => a.requireMs + a.activateMs), 50);
  const last = activations[activations.length - 1];
  note(`stub vscode module: ${last.registrations} registrations (${last.kinds.join(', ')}), ${last.subscriptions} subscriptions`);
  report({ name: 'activate() of dist/extension.js (stub vscode), median of 5', measured: ms(activate), target: '≤ 20 ms', met: activate <= 20 });
  report({ name: 'bundle load + activate(), median of 5', measured: ms(loadAndActivate), target: '≤ 20 ms', met: loadAndActivate <= 20 });

  const file = join(root, '.bench-cache', 'first-findings-1000.py');
  writeFileSync(file, largeModelFile(root, 1000, 1000));
  const firsts: Array<{ wasmMs: number; analyzeMs: number; totalMs: number; findings: number; lines: number }> = [];
  for (let i = 0; i < ROUNDS; i++) firsts.push(await child(root, ['first-findings', file]));
  const total = percentile(firsts.map((f) => f.totalMs), 50);
  note(`${firsts[0].lines}-line file, ${firsts[0].findings} findings; wasm start-up median ${ms(percentile(firsts.map((f) => f.wasmMs), 50))}, parse + recognition median ${ms(percentile(firsts.map((f) => f.analyzeMs), 50))}; all runs: ${firsts.map((f) => ms(f.totalMs)).join(', ')}`);
  report({ name: 'first findings, new 1,000-line file, cold (incl. wasm), median of 5', measured: ms(total), target: '≤ 300 ms', met: total <= 300 });
}
