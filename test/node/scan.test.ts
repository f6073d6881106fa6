import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile, scanFiles } from '../../src/node/scan';
import { sharedAnalyzer } from '../helpers';

const ROOT = join(__dirname, '..', '..');
const MODEL = 'import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.fc = nn.Linear(d, d)\n\n    def forward(self, x):\n        return x + self.fc(x)\n';

describe('scanning files (pool and cache)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same JSON with worker threads as on one thread', () => {
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `m${i}.py`), MODEL.replace('Block', `Block${i}`));
    const cli = join(ROOT, 'dist', 'cli.js');
    const pooled = execFileSync(process.execPath, [cli, 'scan', '--json', '--jobs', '2', dir]).toString();
    const single = execFileSync(process.execPath, [cli, 'scan', '--json', '--jobs', '1', dir]).toString();
    assert.equal(pooled, single);
    assert.equal(JSON.parse(pooled).files.length, 12);
  });

  it('reuses cached results for unchanged content, keyed by the engine', async () => {
    const analyzer = await sharedAnalyzer();
    const path = join(dir, 'model.py');
    writeFileSync(path, MODEL);
    const cacheDir = join(dir, 'cache');
    const job = { id: 0, path, maxFileSize: 1 << 20, cacheDir, engine: 'engine-a' };
    const cold = analyzeFile(analyzer, job);
    const warm = analyzeFile(analyzer, job);
    assert.ok('findings' in cold && 'findings' in warm);
    assert.equal(cold.cached, undefined);
    assert.equal(warm.cached, true);
    assert.deepEqual(warm.findings, cold.findings);
    const otherEngine = analyzeFile(analyzer, { ...job, engine: 'engine-b' });
    assert.ok('findings' in otherEngine && otherEngine.cached === undefined, 'a new engine version misses the cache');
    // A damaged cache entry is ignored and rewritten, never trusted.
    const [shard] = readdirSync(cacheDir);
    for (const file of readdirSync(join(cacheDir, shard))) writeFileSync(join(cacheDir, shard, file), '{not json');
    const recovered = analyzeFile(analyzer, job);
    assert.ok('findings' in recovered && recovered.cached === undefined);
    assert.deepEqual(recovered.findings, cold.findings);
  });

  it('reports and replaces a worker that dies, and finishes the other files', async () => {
    const files = ['a.py', 'crash.py', 'b.py', 'exit.py', 'c.py', 'd.py'].map((f) => join(dir, f));
    const problems: string[] = [];
    const results = await scanFiles(files, { maxFileSize: 1 << 20, engine: 'x' }, { workers: 2, workerScript: join(__dirname, 'crashing-worker.cjs'), onProblem: (m) => problems.push(m) }, () => sharedAnalyzer());
    assert.deepEqual(results.map((r) => r.path), files);
    assert.match((results[1] as { skipped: string }).skipped, /crashed on it \(boom\)/);
    assert.match((results[3] as { skipped: string }).skipped, /exited while reading it \(code 3\)/);
    for (const i of [0, 2, 4, 5]) assert.ok('findings' in results[i], `${files[i]} was scanned`);
    assert.equal(problems.length, 2);
  });
});
