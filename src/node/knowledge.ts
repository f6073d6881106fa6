import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Reads a user corpus file, refusing what is huge, binary or not UTF-8 with a clear message. */
export async function readUserCorpus(path: string, maxBytes = MAX_USER_CORPUS_BYTES): Promise<UserCorpusText | { path: string; error: string }> {
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) return { path, error: `corpus file is ${size} bytes, over the ${maxBytes}-byte limit` };
    const decoded = decodeSource(await readFile(path));
    if (!decoded.ok) return { path, error: `corpus file refused: ${decoded.reason}` };
    return { path, text: decoded.text };
  } catch (error) {
    return { path, error: `could not read corpus file: ${(error as Error).message}` };
  }
}
