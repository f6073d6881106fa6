import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { threadId, Worker } from 'node:worker_threads';
import type { AnalyzeOptions, Analyzer, PatternFinding } from '../core/analyze';
import { ParseBudgetExceeded } from '../core/parser';
import type { PragmaProblem } from '../core/pragmas';
import { decodeSource } from './files';

/** One file to scan. Findings are computed at confidence 0 for every pattern; the caller filters. */
export interface ScanJob {
  id: number;
  path: string;
  maxFileSize: number;
  /** Content-hash cache folder, or undefined for no cache. */
  cacheDir?: string;
  engine: string;
}

export type FileResult =
  | { path: string; findings: PatternFinding[]; errors: string[]; pragmaProblems: PragmaProblem[]; cached?: boolean }
  | { path: string; skipped: string };

export interface WorkerReply {
  id: number;
  result: FileResult;
}

// Files that cannot hold a model are not parsed: shown to lose no finding on the fixtures, 158 real model
// files and the Python standard library (test/core/prefilter.test.ts and the notes in docs/PERFORMANCE.md).
const ALL: AnalyzeOptions = { minConfidence: 0, skipNonModelFiles: true };

/** Reads, checks and analyses one file (through the content-hash cache when one is given). */
export function analyzeFile(analyzer: Analyzer, job: ScanJob): FileResult {
  let bytes: Buffer;
  try {
    const size = statSync(job.path).size;
    if (size > job.maxFileSize) return { path: job.path, skipped: `larger than the ${job.maxFileSize}-byte limit (${size} bytes)` };
    bytes = readFileSync(job.path);
  } catch (error) {
    return { path: job.path, skipped: `could not read: ${(error as Error).message}` };
  }
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return { path: job.path, skipped: decoded.reason };
  const key = job.cacheDir ? createHash('sha256').update(job.engine).update('\0').update(bytes).digest('hex') : undefined;
  if (key && job.cacheDir) {
    const entry = join(job.cacheDir, key.slice(0, 2), `${key}.json`);
    try {
      const cached = JSON.parse(readFileSync(entry, 'utf8')) as Omit<Extract<FileResult, { findings: unknown }>, 'path'>;
      try {
        // Used entries look recent, so pruning (oldest first) keeps what is still scanned.
        const now = new Date();
        utimesSync(entry, now, now);
      } catch {
        // a read-only cache still serves
      }
      return { path: job.path, ...cached, cached: true };
    } catch {
      // not cached yet (or unreadable): analyse
    }
  }
  try {
    const analysis = analyzer.analyze(decoded.text, ALL);
    const result = { findings: analysis.findings, errors: analysis.errors, pragmaProblems: analysis.pragmaProblems };
    if (key && job.cacheDir) {
      try {
        const folder = join(job.cacheDir, key.slice(0, 2));
        mkdirSync(folder, { recursive: true });
        // Write then rename, so a concurrent reader never sees half a file.
        const temporary = join(folder, `${key}.${process.pid}.${threadId}.${job.id}.tmp`);
        writeFileSync(temporary, JSON.stringify(result));
        renameSync(temporary, join(folder, `${key}.json`));
      } catch {
        // A cache that cannot be written (full disk, read-only storage) costs a re-analysis next time, nothing more.
      }
    }
    return { path: job.path, ...result };
  } catch (error) {
    return { path: job.path, skipped: error instanceof ParseBudgetExceeded ? error.message : `could not analyze: ${(error as Error).message}` };
  }
}

export interface ScanPoolOptions {
  /** Worker threads to use (default: one per core). 0 or 1 scans on the calling thread. */
  workers?: number;
  workerScript: string;
  onProblem?: (message: string) => void;
  /** Called as each file's result arrives, with the file's index in `files` (for progress). */
  onResult?: (result: FileResult, index: number) => void;
  /** Aborting stops handing out files and terminates the workers; the scan resolves with what it has. */
  signal?: AbortSignal;
  /**
   * False: results go only to `onResult` and the scan resolves with an empty list, so a caller that
   * streams them out does not hold every file's findings at once (default true).
   */
  keepResults?: boolean;
}

