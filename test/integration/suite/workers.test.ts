import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { patternById, type PatternFinding } from '../../../src/core/analyze';
import { api, closeAll, eventually, hoverText, workspaceUri } from './helpers';

/** The repository's own fixtures (the extension under test runs from the repository). */
function fixtureModels(): Array<{ name: string; text: string }> {
  const root = join(vscode.extensions.getExtension('archlens.archlens')!.extensionPath, 'test', 'fixtures');
  return readdirSync(root).flatMap((framework) => readdirSync(join(root, framework)).map((file) => ({ name: `${framework}_${file}`, text: readFileSync(join(root, framework, file), 'utf8') })));
}

/** Writes `count` model files (the fixtures, repeated with a unique first line) into a workspace folder. */
function writeModels(folder: string, count: number, tag: string): string {
  const dir = workspaceUri(folder).fsPath;
  mkdirSync(dir, { recursive: true });
  const models = fixtureModels();
  for (let i = 0; i < count; i++) {
    const model = models[i % models.length];
    writeFileSync(join(dir, `${String(i).padStart(4, '0')}_${model.name}`), `# ${tag} copy ${i}\n${model.text}`);
  }
  return dir;
}

const comparable = (findings: PatternFinding[]) => findings.map((f) => ({ pattern: f.pattern, class: f.class, line: f.line, confidence: f.confidence, evidence: f.evidence }));

