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
  /** Decides whether `cls` itself has the pattern, per shared/guides/PATTERNS.md. */
  recognize(cls: ModuleClass, context: RecognizeContext): PatternMatch | null;
}
