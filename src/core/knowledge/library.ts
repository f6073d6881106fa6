import { CORPUS_FORMAT_VERSION, type CorpusFile, type CorpusProblem, type Paper } from '../corpus/types';
import { parseBibtexCorpus, parseJsonlCorpus } from '../corpus/user-corpus';
import type { PatternDefinition } from '../patterns/_types';
import { PaperIndex, type RankedPaper, type SearchOptions, type SerializedIndex } from './paper-index';
import { papersFor, type PatternPapers } from './papers-for';

/** Where the bundled corpus and its prebuilt index come from (files beside the bundle, or the extension's). */
export interface KnowledgeSource {
  /** Text of `seeds/papers.json`. */
  bundledCorpus(): Promise<string>;
  /** Text of `dist/paper-index.json`, or null when it is missing. */
  bundledIndex(): Promise<string | null>;
}

/** A user corpus file's text, named by its path for problem reports. */
export interface UserCorpusText {
  path: string;
  text: string;
}

/**
 * The papers ArchLens knows: the bundled corpus (always loaded) plus any user corpora, with search and
 * per-pattern ranking.
 *
 * @example
 *   const { library } = await PaperLibrary.load(source);
 *   library.search('mixture of experts', { limit: 3 });
 */
export class PaperLibrary {
  /** Ranked papers per pattern and limit: hovers and lenses ask on every refresh, and the answer only
   * changes when papers are added. */
  private readonly papersForCache = new Map<string, PatternPapers>();

  private constructor(readonly index: PaperIndex) {}

  /**
   * Loads the bundled corpus and its prebuilt index (rebuilding it when stale), then adds user corpora.
   * Problems in user corpora (bad records, duplicate ids) are returned; the bundled corpus always loads.
   */
  static async load(source: KnowledgeSource, userCorpora: UserCorpusText[] = []): Promise<{ library: PaperLibrary; problems: CorpusProblem[]; rebuiltIndex: boolean }> {
    const corpus = JSON.parse(await source.bundledCorpus()) as CorpusFile;
    if (corpus.formatVersion !== CORPUS_FORMAT_VERSION) throw new Error(`bundled corpus has format ${corpus.formatVersion}, expected ${CORPUS_FORMAT_VERSION}`);
    const bundled = corpus.papers.map((p) => ({ ...p, source: 'bundled' }));
    const indexText = await source.bundledIndex();
    let index = indexText ? PaperIndex.load(JSON.parse(indexText) as SerializedIndex, corpus.papers) : null;
    const rebuiltIndex = index === null;
    if (!index) index = PaperIndex.build(corpus.papers);
    for (const p of bundled) Object.assign(index.get(p.id)!, { source: 'bundled' });
    const library = new PaperLibrary(index);
    const problems = userCorpora.flatMap((c) => library.addUserCorpus(c));
    return { library, problems, rebuiltIndex };
  }

  /** Reads a user corpus (`.jsonl` or `.bib`), adds its good records and returns its problems. */
  addUserCorpus({ path, text }: UserCorpusText): CorpusProblem[] {
    this.papersForCache.clear();
    let parsed: { papers: Paper[]; problems: CorpusProblem[] };
    if (/\.jsonl?$/i.test(path)) parsed = parseJsonlCorpus(text, path);
    else if (/\.bib(tex)?$/i.test(path)) parsed = parseBibtexCorpus(text, path);
    else return [{ file: path, line: 0, message: 'not a corpus file: use .jsonl or .bib' }];
    // Duplicates are resolved predictably: the first paper with an id wins (bundled before user corpora,
    // earlier records before later ones).
    const seen = new Set<string>();
    const unique: Paper[] = [];
    const lines = new Map<string, number>();
    for (const p of parsed.papers) {
      if (seen.has(p.id)) parsed.problems.push({ file: path, line: lines.get(p.id) ?? 0, message: `duplicate id '${p.id}' in this file: the first record is kept` });
      else {
        seen.add(p.id);
        unique.push(p);
      }
    }
    for (const id of this.index.add(unique)) {
      parsed.problems.push({ file: path, line: 0, message: `id '${id}' is already in the corpus: the paper loaded first is kept` });
    }
    return parsed.problems;
  }

  get size(): number {
    return this.index.size;
  }

  paper(id: string): Paper | undefined {
    return this.index.get(id);
  }

  search(query: string, options?: SearchOptions): RankedPaper[] {
    return this.index.search(query, options);
  }

  papersFor(pattern: PatternDefinition, limit?: number): PatternPapers {
    const key = `${pattern.id}|${limit ?? ''}`;
    let result = this.papersForCache.get(key);
    if (!result) {
      result = papersFor(this.index, pattern, limit);
      this.papersForCache.set(key, result);
    }
    return result;
  }
}
