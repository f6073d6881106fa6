import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allPatterns, patternById } from '../../src/core/analyze';
import type { Paper } from '../../src/core/corpus/types';
import { PaperLibrary, type KnowledgeSource } from '../../src/core/knowledge/library';
import type { RankedPaper } from '../../src/core/knowledge/paper-index';
import { decodeCorpus, MAX_USER_CORPUS_BYTES, nodeKnowledgeSource, readUserCorpus } from '../../src/node/knowledge';
import { WorkerPaperIndex } from '../../src/node/worker-paper-index';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'paper-index-worker.js');
const QUERIES = ['mixture of experts', 'sparse routing tokens', 'inceptoin', 'vision transformer patch', 'diffusion', 'graph message passing', 'zzzz-no-such-word'];
const NO_BUNDLED: KnowledgeSource = { bundledCorpus: async () => JSON.stringify({ formatVersion: 1, source: 'none', papers: [] }), bundledIndex: async () => null };

/** A user corpus written for these tests: varied records built from the bundled abstracts' words, so searches hit both. */
function userCorpus(count: number): string {
  const words = (JSON.parse(readFileSync(join(ROOT, 'seeds', 'papers.json'), 'utf8')) as { papers: Paper[] }).papers.flatMap((p) => `${p.title} ${p.abstract}`.split(/\s+/));
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % words.length;
  const pick = (n: number) => Array.from({ length: n }, () => words[next()]).join(' ');
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    // Every tenth record is tagged by hand (the rest by the tagger), so pattern lists hold user papers.
    const tags = i % 10 === 0 ? { tags: ['pattern:mixture-of-experts', 'topic:routing'] } : {};
    lines.push(JSON.stringify({ id: `user-${i}`, title: `${pick(6)} mixture`, abstract: pick(60), ...tags }));
  }
  return lines.join('\n');
}

const ranked = (results: RankedPaper[]) => results.map((r) => ({ id: r.paper.id, score: r.score, matched: r.matched, source: r.paper.source }));

