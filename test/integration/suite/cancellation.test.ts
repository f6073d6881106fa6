import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArchLensApi } from '../../../src/editor/extension';
import { api, eventually, hoverText, positionOf, workspaceUri } from './helpers';

/** A token that is already cancelled: the request was withdrawn before the provider started. */
function cancelled(): vscode.CancellationToken {
  const source = new vscode.CancellationTokenSource();
  source.cancel();
  return source.token;
}

const live = (): vscode.CancellationToken => new vscode.CancellationTokenSource().token;

/** A new version of `document` (an appended comment) that nothing has analysed yet. */
async function newVersion(document: vscode.TextDocument): Promise<void> {
  const version = document.version;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, document.lineAt(document.lineCount - 1).range.end, `\n# edit ${version}\n`);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(document.version > version);
}

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

// The documents here are opened but never shown, so the workbench itself asks no provider about them, and
// the debounce is long, so the only analyses are the ones these requests start: the store's analysis
// count then says exactly whether a request parsed.
describe('Cancellation', () => {
  let archlens: ArchLensApi;
  let document: vscode.TextDocument;

  before(async () => {
    archlens = await api();
    await vscode.workspace.getConfiguration('archlens').update('debounceMs', 5000, vscode.ConfigurationTarget.Workspace);
    await eventually(() => archlens.services.settings.debounceMs === 5000);
    const source = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri('models/moe_block.py')));
    document = await vscode.workspace.openTextDocument({ language: 'python', content: `${source}\n# paper: Switch Transformers [switch-transformers]\n` });
    await eventually(() => archlens.documents.analysis(document, live()));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('archlens').update('debounceMs', undefined, vscode.ConfigurationTarget.Workspace);
    await eventually(() => archlens.services.settings.debounceMs === 150);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a request cancelled before it starts answers nothing and analyses nothing', async () => {
    const { providers, documents } = archlens;
    await newVersion(document);
    const before = documents.analysisCount;
    const onClass = positionOf(document, 'class SparseMoE', 8);
    const inInit = positionOf(document, 'self.top_k = top_k');
    const invoked: vscode.CompletionContext = { triggerKind: vscode.CompletionTriggerKind.Invoke, triggerCharacter: undefined };
    assert.equal(await documents.analysis(document, cancelled()), undefined);
    assert.equal(await providers.hover.provideHover(document, onClass, cancelled()), undefined);
    assert.equal(await providers.completion.provideCompletionItems(document, inInit, cancelled(), invoked), undefined);
    assert.deepEqual(await providers.codeLens.provideCodeLenses(document, cancelled()), []);
    assert.deepEqual(await providers.links.provideDocumentLinks(document, cancelled()), []);
    const pragma = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 6), "unknown pattern 'x'; did you mean 'unet'?");
    pragma.source = 'ArchLens';
    pragma.code = 'unknown-pattern';
    const fixContext: vscode.CodeActionContext = { diagnostics: [pragma], only: undefined, triggerKind: vscode.CodeActionTriggerKind.Invoke };
    assert.deepEqual(await providers.quickFixes.provideCodeActions(document, pragma.range, fixContext, cancelled()), []);
    const explanation = vscode.Uri.from({ scheme: 'archlens', path: '/model.md', query: document.uri.toString(), fragment: String(onClass.line + 1) });
    assert.equal(await archlens.explanations.provideTextDocumentContent(explanation, cancelled()), '');
    assert.equal(documents.analysisCount, before, 'no cancelled request parsed the new version');

    // The same requests, not cancelled: one parse of the new version answers all of them.
    assert.match(hoverText([(await providers.hover.provideHover(document, onClass, live()))!]), /Mixture of experts/);
    const items = await providers.completion.provideCompletionItems(document, inInit, live(), invoked);
    assert.ok(items?.some((i) => labelOf(i) === 'Mixture-of-experts layer'));
    assert.ok((await providers.codeLens.provideCodeLenses(document, live())).some((l) => /Mixture of experts/.test(l.command?.title ?? '')));
    assert.equal((await providers.links.provideDocumentLinks(document, live())).length, 1);
    assert.ok((await providers.quickFixes.provideCodeActions(document, pragma.range, fixContext, live())).some((a) => /'unet'/.test(a.title)));
    assert.match(await archlens.explanations.provideTextDocumentContent(explanation, live()), /^# `SparseMoE`/);
    assert.equal(documents.analysisCount, before + 1);
  });

  it('a request cancelled while it waits answers nothing and does not parse', async () => {
    const { providers, documents } = archlens;
    const onClass = positionOf(document, 'class SparseMoE', 8);
    const inInit = positionOf(document, 'self.top_k = top_k');
    const invoked: vscode.CompletionContext = { triggerKind: vscode.CompletionTriggerKind.Invoke, triggerCharacter: undefined };
    await newVersion(document);
    const before = documents.analysisCount;
    // Each request starts (and waits for the parser) before it is cancelled.
    const withdrawn = async <T>(request: (token: vscode.CancellationToken) => Promise<T>): Promise<T> => {
      const source = new vscode.CancellationTokenSource();
      const pending = request(source.token);
      source.cancel();
      return pending;
    };
    assert.equal(await withdrawn((t) => documents.analysis(document, t)), undefined);
    assert.equal(await withdrawn((t) => providers.hover.provideHover(document, onClass, t)), undefined);
    assert.equal(await withdrawn((t) => providers.completion.provideCompletionItems(document, inInit, t, invoked)), undefined);
    assert.deepEqual(await withdrawn((t) => providers.codeLens.provideCodeLenses(document, t)), []);
    assert.equal(documents.analysisCount, before, 'no withdrawn request parsed');

    // Cancelled while the paper library loads (the analysis is current): still nothing.
    assert.ok(await documents.analysis(document, live()));
    assert.equal(await withdrawn((t) => providers.hover.provideHover(document, onClass, t)), undefined);
    assert.deepEqual(await withdrawn((t) => providers.codeLens.provideCodeLenses(document, t)), []);
    assert.equal(documents.analysisCount, before + 1);
  });

  it('requests for the same version share one parse, and a withdrawn one leaves it to the others', async () => {
    const { documents } = archlens;
    await newVersion(document);
    const before = documents.analysisCount;
    const source = new vscode.CancellationTokenSource();
    const [withdrawn, kept, other] = [documents.analysis(document, source.token), documents.analysis(document, live()), documents.analysis(document, live())];
    source.cancel();
    assert.equal(await withdrawn, undefined);
    const [a, b] = await Promise.all([kept, other]);
    assert.ok(a?.findings.some((f) => f.pattern === 'mixture-of-experts'));
    assert.equal(a, b, 'both waiting requests got the one analysis');
    assert.equal(documents.analysisCount, before + 1);
  });
});

