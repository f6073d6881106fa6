import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CorpusProblem } from '../core/corpus/types';
import type { UserCorpusText } from '../core/knowledge/library';
import type { KnowledgeSource } from '../core/knowledge/library';
import { decodeSource } from './files';

/**
 * The bundled corpus and index as files: `seeds/papers.json` beside the package and
 * `dist/paper-index.json` beside the bundle. `root` is the package folder.
 */
export function nodeKnowledgeSource(root: string): KnowledgeSource {
  return {
    bundledCorpus: () => readFile(join(root, 'seeds', 'papers.json'), 'utf8'),
    bundledIndex: async () => {
      const path = join(root, 'dist', 'paper-index.json');
      return existsSync(path) ? readFile(path, 'utf8') : null;
    },
  };
}

/** The package folder when running from `dist/` (bundle) or from `src/node/` (tests). */
export function packageRoot(from: string = __dirname): string {
  return existsSync(join(from, '..', 'seeds', 'papers.json')) ? join(from, '..') : join(from, '..', '..');
}

export const MAX_USER_CORPUS_BYTES = 64 * 1024 * 1024;

/** Why a corpus file of this size is refused, or undefined when its size is fine. */
export function corpusSizeProblem(size: number, maxBytes = MAX_USER_CORPUS_BYTES): string | undefined {
  return size > maxBytes ? `corpus file is ${size} bytes, over the ${maxBytes}-byte limit` : undefined;
}

/** A corpus file's bytes as text, or why they are refused (binary, not UTF-8). */
export function decodeCorpus(bytes: Uint8Array): { text: string } | { error: string } {
  const decoded = decodeSource(bytes);
  return decoded.ok ? { text: decoded.text } : { error: `corpus file refused: ${decoded.reason}` };
}

/** Reads a user corpus file, refusing what is huge, binary or not UTF-8 with a clear message. */
export async function readUserCorpus(path: string, maxBytes = MAX_USER_CORPUS_BYTES): Promise<UserCorpusText | { path: string; error: string }> {
  try {
    const tooBig = corpusSizeProblem((await stat(path)).size, maxBytes);
    if (tooBig) return { path, error: tooBig };
    const decoded = decodeCorpus(await readFile(path));
    return 'error' in decoded ? { path, error: decoded.error } : { path, text: decoded.text };
  } catch (error) {
    return { path, error: `could not read corpus file: ${(error as Error).message}` };
  }
}

/** A refusal from `readUserCorpus` as the reason alone, for a sentence that already names the corpus file. */
export function refusalReason(message: string): string {
  return message.replace(/^corpus file refused: /, '').replace(/^corpus file is /, 'it is ').replace(/^could not read corpus file: /, 'could not read it: ');
}

/** True for the problems that refuse a whole corpus file (size, binary, encoding, unreadable), as opposed to one bad record. */
export function isRefusedCorpusFile(problem: CorpusProblem): boolean {
  return problem.line === 0 && /^(corpus file |could not read corpus file)/.test(problem.message);
}
