import type { Tree } from 'web-tree-sitter';

/**
 * `# archlens: <id>[, <id>]` asserts patterns on the class the comment sits in;
 * `# archlens: ignore <id>[, <id>] -- <reason>` suppresses findings there and requires a reason.
 */
export interface Pragma {
  kind: 'assert' | 'ignore';
  ids: string[];
  reason?: string;
  /** 1-based line of the comment. */
  line: number;
}

export type PragmaProblemCode = 'unknown-pattern' | 'missing-reason' | 'outside-class' | 'empty';

/** A pragma that cannot be honoured, with where it is and how to fix it. */
export interface PragmaProblem {
  code: PragmaProblemCode;
  message: string;
  line: number;
  /** 0-based columns of the offending text on the line. */
  column: number;
  endColumn: number;
  /** For `unknown-pattern`: the bad id and the closest known ids. */
  id?: string;
  suggestions?: string[];
}

const PRAGMA = /#\s*archlens:\s*(.*)$/;

/** Reads the pragma comments of a parsed file (only comment nodes count, never strings). */
export function readPragmas(tree: Tree, text: string, knownIds: readonly string[]): { pragmas: Pragma[]; problems: PragmaProblem[] } {
  const pragmas: Pragma[] = [];
  const problems: PragmaProblem[] = [];
  if (!text.includes('archlens:')) return { pragmas, problems };
  for (const comment of tree.rootNode.descendantsOfType('comment')) {
    if (!comment) continue;
    const match = PRAGMA.exec(comment.text);
    if (!match) continue;
    const line = comment.startPosition.row + 1;
    const bodyColumn = comment.startPosition.column + comment.text.length - match[1].length;
    const body = match[1].trimEnd();
    const ignore = /^ignore\b\s*/.exec(body);
    const rest = ignore ? body.slice(ignore[0].length) : body;
    const [idsText, ...reasonParts] = rest.split(/\s+--\s*|\s*--\s+|--$/);
    const reason = reasonParts.join(' -- ').trim();
    const idsStart = bodyColumn + (ignore ? ignore[0].length : 0);
    const ids: string[] = [];
    let searchFrom = 0;
    for (const id of idsText.split(/[,\s]+/).filter(Boolean)) {
      const at = idsText.indexOf(id, searchFrom);
      searchFrom = at + id.length;
      if (knownIds.includes(id)) ids.push(id);
      else
        problems.push({
          code: 'unknown-pattern',
          message: `unknown pattern id '${id}' in archlens pragma${closest(id, knownIds).length ? ` (did you mean ${closest(id, knownIds).map((s) => `'${s}'`).join(' or ')}?)` : ''}`,
          line,
          column: idsStart + at,
          endColumn: idsStart + at + id.length,
          id,
          suggestions: closest(id, knownIds),
        });
    }
    if (ids.length === 0 && !problems.some((p) => p.line === line)) {
      problems.push({ code: 'empty', message: 'archlens pragma names no pattern id', line, column: comment.startPosition.column, endColumn: comment.startPosition.column + comment.text.length });
      continue;
    }
    if (ignore && !reason) {
      problems.push({
        code: 'missing-reason',
        message: "'archlens: ignore' needs a reason: # archlens: ignore <id> -- <why>",
        line,
        column: comment.startPosition.column,
        endColumn: comment.startPosition.column + comment.text.length,
      });
      continue; // an ignore without its reason is not honoured
    }
    if (ids.length > 0) pragmas.push({ kind: ignore ? 'ignore' : 'assert', ids, line, ...(reason ? { reason } : {}) });
  }
  return { pragmas, problems };
}

/** Known ids within a small edit distance of `id`, closest first (at most two). */
export function closest(id: string, knownIds: readonly string[]): string[] {
  return knownIds
    .map((known) => ({ known, distance: editDistance(id, known) }))
    .filter(({ known, distance }) => distance <= Math.max(2, Math.floor(known.length / 4)) || known.startsWith(id) || id.startsWith(known))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 2)
    .map(({ known }) => known);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
