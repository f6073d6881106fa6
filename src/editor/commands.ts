import * as vscode from 'vscode';
import { allPatterns, patternById, type PatternFinding } from '../core/analyze';
import type { Paper } from '../core/corpus/types';
import type { ArchitectureView } from './architectureView';
import type { DocumentStore } from './documents';
import { classAtLine, findingsOf } from './locate';
import { modelMarkdown, patternMarkdown } from './render/explanation';
import { bibtexReferences, markdownReferences } from './render/references';
import type { PaperPanel } from './paperPanel';
import { MAX_SCAN_CACHE_BYTES, type Services } from './services';
import { decodeSource } from '../node/files';
import { poolSize, pruneScanCache, scanFiles } from '../node/scan';

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

  async provideTextDocumentContent(uri: vscode.Uri, token?: vscode.CancellationToken): Promise<string> {
    // A cancelled request's text is never shown: answer with nothing rather than loading or analysing.
    if (token?.isCancellationRequested) return '';
    const library = await this.services.library();
    if (token?.isCancellationRequested) return '';
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
      const analysis = await this.documents.analysis(document, token);
      if (token?.isCancellationRequested) return '';
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
        if (!value.trim()) return void (quickPick.items = []);
        // Asynchronous: a large user corpus answers from its worker thread. A later keystroke's results win.
        void library.searchAsync(value, { limit: 30 }).then(
          (results) => {
            if (quickPick.value === value) quickPick.items = results.map((r) => ({ ...toItem(r.paper), alwaysShow: true }));
          },
          (error: unknown) => log.warn(`paper search failed: ${(error as Error).message}`),
        );
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
      const paper = await pickPaper('ArchLens: Search Papers', typeof query === 'string' ? await (await services.library()).searchAsync(query, { limit: 30 }) : [], true);
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

/** What a workspace scan found, and how: findings per file URI, filtered by the settings. */
export interface WorkspaceScan {
  results: Map<string, PatternFinding[]>;
  /** Python files the scan found (scanned or not). */
  files: number;
  skipped: number;
  /** Files answered from the content-hash cache: unchanged since a scan by the same engine. */
  cached: number;
  cancelled: boolean;
  /** Worker threads used for the files on disk (0: everything ran on the extension host). */
  workers: number;
}

const SCAN_EXCLUDE = '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/site-packages/**,**/__pycache__/**}';

/**
 * Scans every Python file of the workspace. Files on disk go to the worker pool (one worker per core,
 * through the content-hash cache in global storage); others (virtual workspaces) are read and analysed
 * on the extension host. Cancelling stops handing out files and terminates the workers; what was found
 * so far is returned.
 */
export async function scanWorkspaceFiles(services: Services, token: vscode.CancellationToken, onProgress?: (done: number, total: number) => void): Promise<WorkspaceScan> {
  const settings = services.settings;
  const log = services.log;
  const scan: WorkspaceScan = { results: new Map(), files: 0, skipped: 0, cached: 0, cancelled: false, workers: 0 };
  const files = await vscode.workspace.findFiles('**/*.py', SCAN_EXCLUDE, undefined, token);
  scan.files = files.length;
  const keep = (findings: PatternFinding[]) => findings.filter((f) => f.confidence >= settings.minConfidence && (settings.patterns.length === 0 || settings.patterns.includes(f.pattern)));
  let done = 0;
  const step = () => {
    done++;
    if (done % 10 === 0 || done === files.length) onProgress?.(done, files.length);
  };
  const skip = (file: vscode.Uri, reason: string) => {
    scan.skipped++;
    const message = `scan: skipped ${vscode.workspace.asRelativePath(file)}: ${reason}`;
    if (reason.startsWith('larger than')) log.info(message);
    else log.warn(message);
  };

  const onDisk = files.filter((f) => f.scheme === 'file');
  if (onDisk.length > 0 && !token.isCancellationRequested) {
    const setup = services.scanSetup();
    const byPath = new Map(onDisk.map((uri) => [uri.fsPath, uri]));
    const requested = setup.workerScript ? setup.workers : 0;
    scan.workers = poolSize(onDisk.length, requested);
    const { signal, release } = services.scanSignal(token);
    try {
      await scanFiles(
        [...byPath.keys()],
        { maxFileSize: settings.maxFileSize, cacheDir: setup.cacheDir, engine: setup.engine },
        {
          workers: requested,
          workerScript: setup.workerScript ?? '',
          signal,
          onProblem: (message) => log.warn(`scan: ${message}`),
          onResult: (result) => {
            const uri = byPath.get(result.path) ?? vscode.Uri.file(result.path);
            if ('skipped' in result) skip(uri, result.skipped);
            else {
              if (result.cached) scan.cached++;
              scan.results.set(uri.toString(), keep(result.findings));
            }
            step();
          },
        },
        () => services.analyzer(),
      );
    } finally {
      release();
    }
    if (setup.cacheDir) {
      void pruneScanCache(setup.cacheDir, MAX_SCAN_CACHE_BYTES).then(
        ({ deleted }) => deleted > 0 && log.info(`scan: pruned ${deleted} old entries from the scan cache`),
        () => undefined,
      );
    }
  }

  // Files that are not on disk (virtual workspaces) are read through the editor, on this thread.
  const elsewhere = files.filter((f) => f.scheme !== 'file');
  if (elsewhere.length > 0 && !token.isCancellationRequested) {
    const analyzer = await services.analyzer();
    for (const file of elsewhere) {
      if (token.isCancellationRequested) break;
      try {
        const stat = await vscode.workspace.fs.stat(file);
        if (stat.size > settings.maxFileSize) skip(file, `larger than archlens.maxFileSize (${stat.size} bytes)`);
        else {
          const decoded = decodeSource(await vscode.workspace.fs.readFile(file));
          if (!decoded.ok) skip(file, decoded.reason);
          else scan.results.set(file.toString(), analyzer.analyze(decoded.text, { minConfidence: settings.minConfidence, skipNonModelFiles: true, ...(settings.patterns.length ? { patterns: settings.patterns } : {}) }).findings);
        }
      } catch (error) {
        skip(file, (error as Error).message);
      }
      step();
      // Yield now and then so the extension host stays responsive during a long scan.
      if (done % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  scan.cancelled = token.isCancellationRequested;
  return scan;
}

/** Scans the workspace and shows the result in the Architecture view (the API's entry point: tests pass their own token). */
export function workspaceScanner(services: Services, view: ArchitectureView): (token?: vscode.CancellationToken, onProgress?: (done: number, total: number) => void) => Promise<WorkspaceScan> {
  return async (token = new vscode.CancellationTokenSource().token, onProgress) => {
    const scan = await scanWorkspaceFiles(services, token, onProgress);
    view.showWorkspace(scan.results);
    return scan;
  };
}

/** Scans every Python file of the workspace with a cancellable progress notification. */
async function scanWorkspace(services: Services, view: ArchitectureView): Promise<void> {
  const scan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ArchLens: scanning workspace', cancellable: true }, (progress, token) => {
    let reported = 0;
    return scanWorkspaceFiles(services, token, (done, total) => {
      progress.report({ message: `${done} of ${total} files`, increment: ((done - reported) / Math.max(1, total)) * 100 });
      reported = done;
    });
  });
  view.showWorkspace(scan.results);
  const results = scan.results;
  const withFindings = [...results.values()].filter((f) => f.length > 0).length;
  const total = [...results.values()].reduce((n, f) => n + f.length, 0);
  const message = `ArchLens: ${scan.cancelled ? 'scan cancelled after' : 'scanned'} ${results.size} file${results.size === 1 ? '' : 's'}: ${total} pattern${total === 1 ? '' : 's'} in ${withFindings} file${withFindings === 1 ? '' : 's'}${scan.skipped ? `, ${scan.skipped} skipped (see log)` : ''}.`;
  services.log.info(`${message} (${scan.workers ? `${scan.workers} worker threads` : 'on the extension host'}, ${scan.cached} from the cache)`);
  void vscode.window.showInformationMessage(message, 'Show Architecture View').then((choice) => {
    if (choice) void vscode.commands.executeCommand('archlens.architecture.focus');
  });
}
