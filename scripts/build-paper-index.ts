// Builds dist/paper-index.json from seeds/papers.json at build time, so the index is loaded, never
// rebuilt, when the CLI or the extension starts. Called by esbuild.js.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusFile } from '../src/core/corpus/types';
import { allPatterns } from '../src/core/analyze';
import { PaperIndex } from '../src/core/knowledge/paper-index';
import { DEFAULT_PAPER_LIMIT, papersFor } from '../src/core/knowledge/papers-for';

/**
 * Writes the index, and beside it each pattern's top papers (`pattern-papers.json`): all `scan --json`
 * needs of the bundled corpus, so a scan without user corpora does not load the index at all.
 */
export function writePaperIndex(root: string, dist = join(root, 'dist')): number {
  const corpus = JSON.parse(readFileSync(join(root, 'seeds', 'papers.json'), 'utf8')) as CorpusFile;
  const index = PaperIndex.build(corpus.papers);
  writeFileSync(join(dist, 'paper-index.json'), JSON.stringify(index.toJSON()));
  const table = Object.fromEntries(allPatterns().map((pattern) => [pattern.id, papersFor(index, pattern, DEFAULT_PAPER_LIMIT).papers.map((p) => p.paper.id)]));
  writeFileSync(join(dist, 'pattern-papers.json'), JSON.stringify({ limit: DEFAULT_PAPER_LIMIT, papers: table }));
  return index.size;
}
