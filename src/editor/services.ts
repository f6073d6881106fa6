import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { allPatterns, Analyzer } from '../core/analyze';
import type { CorpusProblem } from '../core/corpus/types';
import type { UserCorpusText } from '../core/knowledge/library';
import { PaperLibrary } from '../core/knowledge/library';
import type { GrammarSource } from '../core/parser';
import { corpusSizeProblem, decodeCorpus, isRefusedCorpusFile, refusalReason } from '../node/knowledge';
import { liveScanWorkers } from '../node/scan';
import { WorkerPaperIndex } from '../node/worker-paper-index';
import type { Log } from './log';
import { readSettings, settingsWarning, type ArchLensSettings, type RawSettings } from './settings';

const SETTING_KEYS = ['features.hover', 'features.completions', 'features.codeLens', 'features.diagnostics', 'statusBar.enabled', 'minConfidence', 'patterns', 'corpus.files', 'maxFileSize', 'debounceMs'];
/**
 * User corpora larger than this in total are indexed in a worker thread. Indexing on the extension host
 * costs about 1 ms per KB of abstracts (tagging and minisearch), so 64 KB (~50 abstracts) stalls it for at
 * most ~60 ms; anything larger would freeze hovers and typing.
 */
const IN_THREAD_CORPUS_BYTES = 64 * 1024;

declare const ARCHLENS_ENGINE: string;
/** The recognition engine's identity (version + hash of the core's sources, set by the build): part of every scan cache key. */
const ENGINE = typeof ARCHLENS_ENGINE === 'string' ? ARCHLENS_ENGINE : 'source';
/** The scan cache in the extension's global storage is pruned back under this size after each scan. */
export const MAX_SCAN_CACHE_BYTES = 64 * 1024 * 1024;
/** Scan workers: one per core, at most this many (each holds its own parser and wasm memory, ~30 MB). */
const MAX_SCAN_WORKERS = 8;
/** At least two, so a scan runs off the extension host even on a one-core machine (the pool treats one as "in-process"). */
const MIN_SCAN_WORKERS = 2;

/** How Scan Workspace runs: the worker script and cache folder when the extension and its storage are on disk. */
export interface ScanSetup {
  /** `dist/scan-worker.js` of the installed extension; undefined when it is not on disk (scan in-process). */
  workerScript: string | undefined;
  workers: number;
  /** Content-hash cache folder in global storage; undefined when storage is not on disk. */
  cacheDir: string | undefined;
  engine: string;
}

/**
 * What the providers share, created on first need: the parser (wasm loads on the first Python
 * document), the paper library (index loads on the first paper look-up) and the validated settings.
 */
