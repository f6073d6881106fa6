// Workspace-scale figures: the CLI's cold pool scan against ast-grep running one structural rule, a full
// scan against a parse-only pass on one thread, the content-hash cache, and the peak memory of a scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer } from '../src/core/analyze';
import { listPythonFiles, readSourceFile } from '../src/node/files';
import { nodeGrammarSource } from '../src/node/grammar';
import { scanFiles, type FileResult } from '../src/node/scan';
import { astGrepBinary, run, runNodeMeasuringRss, type ChildRun } from './children';
import { mib, ms, note, report, section, skipped, timeSync } from './report';

declare const ARCHLENS_ENGINE: string;
const ENGINE = typeof ARCHLENS_ENGINE === 'string' ? ARCHLENS_ENGINE : 'source';
const MAX_FILE_SIZE = 2 * 1024 * 1024;
/** One structural rule: Python class definitions with base classes (what a model class looks like). */
const AST_GREP_PATTERN = 'class $NAME($$$BASES): $$$BODY';

interface ScanOutput {
  files: Array<{ path: string; findings: Array<{ pattern: string }> }>;
}

function findingsOf(child: ChildRun): { files: number; findings: number; byPattern: Map<string, number> } {
  const output = JSON.parse(child.stdout.toString()) as ScanOutput;
  const byPattern = new Map<string, number>();
  let findings = 0;
  for (const file of output.files) {
    for (const f of file.findings) {
      findings++;
      byPattern.set(f.pattern, (byPattern.get(f.pattern) ?? 0) + 1);
    }
  }
  return { files: output.files.length, findings, byPattern };
}

function check(child: ChildRun, what: string): void {
  if (child.code !== 0) throw new Error(`${what} exited with ${child.code}: ${child.stderr.slice(0, 2000)}`);
}

/** Best of up to `rounds` runs, stopping early once `budgetMs` is spent. */
async function best(rounds: number, budgetMs: number, once: () => Promise<ChildRun>): Promise<{ best: ChildRun; runs: number }> {
  const started = performance.now();
  let bestRun: ChildRun | undefined;
  let runs = 0;
  while (runs < rounds && (runs === 0 || performance.now() - started < budgetMs)) {
    const result = await once();
    runs++;
    if (!bestRun || result.wallMs < bestRun.wallMs) bestRun = result;
  }
  return { best: bestRun!, runs };
}

