import * as vscode from 'vscode';
import { allPatterns, Analyzer } from '../core/analyze';
import type { UserCorpusText } from '../core/knowledge/library';
import { PaperLibrary } from '../core/knowledge/library';
import type { GrammarSource } from '../core/parser';
import type { Log } from './log';
import { readSettings, type ArchLensSettings, type RawSettings } from './settings';

const SETTING_KEYS = ['features.hover', 'features.completions', 'features.codeLens', 'features.diagnostics', 'statusBar.enabled', 'minConfidence', 'patterns', 'corpus.files', 'maxFileSize', 'debounceMs'];
const MAX_CORPUS_BYTES = 64 * 1024 * 1024;

/**
 * What the providers share, created on first need: the parser (wasm loads on the first Python
 * document), the paper library (index loads on the first paper look-up) and the validated settings.
 */
export class Services implements vscode.Disposable {
  private analyzerPromise: Promise<Analyzer> | undefined;
  private libraryPromise: Promise<PaperLibrary> | undefined;
  private current: ArchLensSettings | undefined;
  private readonly settingsChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeSettings = this.settingsChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.settingsChanged];

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('archlens')) return;
        const corpusChanged = event.affectsConfiguration('archlens.corpus.files');
        this.current = undefined;
        if (corpusChanged) this.libraryPromise = undefined;
        this.settingsChanged.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        // Settings that name files were ignored until now.
        this.current = undefined;
        this.libraryPromise = undefined;
        this.settingsChanged.fire();
      }),
    );
  }

  get settings(): ArchLensSettings {
    if (!this.current) {
      const config = vscode.workspace.getConfiguration('archlens');
      const raw: RawSettings = {};
      for (const key of SETTING_KEYS) {
        const inspected = config.inspect(key);
        const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
        if (value !== undefined) raw[key] = value;
      }
      const { settings, warnings } = readSettings(raw, allPatterns().map((p) => p.id), vscode.workspace.isTrusted);
      for (const warning of warnings) this.log.warnOnce(warning);
      if (!vscode.workspace.isTrusted && raw['corpus.files'] !== undefined) this.log.info('Workspace is not trusted: archlens.corpus.files is ignored.');
      this.current = settings;
    }
    return this.current;
  }

  /** The analyzer; loads the wasm runtime and grammar from the extension's `dist/` on first call. */
  analyzer(): Promise<Analyzer> {
    if (!this.analyzerPromise) {
      const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
      const source: GrammarSource = {
        runtimeWasm: () => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(dist, 'web-tree-sitter.wasm'))),
        pythonWasm: () => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(dist, 'tree-sitter-python.wasm'))),
      };
      const started = Date.now();
      this.analyzerPromise = Analyzer.create(source).then(
        (analyzer) => {
          this.log.info(`Python grammar loaded in ${Date.now() - started} ms`);
          return analyzer;
        },
        (error: unknown) => {
          this.analyzerPromise = undefined;
          throw error;
        },
      );
    }
    return this.analyzerPromise;
  }

  /** The paper library: bundled corpus and prebuilt index, plus the user corpora a trusted workspace names. */
  library(): Promise<PaperLibrary> {
    if (!this.libraryPromise) {
      this.libraryPromise = this.loadLibrary().catch((error: unknown) => {
        this.libraryPromise = undefined;
        throw error;
      });
    }
    return this.libraryPromise;
  }

  private async loadLibrary(): Promise<PaperLibrary> {
    const root = this.context.extensionUri;
    const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const userCorpora: UserCorpusText[] = [];
    for (const file of this.settings.corpusFiles) {
      const uri = this.resolvePath(file);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_CORPUS_BYTES) {
          this.log.warnOnce(`Corpus file ${file} is ${stat.size} bytes, over the ${MAX_CORPUS_BYTES}-byte limit; it is not loaded.`);
          continue;
        }
        const bytes = await vscode.workspace.fs.readFile(uri);
        if (bytes.includes(0)) {
          this.log.warnOnce(`Corpus file ${file} is binary; it is not loaded.`);
          continue;
        }
        userCorpora.push({ path: file, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) });
      } catch (error) {
        this.log.warnOnce(`Corpus file ${file} could not be read (${(error as Error).message}); it is not loaded.`);
      }
    }
    const started = Date.now();
    const { library, problems, rebuiltIndex } = await PaperLibrary.load(
      {
        bundledCorpus: () => read(vscode.Uri.joinPath(root, 'seeds', 'papers.json')),
        bundledIndex: async () => {
          try {
            return await read(vscode.Uri.joinPath(root, 'dist', 'paper-index.json'));
          } catch {
            return null;
          }
        },
      },
      userCorpora,
    );
    this.log.info(`Paper index loaded in ${Date.now() - started} ms (${library.size} papers${rebuiltIndex ? ', rebuilt: the shipped index was stale' : ''})`);
    for (const problem of problems) this.log.warn(`${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
    if (problems.length > 0) this.log.warnOnce(`${problems.length} corpus record${problems.length === 1 ? ' was' : 's were'} skipped; see the log for file and line.`);
    return library;
  }

  /** A setting's path as a URI: absolute, or relative to the first workspace folder. */
  resolvePath(path: string): vscode.Uri {
    if (/^([a-zA-Z]:[\\/]|\/)/.test(path)) return vscode.Uri.file(path);
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, path) : vscode.Uri.file(path);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.analyzerPromise?.then((a) => a.dispose(), () => undefined);
  }
}
