// Where the cursor is, in terms of the analysed model: vscode-free so it is unit-tested.
import type { FileAnalysis, PatternFinding } from '../core/analyze';
import type { ModuleClass } from '../core/model/types';
import type { CompletionPlace } from './render/snippets';

const CONSTRUCTORS = new Set(['__init__', 'setup', 'build']);
const FORWARDS = new Set(['forward', '__call__', 'call']);

/** The innermost module class spanning a 1-based line. */
export function classAtLine(analysis: FileAnalysis, line: number): ModuleClass | undefined {
  return analysis.model.classes.filter((c) => c.line <= line && line <= c.endLine).sort((a, b) => b.line - a.line)[0];
}

/** Findings of one class (matched by its first line). */
export function findingsOf(analysis: FileAnalysis, cls: ModuleClass): PatternFinding[] {
  return analysis.findings.filter((f) => f.line === cls.line);
}

/** Findings whose evidence cites the given line. */
export function findingsCitingLine(analysis: FileAnalysis, line: number): PatternFinding[] {
  return analysis.findings.filter((f) => f.evidence.some((e) => e.startsWith(`L${line}:`)));
}

/** Whether a 0-based column on a class's first line falls on the class name. */
export function onClassName(lineText: string, cls: ModuleClass, column: number): boolean {
  if (!cls.name) return false;
  const match = new RegExp(`\\bclass\\s+(${cls.name})\\b`).exec(lineText);
  if (!match) return false;
  const start = match.index + match[0].length - cls.name.length;
  return column >= start && column <= start + cls.name.length;
}

/** Where a completion is being asked for: a constructor, a forward method, or the module level. */
export function completionPlace(analysis: FileAnalysis, line: number, indent: number): { place: CompletionPlace; cls?: ModuleClass } | undefined {
  const cls = classAtLine(analysis, line);
  if (!cls) return indent === 0 ? { place: 'module' } : undefined;
  const method = cls.methods.find((m) => m.line < line && line <= m.endLine + 1);
  if (!method) return undefined;
  if (CONSTRUCTORS.has(method.name)) return { place: 'init', cls };
  if (FORWARDS.has(method.name)) return { place: 'forward', cls };
  return undefined;
}

/** A `paper: <query>` being typed in a comment or docstring line: the query so far, or undefined. */
export function citationQuery(linePrefix: string, insideString: boolean): string | undefined {
  const match = /\bpaper:\s*([^\]\[]*)$/i.exec(linePrefix);
  if (!match) return undefined;
  const inComment = linePrefix.slice(0, match.index).includes('#');
  return inComment || insideString ? match[1] : undefined;
}

/** Citations written as `paper: <title> [<id>]`, with the id's position on the line (0-based columns). */
export function citationsOnLine(lineText: string): Array<{ id: string; start: number; end: number }> {
  const out: Array<{ id: string; start: number; end: number }> = [];
  for (const match of lineText.matchAll(/\bpaper:[^\n[]*\[([a-z0-9][a-z0-9-]*)\]/gi)) {
    const start = match.index! + match[0].length - match[1].length - 1;
    out.push({ id: match[1], start, end: start + match[1].length });
  }
  return out;
}

/** True when the text before an offset leaves it inside a triple-quoted string (a docstring). */
export function insideTripleQuotedString(textBefore: string): boolean {
  const quotes = textBefore.match(/"""|'''/g);
  return (quotes?.length ?? 0) % 2 === 1;
}
