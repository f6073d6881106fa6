import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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

const ALL: AnalyzeOptions = { minConfidence: 0 };

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
    try {
      const cached = JSON.parse(readFileSync(join(job.cacheDir, key.slice(0, 2), `${key}.json`), 'utf8')) as Omit<Extract<FileResult, { findings: unknown }>, 'path'>;
      return { path: job.path, ...cached, cached: true };
    } catch {
      // not cached yet (or unreadable): analyse
    }
  }
  try {
    const analysis = analyzer.analyze(decoded.text, ALL);
    const result = { findings: analysis.findings, errors: analysis.errors, pragmaProblems: analysis.pragmaProblems };
    if (key && job.cacheDir) {
      const folder = join(job.cacheDir, key.slice(0, 2));
      mkdirSync(folder, { recursive: true });
      // Write then rename, so a concurrent reader never sees half a file.
      const temporary = join(folder, `${key}.${process.pid}.${job.id}.tmp`);
      writeFileSync(temporary, JSON.stringify(result));
      renameSync(temporary, join(folder, `${key}.json`));
    }
    return { path: job.path, ...result };
  } catch (error) {
    return { path: job.path, skipped: error instanceof ParseBudgetExceeded ? error.message : `could not analyze: ${(error as Error).message}` };
  }
}

export interface ScanPoolOptions {
  /** Worker threads to use (default: one per core). 0 scans on the calling thread. */
  workers?: number;
  workerScript: string;
  onProblem?: (message: string) => void;
}

/**
 * Scans files on a pool of worker threads (one per core by default), handing each idle worker the
 * next file. A worker that dies is reported and replaced, and its file is reported as skipped.
 * Results come back in the order of `files`.
 */
export async function scanFiles(files: string[], job: Omit<ScanJob, 'id' | 'path'>, options: ScanPoolOptions, inProcess: () => Promise<Analyzer>): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  const workerCount = Math.min(options.workers ?? availableParallelism(), files.length);
  if (workerCount <= 1 || files.length < 4) {
    const analyzer = await inProcess();
    files.forEach((path, id) => (results[id] = analyzeFile(analyzer, { ...job, id, path })));
    return results;
  }
  let next = 0;
  await new Promise<void>((resolve) => {
    let running = 0;
    const start = () => {
      const worker = new Worker(options.workerScript);
      let current: number | undefined;
      running++;
      const feed = () => {
        if (next >= files.length) {
          current = undefined;
          worker.postMessage('exit');
          return;
        }
        current = next++;
        worker.postMessage({ ...job, id: current, path: files[current] } satisfies ScanJob);
      };
      worker.on('message', (reply: WorkerReply) => {
        results[reply.id] = reply.result;
        feed();
      });
      worker.on('error', (error) => {
        options.onProblem?.(`scan worker failed${current !== undefined ? ` on ${files[current]}` : ''}: ${error.message}; starting a new one`);
        if (current !== undefined) results[current] = { path: files[current], skipped: `the scan worker crashed on it (${error.message})` };
        current = undefined;
      });
      worker.on('exit', (code) => {
        running--;
        if (current !== undefined) {
          options.onProblem?.(`scan worker exited (code ${code}) on ${files[current]}; starting a new one`);
          results[current] = { path: files[current], skipped: `the scan worker exited while reading it (code ${code})` };
        }
        // A worker that died with work left is replaced; one that finished normally is not.
        if (next < files.length) start();
        else if (running === 0) resolve();
      });
      feed();
    };
    for (let i = 0; i < workerCount; i++) start();
  });
  return results;
}
