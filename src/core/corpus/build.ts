import { parseSeedListing } from './convert';
import { applyCorrections, parseCorrections, tagsFor } from './tagger';
import { CORPUS_FORMAT_VERSION, type CorpusFile, type Paper } from './types';

/**
 * The bundled corpus from the raw listing and the hand corrections: what `npm run corpus` writes to
 * seeds/papers.json, and what the freshness test recomputes.
 */
export function buildBundledCorpus(sourceName: string, listing: string, correctionsText: string): { corpus: CorpusFile; problems: string[] } {
  const { papers: records, problems } = parseSeedListing(listing);
  const papers: Paper[] = records.map((r) => ({ ...r, tags: tagsFor(r) }));
  const parsed = parseCorrections(correctionsText);
  problems.push(...parsed.problems.map((p) => `tag-corrections.txt ${p}`));
  problems.push(...applyCorrections(papers, parsed.corrections).map((p) => `tag-corrections.txt ${p}`));
  return { corpus: { formatVersion: CORPUS_FORMAT_VERSION, source: sourceName, papers }, problems };
}

/** Stable serialization: one paper per line, so reviews read as a list of records. */
export function serializeCorpus(corpus: CorpusFile): string {
  const head = `{\n  "formatVersion": ${corpus.formatVersion},\n  "source": ${JSON.stringify(corpus.source)},\n  "papers": [\n`;
  const body = corpus.papers.map((p) => `    ${JSON.stringify(p)}`).join(',\n');
  return `${head}${body}\n  ]\n}\n`;
}