describe('the paper index in a worker thread', () => {
  let dir: string;
  const indexes: WorkerPaperIndex[] = [];
  const start = (options: ConstructorParameters<typeof WorkerPaperIndex>[0]) => {
    const index = new WorkerPaperIndex({ workerScript: WORKER, ...options });
    indexes.push(index);
    return index;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-papers-'));
  });
  afterEach(async () => {
    await Promise.all(indexes.splice(0).map((i) => i.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers exactly what the in-thread library answers for the same corpora (bundled and user papers together)', async () => {
    const path = join(dir, 'mine.jsonl');
    const text = userCorpus(400);
    writeFileSync(path, text);
    const worker = start({ bundledRoot: ROOT, files: [path] });
    const { library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT), [{ path, text }]);
    const report = await worker.ready;
    assert.equal(report.size, library.size);
    assert.equal(report.size, 163 + 400);
    for (const query of QUERIES) {
      for (const options of [{ limit: 5 }, { limit: 40 }, { limit: 10, includeOffTopic: false }]) {
        assert.deepEqual(ranked(await worker.search(query, options)), ranked(library.search(query, options)), `${query} ${JSON.stringify(options)}`);
      }
    }
    assert.ok((await worker.search('mixture', { limit: 40 })).some((r) => r.paper.id.startsWith('user-')), 'user papers are found');
    assert.deepEqual(await worker.paper('user-17'), library.paper('user-17'));
    assert.equal(await worker.paper('no-such-paper'), undefined);
    for (const pattern of allPatterns()) {
      const fromWorker = await worker.papersFor(pattern, 8);
      const inThread = library.papersFor(pattern, 8);
      assert.deepEqual({ ...fromWorker, papers: ranked(fromWorker.papers) }, { ...inThread, papers: ranked(inThread.papers) }, pattern.id);
    }
  });

  it('indexes paper records and texts without the bundled corpus', async () => {
    const text = userCorpus(50);
    const records: Paper[] = [{ id: 'record-one', title: 'Routing tokens to experts', abstract: 'A sparse mixture of experts with a learned router.', urls: [], tags: ['pattern:mixture-of-experts'] }];
    const worker = start({ texts: [{ path: 'virtual.jsonl', text }], papers: records });
    const { library } = await PaperLibrary.load(NO_BUNDLED, [{ path: 'virtual.jsonl', text }]);
    library.addPapers(records, 'records');
    assert.equal((await worker.ready).size, 51);
    for (const query of QUERIES) assert.deepEqual(ranked(await worker.search(query)), ranked(library.search(query)), query);
    assert.equal((await worker.search('learned router'))[0].paper.id, 'record-one');
  });

  it('reports malformed records, refused files and missing files as problems, and keeps answering', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"title": "Good Paper", "abstract": "fine"}\n{broken\n{"title": "No abstract"}\n');
    writeFileSync(join(dir, 'binary.jsonl'), Buffer.from([0x7b, 0x00, 0x7d]));
    writeFileSync(join(dir, 'latin1.bib'), Buffer.from([0x40, 0x61, 0xe9, 0x0a]));
    writeFileSync(join(dir, 'huge.jsonl'), 'x'.repeat(4096));
    const files = ['bad.jsonl', 'binary.jsonl', 'latin1.bib', 'huge.jsonl', 'missing.jsonl'].map((f) => join(dir, f));
    const worker = start({ files, maxFileBytes: 1024 });
    const report = await worker.ready;
    assert.equal(report.size, 1);
    const byFile = (name: string) => report.problems.filter((p) => p.file === join(dir, name)).map((p) => `${p.line}: ${p.message}`);
    assert.equal(byFile('bad.jsonl').length, 2);
    assert.match(byFile('bad.jsonl')[0], /^2: not valid JSON/);
    assert.match(byFile('bad.jsonl')[1], /^3: missing "abstract"/);
    assert.deepEqual(byFile('binary.jsonl'), ['0: corpus file refused: binary file (contains NUL bytes)']);
    assert.deepEqual(byFile('latin1.bib'), ['0: corpus file refused: not valid UTF-8']);
    assert.deepEqual(byFile('huge.jsonl'), ['0: corpus file is 4096 bytes, over the 1024-byte limit']);
    assert.match(byFile('missing.jsonl')[0], /^0: could not read corpus file: ENOENT/);
    assert.equal((await worker.search('good paper'))[0].paper.title, 'Good Paper');
  });

  it('turns a worker that fails into rejected promises, not a crash', async () => {
    const script = join(dir, 'broken-worker.cjs');
    writeFileSync(script, "throw new Error('cannot start');\n");
    const worker = start({ workerScript: script });
    await assert.rejects(worker.ready, /the paper index worker failed: cannot start/);
    await assert.rejects(worker.search('anything'), /cannot start/);
  });

  it('dispose terminates the worker and rejects later requests', async () => {
    const worker = start({ texts: [{ path: 'a.jsonl', text: userCorpus(10) }] });
    await worker.ready;
    assert.equal(worker.running, true);
    const pending = worker.search('mixture');
    await worker.dispose();
    assert.equal(worker.running, false);
    await pending.then(
      (results) => assert.ok(Array.isArray(results), 'answered before the worker stopped'),
      (error: Error) => assert.match(error.message, /disposed|exited/),
    );
    await assert.rejects(worker.search('mixture'), /disposed/);
  });
});

describe('a library with its user papers in a worker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-remote-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers from the bundled papers while indexing, then from the worker as an in-thread library would', async () => {
    const path = join(dir, 'mine.jsonl');
    const text = userCorpus(300);
    writeFileSync(path, text);
    const { library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT));
    const { library: expected } = await PaperLibrary.load(nodeKnowledgeSource(ROOT), [{ path, text }]);
    const bundledOnly = library.papersFor(patternById('mixture-of-experts')!, 20);
    const attached = library.attachRemote(new WorkerPaperIndex({ workerScript: WORKER, bundledRoot: ROOT, files: [path] }), allPatterns());
    try {
      assert.equal(library.indexing, true);
      assert.deepEqual(ranked(await library.searchAsync('mixture', { limit: 30 })), ranked(library.search('mixture', { limit: 30 })), 'bundled answers meanwhile');
      let changed = 0;
      library.onDidChangeRemote(() => changed++);
      await attached;
      assert.equal(library.indexing, false);
      assert.equal(changed, 2, 'searchable, then pattern lists in');
      assert.equal(library.size, expected.size);
      assert.deepEqual(ranked(await library.searchAsync('mixture', { limit: 30 })), ranked(expected.search('mixture', { limit: 30 })));
      for (const pattern of allPatterns()) {
        for (const limit of [3, 5, 20]) {
          const got = library.papersFor(pattern, limit);
          const want = expected.papersFor(pattern, limit);
          assert.deepEqual({ ...got, papers: ranked(got.papers) }, { ...want, papers: ranked(want.papers) }, `${pattern.id} ${limit}`);
        }
      }
      const moe = library.papersFor(patternById('mixture-of-experts')!, 20);
      assert.notDeepEqual(ranked(moe.papers), ranked(bundledOnly.papers), 'user papers tagged with the pattern now rank too');
      const userPaper = moe.papers.find((r) => r.paper.id.startsWith('user-'));
      assert.ok(userPaper, 'a user paper is among the pattern papers');
      assert.deepEqual(library.paper(userPaper.paper.id), expected.paper(userPaper.paper.id), 'listed papers answer synchronously');
      assert.deepEqual(await library.paperAsync('user-299'), expected.paper('user-299'));
    } finally {
      await library.dispose();
    }
  });
});

