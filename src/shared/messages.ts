// The messages between the extension and the paper panel's webview, typed once for both sides.
// Everything here is plain data: the webview renders it as text (never as HTML).

export interface PaperSummary {
  id: string;
  title: string;
  /** Tags to show (pattern, task, modality), without the `off-topic` marker. */
  tags: string[];
  /** Why it matched: the query terms that hit, with the fields they hit (`title`, `abstract`, `tags`). */
  matched: Array<{ term: string; fields: string[] }>;
  score?: number;
}

export interface PatternBrief {
  id: string;
  name: string;
  summary: string;
  pros: string[];
  cons: string[];
}

export interface PaperDetail {
  id: string;
  title: string;
  abstract: string;
  /** http(s) URLs from the abstract; the webview asks the extension to open them. */
  urls: string[];
  tags: string[];
  source: string;
  /** Terms to highlight in the abstract (the search's matched terms). */
  highlight: string[];
  /** Patterns the paper is tagged with, with their trade-offs. */
  relatedPatterns: PatternBrief[];
}

export interface ModelView {
  className: string;
  file: string;
  line: number;
  patterns: Array<PatternBrief & { confidence: number; evidence: string[]; papers: PaperSummary[]; note?: string }>;
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'results'; query: string; papers: PaperSummary[] }
  | { type: 'paper'; paper: PaperDetail }
  | { type: 'model'; model: ModelView }
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'search'; query: string }
  | { type: 'openPaper'; id: string; highlight: string[] }
  | { type: 'openExternal'; url: string }
  | { type: 'revealEvidence'; file: string; line: number }
  | { type: 'openModel'; file: string; line: number };

/** What the webview keeps across hide/show and reloads (vscode.setState). */
export interface PanelState {
  query: string;
  view: 'results' | 'paper' | 'model';
  paperId?: string;
  highlight?: string[];
  model?: { file: string; line: number };
}

/**
 * Only http(s) links leave the editor, and only ones without spaces, control characters, quotes, angle
 * brackets or backslashes (which could end a Markdown autolink or an attribute early).
 */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !/[\s\u0000-\u001f\u007f-\u009f<>"`\\]/.test(url);
  } catch {
    return false;
  }
}

/** Runtime check of a message from the webview (it is a separate, less trusted context). */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'search':
      return typeof m.query === 'string' && m.query.length <= 500 ? { type: 'search', query: m.query } : undefined;
    case 'openPaper':
      return typeof m.id === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(m.id) && Array.isArray(m.highlight)
        ? { type: 'openPaper', id: m.id, highlight: m.highlight.filter((h): h is string => typeof h === 'string').slice(0, 20) }
        : undefined;
    case 'openExternal':
      return typeof m.url === 'string' && isSafeExternalUrl(m.url) ? { type: 'openExternal', url: m.url } : undefined;
    case 'revealEvidence':
    case 'openModel':
      return typeof m.file === 'string' && typeof m.line === 'number' && Number.isInteger(m.line) && m.line > 0 ? { type: m.type, file: m.file, line: m.line } : undefined;
    default:
      return undefined;
  }
}
