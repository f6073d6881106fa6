// Builds dist/paper-index.json from seeds/papers.json at build time, so the index is loaded, never
// rebuilt, when the CLI or the extension starts. Called by esbuild.js.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusFile } from '../src/core/corpus/types';
import { PaperIndex } from '../src/core/knowledge/paper-index';

export function writePaperIndex(root: string): number {
  const corpus = JSON.parse(readFileSync(join(root, 'seeds', 'papers.json'), 'utf8')) as CorpusFile;
  const index = PaperIndex.build(corpus.papers);
  writeFileSync(join(root, 'dist', 'paper-index.json'), JSON.stringify(index.toJSON()));
  return index.size;
}
