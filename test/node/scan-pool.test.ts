import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile, liveScanWorkers, poolSize, pruneScanCache, scanFiles, type FileResult } from '../../src/node/scan';
import { sharedAnalyzer } from '../helpers';

const ROOT = join(__dirname, '..', '..');
const MODEL = 'import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.fc = nn.Linear(d, d)\n\n    def forward(self, x):\n        return x + self.fc(x)\n';

describe('the scan pool: cancellation, progress, failing workers and the cache bound', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-pool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const path = join(dir, `m${String(i).padStart(3, '0')}.py`);
      writeFileSync(path, MODEL.replace('Block', `Block${i}`));
      return path;
    });

  it('stops on abort: no more files handed out, every worker terminated, the results so far returned', async () => {
    const paths = files(60);
    const abort = new AbortController();
    const seen: number[] = [];
    const results = await scanFiles(
      paths,
      { maxFileSize: 1 << 20, engine: 'x' },
      {
        workers: 2,
        workerScript: join(__dirname, 'slow-worker.cjs'),
        signal: abort.signal,
        onResult: (_result, index) => {
          seen.push(index);
          if (seen.length === 5) abort.abort();
          assert.ok(liveScanWorkers() > 0, 'workers run while the scan does');
        },
      },
      () => sharedAnalyzer(),
    );
    assert.equal(liveScanWorkers(), 0, 'no worker outlives a cancelled scan');
    assert.ok(results.length >= 5 && results.length < 10, `stopped early (${results.length} of 60)`);
    assert.deepEqual(results.map((r) => r.path), [...seen].sort((a, b) => a - b).map((i) => paths[i]), 'the results present, in file order');
  });

  it('returns nothing and starts no worker when aborted before it starts', async () => {
    const abort = new AbortController();
    abort.abort();
    const results = await scanFiles(files(8), { maxFileSize: 1 << 20, engine: 'x' }, { workers: 2, workerScript: join(__dirname, 'slow-worker.cjs'), signal: abort.signal }, () => sharedAnalyzer());
    assert.deepEqual(results, []);
    assert.equal(liveScanWorkers(), 0);
  });

  it('reports each result as it arrives, on workers and on the calling thread', async () => {
    const paths = files(6);
    for (const workers of [2, 1]) {
      const reported: FileResult[] = [];
      const results = await scanFiles(paths, { maxFileSize: 1 << 20, engine: 'x' }, { workers, workerScript: join(ROOT, 'dist', 'scan-worker.js'), onResult: (r) => reported.push(r) }, () => sharedAnalyzer());
      assert.equal(reported.length, 6);
      assert.deepEqual(results.map((r) => r.path), paths);
      for (const r of results) assert.ok('findings' in r && r.findings.some((f) => f.pattern === 'residual-block'), `${r.path} (${workers} workers)`);
    }
  });

  it('scans a file again on a worker without the heap limit when a limited worker runs out of memory on it', async () => {
    const paths = files(6);
    const huge = join(dir, 'm002-huge.py');
    writeFileSync(huge, MODEL);
    paths.splice(2, 0, huge);
    const problems: string[] = [];
    const results = await scanFiles(paths, { maxFileSize: 1 << 20, engine: 'x' }, { workers: 2, workerScript: join(__dirname, 'heap-hungry-worker.cjs'), onProblem: (m) => problems.push(m) }, () => sharedAnalyzer());
    assert.deepEqual(results.map((r) => r.path), paths, 'every file, in order, none skipped');
    const hugeResult = results[2];
    assert.ok('errors' in hugeResult, JSON.stringify(hugeResult));
    assert.match(hugeResult.errors[0], /^held 100, heap limit (?!96$)\d+$/, 'the huge file was completed by a worker without the limit');
    const limited = results.filter((r) => 'errors' in r && r.errors[0] === 'held 0, heap limit 96');
    assert.ok(limited.length >= 1, 'the other files ran on heap-limited workers');
    assert.deepEqual(problems, []);
    assert.equal(liveScanWorkers(), 0);
  });

  it('streams results without keeping them when asked', async () => {
    const paths = files(6);
    const reported: string[] = [];
    const results = await scanFiles(paths, { maxFileSize: 1 << 20, engine: 'x' }, { workers: 2, workerScript: join(ROOT, 'dist', 'scan-worker.js'), onResult: (r, i) => (reported[i] = r.path), keepResults: false }, () => sharedAnalyzer());
    assert.deepEqual(results, []);
    assert.deepEqual(reported, paths);
  });

  it('scans on the calling thread when workers keep dying before they answer', async () => {
    const script = join(dir, 'broken-worker.cjs');
    writeFileSync(script, "throw new Error('no wasm here');\n");
    const paths = files(10);
    const problems: string[] = [];
    const results = await scanFiles(paths, { maxFileSize: 1 << 20, engine: 'x' }, { workers: 2, workerScript: script, onProblem: (m) => problems.push(m) }, () => sharedAnalyzer());
    assert.deepEqual(results.map((r) => r.path), paths);
    const scanned = results.filter((r) => 'findings' in r).length;
    const skipped = results.filter((r) => 'skipped' in r);
    assert.ok(skipped.length >= 3 && skipped.length <= 4, `only the files the failing workers held are lost (${skipped.length})`);
    assert.equal(scanned + skipped.length, 10);
    assert.ok(problems.some((m) => /keep failing; scanning the remaining \d+ files on this thread/.test(m)), problems.join('\n'));
    assert.equal(liveScanWorkers(), 0);
  });

  it('analyses a file when the cache cannot be written', async () => {
    const analyzer = await sharedAnalyzer();
    const [path] = files(1);
    const notAFolder = join(dir, 'cache-is-a-file');
    writeFileSync(notAFolder, '');
    const result = analyzeFile(analyzer, { id: 0, path, maxFileSize: 1 << 20, cacheDir: notAFolder, engine: 'e' });
    assert.ok('findings' in result && result.findings.some((f) => f.pattern === 'residual-block'), JSON.stringify(result));
  });

  it('sizes the pool: the calling thread for few files or one worker, else up to one per file', () => {
    assert.equal(poolSize(3, 8), 0);
    assert.equal(poolSize(100, 1), 0);
    assert.equal(poolSize(5, 8), 5);
    assert.equal(poolSize(100, 4), 4);
  });

  it('keeps the cache under its bound by dropping the least recently used entries', async () => {
    const analyzer = await sharedAnalyzer();
    const cacheDir = join(dir, 'cache');
    const paths = files(12);
    paths.forEach((path, id) => analyzeFile(analyzer, { id, path, maxFileSize: 1 << 20, cacheDir, engine: 'e' }));
    const entries = () => readdirSync(cacheDir).flatMap((shard) => readdirSync(join(cacheDir, shard)).map((f) => join(cacheDir, shard, f)));
    assert.equal(entries().length, 12);
    // Age every entry, then use the first file again: its entry becomes the most recent.
    const old = new Date(Date.now() - 3_600_000);
    for (const entry of entries()) utimesSync(entry, old, old);
    const hit = analyzeFile(analyzer, { id: 0, path: paths[0], maxFileSize: 1 << 20, cacheDir, engine: 'e' });
    assert.ok('findings' in hit && hit.cached === true);
    const total = entries().reduce((n, e) => n + statSync(e).size, 0);
    const pruned = await pruneScanCache(cacheDir, total / 2);
    assert.ok(pruned.deleted > 0 && pruned.bytes <= (total / 2) * 0.75, JSON.stringify(pruned));
    assert.equal(entries().length, 12 - pruned.deleted);
    const again = analyzeFile(analyzer, { id: 0, path: paths[0], maxFileSize: 1 << 20, cacheDir, engine: 'e' });
    assert.ok('findings' in again && again.cached === true, 'the recently used entry was kept');
    assert.deepEqual(await pruneScanCache(join(dir, 'no-cache'), 10), { entries: 0, bytes: 0, deleted: 0 });
  });
});