export async function benchScans(root: string, folder: string, corpusBytes: number): Promise<void> {
  const cli = join(root, 'dist', 'cli.js');
  const jobs = availableParallelism();
  const files = listPythonFiles([folder], () => undefined);
  const corpusMb = corpusBytes / 1e6;

  section(`1. Cold full scan vs ast-grep (${files.length} files, ${mib(corpusBytes)})`);
  const scanArgs = ['scan', '--json', '--jobs', String(jobs), folder];
  const astGrep = astGrepBinary(root);
  let astGrepRun: ChildRun | undefined;
  if ('path' in astGrep) {
    // Search the folder even when it sits in an ignored or hidden place (the benchmark's own cache);
    // the repository's own .gitignore files inside the folder still apply, as they do for ArchLens.
    const astGrepArgs = ['run', '--lang', 'python', '--pattern', AST_GREP_PATTERN, '--json=stream', '--no-ignore', 'parent', '--inspect', 'summary', folder];
    await run(astGrep.path, astGrepArgs); // warm-up: the files into the page cache
    const { best: fastest, runs } = await best(3, 30_000, () => run(astGrep.path, astGrepArgs));
    check(fastest, 'ast-grep');
    astGrepRun = fastest;
    const matches = fastest.stdout.toString().split('\n').filter((l) => l.trim()).length;
    const scanned = /scannedFileCount=(\d+)/.exec(fastest.stderr)?.[1];
    report({ name: 'ast-grep, one rule, default threads', measured: `${ms(fastest.wallMs)} (best of ${runs})`, target: '' });
    note(`ast-grep '${AST_GREP_PATTERN}': ${matches} matches in ${scanned ?? '?'} files scanned (ArchLens lists ${files.length})`);
  }
  const pool = await best(2, 60_000, () => runNodeMeasuringRss(cli, scanArgs));
  check(pool.best, 'archlens scan');
  const coldFindings = findingsOf(pool.best);
  report({ name: `cold full scan, CLI --jobs ${jobs}, JSON out`, measured: `${ms(pool.best.wallMs)} (best of ${pool.runs}; ${(corpusMb / (pool.best.wallMs / 1000)).toFixed(1)} MB/s)`, target: '' });
  note(`${coldFindings.findings} findings (confidence ≥ 0.5) in ${coldFindings.files} files: ${[...coldFindings.byPattern].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  if (astGrepRun) {
    const ratio = pool.best.wallMs / astGrepRun.wallMs;
    report({ name: 'cold full scan / ast-grep one rule', measured: `${ratio.toFixed(2)}×`, target: '≤ 0.75×', met: ratio <= 0.75 });
  } else {
    skipped('cold full scan / ast-grep one rule', '≤ 0.75×', (astGrep as { missing: string }).missing);
  }

  section('2. Full scan vs parse-only on one thread (in this process, same files, reading included)');
  const analyzer = await Analyzer.create(nodeGrammarSource(join(root, 'dist')));
  let parseFailures = 0;
  const parseOnly = () => {
    for (const file of files) {
      const read = readSourceFile(file, MAX_FILE_SIZE);
      if (!read.ok) continue;
      try {
        analyzer.parseOnly(read.text);
      } catch {
        parseFailures++;
      }
    }
  };
  let oneThreadResults: FileResult[] = [];
  // The path `archlens scan --jobs 1` takes: scanFiles on the calling thread.
  const fullScan = async () => {
    const started = performance.now();
    oneThreadResults = await scanFiles(files, { maxFileSize: MAX_FILE_SIZE, engine: ENGINE }, { workers: 1, workerScript: join(root, 'dist', 'scan-worker.js') }, () => Promise.resolve(analyzer));
    return performance.now() - started;
  };
  timeSync(parseOnly); // warm-up: wasm compilation and JIT
  const parseTimes = [timeSync(parseOnly)];
  const scanTimes = [await fullScan()];
  // A second round of both when the first was quick: best of two is less noisy on a busy machine.
  if (scanTimes[0] < 60_000) {
    parseTimes.push(timeSync(parseOnly));
    scanTimes.push(await fullScan());
  }
  analyzer.dispose();
  const parseMs = Math.min(...parseTimes);
  const scanMs = Math.min(...scanTimes);
  const skippedFiles = oneThreadResults.filter((r) => 'skipped' in r).length;
  report({ name: 'parse-only, 1 thread', measured: `${ms(parseMs)} (best of ${parseTimes.length}; ${(corpusMb / (parseMs / 1000)).toFixed(1)} MB/s)`, target: '' });
  report({ name: 'full scan, 1 thread', measured: `${ms(scanMs)} (best of ${scanTimes.length}; ${(corpusMb / (scanMs / 1000)).toFixed(1)} MB/s)`, target: '' });
  if (parseFailures || skippedFiles) note(`${parseFailures / (parseTimes.length + 1)} files over the parse budget in parse-only; ${skippedFiles} skipped by the scan`);
  const oneThread = scanMs / parseMs;
  report({ name: 'full scan 1 thread / parse-only 1 thread', measured: `${oneThread.toFixed(2)}×`, target: '≤ 1.25×', met: oneThread <= 1.25 });
  const poolRatio = pool.best.wallMs / parseMs;
  report({ name: `pool scan (CLI, ${jobs} workers) / parse-only 1 thread`, measured: `${poolRatio.toFixed(2)}×`, target: '≤ 1.25×', met: poolRatio <= 1.25 });

  section('3. Content-hash cache: re-scan of an unchanged tree');
  const cacheDir = mkdtempSync(join(tmpdir(), 'archlens-bench-cache-'));
  try {
    const cacheArgs = ['scan', '--json', '--jobs', String(jobs), '--cache-dir', cacheDir, folder];
    const cold = await run(process.execPath, [cli, ...cacheArgs]);
    check(cold, 'archlens scan --cache-dir (cold)');
    const warm = await best(3, 20_000, () => run(process.execPath, [cli, ...cacheArgs]));
    check(warm.best, 'archlens scan --cache-dir (warm)');
    const same = warm.best.stdout.equals(cold.stdout);
    report({ name: 'cold scan filling the cache', measured: ms(cold.wallMs), target: '' });
    report({ name: 'warm re-scan, unchanged tree', measured: `${ms(warm.best.wallMs)} (best of ${warm.runs})`, target: '' });
    note(`warm output identical to cold: ${same ? 'yes' : 'NO'}`);
    const share = warm.best.wallMs / pool.best.wallMs;
    report({ name: 'warm re-scan / cold scan', measured: `${(share * 100).toFixed(1)}% (of the cold scan without cache; ${((warm.best.wallMs / cold.wallMs) * 100).toFixed(1)}% of the cache-filling one)`, target: '≤ 10%', met: share <= 0.1 });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  section('7b. Peak memory of a scan');
  const rss = pool.best.maxRssBytes;
  if (rss === undefined) skipped('peak RSS, CLI pool scan', '≤ 300 MB', 'the exit hook did not report');
  else report({ name: `peak RSS, CLI pool scan of ${corpusMb.toFixed(1)} MB (${jobs} workers)`, measured: `${(rss / 1e6).toFixed(0)} MB`, target: '≤ 300 MB', met: rss <= 300e6 });
}