export class Services implements vscode.Disposable {
  private analyzerPromise: Promise<Analyzer> | undefined;
  /** Set by dispose (deactivation): nothing new is loaded afterwards. */
  private disposed = false;
  private libraryPromise: Promise<PaperLibrary> | undefined;
  private current: ArchLensSettings | undefined;
  private readonly settingsChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeSettings = this.settingsChanged.event;
  private readonly libraryChanged = new vscode.EventEmitter<void>();
  /** Fires when user papers indexed in the background become searchable (or their indexing failed). */
  readonly onDidChangeLibrary = this.libraryChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.settingsChanged, this.libraryChanged];
  private readonly scans = new Set<AbortController>();

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('archlens')) return;
        const corpusChanged = event.affectsConfiguration('archlens.corpus.files');
        this.current = undefined;
        if (corpusChanged) this.resetLibrary();
        this.settingsChanged.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        // Settings that name files were ignored until now.
        this.current = undefined;
        this.resetLibrary();
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
      const warning = settingsWarning(warnings);
      if (warning) this.log.warnOnce(warning, warnings.length > 1 ? warnings : []);
      if (!vscode.workspace.isTrusted && raw['corpus.files'] !== undefined) this.log.info('Workspace is not trusted: archlens.corpus.files is ignored.');
      this.current = settings;
    }
    return this.current;
  }

  /** The analyzer; loads the wasm runtime and grammar from the extension's `dist/` on first call. */
  analyzer(): Promise<Analyzer> {
    if (this.disposed) return Promise.reject(new Error('ArchLens has been deactivated'));
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

  /**
   * An abort signal for one scan: it fires when `token` is cancelled or the extension is deactivated, so
   * no scan worker outlives either. Call `release` when the scan is over.
   */
  scanSignal(token: vscode.CancellationToken): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.scans.add(controller);
    const listener = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    return {
      signal: controller.signal,
      release: () => {
        listener.dispose();
        this.scans.delete(controller);
      },
    };
  }

  /** Scan worker threads running now (0 when no scan is running). */
  get liveScanWorkers(): number {
    return liveScanWorkers();
  }

  /** Where Scan Workspace finds its worker script and keeps its cache. */
  scanSetup(): ScanSetup {
    const extension = this.context.extensionUri;
    const script = extension.scheme === 'file' ? join(extension.fsPath, 'dist', 'scan-worker.js') : undefined;
    const storage = this.context.globalStorageUri;
    return {
      workerScript: script && existsSync(script) ? script : undefined,
      workers: Math.max(MIN_SCAN_WORKERS, Math.min(availableParallelism(), MAX_SCAN_WORKERS)),
      cacheDir: storage.scheme === 'file' ? join(storage.fsPath, 'scan-cache') : undefined,
      engine: ENGINE,
    };
  }

  /** The paper library: bundled corpus and prebuilt index, plus the user corpora a trusted workspace names. */
  library(): Promise<PaperLibrary> {
    if (this.disposed) return Promise.reject(new Error('ArchLens has been deactivated'));
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
    const refuse = (file: string, problem: string) => this.log.warnOnce(`Corpus file ${file} is not loaded: ${refusalReason(problem)}.`);
    // Sizes first: huge files are refused unread, and the total decides where the corpora are indexed.
    const accepted: Array<{ file: string; uri: vscode.Uri; size: number }> = [];
    for (const file of this.settings.corpusFiles) {
      const uri = this.resolvePath(file);
      try {
        const size = (await vscode.workspace.fs.stat(uri)).size;
        const tooBig = corpusSizeProblem(size);
        if (tooBig) refuse(file, tooBig);
        else accepted.push({ file, uri, size });
      } catch (error) {
        refuse(file, `could not read corpus file: ${(error as Error).message}`);
      }
    }
    const inWorker = accepted.reduce((n, c) => n + c.size, 0) > IN_THREAD_CORPUS_BYTES && root.scheme === 'file';
    const texts: UserCorpusText[] = [];
    const files: string[] = [];
    /** The worker names files by absolute path; problems are reported under the setting's own spelling. */
    const settingNames = new Map<string, string>();
    for (const corpus of accepted) {
      // The worker reads files on disk itself; others (and small corpora) are read here.
      if (inWorker && corpus.uri.scheme === 'file') {
        files.push(corpus.uri.fsPath);
        settingNames.set(corpus.uri.fsPath, corpus.file);
        continue;
      }
      try {
        const decoded = decodeCorpus(await vscode.workspace.fs.readFile(corpus.uri));
        if ('error' in decoded) refuse(corpus.file, decoded.error);
        else texts.push({ path: corpus.file, text: decoded.text });
      } catch (error) {
        refuse(corpus.file, `could not read corpus file: ${(error as Error).message}`);
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
      inWorker ? [] : texts,
    );
    this.log.info(`Paper index loaded in ${Date.now() - started} ms (${library.size} papers${rebuiltIndex ? ', rebuilt: the shipped index was stale' : ''})`);
    this.reportCorpusProblems(problems);
    if (inWorker) this.indexInWorker(library, files, texts, accepted.reduce((n, c) => n + c.size, 0), settingNames);
    return library;
  }

  /** Indexes large user corpora in a worker thread; the library answers from the bundled papers until it is ready. */
  private indexInWorker(library: PaperLibrary, files: string[], texts: UserCorpusText[], bytes: number, settingNames: Map<string, string>): void {
    let index: WorkerPaperIndex;
    try {
      index = new WorkerPaperIndex({ bundledRoot: this.context.extensionUri.fsPath, files, texts, workerScript: join(this.context.extensionUri.fsPath, 'dist', 'paper-index-worker.js') });
    } catch (error) {
      this.log.warnOnce(`Your papers could not be indexed (${(error as Error).message}); only the bundled papers are searched.`);
      return;
    }
    this.log.info(`Indexing your papers (${(bytes / 1024 / 1024).toFixed(1)} MB) in a background thread; searches use the bundled papers until it is done.`);
    library.onDidChangeRemote(() => {
      const failure = library.remoteFailure;
      if (failure) this.log.warnOnce(`Your papers could not be indexed or searched (${failure.message}); only the bundled papers are searched.`);
      this.libraryChanged.fire();
    });
    const attached = library.attachRemote(index, allPatterns()).then(
      (report) => {
        this.log.info(`Your papers are indexed: ${report.size} papers in ${report.buildMs} ms (background thread)`);
        this.reportCorpusProblems(report.problems.map((p) => ({ ...p, file: settingNames.get(p.file) ?? p.file })));
      },
      () => undefined, // reported by the listener above
    );
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ArchLens: indexing your papers…' }, () => attached);
  }

  /** Refused files are shown once each; bad records go to the log with file and line, and are summed up once. */
  private reportCorpusProblems(problems: CorpusProblem[]): void {
    let records = 0;
    for (const problem of problems) {
      if (isRefusedCorpusFile(problem)) {
        this.log.warnOnce(`Corpus file ${problem.file} is not loaded: ${refusalReason(problem.message)}.`);
        continue;
      }
      records++;
      this.log.warn(`${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
    }
    if (records > 0) this.log.warnOnce(`${records} corpus record${records === 1 ? ' was' : 's were'} skipped; see the log for file and line.`);
  }

  /** Drops the library (settings or trust changed): the next use loads it again; its worker, if any, stops. */
  private resetLibrary(): void {
    const previous = this.libraryPromise;
    this.libraryPromise = undefined;
    void previous?.then((library) => library.dispose(), () => undefined);
  }

  /** A setting's path as a URI: absolute, or relative to the first workspace folder. */
  resolvePath(path: string): vscode.Uri {
    if (/^([a-zA-Z]:[\\/]|\/)/.test(path)) return vscode.Uri.file(path);
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, path) : vscode.Uri.file(path);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const scan of this.scans) scan.abort();
    this.resetLibrary();
    for (const d of this.disposables) d.dispose();
    // The wasm parser is freed once loaded; a failure to free it must not surface as an unhandled rejection.
    void this.analyzerPromise?.then(
      (analyzer) => {
        try {
          analyzer.dispose();
        } catch (error) {
          this.log.error('dispose', 'could not free the parser', error);
        }
      },
      () => undefined,
    );
  }
}