/**
 * The worker threads `scanFiles` starts for this many files: 0 (the calling thread) for fewer than four
 * files or one worker, else one per file up to `requested` (default: one per core).
 */
export function poolSize(fileCount: number, requested: number = availableParallelism()): number {
  const count = Math.min(requested, fileCount);
  return count <= 1 || fileCount < 4 ? 0 : count;
}

/** Worker threads started and not yet exited, across all scans of this thread. */
let liveWorkers = 0;

/** How many scan worker threads are running now (0 once every scan has finished or been cancelled). */
export function liveScanWorkers(): number {
  return liveWorkers;
}

/**
 * The old-generation heap a scan worker starts with. Analysing a file leaves mostly garbage, and an
 * unlimited V8 heap grows to several times what is live before it collects: a 35 MB tree peaked at
 * about 250 MB of heap per worker. Most files need far less than this; a file that needs more (one of
 * a few MB) runs out, and is then scanned again by a worker without the limit, so no file is lost.
 */
const WORKER_OLD_SPACE_MB = 96;

/**
 * The young generation of a scan worker, well under V8's default for a worker this size: nearly every
 * object an analysis makes dies young, so a small nursery collects it as well and keeps a pool of two
 * workers about 55 MB smaller (the 35 MB benchmark tree: peak RSS 335 → 276–278 MB, time within noise).
 */
const WORKER_YOUNG_SPACE_MB = 8;

/** Workers that die before answering, in a row, after which the rest of the scan runs on the calling thread. */
const MAX_WORKER_START_FAILURES = 3;

/**
 * Scans files on a pool of worker threads (one per core by default), handing each idle worker the
 * next file. A worker that dies is reported and replaced, and its file is reported as skipped; when
 * workers keep dying before answering anything, the rest is scanned on the calling thread.
 * Results come back in the order of `files`. After `signal` aborts, the files not scanned are left
 * out (each result names its path) and no worker is left running when the promise resolves.
 */
