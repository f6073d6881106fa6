import { extractUrls, slugify } from './convert';
import { tagsFor } from './tagger';
import type { CorpusProblem, Paper } from './types';

/**
 * Reads a user's papers from JSONL: one object per line with `title` and `abstract` (required) and
 * optional `id`, `urls`, `tags`. Missing ids are slugs of the title; missing tags come from the tagger.
 * Bad lines are reported with file and line and skipped.
 */
export function parseJsonlCorpus(text: string, file: string): { papers: Paper[]; problems: CorpusProblem[] } {
  const papers: Paper[] = [];
  const problems: CorpusProblem[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      problems.push({ file, line, message: `not valid JSON: ${(error as Error).message}` });
      return;
    }
    const paper = toPaper(record, file);
    if (typeof paper === 'string') problems.push({ file, line, message: paper });
    else papers.push(paper);
  });
  return { papers, problems };
}

function toPaper(record: unknown, file: string): Paper | string {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'expected a JSON object with "title" and "abstract"';
  const r = record as Record<string, unknown>;
  if (typeof r.title !== 'string' || r.title.trim() === '') return 'missing "title" (a non-empty string)';
  if (typeof r.abstract !== 'string' || r.abstract.trim() === '') return 'missing "abstract" (a non-empty string)';
  if (r.id !== undefined && (typeof r.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(r.id))) return '"id" must be a lower-case slug (letters, digits, dashes)';
  if (r.urls !== undefined && !(Array.isArray(r.urls) && r.urls.every((u) => typeof u === 'string'))) return '"urls" must be an array of strings';
  if (r.tags !== undefined && !(Array.isArray(r.tags) && r.tags.every((t) => typeof t === 'string'))) return '"tags" must be an array of strings';
  const title = r.title.trim();
  const abstract = r.abstract.trim();
  return {
    id: (r.id as string | undefined) ?? slugify(title),
    title,
    abstract,
    urls: (r.urls as string[] | undefined) ?? extractUrls(abstract),
    tags: (r.tags as string[] | undefined) ?? tagsFor({ title, abstract }),
    source: file,
  };
}

/**
 * Reads a user's papers from BibTeX entries that have `title` and `abstract` fields. Entries without an
 * abstract, or that do not parse, are reported with file and line and skipped; `@comment`, `@string`
 * and `@preamble` are ignored.
 */
export function parseBibtexCorpus(text: string, file: string): { papers: Paper[]; problems: CorpusProblem[] } {
  const papers: Paper[] = [];
  const problems: CorpusProblem[] = [];
  const lineAt = lineIndex(text);
  let position = 0;
  while (true) {
    const at = text.indexOf('@', position);
    if (at < 0) break;
    const line = lineAt(at);
    const head = /^@\s*([A-Za-z]+)\s*([{(])/.exec(text.slice(at, at + 64));
    if (!head) {
      position = at + 1;
      continue;
    }
    const type = head[1].toLowerCase();
    const open = at + head[0].length - 1;
    const close = matchingClose(text, open, head[2] === '{' ? '}' : ')');
    if (close < 0) {
      problems.push({ file, line, message: `@${type} entry is never closed (unbalanced braces)` });
      const next = text.indexOf('\n@', at + 1);
      if (next < 0) break;
      position = next + 1;
      continue;
    }
    position = close + 1;
    if (type === 'comment' || type === 'string' || type === 'preamble') continue;
    const body = text.slice(open + 1, close);
    const fields = parseFields(body);
    if (typeof fields === 'string') {
      problems.push({ file, line, message: `@${type} entry: ${fields}` });
      continue;
    }
    const title = cleanTex(fields.get('title') ?? '');
    const abstract = cleanTex(fields.get('abstract') ?? '');
    const key = fields.get('') ?? '';
    if (!title) {
      problems.push({ file, line, message: `@${type}{${key}} has no title` });
      continue;
    }
    if (!abstract) {
      problems.push({ file, line, message: `@${type}{${key}} has no abstract` });
      continue;
    }
    const urls = extractUrls(abstract);
    const url = fields.get('url');
    if (url && /^https?:\/\//.test(url) && !urls.includes(url)) urls.unshift(url);
    papers.push({ id: slugify(title), title, abstract, urls, tags: tagsFor({ title, abstract }), source: file });
  }
  return { papers, problems };
}

/** Index of the `}` or `)` closing the entry opened at `open`, honouring nested braces; -1 when unbalanced. */
function matchingClose(text: string, open: number, closer: string): number {
  let braces = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === '{') {
      braces++;
    } else if (c === '}') {
      if (braces === 0) return closer === '}' ? i : -1;
      braces--;
    } else if (c === ')' && closer === ')' && braces === 0) {
      return i;
    } else if (c === '@' && braces === 0 && text[i - 1] === '\n') {
      return -1; // the next entry starts before this one closed
    }
  }
  return -1;
}

/** Fields of an entry body `key, name = {value}, name = "value", name = 2021`; the citation key under ''. */
function parseFields(body: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  const comma = body.indexOf(',');
  fields.set('', (comma < 0 ? body : body.slice(0, comma)).trim());
  let i = comma < 0 ? body.length : comma + 1;
  while (i < body.length) {
    const nameMatch = /^\s*([A-Za-z][\w-]*)\s*=\s*/.exec(body.slice(i));
    if (!nameMatch) {
      if (body.slice(i).trim() === '' || body.slice(i).trim() === ',') break;
      return `cannot read a field near "${body.slice(i, i + 30).trim()}"`;
    }
    const name = nameMatch[1].toLowerCase();
    i += nameMatch[0].length;
    let value = '';
    if (body[i] === '{') {
      const end = matchingBrace(body, i);
      if (end < 0) return `field "${name}" has unbalanced braces`;
      value = body.slice(i + 1, end);
      i = end + 1;
    } else if (body[i] === '"') {
      let end = i + 1;
      let depth = 0;
      while (end < body.length && !(body[end] === '"' && depth === 0 && body[end - 1] !== '\\')) {
        if (body[end] === '{') depth++;
        if (body[end] === '}') depth--;
        end++;
      }
      if (end >= body.length) return `field "${name}" has an unterminated quote`;
      value = body.slice(i + 1, end);
      i = end + 1;
    } else {
      const bare = /^[^,]*/.exec(body.slice(i))![0];
      value = bare.trim();
      i += bare.length;
    }
    fields.set(name, value);
    const rest = /^\s*(#[^,]*)?\s*,?/.exec(body.slice(i));
    i += rest ? rest[0].length : 1;
  }
  return fields;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** TeX in titles and abstracts as plain text: `{BERT}` → `BERT`, `\"o` → `ö`, `\&` → `&`, whitespace folded. */
function cleanTex(value: string): string {
  const accents: Record<string, string> = { '"': '\u0308', "'": '\u0301', '`': '\u0300', '^': '\u0302', '~': '\u0303', c: '\u0327' };
  return value
    .replace(/\\([\"'`^~c])\{?([A-Za-z])\}?/g, (_, accent: string, letter: string) => (letter + (accents[accent] ?? '')).normalize('NFC'))
    .replace(/\\([&%$#_])/g, '$1')
    .replace(/\\(emph|textit|textbf|textsc|mathrm)\{([^{}]*)\}/g, '$2')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