describe('a library whose worker dies', () => {
  it('falls back to its own papers, says why, and stops asking the worker', async () => {
    const { library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT));
    const index = new WorkerPaperIndex({ workerScript: WORKER, bundledRoot: ROOT, texts: [{ path: 'mine.jsonl', text: userCorpus(40) }] });
    await library.attachRemote(index, allPatterns());
    assert.equal(library.size, 163 + 40);
    let changes = 0;
    library.onDidChangeRemote(() => changes++);
    await index.dispose(); // as if the thread had died
    assert.deepEqual(ranked(await library.searchAsync('mixture', { limit: 10 })), ranked(library.search('mixture', { limit: 10 })));
    assert.match(library.remoteFailure?.message ?? '', /disposed/);
    assert.equal(changes, 1);
    assert.equal(library.size, 163);
    assert.equal(await library.paperAsync('user-39'), undefined);
    assert.deepEqual(library.papersFor(patternById('mixture-of-experts')!), (await PaperLibrary.load(nodeKnowledgeSource(ROOT))).library.papersFor(patternById('mixture-of-experts')!));
  });
});

describe('corpus files that are huge or binary', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archlens-refuse-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses invalid UTF-8 and NUL bytes with the reason', async () => {
    assert.deepEqual(decodeCorpus(Buffer.from([0xc3, 0x28])), { error: 'corpus file refused: not valid UTF-8' });
    assert.deepEqual(decodeCorpus(Buffer.from('{"title":"a"}\u0000')), { error: 'corpus file refused: binary file (contains NUL bytes)' });
    assert.deepEqual(decodeCorpus(Buffer.from('\ufeff{"title":"é"}')), { text: '{"title":"é"}' });
    writeFileSync(join(dir, 'bad.bib'), Buffer.from([0x40, 0xff, 0xfe]));
    assert.deepEqual(await readUserCorpus(join(dir, 'bad.bib')), { path: join(dir, 'bad.bib'), error: 'corpus file refused: not valid UTF-8' });
  });

  it('the CLI names each refused file and its reason on stderr, and searches the rest', () => {
    writeFileSync(join(dir, 'good.jsonl'), JSON.stringify({ id: 'my-router', title: 'My Router', abstract: 'Routing tokens to experts.' }));
    writeFileSync(join(dir, 'binary.jsonl'), Buffer.from([0x7b, 0x00, 0x7d]));
    // Sparse: over the 64 MB limit by its size, without writing 64 MB.
    const huge = join(dir, 'huge.jsonl');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_USER_CORPUS_BYTES + 1);
    const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'search', 'my router', '--json', '--corpus', 'binary.jsonl', '--corpus', 'huge.jsonl', '--corpus', 'good.jsonl'], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stderr, /^archlens: binary\.jsonl: corpus file refused: binary file \(contains NUL bytes\)$/m);
    assert.match(run.stderr, new RegExp(`^archlens: huge\\.jsonl: corpus file is ${MAX_USER_CORPUS_BYTES + 1} bytes, over the ${MAX_USER_CORPUS_BYTES}-byte limit$`, 'm'));
    assert.equal(JSON.parse(run.stdout).papers[0].id, 'my-router');
  });
});
