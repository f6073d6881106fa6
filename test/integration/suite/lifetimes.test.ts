import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { scanWorkspaceFiles } from '../../../src/editor/commands';
import { DocumentStore } from '../../../src/editor/documents';
import { Log } from '../../../src/editor/log';
import { ArchLensCodeLensProvider, ArchLensHoverProvider, PragmaDiagnostics } from '../../../src/editor/providers';
import { Services } from '../../../src/editor/services';
import { EXTENSION_ID, eventually, positionOf, workspaceUri } from './helpers';

const live = (): vscode.CancellationToken => new vscode.CancellationTokenSource().token;

async function appendComment(document: vscode.TextDocument): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, document.lineAt(document.lineCount - 1).range.end, `\n# edit ${document.version}\n`);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function closeUntitled(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

/**
 * A second ArchLens, built from the same classes as the extension but not registered with VS Code, so
 * disposing it (as deactivation does) leaves the running extension alone for the other tests.
 */
function secondArchLens() {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension);
  const storage = mkdtempSync(join(tmpdir(), 'archlens-lifetimes-'));
  const context = { extensionUri: extension.extensionUri, globalStorageUri: vscode.Uri.file(storage), subscriptions: [] } as unknown as vscode.ExtensionContext;
  const log = new Log();
  const services = new Services(context, log);
  const documents = new DocumentStore(services);
  const hover = new ArchLensHoverProvider(services, documents);
  const lenses = new ArchLensCodeLensProvider(services, documents);
  const diagnostics = new PragmaDiagnostics(services, documents);
  // The order of the extension's subscriptions: consumers, the documents, the services, the log.
  let active = true;
  const deactivate = () => {
    if (active) for (const disposable of [lenses, diagnostics, documents, services, log]) disposable.dispose();
    active = false;
  };
  const cleanUp = () => {
    deactivate();
    rmSync(storage, { recursive: true, force: true });
  };
  return { cleanUp, log, services, documents, hover, lenses, diagnostics, deactivate };
}

describe('Lifetimes', () => {
  it('nothing runs after deactivation: no timer, no pending analysis, no listener, no error', async () => {
    const archlens = secondArchLens();
    let updates = 0;
    let lensRefreshes = 0;
    archlens.documents.onDidUpdate(() => updates++);
    archlens.lenses.onDidChangeCodeLenses(() => lensRefreshes++);
    const source = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri('models/pragmas.py')));
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: source });
    try {
      // Alive, it analyses a newly opened document by itself and reports its pragma problems.
      await eventually(() => archlens.documents.analysisCount > 0 && (archlens.diagnostics.collection.get(document.uri)?.length ?? 0) > 0);
      const onClass = positionOf(document, 'class Fusion', 8);
      assert.ok(await archlens.hover.provideHover(document, onClass, live()));

      // Work in flight when it is deactivated: a debounced re-analysis and a request waiting for the parser.
      await appendComment(document);
      const waiting = archlens.documents.analysis(document, live());
      const analyses = archlens.documents.analysisCount;
      const seen = { updates, lensRefreshes };
      archlens.deactivate();
      assert.equal(await waiting, undefined, 'the pending request is answered with nothing');

      // Afterwards: edits, a newly opened document and a settings change reach no listener; requests get nothing.
      await appendComment(document);
      const other = await vscode.workspace.openTextDocument({ language: 'python', content: source });
      await vscode.workspace.getConfiguration('archlens').update('debounceMs', 0, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.getConfiguration('archlens').update('debounceMs', undefined, vscode.ConfigurationTarget.Workspace);
      assert.equal(await archlens.documents.analysis(document, live()), undefined);
      assert.equal(await archlens.hover.provideHover(document, onClass, live()), undefined);
      assert.deepEqual(await archlens.lenses.provideCodeLenses(document, live()), []);
      // Long enough for the debounce (150 ms) and an open document's immediate analysis to have run.
      await new Promise((resolve) => setTimeout(resolve, 750));
      assert.equal(archlens.documents.analysisCount, analyses, 'no analysis ran after deactivation');
      assert.deepEqual({ updates, lensRefreshes }, seen, 'no update was announced');
      assert.equal(archlens.documents.size, 0, 'every parsed tree was freed');
      assert.equal(archlens.log.errorCount, 0, 'nothing failed');
      await closeUntitled(other);
    } finally {
      archlens.cleanUp();
      await closeUntitled(document);
    }
  });

  it('deactivation stops a running workspace scan and terminates its workers', async () => {
    const archlens = secondArchLens();
    // Enough model files (the repository's fixtures, copied) that the scan is still running when deactivated.
    const fixtures = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'fixtures');
    const models = readdirSync(fixtures).flatMap((framework) => readdirSync(join(fixtures, framework)).map((file) => readFileSync(join(fixtures, framework, file), 'utf8')));
    const folder = workspaceUri('lifetime-models').fsPath;
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 600; i++) writeFileSync(join(folder, `model_${i}.py`), `# copy ${i} ${Date.now()}\n${models[i % models.length]}`);
    try {
      let deactivatedAt = 0;
      const scan = await scanWorkspaceFiles(archlens.services, live(), (done) => {
        if (done >= 20 && deactivatedAt === 0) {
          deactivatedAt = done;
          archlens.deactivate();
        }
      });
      assert.ok(deactivatedAt >= 20, 'the scan was running when deactivated');
      assert.equal(archlens.services.liveScanWorkers, 0, 'no scan worker outlives deactivation');
      assert.ok(scan.results.size < scan.files / 2, `stopped early: ${scan.results.size} of ${scan.files} files`);
      assert.equal(archlens.log.errorCount, 0, 'stopping is not a failure');
    } finally {
      archlens.cleanUp();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a failing fire-and-forget task is logged, not left as an unhandled rejection', async () => {
    // The suite fails on any unhandled rejection (see index.ts), so a leak here fails this test.
    const log = new Log();
    try {
      log.run('probe', 'the probe failed', () => Promise.reject(new Error('probe: rejected on purpose')));
      log.run('probe', 'the probe failed', () => {
        throw new Error('probe: thrown on purpose');
      });
      await eventually(() => log.errorCount === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(log.loggedErrorCount, 2);
    } finally {
      log.dispose();
    }
  });
});
