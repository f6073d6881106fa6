import type { FileModel, ModuleClass } from '../model/types';

/** One source fact that decided a finding. */
export interface Evidence {
  line: number;
  /** Optional short reason shown after the source line (`router top-k`). */
  note?: string;
}

/** What a recognizer reports for a class that has its pattern. */
export interface PatternMatch {
  /** In [0, 1]. Structure decides; names may move it. */
  confidence: number;
  evidence: Evidence[];
}

/** Everything a recognizer may look at besides the class itself. */
export interface RecognizeContext {
  file: FileModel;
  /** Module classes of the same file by name, to look into submodules defined alongside. */
  classesByName: Map<string, ModuleClass>;
  /**
   * The answer to a question about the whole file, computed once per analysis and shared by all classes.
   * Incremental analysis reuses a result that asked it while the answer's digest is unchanged, where
   * iterating over `file.classes` or `file.lines` directly would make it depend on every edit.
   */
  fileFact<T>(fact: FileFact<T>): T;
}

/**
 * A question about the whole file whose answer does not depend on the class asking (define it once, at
 * module level: the object is its identity).
 */
export interface FileFact<T> {
  compute(file: FileModel, classesByName: ReadonlyMap<string, ModuleClass>): T;
  /** Equal for equal answers (default: `JSON.stringify`). */
  digest?(answer: T): string;
}

/**
 * What an ML engineer should know about a pattern. Text may cite corpus papers as `[[paper-id]]`;
 * a test checks every cited id exists.
 */
export interface KnowledgeCard {
  /** One line. */
  summary: string;
  /** How it works, in three sentences. */
  howItWorks: string;
  /** Concrete trade-offs: cost and how it grows, data needs, stability, scalability, inference, modalities. */
  pros: string[];
  cons: string[];
  /** Other patterns to consider, and when. `pattern` is an id when the alternative is one. */
  alternatives: Array<{ pattern?: string; name: string; when: string }>;
  /** Where the pattern sits among the multimodal architecture types A–D (cross-attention and early fusion). */
  multimodal?: string;
  /** How `papersFor` finds this pattern's papers: query terms, pinned ids first, blocked ids never. */
  papers: { queries: string[]; pins: string[]; blocks: string[] };
}

/**
 * An architecture pattern: its public id, display name and recognizer. One file per pattern under
 * `src/core/patterns/`; the registry is generated from the folder, so adding a pattern is adding a file.
 */
export interface PatternDefinition {
  /** Public, never renamed (CLI output, settings, pragmas). */
  id: string;
  /** Display name, e.g. "Mixture of experts". */
  name: string;
  /** Summary, trade-offs, alternatives and paper links. */
  knowledge?: KnowledgeCard;
  /** Decides whether `cls` itself has the pattern, per shared/guides/PATTERNS.md. */
  recognize(cls: ModuleClass, context: RecognizeContext): PatternMatch | null;
}
