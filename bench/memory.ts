// Memory: heap and wasm linear memory across 1,000 open/edit/close cycles of a document through the
// core's document API (what the editor does as files are opened, typed in and closed). The cycles run in
// a fresh process (`bench-child.js memory`, with --expose-gc), so nothing else has sized the heaps first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { Parser } from 'web-tree-sitter';
import { Analyzer, type TextChange } from '../src/core/analyze';
import { nodeGrammarSource } from '../src/node/grammar';
import { run } from './children';
import { collectGarbage, mib, note, report, section } from './report';
import { largeModelFile } from './synthetic';

const CYCLES = 1000;
// Measured over 2,500 cycles (heap after gc every 250): besides compiled code, the old space grows by
// about 0.4 MiB over the first ~1,200 cycles, ever more slowly (the JIT's feedback and lazily compiled
// functions), then stays flat (±0.5% from 1,250 to 2,500 cycles), so the warm-up runs past that point.
const WARMUP_CYCLES = 1200;

function codeSpaceBytes(): number {
  return getHeapSpaceStatistics()
    .filter((s) => s.space_name.startsWith('code'))
    .reduce((sum, s) => sum + s.space_used_size, 0);
}

let wasmModule: { HEAPU8?: Uint8Array } | undefined;

/**
 * Starts the tree-sitter runtime with an options object we keep. Emscripten uses that object as its
 * `Module` and stores the heap views on it (`HEAPU8` and friends), renewing them whenever the linear
 * memory grows, so `HEAPU8.buffer.byteLength` is the wasm memory's current size. web-tree-sitter keeps
 * the first initialized module for the process, so the core's own `Parser.init` later reuses this one.
 * Must run before anything creates an Analyzer.
 */
export async function initWasmMemoryProbe(root: string): Promise<void> {
  const options = { wasmBinary: readFileSync(join(root, 'dist', 'web-tree-sitter.wasm')) };
  await Parser.init(options);
  wasmModule = options as typeof options & { HEAPU8?: Uint8Array };
}

export function wasmMemoryBytes(): number | undefined {
  return wasmModule?.HEAPU8?.buffer.byteLength;
}

export interface MemoryCycles {
  lines: number;
  elapsedMs: number;
  heapBefore: number;
  heapAfter: number;
  /** The part of the heap holding compiled code (the JIT's), before and after. */
  codeBefore: number;
  codeAfter: number;
  wasmBefore?: number;
  wasmAfter?: number;
}

/** Runs the cycles in this process (the child): the wasm probe must be installed before. */
export async function memoryCycles(root: string): Promise<MemoryCycles> {
  // A short model file keeps 1,000 full analyses within the run's time; leaks show per cycle, not per line.
  const text = largeModelFile(root, 300, 300);
  // The edit: a character typed at the end of the middle line, then analysed incrementally.
  const lines = text.split('\n');
  const row = Math.floor(lines.length / 2);
  const offset = lines.slice(0, row).reduce((sum, l) => sum + l.length + 1, 0) + lines[row].length;
  const edited = `${text.slice(0, offset)}#${text.slice(offset)}`;
  const change: TextChange = {
    startIndex: offset,
    oldEndIndex: offset,
    newEndIndex: offset + 1,
    startPosition: { row, column: lines[row].length },
    oldEndPosition: { row, column: lines[row].length },
    newEndPosition: { row, column: lines[row].length + 1 },
  };
  const analyzer = await Analyzer.create(nodeGrammarSource(join(root, 'dist')));
  const cycle = () => {
    const document = analyzer.openDocument({ minConfidence: 0.5 });
    document.update(text);
    document.update(edited, [change]);
    document.dispose();
  };
  // Warm-up: the JIT's code and feedback, caches and the wasm heap reach their working size first (the
  // code space alone grows by most of a MiB over the first few hundred cycles, then stays flat).
  for (let i = 0; i < WARMUP_CYCLES; i++) cycle();
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const codeBefore = codeSpaceBytes();
  const wasmBefore = wasmMemoryBytes();
  const started = performance.now();
  for (let i = 0; i < CYCLES; i++) cycle();
  const elapsedMs = performance.now() - started;
  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;
  const codeAfter = codeSpaceBytes();
  const wasmAfter = wasmMemoryBytes();
  analyzer.dispose();
  return { lines: lines.length - 1, elapsedMs, heapBefore, heapAfter, codeBefore, codeAfter, wasmBefore, wasmAfter };
}

export async function benchMemory(root: string): Promise<void> {
  section(`7. Memory across ${CYCLES} open/edit/close cycles (core document API, fresh process)`);
  const child = await run(process.execPath, ['--expose-gc', join(root, 'dist', 'bench-child.js'), 'memory']);
  if (child.code !== 0) throw new Error(`bench-child memory failed: ${child.stderr}`);
  const m = JSON.parse(child.stdout.toString()) as MemoryCycles;
  note(`${m.lines}-line file; ${WARMUP_CYCLES} warm-up cycles, then ${CYCLES} cycles in ${(m.elapsedMs / 1000).toFixed(1)} s; heap after gc ${mib(m.heapBefore, 2)} → ${mib(m.heapAfter, 2)} (of which compiled code ${mib(m.codeBefore, 2)} → ${mib(m.codeAfter, 2)})`);
  const heapGrowth = (m.heapAfter - m.heapBefore) / m.heapBefore;
  report({ name: `heap growth over ${CYCLES} cycles (after gc)`, measured: `${(heapGrowth * 100).toFixed(1)}%`, target: '≤ 5%', met: heapGrowth <= 0.05 });
  if (m.wasmBefore === undefined || m.wasmAfter === undefined) {
    report({ name: `wasm memory growth over ${CYCLES} cycles`, measured: 'not readable (the runtime started before the probe)', target: '≤ 5%', met: false });
  } else {
    const wasmGrowth = (m.wasmAfter - m.wasmBefore) / m.wasmBefore;
    report({ name: `wasm memory growth over ${CYCLES} cycles`, measured: `${(wasmGrowth * 100).toFixed(1)}% (${mib(m.wasmBefore)} → ${mib(m.wasmAfter)})`, target: '≤ 5%', met: wasmGrowth <= 0.05 });
  }
}
