import * as vscode from 'vscode';
import type { DocumentAnalysis, FileAnalysis, TextChange } from '../core/analyze';
import type { Services } from './services';

interface TrackedDocument {
  analysis: DocumentAnalysis;
  /** The version `result` belongs to. */
  version: number;
  result: FileAnalysis | undefined;
  /** Changes since `version`, in order, for the incremental parse. */
  pending: TextChange[];
  /** False when a change could not be expressed as a tree edit: the next update parses from scratch. */
  incremental: boolean;
}

/** How many parsed documents to keep; the least recently used tree is freed beyond this. */
const MAX_TRACKED = 24;

/**
 * Analyses of open Python documents, one per document version. Edits are applied to the syntax tree as
 * they arrive; re-analysis is debounced, and any provider asking for a newer version than the last
 * analysed gets it analysed on the spot, so no answer ever comes from a stale version.
 */
export class DocumentStore implements vscode.Disposable {
  private readonly tracked = new Map<string, TrackedDocument>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly updated = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's analysis changed (lenses, the tree view, diagnostics refresh). */
  readonly onDidUpdate = this.updated.event;
  private readonly disposables: vscode.Disposable[] = [this.updated];
  private disposed = false;
  private parses = 0;

  constructor(private readonly services: Services) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => this.onChange(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      services.onDidChangeSettings(() => {
        if (this.disposed) return;
        for (const key of [...this.tracked.keys()]) this.forget(vscode.Uri.parse(key));
        for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
      }),
    );
  }

  /** True for documents ArchLens analyses: Python, under the size limit. */
  accepts(document: vscode.TextDocument): boolean {
    if (document.languageId !== 'python') return false;
    // The length from the last position, without copying the text (providers ask on every request).
    const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
    return length <= this.services.settings.maxFileSize;
  }

  /**
   * The analysis of the document's current version (analysing now if needed), or undefined when not
   * analysed. A request cancelled before the parse gets undefined and parses nothing; requests for the
   * same version share one parse.
   */
  async analysis(document: vscode.TextDocument, token?: vscode.CancellationToken): Promise<FileAnalysis | undefined> {
    if (this.disposed || token?.isCancellationRequested || !this.accepts(document)) return undefined;
    const key = document.uri.toString();
    let tracked = this.tracked.get(key);
    if (tracked?.result && tracked.version === document.version) {
      this.touch(key, tracked);
      return tracked.result;
    }
    const analyzer = await this.services.analyzer();
    if (token?.isCancellationRequested || this.disposed) return undefined;
    tracked = this.tracked.get(key);
    if (tracked?.result && tracked.version === document.version) return tracked.result;
    if (!tracked) {
      tracked = { analysis: analyzer.openDocument(this.analyzeOptions()), version: -1, result: undefined, pending: [], incremental: false };
      this.tracked.set(key, tracked);
      this.evict();
    }
    const text = document.getText();
    try {
      this.parses++;
      tracked.result = tracked.analysis.update(text, tracked.incremental ? tracked.pending : undefined);
    } catch (error) {
      tracked.result = undefined;
      tracked.incremental = false;
      tracked.pending = [];
      this.services.log.error(`analyze:${key}`, `could not analyse ${vscode.workspace.asRelativePath(document.uri)}`, error);
      return undefined;
    }
    tracked.version = document.version;
    tracked.pending = [];
    tracked.incremental = true;
    this.touch(key, tracked);
    this.updated.fire(document.uri);
    return tracked.result;
  }

  private analyzeOptions() {
    const settings = this.services.settings;
    return { minConfidence: settings.minConfidence, ...(settings.patterns.length > 0 ? { patterns: settings.patterns } : {}) };
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    // Changes are recorded in arrival order; each one's offsets refer to the text after the previous.
    const tracked = this.tracked.get(event.document.uri.toString());
    if (tracked) for (const change of event.contentChanges) tracked.pending.push(toTextChange(change));
    this.schedule(event.document, this.services.settings.debounceMs);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (this.disposed || document.languageId !== 'python') return;
    const key = document.uri.toString();
    const previous = this.timers.get(key);
    if (previous) clearTimeout(previous);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (this.disposed || document.isClosed) return;
        this.services.log.run('analyze', 'could not analyse Python files', () => this.analysis(document));
      }, delayMs),
    );
  }

  private touch(key: string, tracked: TrackedDocument): void {
    this.tracked.delete(key);
    this.tracked.set(key, tracked);
  }

  private evict(): void {
    while (this.tracked.size > MAX_TRACKED) {
      const [oldest, tracked] = this.tracked.entries().next().value as [string, TrackedDocument];
      tracked.analysis.dispose();
      this.tracked.delete(oldest);
    }
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.tracked.get(key)?.analysis.dispose();
    this.tracked.delete(key);
  }

  /** Number of documents holding a parsed tree (for tests and diagnostics). */
  get size(): number {
    return this.tracked.size;
  }

  /** Number of document analyses run (parse and recognition) since the store was created (for tests and diagnostics). */
  get analysisCount(): number {
    return this.parses;
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const tracked of this.tracked.values()) tracked.analysis.dispose();
    this.tracked.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * A VS Code content change as a tree-sitter edit. VS Code's ranges and offsets are UTF-16 based, as are
 * web-tree-sitter's for string input, so they carry over directly.
 */
export function toTextChange(change: vscode.TextDocumentContentChangeEvent): TextChange {
  const lines = change.text.split(/\r\n|\r|\n/);
  const start = change.range.start;
  const newEnd = lines.length === 1 ? { row: start.line, column: start.character + lines[0].length } : { row: start.line + lines.length - 1, column: lines[lines.length - 1].length };
  return {
    startIndex: change.rangeOffset,
    oldEndIndex: change.rangeOffset + change.rangeLength,
    newEndIndex: change.rangeOffset + change.text.length,
    startPosition: { row: start.line, column: start.character },
    oldEndPosition: { row: change.range.end.line, column: change.range.end.character },
    newEndPosition: newEnd,
  };
}
