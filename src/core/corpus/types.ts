/** One paper of a corpus: the bundled seeds or a user's own file. */
export interface Paper {
  /** Stable id: a slug of the title (`mlp-mixer-an-all-mlp-architecture-for-vision`). */
  id: string;
  /** Title exactly as published (TeX such as `Qua$^2$SeDiMo` kept). */
  title: string;
  /** Abstract, original text. */
  abstract: string;
  /** URLs found in the abstract (code and project links). */
  urls: string[];
  /** `pattern:<id>`, `task:<name>`, `modality:<name>`, `topic:<name>`, and `off-topic` for papers that are not about model code. */
  tags: string[];
  /** Where the paper came from: `bundled`, or the user corpus file path. */
  source?: string;
}

/** A record that could not be read, with where it is. */
export interface CorpusProblem {
  file: string;
  line: number;
  message: string;
}

/** The shape of `seeds/papers.json`. */
export interface CorpusFile {
  formatVersion: number;
  /** Name of the raw source file the records were converted from. */
  source: string;
  papers: Paper[];
}

export const CORPUS_FORMAT_VERSION = 1;
export const OFF_TOPIC = 'off-topic';
