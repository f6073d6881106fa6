import * as vscode from 'vscode';
import { allPatterns, patternById, type PatternFinding } from '../core/analyze';
import type { Paper } from '../core/corpus/types';
import type { ArchitectureView } from './architectureView';
import type { DocumentStore } from './documents';
import { classAtLine, findingsOf } from './locate';
import { modelMarkdown, patternMarkdown } from './render/explanation';
import { bibtexReferences, markdownReferences } from './render/references';
import type { PaperPanel } from './paperPanel';
import type { Services } from './services';

export const DOC_SCHEME = 'archlens';

/**
 * Read-only Markdown documents for explanations (`archlens:/pattern/<id>.md`, `/model.md?<uri>#<line>`),
 * shown in the Markdown preview. Papers open in the paper panel instead.
 */
export class ExplanationDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const library = await this.services.library();
    const context = { paper: (id: string) => library.paper(id), papers: (p: ReturnType<typeof patternById> & object) => library.papersFor(p, 10) };
    const [, kind, rawId] = /^\/(pattern|model)(?:\/(.+))?\.md$/.exec(uri.path) ?? [];
    const id = rawId ? decodeURIComponent(rawId) : '';
    if (kind === 'pattern') {
      const pattern = patternById(id);
      return pattern ? patternMarkdown(pattern, context) : `# Unknown pattern\n\nNo pattern has the id \`${id.replace(/`/g, '')}\`.`;
    }
    if (kind === 'model') {
      const target = vscode.Uri.parse(uri.query);
      const line = Number(uri.fragment);
      const document = await vscode.workspace.openTextDocument(target);
      const analysis = await this.documents.analysis(document);
      const cls = analysis ? classAtLine(analysis, line) : undefined;
      if (!analysis || !cls) return '# No model here\n\nThe cursor is not inside a model class ArchLens recognizes.';
      return modelMarkdown(cls.name, findingsOf(analysis, cls), patternById, context);
    }
    return '# Not found';
  }

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

async function showMarkdown(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}

export function patternDocUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DOC_SCHEME, path: `/pattern/${encodeURIComponent(id)}.md` });
}

export function modelDocUri(uri: string, line: number): vscode.Uri {
  return vscode.Uri.from({ scheme: DOC_SCHEME, path: '/model.md', query: uri, fragment: String(line) });
}

function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value) return vscode.Uri.parse(value);
  return undefined;
}

export interface CommandContext {
  services: Services;
  documents: DocumentStore;
  view: ArchitectureView;
  explanations: ExplanationDocuments;
  panel: PaperPanel;
}

