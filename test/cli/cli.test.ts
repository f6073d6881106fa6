import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writePaperIndex } from '../../scripts/build-paper-index';
import { bundledPatternPapers, runCli } from '../../src/cli/main';
import { allPatterns } from '../../src/core/analyze';

const ROOT = join(__dirname, '..', '..');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, '9.9.9');
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const RESIDUAL_MODEL = `import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.fc(self.norm(x))
`;

describe('archlens CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help with every command and flag, exit 0', async () => {
    const { code, out } = await run('--help');
    assert.equal(code, 0);
    for (const word of ['scan', 'inspect', 'patterns', 'papers', 'search', 'explain', '--json', '--pattern', '--max-file-size', '--min-confidence', '--jobs', '--cache', '--cache-dir', '--corpus', '--limit']) {
      assert.ok(out.includes(word), `help mentions ${word}`);
    }
  });

  it('exits 2 with a one-line message for bad arguments', async () => {
    for (const argv of [['scan'], ['frobnicate'], ['scan', '--nope', dir], ['scan', '--pattern', 'not-a-pattern', dir], ['scan', '--max-file-size', 'big', dir], ['scan', '--min-confidence', '3', dir], ['scan', '--jobs', '0', dir], []]) {
      const { code, err, out } = await run(...argv);
      assert.equal(code, 2, `exit code for ${argv.join(' ')}`);
      if (argv.length > 0) {
        assert.match(err, /^archlens: /);
        assert.equal(err.split('\n').length, 1, `one line for ${argv.join(' ')}: ${err}`);
        assert.equal(out, '');
      }
    }
  });

  it('prints the documented JSON shape', async () => {
    writeFileSync(join(dir, 'block.py'), RESIDUAL_MODEL);
    const { code, out } = await run('scan', '--json', dir);
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.equal(json.files.length, 1);
    assert.match(json.files[0].path, /block\.py$/);
    const finding = json.files[0].findings.find((f: { pattern: string }) => f.pattern === 'residual-block');
    assert.ok(finding, 'residual-block found');
    assert.deepEqual(Object.keys(finding).slice(0, 6), ['pattern', 'class', 'line', 'endLine', 'confidence', 'evidence']);
    assert.equal(finding.class, 'Block');
    assert.equal(finding.line, 4);
    assert.equal(finding.endLine, 11);
    assert.ok(finding.confidence > 0.5 && finding.confidence <= 1);
    assert.deepEqual(finding.evidence, ['L11: return x + self.fc(self.norm(x))']);
  });

  it('filters by --pattern and prints a readable table', async () => {
    writeFileSync(join(dir, 'block.py'), RESIDUAL_MODEL);
    const none = await run('scan', '--json', '--pattern', 'mixture-of-experts', dir);
    assert.deepEqual(JSON.parse(none.out).files[0].findings, []);
    const table = await run('scan', dir);
    assert.match(table.out, /block\.py\n {2}Block \(L4-11\)\n {4}residual-block +\d\.\d\d {2}L11: return x/);
    assert.match(table.out, /1 finding in 1 of 1 file$/);
  });

  it('reports unreadable, binary, non-UTF-8 and oversized files on stderr and goes on', async () => {
    writeFileSync(join(dir, 'a_good.py'), RESIDUAL_MODEL);
    writeFileSync(join(dir, 'binary.py'), Buffer.from([0x63, 0x00, 0x01, 0x02]));
    writeFileSync(join(dir, 'latin1.py'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    writeFileSync(join(dir, 'big.py'), '# ' + 'x'.repeat(5000) + '\n');
    const { code, out, err } = await run('scan', '--json', '--max-file-size', '1000', dir, join(dir, 'missing.py'));
    assert.equal(code, 0);
    assert.match(err, /binary\.py: skipped: binary file/);
    assert.match(err, /latin1\.py: skipped: not valid UTF-8/);
    assert.match(err, /big\.py: skipped: larger than the 1000-byte limit/);
    assert.match(err, /missing\.py: no such file or folder/);
    assert.deepEqual(JSON.parse(out).files.map((f: { path: string }) => f.path.replace(/^.*[\\/]/, '')), ['a_good.py']);
  });

  it('skips .git, node_modules, virtualenvs and .gitignore-d paths', async () => {
    for (const sub of ['.git', 'node_modules/pkg', 'myenv', 'build', 'src/generated', 'src/models']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'myenv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    writeFileSync(join(dir, '.gitignore'), 'build/\n*.gen.py\n');
    writeFileSync(join(dir, 'src', '.gitignore'), 'generated/\n');
    for (const file of ['.git/x.py', 'node_modules/pkg/x.py', 'myenv/x.py', 'build/x.py', 'src/generated/x.py', 'src/models/skip.gen.py', 'src/models/keep.py', 'top.py']) {
      writeFileSync(join(dir, file), RESIDUAL_MODEL);
    }
    const { out } = await run('scan', '--json', dir);
    const paths = JSON.parse(out).files.map((f: { path: string }) => f.path.slice(f.path.indexOf('archlens-cli-')).replace(/^[^/\\]+[/\\]/, '').split('\\').join('/'));
    assert.deepEqual(paths.sort(), ['src/models/keep.py', 'top.py']);
  });

  it('still finds patterns in a file with syntax errors elsewhere', async () => {
    writeFileSync(join(dir, 'broken.py'), RESIDUAL_MODEL + '\n\ndef broken(:\n    return )\n');
    const { out } = await run('scan', '--json', dir);
    assert.ok(JSON.parse(out).files[0].findings.some((f: { pattern: string }) => f.pattern === 'residual-block'));
  });

  it('lists the pattern ids and prints the version', async () => {
    const { out } = await run('patterns');
    assert.match(out, /^residual-block +Residual block$/m);
    assert.equal((await run('--version')).out, '9.9.9');
  });
});

describe('archlens papers, search and explain', () => {
  it('papers --json prints the documented shape, best first', async () => {
    const { code, out } = await run('papers', 'mixture-of-experts', '--json', '--limit', '3');
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.equal(json.pattern, 'mixture-of-experts');
    assert.ok(json.papers.length >= 1 && json.papers.length <= 3);
    for (const p of json.papers) assert.deepEqual(Object.keys(p), ['id', 'title', 'score']);
    const scores = json.papers.map((p: { score: number }) => p.score);
    assert.equal(json.papers[0].id, 'moduleformer-learning-modular-large-language-models-from-uncurated-data');
    assert.ok(scores.every((s: number) => typeof s === 'number'));
  });

  it('search --json finds a typo and a plural', async () => {
    const typo = JSON.parse((await run('search', 'inceptoin', '--json')).out);
    assert.equal(typo.papers[0].id, 'rethinking-the-inception-architecture-for-computer-vision');
    const plural = JSON.parse((await run('search', 'transformers', '--json', '--limit', '10')).out);
    assert.ok(plural.papers.some((p: { title: string }) => /\bTransformer\b/.test(p.title)));
    assert.equal(plural.papers.length, 10);
  });

  it('search reads a user corpus given with --corpus and reports its bad lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlens-cli-'));
    try {
      const file = join(dir, 'mine.jsonl');
      writeFileSync(file, '{"title": "Zebra Routing Networks", "abstract": "Routing tokens to zebra experts."}\n{oops\n');
      const { code, out, err } = await run('search', 'zebra', '--json', '--corpus', file);
      assert.equal(code, 0);
      assert.equal(JSON.parse(out).papers[0].id, 'zebra-routing-networks');
      assert.match(err, /mine\.jsonl:2: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explain prints the card and its papers; bad ids exit 2', async () => {
    const { code, out } = await run('explain', 'mixture-of-experts');
    assert.equal(code, 0);
    assert.match(out, /How it works/);
    assert.match(out, /Papers to read first/);
    assert.equal((await run('explain', 'nope')).code, 2);
    assert.equal((await run('papers')).code, 2);
    assert.equal((await run('search')).code, 2);
    assert.equal((await run('papers', 'unet', '--limit', '0')).code, 2);
  });

  it('scan --json lists each finding\'s top papers', async () => {
    const { out } = await run('scan', '--json', join(__dirname, '..', '..', 'seeds', 'examples', 'sparse_moe_transformer.py'));
    const moe = JSON.parse(out).files[0].findings.find((f: { pattern: string }) => f.pattern === 'mixture-of-experts');
    assert.ok(moe, 'SparseMoE found');
    assert.equal(moe.papers[0], 'moduleformer-learning-modular-large-language-models-from-uncurated-data');
  });

  it('the build\'s table of top papers per pattern (scan --json without --corpus) is what the papers command answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlens-table-'));
    try {
      writePaperIndex(ROOT, dir);
      const table = bundledPatternPapers(join(dir, 'pattern-papers.json'));
      assert.ok(table, 'the build wrote a readable table');
      assert.deepEqual(Object.keys(table).sort(), allPatterns().map((p) => p.id).sort());
      for (const pattern of allPatterns()) {
        const { out } = await run('papers', pattern.id, '--json');
        assert.deepEqual(table[pattern.id], JSON.parse(out).papers.map((p: { id: string }) => p.id), pattern.id);
      }
      writeFileSync(join(dir, 'pattern-papers.json'), '{"limit": 3, "papers": {}}');
      assert.equal(bundledPatternPapers(join(dir, 'pattern-papers.json')), undefined, 'a table for another limit is not used');
      assert.equal(bundledPatternPapers(join(dir, 'missing.json')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bundled CLI (which reads the table) prints the same scan JSON as the CLI from source (which loads the index)', async () => {
    const example = join(ROOT, 'seeds', 'examples', 'sparse_moe_transformer.py');
    const bundled = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'scan', '--json', example], { encoding: 'utf8' });
    const { out } = await run('scan', '--json', example);
    assert.ok(JSON.parse(out).files[0].findings.length > 2);
    assert.deepEqual(JSON.parse(bundled), JSON.parse(out));
  });
});