describe('heavy work off the extension host', () => {
  const made: string[] = [];
  afterEach(closeAll);
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('scans the workspace on worker threads with the same findings as analysing each file in-process', async () => {
    const archlens = await api();
    made.push(writeModels('scan-models', 40, `run-${Date.now()}`));
    const scan = await archlens.scanWorkspace();
    assert.equal(scan.cancelled, false);
    assert.ok(scan.workers >= 2, `the pool ran (${scan.workers} workers)`);
    assert.equal(archlens.services.liveScanWorkers, 0, 'the workers are gone once the scan is over');
    assert.ok(scan.results.size >= 40, `${scan.results.size} files`);
    const analyzer = await archlens.services.analyzer();
    const settings = archlens.services.settings;
    let withFindings = 0;
    for (const [uri, findings] of scan.results) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri)));
      const inProcess = analyzer.analyze(text, { minConfidence: settings.minConfidence });
      assert.deepEqual(comparable(findings), comparable(inProcess.findings), uri);
      if (findings.length > 0) withFindings++;
    }
    assert.ok(withFindings >= 35, `findings in ${withFindings} files`);
    assert.ok(archlens.architecture.showingWorkspace);
  });

  it('serves a repeat scan of unchanged files from the cache in global storage', async () => {
    const archlens = await api();
    made.push(writeModels('cache-models', 12, `cache-${Date.now()}`));
    const first = await archlens.scanWorkspace();
    const second = await archlens.scanWorkspace();
    const scanned = second.results.size;
    assert.ok(first.cached < scanned, `the new files were analysed the first time (${first.cached} cached of ${scanned})`);
    assert.equal(second.cached, scanned, 'every unchanged file came from the cache');
    const sorted = (results: Map<string, PatternFinding[]>) => [...results].sort(([a], [b]) => a.localeCompare(b)).map(([uri, f]) => [uri, comparable(f)]);
    assert.deepEqual(sorted(second.results), sorted(first.results), 'the cache gives back the same findings');
  });

  it('stops a cancelled scan: partial results, no worker left running', async () => {
    const archlens = await api();
    made.push(writeModels('many-models', 800, `cancel-${Date.now()}`));
    const source = new vscode.CancellationTokenSource();
    let progressAtCancel = 0;
    const scan = await archlens.scanWorkspace(source.token, (done) => {
      if (done >= 30 && progressAtCancel === 0) {
        progressAtCancel = done;
        source.cancel();
      }
    });
    assert.equal(archlens.services.liveScanWorkers, 0, 'cancelling terminated every worker');
    assert.equal(scan.cancelled, true);
    assert.ok(progressAtCancel >= 30);
    assert.ok(scan.results.size >= progressAtCancel - scan.skipped, 'what was found before the cancel is kept');
    assert.ok(scan.results.size < scan.files / 2, `stopped early: ${scan.results.size} of ${scan.files} files`);
    const shown = archlens.architecture.getChildren().filter((n) => n.kind === 'file').length;
    assert.equal(shown, [...scan.results.values()].filter((f) => f.length > 0).length, 'the partial results are shown');
    archlens.architecture.showActiveFile();
    source.dispose();
  });

  it('indexes a large user corpus in a worker; papers, citations and completions work before and after', async function () {
    this.timeout(90_000);
    const archlens = await api();
    if (!vscode.workspace.isTrusted) assert.fail('the test workspace must be trusted for user corpora');
    const dir = workspaceUri('corpora').fsPath;
    made.push(dir);
    mkdirSync(dir, { recursive: true });
    const records = [JSON.stringify({ id: 'quokka-router', title: 'Quokka Router: sparse mixture of experts gating', abstract: 'A mixture of experts layer whose router sends each token to the top experts, with a load balancing loss.', tags: ['pattern:mixture-of-experts'] })];
    for (let i = 0; i < 3000; i++) records.push(JSON.stringify({ id: `filler-${i}`, title: `Filler study ${i} on convolution kernels`, abstract: `We measure kernel ${i} of a convolution network on images, in detail, with many words to index: ${'accuracy latency memory '.repeat(20)}` }));
    writeFileSync(join(dir, 'large.jsonl'), records.join('\n'));
    writeFileSync(join(dir, 'binary.jsonl'), Buffer.from([0x7b, 0x00, 0x7d]));
    writeFileSync(join(dir, 'huge.jsonl'), '');
    truncateSync(join(dir, 'huge.jsonl'), 64 * 1024 * 1024 + 1);
    const config = vscode.workspace.getConfiguration('archlens');
    await config.update('corpus.files', ['corpora/large.jsonl', 'corpora/binary.jsonl', 'corpora/huge.jsonl'], vscode.ConfigurationTarget.Workspace);
    try {
      const library = await eventually(async () => {
        const candidate = await archlens.services.library();
        return candidate.indexing ? candidate : undefined;
      });
      // While the worker builds: bundled answers, nothing blocks, nothing fails.
      const meanwhile = await library.searchAsync('mixture of experts', { limit: 10 });
      assert.ok(meanwhile.length > 0 && meanwhile.every((r) => r.paper.source === 'bundled'));
      // The paper panel searched meanwhile: once the index is ready it shows the user paper without new typing.
      await archlens.panel.search('quokka router');
      const before = archlens.panel.current;
      assert.ok(before?.type === 'results' && !before.paperIds.includes('quokka-router'), 'bundled answers while indexing');
      await eventually(() => !library.indexing, 60_000);
      await eventually(() => archlens.panel.current?.type === 'results' && archlens.panel.current.paperIds[0] === 'quokka-router', 10_000);
      assert.ok(library.size > 3000, `${library.size} papers`);
      const found = await library.searchAsync('quokka router', { limit: 5 });
      assert.equal(found[0]?.paper.id, 'quokka-router');
      await eventually(() => library.papersFor(patternById('mixture-of-experts')!, 20).papers.some((r) => r.paper.id === 'quokka-router'), 60_000);

      // Citations and completions in a Python file reach the worker's papers.
      const document = await vscode.workspace.openTextDocument({ language: 'python', content: '# paper: Quokka Router [quokka-router]\n# paper: quokka\n' });
      await vscode.window.showTextDocument(document);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(0, document.lineAt(0).text.indexOf('quokka-router') + 3));
      assert.match(hoverText(hovers), /Quokka Router/);
      const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(1, document.lineAt(1).text.length));
      assert.ok(completions.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label).startsWith('Quokka Router')), 'paper: completion offers the user paper');

      // The refused files were named once each, with the reason.
      const warnings = archlens.services.log.shownWarnings;
      assert.equal(warnings.filter((w) => w === 'Corpus file corpora/binary.jsonl is not loaded: binary file (contains NUL bytes).').length, 1, warnings.join('\n'));
      assert.equal(warnings.filter((w) => w === 'Corpus file corpora/huge.jsonl is not loaded: it is 67108865 bytes, over the 67108864-byte limit.').length, 1, warnings.join('\n'));
    } finally {
      await config.update('corpus.files', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
  it('indexes a small user corpus on the extension host and refuses a file that is not UTF-8', async () => {
    const archlens = await api();
    const dir = workspaceUri('small-corpora').fsPath;
    made.push(dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'small.jsonl'), JSON.stringify({ id: 'wombat-gate', title: 'Wombat Gate: a tiny router', abstract: 'A small gating network for experts.' }));
    writeFileSync(join(dir, 'latin1.jsonl'), Buffer.from('{"title": "caf\xe9"}', 'latin1'));
    const config = vscode.workspace.getConfiguration('archlens');
    await config.update('corpus.files', ['small-corpora/small.jsonl', 'small-corpora/latin1.jsonl'], vscode.ConfigurationTarget.Workspace);
    try {
      const library = await eventually(async () => {
        const candidate = await archlens.services.library();
        return candidate.paper('wombat-gate') ? candidate : undefined;
      });
      assert.equal(library.indexing, false, 'no worker for a small corpus');
      assert.equal(library.search('wombat gate')[0]?.paper.id, 'wombat-gate');
      const warnings = archlens.services.log.shownWarnings;
      assert.equal(warnings.filter((w) => w === 'Corpus file small-corpora/latin1.jsonl is not loaded: not valid UTF-8.').length, 1, warnings.join('\n'));
    } finally {
      await config.update('corpus.files', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