/** Registers every ArchLens command; each is guarded so a failure is logged and shown once. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { services, documents, view, panel } = ctx;
  const log = services.log;
  const command = (id: string, handler: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => log.guard(`command:${id}`, `${id.replace('archlens.', '')} failed`, () => handler(...args)));

  const pickPaper = async (title: string, initial: Array<{ paper: Paper }>, live: boolean): Promise<Paper | undefined> => {
    const library = await services.library();
    const toItem = (paper: Paper) => ({
      label: paper.title,
      description: paper.tags.filter((t) => t.startsWith('pattern:')).map((t) => t.slice(8)).join(', '),
      detail: paper.abstract.length > 240 ? `${paper.abstract.slice(0, 240)}…` : paper.abstract,
      paper,
    });
    const quickPick = vscode.window.createQuickPick<ReturnType<typeof toItem>>();
    quickPick.title = title;
    quickPick.placeholder = live ? 'Search titles, abstracts and tags (typos and plurals are fine)' : 'Pick a paper to read its abstract';
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.items = initial.map((r) => toItem(r.paper));
    if (live) {
      // Results come from the paper index, not from the quick pick's own filter.
      quickPick.onDidChangeValue((value) => {
        quickPick.items = value.trim() ? library.search(value, { limit: 30 }).map((r) => ({ ...toItem(r.paper), alwaysShow: true })) : [];
      });
    }
    return new Promise((resolve) => {
      quickPick.onDidAccept(() => {
        resolve(quickPick.selectedItems[0]?.paper);
        quickPick.hide();
      });
      quickPick.onDidHide(() => {
        resolve(undefined);
        quickPick.dispose();
      });
      quickPick.show();
    });
  };

  const classAtCursor = async (uriArg?: unknown, lineArg?: unknown) => {
    const uri = asUri(uriArg) ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) return undefined;
    const document = await vscode.workspace.openTextDocument(uri);
    const line = typeof lineArg === 'number' ? lineArg : (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() ? vscode.window.activeTextEditor.selection.active.line + 1 : 1);
    const analysis = await documents.analysis(document);
    const cls = analysis ? classAtLine(analysis, line) : undefined;
    return analysis && cls ? { document, analysis, cls, findings: findingsOf(analysis, cls) } : undefined;
  };

  return [
    command('archlens.searchPapers', async (query?: unknown) => {
      const paper = await pickPaper('ArchLens: Search Papers', typeof query === 'string' ? (await services.library()).search(query, { limit: 30 }) : [], true);
      if (paper) await panel.showPaper(paper.id);
    }),
    command('archlens.openPaper', async (id?: unknown) => {
      if (typeof id !== 'string') return vscode.commands.executeCommand('archlens.searchPapers');
      await panel.showPaper(id);
    }),
    command('archlens.showPatternPapers', async (id?: unknown) => {
      const pattern = typeof id === 'string' ? patternById(id) : undefined;
      if (!pattern) return;
      const library = await services.library();
      const result = library.papersFor(pattern, 20);
      if (result.papers.length === 0) return void vscode.window.showInformationMessage(`ArchLens: ${result.note ?? 'no papers.'}`);
      const paper = await pickPaper(`Papers for ${pattern.name}`, result.papers, false);
      if (paper) await panel.showPaper(paper.id);
    }),
    command('archlens.explainPattern', async (id?: unknown) => {
      let patternId = typeof id === 'string' ? id : undefined;
      if (!patternId) {
        const pick = await vscode.window.showQuickPick(
          allPatterns().map((p) => ({ label: p.name, description: p.id, detail: p.knowledge?.summary.replace(/\s*\[\[[a-z0-9-]+\]\]/g, ''), id: p.id })),
          { title: 'ArchLens: Explain Pattern', placeHolder: 'Pick a pattern to read its trade-offs and papers', matchOnDetail: true },
        );
        patternId = pick?.id;
      }
      if (patternId) await showMarkdown(patternDocUri(patternId));
    }),
    command('archlens.explainModel', async (uriArg?: unknown, lineArg?: unknown) => {
      const found = await classAtCursor(uriArg, lineArg);
      if (!found) return void vscode.window.showInformationMessage('ArchLens: put the cursor inside a model class (an nn.Module, linen.Module, Keras Layer or Model) to explain it.');
      await panel.showModel(found.document.uri, found.cls.line);
    }),
    command('archlens.explainModelAsMarkdown', async (uriArg?: unknown, lineArg?: unknown) => {
      const found = await classAtCursor(uriArg, lineArg);
      if (!found) return void vscode.window.showInformationMessage('ArchLens: put the cursor inside a model class to explain it.');
      const uri = modelDocUri(found.document.uri.toString(), found.cls.line);
      ctx.explanations.refresh(uri);
      await showMarkdown(uri);
    }),
    command('archlens.showPatternsInFile', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return void vscode.window.showInformationMessage('ArchLens: open a Python file first.');
      const analysis = await documents.analysis(editor.document);
      if (!analysis || analysis.findings.length === 0) return void vscode.window.showInformationMessage('ArchLens: no architecture patterns in this file.');
      view.showActiveFile();
      const pick = await vscode.window.showQuickPick(
        analysis.findings.map((f) => ({ label: patternById(f.pattern)?.name ?? f.pattern, description: `${f.class ?? 'functional model'} · ${Math.round(f.confidence * 100)}%`, detail: f.evidence[0], finding: f })),
        { title: 'ArchLens: Patterns in File', matchOnDescription: true },
      );
      if (pick) await vscode.commands.executeCommand('archlens.revealLine', editor.document.uri.toString(), pick.finding.line);
    }),
    command('archlens.scanWorkspace', () => scanWorkspace(services, view)),
    command('archlens.showActiveFile', () => view.showActiveFile()),
    command('archlens.copyReferences', async (uriArg?: unknown, lineArg?: unknown, formatArg?: unknown) => {
      const found = await classAtCursor(uriArg, lineArg);
      if (!found || found.findings.length === 0) return void vscode.window.showInformationMessage('ArchLens: put the cursor inside a class with recognized patterns to copy its references.');
      const library = await services.library();
      const papers: Paper[] = [];
      for (const f of found.findings) for (const r of library.papersFor(patternById(f.pattern)!).papers) if (!papers.includes(r.paper)) papers.push(r.paper);
      if (papers.length === 0) return void vscode.window.showInformationMessage('ArchLens: the corpus has no papers for these patterns.');
      const format =
        formatArg === 'BibTeX' || formatArg === 'Markdown list'
          ? formatArg
          : await vscode.window.showQuickPick(['BibTeX', 'Markdown list'], { title: `Copy ${papers.length} reference${papers.length === 1 ? '' : 's'} for ${found.cls.name ?? 'this model'}` });
      if (!format) return;
      await vscode.env.clipboard.writeText(format === 'BibTeX' ? bibtexReferences(papers) : markdownReferences(papers));
      void vscode.window.showInformationMessage(`ArchLens: copied ${papers.length} reference${papers.length === 1 ? '' : 's'} as ${format}.`);
    }),
    command('archlens.revealLine', async (uriArg?: unknown, lineArg?: unknown) => {
      const uri = asUri(uriArg);
      if (!uri || typeof lineArg !== 'number') return;
      const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
      const position = new vscode.Position(Math.max(0, lineArg - 1), editor.document.lineAt(Math.max(0, lineArg - 1)).firstNonWhitespaceCharacterIndex);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    command('archlens.showLog', () => log.channel.show()),
    command('archlens.openExampleModel', async () => {
      // An untitled copy: the user can hover, edit and experiment without touching the installed file.
      const example = vscode.Uri.joinPath(services.context.extensionUri, 'seeds', 'examples', 'sparse_moe_transformer.py');
      const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(example));
      const document = await vscode.workspace.openTextDocument({ language: 'python', content });
      const editor = await vscode.window.showTextDocument(document);
      const line = content.split('\n').findIndex((l) => l.startsWith('class SparseMoE'));
      if (line >= 0) {
        const position = new vscode.Position(line, 'class '.length);
        editor.selection = new vscode.Selection(position, position);
        editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.AtTop);
      }
    }),
    command('archlens.showPaperPanel', () => panel.reveal()),
  ];
}

/** Scans every Python file of the workspace with a cancellable progress notification. */
async function scanWorkspace(services: Services, view: ArchitectureView): Promise<void> {
  const settings = services.settings;
  const results = new Map<string, PatternFinding[]>();
  let skipped = 0;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ArchLens: scanning workspace', cancellable: true },
    async (progress, token) => {
      const files = await vscode.workspace.findFiles('**/*.py', '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/site-packages/**,**/__pycache__/**}', undefined, token);
      const analyzer = await services.analyzer();
      const decoder = new TextDecoder('utf-8', { fatal: true });
      let done = 0;
      for (const file of files) {
        if (token.isCancellationRequested) return 'cancelled';
        try {
          const stat = await vscode.workspace.fs.stat(file);
          if (stat.size > settings.maxFileSize) {
            skipped++;
            services.log.info(`scan: skipped ${vscode.workspace.asRelativePath(file)}: larger than archlens.maxFileSize (${stat.size} bytes)`);
          } else {
            const bytes = await vscode.workspace.fs.readFile(file);
            if (bytes.includes(0)) throw new Error('binary file');
            const analysis = analyzer.analyze(decoder.decode(bytes), { minConfidence: settings.minConfidence, ...(settings.patterns.length ? { patterns: settings.patterns } : {}) });
            results.set(file.toString(), analysis.findings);
          }
        } catch (error) {
          skipped++;
          services.log.warn(`scan: skipped ${vscode.workspace.asRelativePath(file)}: ${(error as Error).message}`);
        }
        done++;
        if (done % 10 === 0 || done === files.length) progress.report({ message: `${done} of ${files.length} files`, increment: (10 / Math.max(1, files.length)) * 100 });
        // Yield now and then so the extension host stays responsive during a long scan.
        if (done % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return 'done';
    },
  );
  view.showWorkspace(results);
  const withFindings = [...results.values()].filter((f) => f.length > 0).length;
  const total = [...results.values()].reduce((n, f) => n + f.length, 0);
  const message = `ArchLens: ${outcome === 'cancelled' ? 'scan cancelled after' : 'scanned'} ${results.size} file${results.size === 1 ? '' : 's'}: ${total} pattern${total === 1 ? '' : 's'} in ${withFindings} file${withFindings === 1 ? '' : 's'}${skipped ? `, ${skipped} skipped (see log)` : ''}.`;
  services.log.info(message);
  void vscode.window.showInformationMessage(message, 'Show Architecture View').then((choice) => {
    if (choice) void vscode.commands.executeCommand('archlens.architecture.focus');
  });
}
