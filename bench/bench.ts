// npm run bench [folder]: times a parse-only pass and a full scan (parse + model + all recognizers) over the
// same files in one run and prints both and their ratio. Default folder: the python3 standard library.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { Analyzer } from '../src/core/analyze';
import type { Paper } from '../src/core/corpus/types';
import { PaperLibrary } from '../src/core/knowledge/library';
import { PaperIndex } from '../src/core/knowledge/paper-index';
import { nodeGrammarSource } from '../src/node/grammar';
import { listPythonFiles, readSourceFile } from '../src/node/files';
import { nodeKnowledgeSource, packageRoot } from '../src/node/knowledge';

const ROUNDS = 3;

function defaultFolder(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])']).toString().trim();
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** As-you-type queries: every prefix of each query, as a person typing it would send. */
const QUERIES = ['mixture of experts', 'transformers', 'inceptoin', 'differentiable architecture search', 'u-net segmentation', 'state space model', 'cross-attention fusion', 'vision transformer patches', 'graph neural network', 'diffusion'];

function typedPrefixes(): string[] {
  return QUERIES.flatMap((q) => Array.from({ length: q.length - 1 }, (_, i) => q.slice(0, i + 2)));
}

function timeQueries(search: (q: string) => unknown, queries: string[]): number[] {
  for (const q of queries.slice(0, 20)) search(q); // warm-up
  return queries.map((q) => {
    const start = performance.now();
    search(q);
    return performance.now() - start;
  });
}

/** A deterministic synthetic corpus with the bundled corpus's vocabulary and abstract lengths. */
function syntheticPapers(count: number, seedPapers: Paper[]): Paper[] {
  const words = seedPapers.flatMap((p) => p.abstract.split(/\s+/));
  let state = 42;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = () => words[Math.floor(random() * words.length)];
  const papers: Paper[] = [];
  for (let i = 0; i < count; i++) {
    const title = Array.from({ length: 6 + Math.floor(random() * 6) }, pick).join(' ');
    const abstract = Array.from({ length: 120 + Math.floor(random() * 120) }, pick).join(' ');
    papers.push({ id: `synthetic-${i}`, title, abstract, urls: [], tags: [] });
  }
  return papers;
}

async function benchSearch(): Promise<void> {
  const loadStart = performance.now();
  const { library } = await PaperLibrary.load(nodeKnowledgeSource(packageRoot()));
  const loadMs = performance.now() - loadStart;
  const queries = typedPrefixes();
  const bundled = timeQueries((q) => library.search(q, { limit: 20 }), queries);
  console.log(`paper search, bundled corpus (${library.size} papers): index load ${loadMs.toFixed(1)} ms; ${queries.length} as-you-type queries p50 ${percentile(bundled, 50).toFixed(3)} ms, p95 ${percentile(bundled, 95).toFixed(3)} ms`);

  const seed = [...library.index.papers()];
  const synthetic = syntheticPapers(100_000, seed);
  const heapBefore = process.memoryUsage().heapUsed;
  const buildStart = performance.now();
  const big = PaperIndex.build(synthetic);
  const buildMs = performance.now() - buildStart;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const large = timeQueries((q) => big.search(q, { limit: 20 }), queries);
  console.log(`paper search, synthetic user corpus (100,000 abstracts): index build ${(buildMs / 1000).toFixed(1)} s, heap +${heapMb.toFixed(0)} MB; query p50 ${percentile(large, 50).toFixed(2)} ms, p95 ${percentile(large, 95).toFixed(2)} ms`);
}

async function main(): Promise<void> {
  const folder = process.argv[2] ?? defaultFolder();
  const texts: string[] = [];
  let bytes = 0;
  for (const file of listPythonFiles([folder], () => undefined)) {
    const read = readSourceFile(file, 2 * 1024 * 1024);
    if (read.ok) {
      texts.push(read.text);
      bytes += Buffer.byteLength(read.text);
    }
  }
  const analyzer = await Analyzer.create(nodeGrammarSource());
  let findings = 0;
  let skipped = 0;
  const parseOnly = () => {
    for (const text of texts) {
      try {
        analyzer.parseOnly(text);
      } catch {
        skipped++;
      }
    }
  };
  const fullScan = () => {
    findings = 0;
    for (const text of texts) {
      try {
        findings += analyzer.analyze(text).findings.length;
      } catch {
        skipped++;
      }
    }
  };
  parseOnly(); // warm-up: wasm compilation and JIT
  const parseTimes: number[] = [];
  const scanTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    parseTimes.push(time(parseOnly));
    scanTimes.push(time(fullScan));
  }
  analyzer.dispose();
  const best = (xs: number[]) => Math.min(...xs);
  const mb = bytes / 1024 / 1024;
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  console.log(`corpus: ${folder} — ${texts.length} files, ${mb.toFixed(1)} MB${skipped ? ` (${skipped / (2 * ROUNDS + 1)} files over the parse budget skipped)` : ''}`);
  console.log(`parse-only (1 thread): ${best(parseTimes).toFixed(0)} ms best of ${ROUNDS} (${(mb / (best(parseTimes) / 1000)).toFixed(1)} MB/s)`);
  console.log(`full scan  (1 thread): ${best(scanTimes).toFixed(0)} ms best of ${ROUNDS} (${(mb / (best(scanTimes) / 1000)).toFixed(1)} MB/s), ${findings} findings`);
  const ratio = best(scanTimes) / best(parseTimes);
  console.log(`ratio full/parse: ${ratio.toFixed(2)} (target ≤ 1.25: ${ratio <= 1.25 ? 'met' : 'NOT met'})`);
  await benchSearch();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
