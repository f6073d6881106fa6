import { CORPUS_FORMAT_VERSION, type CorpusFile, type CorpusProblem, type Paper } from '../corpus/types';
import { parseBibtexCorpus, parseJsonlCorpus } from '../corpus/user-corpus';
import { PaperIndex, type RankedPaper, type SearchOptions, type SerializedIndex } from './paper-index';
import { limitPatternPapers, papersFor, type PatternPaperLinks, type PatternPapers } from './papers-for';

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

/** What a remote index reports once built. */
export interface RemoteIndexReport {
  /** Papers in the remote index (bundled and user papers together). */
  size: number;
  /** Bad records, duplicate ids and refused files, by file and line (line 0: the whole file). */
  problems: CorpusProblem[];
  buildMs: number;
}

/**
 * A paper index that lives elsewhere (a worker thread) and answers asynchronously: for user corpora too
 * big to index on the caller's thread. It indexes the bundled corpus too, so its answers rank every
 * paper together exactly as a `PaperLibrary` holding them all would.
 */
export interface RemotePaperIndex {
  /** Resolves once the index is built; rejects when it cannot be (the worker failed). */
  readonly ready: Promise<RemoteIndexReport>;
  search(query: string, options?: SearchOptions): Promise<RankedPaper[]>;
  paper(id: string): Promise<Paper | undefined>;
  papersFor(pattern: PatternPaperLinks, limit?: number): Promise<PatternPapers>;
  dispose(): Promise<void>;
}

/** Each pattern's papers fetched from a remote index once it is built: the sync `papersFor` answers from these. */
const REMOTE_PATTERN_PAPERS = 50;
/** Papers received from a remote index (search results) kept for the sync `paper(id)`; oldest dropped first. */
const REMOTE_PAPER_CACHE = 2000;

/** A remote index attached to a library, and what the library fetched from it. */
interface RemoteState {
  index: RemotePaperIndex;
  state: 'indexing' | 'ready' | 'failed';
  size: number;
  /** Pattern id → its ranked papers (the first REMOTE_PATTERN_PAPERS), filled once the index is ready. */
  patterns: Map<string, RankedPaper[]>;
  /** Papers of those lists, by id (kept for `paper(id)`). */
  listed: Map<string, Paper>;
  /** Other papers the remote index sent (search results), most recent last. */
  papers: Map<string, Paper>;
  failure?: Error;
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
  private remote: RemoteState | undefined;
  private readonly remoteListeners = new Set<() => void>();

  private constructor(readonly index: PaperIndex) {}

  /**
   * Hands user corpora to a remote index (a worker thread) while this library keeps the bundled corpus.
   * Until the remote index is built, answers come from this library alone (bundled first); then `searchAsync`
   * and `paperAsync` ask it, and, once each pattern's papers have been fetched from it, `papersFor` answers
   * from those, so hovers and lenses stay synchronous. Listeners hear of each step (searchable, pattern
   * lists in, failure). Resolves with the remote's report when both steps are done, or rejects when it
   * failed (this library keeps answering from its own papers).
   */
  async attachRemote(index: RemotePaperIndex, patterns: readonly PatternPaperLinks[]): Promise<RemoteIndexReport> {
    const remote: RemoteState = { index, state: 'indexing', size: 0, patterns: new Map<string, RankedPaper[]>(), listed: new Map<string, Paper>(), papers: new Map<string, Paper>() };
    this.remote = remote;
    const notify = () => {
      for (const listener of this.remoteListeners) listener();
    };
    try {
      const report = await index.ready;
      if (this.remote !== remote) return report;
      // Searchable now; the pattern lists (dozens of searches over a large corpus) follow.
      remote.size = report.size;
      remote.state = 'ready';
      notify();
      const lists = await Promise.all(patterns.map((p) => index.papersFor(p, REMOTE_PATTERN_PAPERS)));
      if (this.remote !== remote || remote.state !== 'ready') return report;
      lists.forEach((list, i) => {
        remote.patterns.set(patterns[i].id, list.papers);
        for (const r of list.papers) remote.listed.set(r.paper.id, r.paper);
      });
      this.papersForCache.clear();
      notify();
      return report;
    } catch (error) {
      if (this.remote === remote && remote.state !== 'failed') {
        remote.state = 'failed';
        remote.failure = error instanceof Error ? error : new Error(String(error));
        remote.patterns.clear();
        this.papersForCache.clear();
        notify();
      }
      throw error;
    }
  }

  /** True while a remote index is being built: searches answer from the bundled papers meanwhile. */
  get indexing(): boolean {
    return this.remote?.state === 'indexing';
  }

