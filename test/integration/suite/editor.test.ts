import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allPatterns } from '../../../src/core/analyze';
import { api, closeAll, eventually, hoverText, open, pickThrough, positionOf, workspaceUri } from './helpers';

describe('ArchLens in VS Code', () => {
  afterEach(closeAll);

  it('activates on a Python file and registers its commands', async () => {
    await open('models/moe_block.py');
    const archlens = await api();
    assert.ok(archlens.documents);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['archlens.searchPapers', 'archlens.explainPattern', 'archlens.explainModel', 'archlens.showPatternsInFile', 'archlens.scanWorkspace', 'archlens.copyReferences']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('shows a hover card on a recognized class name: pattern, evidence links, trade-offs, papers', async () => {
    const editor = await open('models/moe_block.py');
    const position = positionOf(editor.document, 'class SparseMoE', 8);
    const hovers = await eventually(async () => {
      const result = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      return result.length > 0 && result;
    });
    const text = hoverText(hovers);
    assert.match(text, /Mixture of experts · \d+%/);
    assert.match(text, /command:archlens\.revealLine\?/);
    assert.match(text, /self\.gate = nn\.Linear\(dim, num_experts, bias=False\)/);
    assert.match(text, /command:archlens\.openPaper\?/);
    assert.match(text, /ModuleFormer/);
    assert.match(text, /command:archlens\.showPatternPapers\?/);
    const markdown = hovers[0].contents[0] as vscode.MarkdownString;
    const trusted = markdown.isTrusted as { enabledCommands: string[] };
    assert.ok(Array.isArray(trusted.enabledCommands) && trusted.enabledCommands.every((c) => c.startsWith('archlens.')), 'only ArchLens commands are enabled');
  });

  it('shows the card on an evidence line, and nothing on ordinary identifiers', async () => {
    const editor = await open('models/moe_block.py');
    const evidence = positionOf(editor.document, 'self.gate = nn.Linear', 2);
    const onEvidence = await eventually(async () => {
      const result = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, evidence);
      return result.length > 0 && result;
    });
    assert.match(hoverText(onEvidence), /Mixture of experts/);
    for (const plain of ['import torch', 'self.top_k = top_k', 'def forward(self, x):\n        logits']) {
      const result = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, positionOf(editor.document, plain, 1));
      assert.equal(hoverText(result), '', `no hover on '${plain}'`);
    }
  });

  it('puts code lenses above recognized classes only', async () => {
    const editor = await open('models/moe_block.py');
    const lenses = await eventually(async () => {
      const result = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);
      return result.length > 0 && result;
    });
    const titles = lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title}`);
    const moeLine = positionOf(editor.document, 'class SparseMoE').line + 1;
    assert.ok(titles.some((t) => t.startsWith(`${moeLine}: Mixture of experts`) && /papers? · trade-offs$/.test(t)), titles.join('\n'));
    assert.ok(!titles.some((t) => t.startsWith(`${positionOf(editor.document, 'class Expert(').line + 1}:`)), 'no lens on a plain MLP');
    const lens = lenses.find((l) => l.range.start.line + 1 === moeLine)!;
    assert.equal(lens.command?.command, 'archlens.explainModel');
  });

  it('shows nothing in a Python file without model code', async () => {
    const editor = await open('scripts/train_utils.py');
    const archlens = await api();
    await eventually(() => archlens.documents.analysis(editor.document));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert.deepEqual(lenses, []);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, positionOf(editor.document, 'class Config', 7));
    assert.equal(hoverText(hovers), '');
    assert.deepEqual(vscode.languages.getDiagnostics(editor.document.uri), []);
  });

  it('offers building blocks in a constructor, quietly: not after a dot, not on a trigger character', async () => {
    const editor = await open('models/moe_block.py');
    const inInit = positionOf(editor.document, 'self.norm = nn.LayerNorm(dim)');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, inInit);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('Mixture-of-experts layer') && labels.includes('Cross-attention block') && labels.includes('Patch embedding'), labels.join(', '));
    const moe = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'Mixture-of-experts layer')!;
    assert.match((moe.insertText as vscode.SnippetString).value, /self\.router = nn\.Linear\(dim, \$\{1:num_experts\}/);
    assert.ok(moe.sortText!.startsWith('~'), 'sorted after ordinary identifiers');
    const afterDot = positionOf(editor.document, 'self.norm = nn.LayerNorm(dim)', 5);
    const dotted = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, afterDot);
    assert.ok(!dotted.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'Mixture-of-experts layer'));
    const triggered = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, inInit, ' ');
    assert.ok(!triggered.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'Mixture-of-experts layer'));
  });

  it('completes paper citations after "paper:" and links and hovers them', async () => {
    const editor = await open('models/moe_block.py');
    const line = positionOf(editor.document, 'class SparseMoE').line + 1;
    await editor.edit((b) => b.insert(new vscode.Position(line, 0), '    # paper: mixture of exp\n'));
    const at = new vscode.Position(line, '    # paper: mixture of exp'.length);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, at);
    const first = list.items.find((i) => i.kind === vscode.CompletionItemKind.Reference);
    assert.ok(first, 'a paper citation is offered');
    assert.match(first.insertText as string, /^ModuleFormer: .* \[moduleformer-learning-modular-large-language-models-from-uncurated-data\]$/);
    await editor.edit((b) => b.replace(new vscode.Range(line, 0, line + 1, 0), `    # paper: ${first.insertText as string}\n`));
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', editor.document.uri);
    const link = links.find((l) => l.range.start.line === line);
    assert.ok(link?.target?.toString().startsWith('command:archlens.openPaper'), 'the citation is a link');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, link!.range.start.translate(0, 3));
    assert.match(hoverText(hovers), /Sparse Mixture of Experts/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('offers the missing piece inside a recognized class', async () => {
    const editor = await open('models/moe_block.py');
    const inForward = positionOf(editor.document, 'return out');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, inForward);
    const item = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'Load-balancing loss for the router');
    assert.ok(item, 'the load-balancing loss is suggested for an MoE without one');
  });

  it('updates findings after an edit, from the new version only', async () => {
    const editor = await open('models/moe_block.py');
    const archlens = await api();
    const before = await eventually(() => archlens.documents.analysis(editor.document));
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((b) =>
      b.insert(end, '\n\n\nclass Mixer(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.fc = nn.Linear(dim, dim)\n\n    def forward(self, x):\n        return x + self.fc(x)\n'),
    );
    const after = await eventually(async () => {
      const analysis = await archlens.documents.analysis(editor.document);
      return analysis && analysis.findings.some((f) => f.class === 'Mixer') && analysis;
    });
    assert.ok(!before.findings.some((f) => f.class === 'Mixer'));
    assert.ok(after.findings.some((f) => f.class === 'Mixer' && f.pattern === 'residual-block'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert.ok(lenses.some((l) => /Residual block/.test(l.command?.title ?? '') && editor.document.lineAt(l.range.start.line).text.startsWith('class Mixer')));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('honours pragmas and reports bad ones as diagnostics with quick fixes', async () => {
    const editor = await open('models/pragmas.py');
    const archlens = await api();
    const analysis = await eventually(() => archlens.documents.analysis(editor.document));
    assert.ok(analysis.findings.some((f) => f.class === 'Fusion' && f.pattern === 'cross-attention' && f.confidence === 1));
    const diagnostics = await eventually(() => {
      const found = vscode.languages.getDiagnostics(editor.document.uri);
      return found.length > 0 && found;
    });
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['missing-reason', 'unknown-pattern']);
    const unknown = diagnostics.find((d) => d.code === 'unknown-pattern')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, unknown.range);
    const fix = actions.find((a) => a.title === "Change 'mixture-of-expert' to 'mixture-of-experts'");
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(fix.edit);
    await eventually(() => !vscode.languages.getDiagnostics(editor.document.uri).some((d) => d.code === 'unknown-pattern'));
    const reason = vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.code === 'missing-reason')!;
    const reasonFix = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, reason.range)).find((a) => /reason/.test(a.title));
    await vscode.workspace.applyEdit(reasonFix!.edit!);
    await eventually(() => vscode.languages.getDiagnostics(editor.document.uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('fills the Architecture view: class → pattern → evidence', async () => {
    const editor = await open('models/moe_block.py');
    const { architecture } = await api();
    architecture.showActiveFile();
    const classes = await eventually(() => {
      const nodes = architecture.getChildren();
      return nodes.some((n) => n.kind === 'class' && n.name === 'SparseMoE') && nodes;
    });
    const moe = classes.find((n) => n.kind === 'class' && n.name === 'SparseMoE')!;
    const patterns = architecture.getChildren(moe);
    assert.ok(patterns.some((p) => p.kind === 'pattern' && p.finding.pattern === 'mixture-of-experts'));
    const evidence = architecture.getChildren(patterns.find((p) => p.kind === 'pattern' && p.finding.pattern === 'mixture-of-experts'));
    assert.ok(evidence.length > 0 && evidence.every((e) => e.kind === 'evidence'));
    const item = architecture.getTreeItem(evidence[0]);
    assert.equal(item.command?.command, 'archlens.revealLine');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const target = evidence[0].kind === 'evidence' ? evidence[0].line : 0;
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, target - 1, 'selecting evidence reveals its line');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), editor.document.uri.toString());
  });

  it('explains a pattern as Markdown, and the model at the cursor and a paper in the paper panel', async () => {
    await vscode.commands.executeCommand('archlens.explainPattern', 'mixture-of-experts');
    const card = await vscode.workspace.openTextDocument(vscode.Uri.parse('archlens:/pattern/mixture-of-experts.md'));
    assert.match(card.getText(), /^# Mixture of experts/);
    assert.match(card.getText(), /## Trade-offs/);
    const { panel } = await api();
    const editor = await open('models/moe_block.py');
    const line = positionOf(editor.document, 'class SparseMoE').line + 1;
    await vscode.commands.executeCommand('archlens.explainModel', editor.document.uri.toString(), line + 3);
    assert.deepEqual(panel.current, { type: 'model', className: 'SparseMoE' });
    await vscode.commands.executeCommand('archlens.explainModelAsMarkdown', editor.document.uri.toString(), line + 3);
    const model = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'archlens', path: '/model.md', query: editor.document.uri.toString(), fragment: String(line + 3) }));
    assert.match(model.getText(), /^# `SparseMoE`/);
    assert.match(model.getText(), /\| Mixture of experts \| \d+% \|/);
    await vscode.commands.executeCommand('archlens.openPaper', 'mlp-mixer-an-all-mlp-architecture-for-vision');
    assert.deepEqual(panel.current, { type: 'paper', id: 'mlp-mixer-an-all-mlp-architecture-for-vision' });
  });

  it('searches papers from the palette with live results', async () => {
    const { panel } = await api();
    await pickThrough('archlens.searchPapers', ['inceptoin'], () => panel.current?.type === 'paper' && panel.current.id === 'rethinking-the-inception-architecture-for-computer-vision');
  });

  it('copies references for the class at the cursor as BibTeX', async () => {
    const editor = await open('models/moe_block.py');
    const line = positionOf(editor.document, 'class SparseMoE').line + 1;
    await vscode.commands.executeCommand('archlens.copyReferences', editor.document.uri.toString(), line, 'BibTeX');
    const copied = await vscode.env.clipboard.readText();
    assert.match(copied, /@misc\{moduleformer-learning-modular-large-language-models-from-uncurated-data,\n {2}title = \{ModuleFormer/);
  });

  it('scans the workspace into the Architecture view', async () => {
    const { architecture } = await api();
    await vscode.commands.executeCommand('archlens.scanWorkspace');
    assert.ok(architecture.showingWorkspace);
    const files = architecture.getChildren();
    const paths = files.filter((f) => f.kind === 'file').map((f) => (f.kind === 'file' ? vscode.Uri.parse(f.uri).path : ''));
    assert.ok(paths.some((p) => p.endsWith('models/moe_block.py')), paths.join(', '));
    assert.ok(!paths.some((p) => p.endsWith('scripts/train_utils.py')));
    architecture.showActiveFile();
    assert.equal(workspaceUri('models').scheme, 'file');
  });

  it('Show Patterns in File lists the findings and reveals the chosen one', async () => {
    const editor = await open('models/moe_block.py');
    const archlens = await api();
    await eventually(() => archlens.documents.analysis(editor.document));
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const first = (await archlens.documents.analysis(editor.document))!.findings[0];
    await pickThrough('archlens.showPatternsInFile', [], () => vscode.window.activeTextEditor?.selection.active.line === first.line - 1);
  });

  it('Explain Pattern… without an argument picks from the list', async () => {
    // The list is in pattern-id order; its first entry has not been explained by an earlier test.
    const firstId = allPatterns()[0].id;
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.path === `/pattern/${firstId}.md`));
    await pickThrough('archlens.explainPattern', [], () => vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'archlens' && d.uri.path === `/pattern/${firstId}.md`));
  });

  it('All papers for this pattern opens the chosen paper', async () => {
    const { panel } = await api();
    await pickThrough('archlens.showPatternPapers', ['unet'], () => panel.current?.type === 'paper' && panel.current.id === 'unet-a-nested-u-net-architecture-for-medical-image-segmentation');
  });

  it('Explain This Model outside a model class says so instead of failing', async () => {
    const editor = await open('scripts/train_utils.py');
    editor.selection = new vscode.Selection(3, 0, 3, 0);
    const { panel } = await api();
    const before = panel.current;
    await vscode.commands.executeCommand('archlens.explainModel');
    assert.deepEqual(panel.current, before, 'the panel is not changed');
  });

  it('Show Log opens the ArchLens output channel', async () => {
    await vscode.commands.executeCommand('archlens.showLog');
    const log = await eventually(() => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /ArchLens/.test(d.uri.toString())));
    await eventually(() => /Python grammar loaded in \d+ ms/.test(log.getText()));
  });

  it('Open Example Model opens an untitled copy that ArchLens analyses', async () => {
    await vscode.commands.executeCommand('archlens.openExampleModel');
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.scheme, 'untitled');
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /^class SparseMoE/);
    const archlens = await api();
    const analysis = await eventually(() => archlens.documents.analysis(editor.document));
    assert.ok(analysis.findings.some((f) => f.class === 'SparseMoE' && f.pattern === 'mixture-of-experts'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
