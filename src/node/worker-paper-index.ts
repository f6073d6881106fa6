import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Paper } from '../core/corpus/types';
import type { RemoteIndexReport, RemotePaperIndex, UserCorpusText } from '../core/knowledge/library';
import type { RankedPaper, SearchOptions } from '../core/knowledge/paper-index';
import { paperLinksOf, type PatternPaperLinks, type PatternPapers } from '../core/knowledge/papers-for';

/** What the worker builds its index from (sent as its `workerData`). */
export interface WorkerPaperIndexOptions {
  /**
   * Package folder with `seeds/papers.json` (and `dist/paper-index.json`): the bundled corpus is indexed
   * first, as `PaperLibrary.load` does, so user and bundled papers rank together. Omit for user papers only.
   */
  bundledRoot?: string;
  /** Corpus files (`.jsonl`, `.bib`) the worker reads itself; huge, binary or non-UTF-8 files are refused as problems. */
  files?: string[];
  /** Corpus texts already read (files not on disk), named by their path. */
  texts?: UserCorpusText[];
  /** Paper records to add after the files, under the source name `records`. */
  papers?: Paper[];
  /** Largest corpus file read, in bytes (default `MAX_USER_CORPUS_BYTES`). */
  maxFileBytes?: number;
  /** The worker script (default: `paper-index-worker.js` beside this bundle). */
  workerScript?: string;
}

/** Requests to the worker, and its replies. */
export type PaperIndexRequest =
  | { id: number; op: 'search'; query: string; options?: SearchOptions }
  | { id: number; op: 'paper'; paperId: string }
  | { id: number; op: 'papersFor'; pattern: PatternPaperLinks; limit?: number };
export type PaperIndexReply = { type: 'ready'; report: RemoteIndexReport } | { type: 'failed'; message: string } | { type: 'answer'; id: number; result: unknown } | { type: 'error'; id: number; message: string };

type RequestBody = PaperIndexRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** The worker script beside the running bundle (`dist/`), or undefined when running from source without a build. */
export function defaultPaperIndexWorkerScript(folder: string = __dirname): string | undefined {
  for (const candidate of [join(folder, 'paper-index-worker.js'), join(folder, '..', '..', 'dist', 'paper-index-worker.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A paper index built and kept in a worker thread, for corpora too big to index on the caller's thread
 * (a 100,000-abstract user corpus takes tens of seconds to index and up to a second per query). The
 * worker reads and parses the corpus files, builds a `PaperLibrary` (bundled corpus first when
 * `bundledRoot` is given) and answers searches asynchronously with exactly what that library would
 * answer in-thread. Bad records, duplicate ids and refused files come back in `ready`'s problems; a
 * worker that fails rejects `ready` and every pending and later request instead of throwing.
 * Node-only (worker_threads); usable from the CLI, the extension and benchmarks.
 *
 * @example
 *   const index = new WorkerPaperIndex({ files: ['papers.jsonl'] });
 *   const { size, problems, buildMs } = await index.ready;
 *   const hits = await index.search('mixture of experts', { limit: 5 });
 *   await index.dispose();
 */
export class WorkerPaperIndex implements RemotePaperIndex {
  readonly ready: Promise<RemoteIndexReport>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(options: WorkerPaperIndexOptions) {
    const script = options.workerScript ?? defaultPaperIndexWorkerScript();
    if (!script) throw new Error('paper-index-worker.js was not found beside the bundle (run the build)');
    const { workerScript: _script, ...data } = options;
    this.worker = new Worker(script, { workerData: data });
    let settle!: { resolve: (report: RemoteIndexReport) => void; reject: (error: Error) => void };
    this.ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
    // Callers that only search need not handle `ready` themselves: a failure reaches them through their requests.
    this.ready.catch(() => undefined);
    this.worker.on('message', (reply: PaperIndexReply) => {
      if (reply.type === 'ready') settle.resolve(reply.report);
      else if (reply.type === 'failed') this.fail(new Error(`could not index the papers: ${reply.message}`), settle.reject);
      else {
        const request = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (reply.type === 'answer') request?.resolve(reply.result);
        else request?.reject(new Error(reply.message));
      }
    });
    this.worker.on('error', (error) => this.fail(new Error(`the paper index worker failed: ${error.message}`), settle.reject));
    this.exit = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.exited = true;
        this.fail(new Error(`the paper index worker exited (code ${code})`), settle.reject);
        resolve();
      }),
    );
  }

  search(query: string, options?: SearchOptions): Promise<RankedPaper[]> {
    return this.request({ op: 'search', query, options }) as Promise<RankedPaper[]>;
  }

  paper(id: string): Promise<Paper | undefined> {
    return this.request({ op: 'paper', paperId: id }) as Promise<Paper | undefined>;
  }

  papersFor(pattern: PatternPaperLinks, limit?: number): Promise<PatternPapers> {
    return this.request({ op: 'papersFor', pattern: paperLinksOf(pattern), limit }) as Promise<PatternPapers>;
  }

  /** True while the worker thread is running. */
  get running(): boolean {
    return !this.exited;
  }

  /** Terminates the worker; pending and later requests reject. Resolves once the thread has exited. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      this.failure ??= new Error('the paper index was disposed');
      await this.worker.terminate();
    }
    await this.exit;
  }

  private request(body: RequestBody): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as PaperIndexRequest);
    });
  }

  private fail(error: Error, rejectReady: (error: Error) => void): void {
    this.failure ??= error;
    rejectReady(this.failure);
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
  }
}