  /** Calls `listener` when a remote index becomes searchable, when its pattern lists are in, and when it fails (see `remoteFailure`); returns a function that stops it. */
  onDidChangeRemote(listener: () => void): () => void {
    this.remoteListeners.add(listener);
    return () => this.remoteListeners.delete(listener);
  }

  /** Stops the remote index (its worker), if any. */
  async dispose(): Promise<void> {
    const remote = this.remote;
    this.remote = undefined;
    this.remoteListeners.clear();
    await remote?.index.dispose();
  }

  private get readyRemote() {
    return this.remote?.state === 'ready' ? this.remote : undefined;
  }

  private remember(papers: Iterable<Paper>): void {
    const cache = this.remote?.papers;
    if (!cache) return;
    for (const paper of papers) {
      if (this.index.get(paper.id) || this.remote?.listed.has(paper.id)) continue;
      cache.delete(paper.id);
      cache.set(paper.id, paper);
    }
    for (const id of cache.keys()) {
      if (cache.size <= REMOTE_PAPER_CACHE) break;
      cache.delete(id);
    }
  }

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
    let parsed: { papers: Paper[]; problems: CorpusProblem[] };
    if (/\.jsonl?$/i.test(path)) parsed = parseJsonlCorpus(text, path);
    else if (/\.bib(tex)?$/i.test(path)) parsed = parseBibtexCorpus(text, path);
    else return [{ file: path, line: 0, message: 'not a corpus file: use .jsonl or .bib' }];
    return [...parsed.problems, ...this.addPapers(parsed.papers, path)];
  }

  /** Adds paper records (already parsed) from `path`, resolving duplicate ids; returns the duplicates as problems. */
  addPapers(papers: readonly Paper[], path: string): CorpusProblem[] {
    this.papersForCache.clear();
    const parsed = { papers, problems: [] as CorpusProblem[] };
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

  /** Papers known: this library's, or the remote index's once it is ready (it holds these too). */
  get size(): number {
    return this.readyRemote?.size ?? this.index.size;
  }

  /** A paper by id: this library's, or one a ready remote index has sent (use `paperAsync` to ask it). */
  paper(id: string): Paper | undefined {
    return this.index.get(id) ?? this.remote?.listed.get(id) ?? this.remote?.papers.get(id);
  }

  /** A paper by id, asking the remote index when this library does not have it. */
  async paperAsync(id: string): Promise<Paper | undefined> {
    const known = this.paper(id);
    const remote = this.readyRemote;
    if (known || !remote) return known;
    try {
      const paper = await remote.index.paper(id);
      if (paper) this.remember([paper]);
      return paper;
    } catch (error) {
      this.remoteFailed(remote, error);
      return undefined;
    }
  }

  /** Free-text search over this library's papers only (synchronous); `searchAsync` includes a remote index. */
  search(query: string, options?: SearchOptions): RankedPaper[] {
    return this.index.search(query, options);
  }

  /**
   * Free-text search over every paper: through the remote index once it is ready (ranking user and
   * bundled papers together), from this library's papers until then (see `indexing`).
   */
  async searchAsync(query: string, options?: SearchOptions): Promise<RankedPaper[]> {
    const remote = this.readyRemote;
    if (!remote) return this.index.search(query, options);
    try {
      const results = await remote.index.search(query, options);
      this.remember(results.map((r) => r.paper));
      return results;
    } catch (error) {
      this.remoteFailed(remote, error);
      return this.index.search(query, options);
    }
  }

  /** Why the remote index stopped answering (its worker died), if it did; answers come from this library since. */
  get remoteFailure(): Error | undefined {
    return this.remote?.failure;
  }

  /** A remote index that fails stops being asked (answers fall back to this library's papers); listeners hear of it. */
  private remoteFailed(remote: RemoteState, error: unknown): void {
    if (this.remote !== remote || remote.state === 'failed') return;
    remote.state = 'failed';
    remote.failure = error instanceof Error ? error : new Error(String(error));
    remote.patterns.clear();
    this.papersForCache.clear();
    for (const listener of this.remoteListeners) listener();
  }

  papersFor(pattern: PatternPaperLinks, limit?: number): PatternPapers {
    const key = `${pattern.id}|${limit ?? ''}`;
    let result = this.papersForCache.get(key);
    if (!result) {
      const fetched = this.readyRemote?.patterns.get(pattern.id);
      result = fetched ? limitPatternPapers(pattern, fetched, limit) : papersFor(this.index, pattern, limit);
      this.papersForCache.set(key, result);
    }
    return result;
  }
}
