// Settings as the extension reads them: validated, with defaults for anything invalid. vscode-free, so
// the validation is unit-tested; the adapter passes in the raw values.

export interface ArchLensSettings {
  hover: boolean;
  completions: boolean;
  codeLens: boolean;
  diagnostics: boolean;
  statusBar: boolean;
  minConfidence: number;
  /** Enabled pattern ids (all when the setting is empty). */
  patterns: string[];
  /** User corpus files (.jsonl, .bib); ignored in untrusted workspaces. */
  corpusFiles: string[];
  maxFileSize: number;
  /** Milliseconds to wait after typing before re-analysing. */
  debounceMs: number;
}

export const DEFAULT_SETTINGS: ArchLensSettings = {
  hover: true,
  completions: true,
  codeLens: true,
  diagnostics: true,
  statusBar: true,
  minConfidence: 0.5,
  patterns: [],
  corpusFiles: [],
  maxFileSize: 2 * 1024 * 1024,
  debounceMs: 150,
};

/** Raw values keyed by setting name without the `archlens.` prefix (`features.hover`, `minConfidence`, ...). */
export type RawSettings = Record<string, unknown>;

/**
 * Validates raw setting values. Each invalid value falls back to its default and yields one warning
 * naming the setting, the bad value and the default used.
 */
export function readSettings(raw: RawSettings, knownPatterns: readonly string[], trusted: boolean): { settings: ArchLensSettings; warnings: string[] } {
  const warnings: string[] = [];
  const settings: ArchLensSettings = { ...DEFAULT_SETTINGS, patterns: [], corpusFiles: [] };
  const bool = (key: string, field: 'hover' | 'completions' | 'codeLens' | 'diagnostics' | 'statusBar') => {
    const value = raw[key];
    if (value === undefined) return;
    if (typeof value === 'boolean') settings[field] = value;
    else warnings.push(`archlens.${key} must be true or false, not ${JSON.stringify(value)}; using ${DEFAULT_SETTINGS[field]}.`);
  };
  bool('features.hover', 'hover');
  bool('features.completions', 'completions');
  bool('features.codeLens', 'codeLens');
  bool('features.diagnostics', 'diagnostics');
  bool('statusBar.enabled', 'statusBar');

  const number = (key: string, field: 'minConfidence' | 'maxFileSize' | 'debounceMs', min: number, max: number) => {
    const value = raw[key];
    if (value === undefined) return;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) settings[field] = value;
    else warnings.push(`archlens.${key} must be a number from ${min} to ${max}, not ${JSON.stringify(value)}; using ${DEFAULT_SETTINGS[field]}.`);
  };
  number('minConfidence', 'minConfidence', 0, 1);
  number('maxFileSize', 'maxFileSize', 1024, 64 * 1024 * 1024);
  number('debounceMs', 'debounceMs', 0, 5000);

  const patterns = raw['patterns'];
  if (patterns !== undefined) {
    if (Array.isArray(patterns) && patterns.every((p) => typeof p === 'string')) {
      const unknown = patterns.filter((p) => !knownPatterns.includes(p));
      if (unknown.length > 0) warnings.push(`archlens.patterns names unknown pattern ids ${unknown.map((u) => `'${u}'`).join(', ')}; they are ignored.`);
      settings.patterns = patterns.filter((p) => knownPatterns.includes(p));
    } else warnings.push(`archlens.patterns must be a list of pattern ids, not ${JSON.stringify(patterns)}; all patterns are enabled.`);
  }

  const corpus = raw['corpus.files'];
  if (corpus !== undefined && trusted) {
    if (Array.isArray(corpus) && corpus.every((p) => typeof p === 'string')) settings.corpusFiles = corpus.filter((p) => p.trim() !== '');
    else warnings.push(`archlens.corpus.files must be a list of file paths, not ${JSON.stringify(corpus)}; no user corpus is loaded.`);
  }
  return { settings, warnings };
}

/**
 * The one notification for a set of invalid settings: the warning itself when there is one, else how
 * many there are with each named (the log lists every warning in full).
 */
export function settingsWarning(warnings: readonly string[]): string | undefined {
  if (warnings.length <= 1) return warnings[0];
  const names = [...new Set(warnings.map((w) => /^archlens(?:\.\w+)+/.exec(w)?.[0] ?? w))];
  return `${warnings.length} settings have invalid values, which are ignored: ${names.join(', ')}. The log says what each one uses instead.`;
}
