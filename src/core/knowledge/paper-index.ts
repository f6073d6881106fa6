import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import { OFF_TOPIC, type Paper } from '../corpus/types';
import { processTerm } from './terms';

/** Bumped whenever the index options or term processing change, so stale index files are rebuilt. */
export const INDEX_FORMAT_VERSION = 1;

/** A paper with its score for a query, and the query terms that matched it (and in which fields). */
export interface RankedPaper {
  paper: Paper;
  score: number;
  /** Matched index terms → fields (`title`, `abstract`, `tags`), for "why it matched". */
  matched: Record<string, string[]>;
}

export interface SearchOptions {
  limit?: number;
  /** Include off-topic papers (free-text search does; pattern evidence never does). */
  includeOffTopic?: boolean;
}

/** The serialized index, as written at build time to `dist/paper-index.json`. */
export interface SerializedIndex {
  formatVersion: number;
  /** Digest of the corpus the index was built from; a mismatch means the index is stale. */
  corpusDigest: string;
  index: unknown;
}

const FIELDS = ['title', 'abstract', 'tags'];
const SEARCH_OPTIONS = {
  boost: { title: 3, tags: 2 },
  // As-you-type: only the word being typed (the last) is a prefix, from its third letter, and only words
  // long enough to hold a typo are fuzzy. Expanding one- or two-letter prefixes across the vocabulary
  // costs far more than it finds.
  prefix: (term: string, i: number, terms: string[]) => i === terms.length - 1 && term.length >= 3,
  fuzzy: (term: string) => (term.length >= 5 ? 0.2 : false),
  combineWith: 'OR' as const,
};

function indexOptions(): Options<Paper> {
  return {
    idField: 'id',
    fields: FIELDS,
    processTerm,
    // Tags are indexed as words: 'pattern:mixture-of-experts' → 'pattern mixture of experts'.
    extractField: (paper, field) => (field === 'tags' ? paper.tags.join(' ').replace(/[:-]/g, ' ') : (paper as unknown as Record<string, string>)[field]),
    searchOptions: SEARCH_OPTIONS,
  };
}

/** FNV-1a over the papers' ids, titles, abstracts and tags: cheap, stable, enough to detect a stale index. */
export function corpusDigest(papers: readonly Paper[]): string {
  let hash = 0x811c9dc5;
  for (const p of papers) {
    const text = `${p.id}\u0000${p.title}\u0000${p.abstract}\u0000${p.tags.join(',')}\u0001`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return `${papers.length}-${hash.toString(16)}`;
}

/**
 * Full-text index over papers: title (boosted), abstract and tags, with prefix and fuzzy matching for
 * as-you-type search and singular/plural folding.
 *
 * @example
 *   const index = PaperIndex.build(papers);
 *   index.search('inceptoin')[0].paper.title // 'Rethinking the Inception Architecture for Computer Vision'
 */
export class PaperIndex {
  private readonly byId = new Map<string, Paper>();

  private constructor(
    private readonly miniSearch: MiniSearch<Paper>,
    papers: readonly Paper[],
  ) {
    for (const p of papers) this.byId.set(p.id, p);
  }

  static build(papers: readonly Paper[]): PaperIndex {
    const miniSearch = new MiniSearch<Paper>(indexOptions());
    miniSearch.addAll(papers as Paper[]);
    return new PaperIndex(miniSearch, papers);
  }

  /**
   * Loads an index serialized by `toJSON()`. Returns null when it was written by another format version
   * or for another corpus (the caller then builds a fresh one).
   */
  static load(serialized: SerializedIndex, papers: readonly Paper[]): PaperIndex | null {
    if (serialized.formatVersion !== INDEX_FORMAT_VERSION || serialized.corpusDigest !== corpusDigest(papers)) return null;
    const miniSearch = MiniSearch.loadJSON<Paper>(JSON.stringify(serialized.index), indexOptions());
    return new PaperIndex(miniSearch, papers);
  }

  toJSON(): SerializedIndex {
    return { formatVersion: INDEX_FORMAT_VERSION, corpusDigest: corpusDigest([...this.byId.values()]), index: this.miniSearch.toJSON() };
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Paper | undefined {
    return this.byId.get(id);
  }

  papers(): IterableIterator<Paper> {
    return this.byId.values();
  }

  /** Adds papers (a user corpus). Ids already present are skipped and returned. */
  add(papers: readonly Paper[]): string[] {
    const duplicates: string[] = [];
    const fresh: Paper[] = [];
    for (const p of papers) {
      if (this.byId.has(p.id)) duplicates.push(p.id);
      else {
        this.byId.set(p.id, p);
        fresh.push(p);
      }
    }
    this.miniSearch.addAll(fresh);
    return duplicates;
  }

  /** Ranks papers for free text; off-topic papers are kept unless `includeOffTopic` is false. */
  search(query: string, options: SearchOptions = {}): RankedPaper[] {
    const includeOffTopic = options.includeOffTopic ?? true;
    const results = this.miniSearch.search(query, includeOffTopic ? undefined : { filter: (r) => !this.byId.get(r.id)?.tags.includes(OFF_TOPIC) });
    return results.slice(0, options.limit ?? 20).map((r) => this.toRanked(r));
  }

  private toRanked(result: SearchResult): RankedPaper {
    return { paper: this.byId.get(result.id)!, score: result.score, matched: result.match };
  }
}