export async function scanFiles(files: string[], job: Omit<ScanJob, 'id' | 'path'>, options: ScanPoolOptions, inProcess: () => Promise<Analyzer>): Promise<FileResult[]> {
  const keep = options.keepResults ?? true;
  const results: FileResult[] = keep ? new Array(files.length) : [];
  const record = (id: number, result: FileResult) => {
    if (keep) results[id] = result;
    options.onResult?.(result, id);
  };
  const { signal } = options;
  let next = 0;
  /** Files a heap-limited worker ran out of memory on, to be scanned again without the limit. */
  const retry: number[] = [];
  const remaining = () => (next < files.length ? files.length - next : 0) + retry.length;
  /** Scans the remaining files on this thread, yielding now and then so a caller's event loop keeps turning. */
  const scanHere = async () => {
    if (remaining() === 0 || signal?.aborted) return;
    const analyzer = await inProcess();
    let sinceYield = Date.now();
    while (remaining() > 0 && !signal?.aborted) {
      const id = retry.shift() ?? next++;
      record(id, analyzeFile(analyzer, { ...job, id, path: files[id] }));
      if (Date.now() - sinceYield > 20) {
        await new Promise((resolve) => setImmediate(resolve));
        sinceYield = Date.now();
      }
    }
  };
  if (signal?.aborted) return [];
  const workerCount = poolSize(files.length, options.workers);
  if (workerCount === 0) {
    await scanHere();
    return compact(results);
  }
  let startFailures = 0;
  await new Promise<void>((resolve) => {
    let running = 0;
    const workers = new Set<Worker>();
    const finish = () => {
      if (running > 0) return;
      // Workers that could not start: what is left runs here.
      void scanHere().then(resolve, (error: unknown) => {
        options.onProblem?.(`scan failed: ${(error as Error).message}`);
        resolve();
      });
    };
    const onAbort = () => {
      for (const worker of workers) void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const start = (limited: boolean) => {
      const worker = new Worker(options.workerScript, limited ? { resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB } } : {});
      workers.add(worker);
      liveWorkers++;
      running++;
      let current: number | undefined;
      let answered = false;
      let crashed = false;
      const feed = () => {
        if (!limited && retry.length > 0 && !signal?.aborted) current = retry.shift()!;
        else if (next < files.length && !signal?.aborted) current = next++;
        else {
          current = undefined;
          worker.postMessage('exit');
          return;
        }
        worker.postMessage({ ...job, id: current, path: files[current] } satisfies ScanJob);
      };
      worker.on('message', (reply: WorkerReply) => {
        answered = true;
        startFailures = 0;
        record(reply.id, reply.result);
        feed();
      });
      worker.on('error', (error) => {
        if (signal?.aborted) return;
        if (limited && current !== undefined && (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
          // Not a failure of the file: it needs more heap than the limit. Scanned again without it.
          retry.push(current);
          current = undefined;
          answered = true;
          return;
        }
        options.onProblem?.(`scan worker failed${current !== undefined ? ` on ${files[current]}` : ''}: ${error.message}; starting a new one`);
        if (current !== undefined) record(current, { path: files[current], skipped: `the scan worker crashed on it (${error.message})` });
        current = undefined;
        crashed = true;
      });
      worker.on('exit', (code) => {
        workers.delete(worker);
        liveWorkers--;
        running--;
        if (signal?.aborted) {
          if (running === 0) {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }
          return;
        }
        if (current !== undefined) {
          options.onProblem?.(`scan worker exited (code ${code}) on ${files[current]}; starting a new one`);
          record(current, { path: files[current], skipped: `the scan worker exited while reading it (code ${code})` });
        }
        if (!answered && (crashed || current !== undefined)) startFailures++;
        // A worker that died with work left is replaced; one that finished normally is not.
        // A file waiting for more heap gets a worker without the limit (it then also takes the files left).
        if (retry.length > 0 && startFailures < MAX_WORKER_START_FAILURES) start(false);
        else if (next < files.length && startFailures < MAX_WORKER_START_FAILURES) start(limited);
        else if (running === 0) {
          signal?.removeEventListener('abort', onAbort);
          if (remaining() > 0) options.onProblem?.(`scan workers keep failing; scanning the remaining ${remaining()} files on this thread`);
          finish();
        }
      });
      feed();
    };
    for (let i = 0; i < workerCount; i++) start(true);
  });
  return compact(results);
}

/** The results present, in file order (a cancelled scan leaves holes). */
function compact(results: FileResult[]): FileResult[] {
  return results.filter((r) => r !== undefined);
}

/**
 * Keeps a scan cache folder under `maxBytes`: when it is over, the least recently used entries (oldest
 * modification time; hits refresh it) are deleted until it is under three quarters of the limit.
 * Asynchronous so it never blocks the caller's thread; problems are ignored (the cache is only a cache).
 */
export async function pruneScanCache(cacheDir: string, maxBytes: number): Promise<{ entries: number; bytes: number; deleted: number }> {
  const entries: Array<{ path: string; size: number; mtime: number }> = [];
  let shards: string[];
  try {
    shards = await readdir(cacheDir);
  } catch {
    return { entries: 0, bytes: 0, deleted: 0 };
  }
  for (const shard of shards) {
    let names: string[];
    try {
      names = await readdir(join(cacheDir, shard));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(cacheDir, shard, name);
      try {
        const info = await stat(path);
        entries.push({ path, size: info.size, mtime: info.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
  }
  let bytes = entries.reduce((n, e) => n + e.size, 0);
  let deleted = 0;
  if (bytes > maxBytes) {
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const entry of entries) {
      if (bytes <= maxBytes * 0.75) break;
      try {
        await unlink(entry.path);
        bytes -= entry.size;
        deleted++;
      } catch {
        // already gone
      }
    }
  }
  return { entries: entries.length - deleted, bytes, deleted };
}