describe('Provider failures', () => {
  it('are logged once, shown once, and answered with nothing', async () => {
    const archlens = await api();
    const { providers, log } = archlens;
    // A document whose text cannot be read: every provider fails inside its own code.
    const unreadable = (): never => {
      throw new Error('probe: this document cannot be read');
    };
    const broken = {
      uri: vscode.Uri.parse('untitled:broken.py'),
      languageId: 'python',
      version: 1,
      lineCount: 3,
      isClosed: false,
      lineAt: unreadable,
      getText: unreadable,
      offsetAt: unreadable,
      positionAt: unreadable,
      getWordRangeAtPosition: unreadable,
    } as unknown as vscode.TextDocument;
    const at = new vscode.Position(1, 1);
    const pragma = new vscode.Diagnostic(new vscode.Range(1, 0, 1, 4), 'empty pragma');
    pragma.source = 'ArchLens';
    pragma.code = 'empty';
    const logged = log.loggedErrorCount;
    const reported = log.errorCount;
    for (let keystroke = 0; keystroke < 3; keystroke++) {
      assert.equal(await providers.hover.provideHover(broken, at, live()), undefined);
      assert.equal(await providers.completion.provideCompletionItems(broken, at, live(), { triggerKind: vscode.CompletionTriggerKind.Invoke, triggerCharacter: undefined }), undefined);
      assert.deepEqual(await providers.codeLens.provideCodeLenses(broken, live()), []);
      assert.deepEqual(await providers.links.provideDocumentLinks(broken, live()), []);
      assert.deepEqual(await providers.quickFixes.provideCodeActions(broken, pragma.range, { diagnostics: [pragma], only: undefined, triggerKind: vscode.CodeActionTriggerKind.Invoke }, live()), []);
    }
    assert.equal(log.errorCount, reported + 15, 'every failure is counted');
    assert.equal(log.loggedErrorCount, logged + 5, 'each provider failure is logged once, not once per request');
    assert.equal(log.shownErrors.filter((kind) => kind === 'provider').length, 1, 'one notification for all of them');
  });
});
