// What the hover and completion providers answer for a parsed document, without the vscode API: the
// providers wrap these results in vscode objects, and the benchmark times the same functions.
import { patternById, type FileAnalysis, type PatternFinding } from '../core/analyze';
import { missingCompanions } from '../core/companions';
import type { PaperLibrary } from '../core/knowledge/library';
import type { ModuleClass } from '../core/model/types';
import { classAtLine, findingsCitingLine, findingsOf, onClassName } from './locate';
import { blockDocumentation, companionDocumentation } from './render/completion';
import { hoverMarkdown } from './render/hover';
import { BUILDING_BLOCKS, blockSnippet, widthName, type CompletionPlace } from './render/snippets';

/** A model class under the pointer, with the findings a hover shows for it. */
export interface ModelHoverTarget {
  cls: ModuleClass;
  findings: PatternFinding[];
  /** 1-based line hovered when it is an evidence line (marked in the card); undefined on the class name. */
  evidenceLine?: number;
  /** 0-based columns the hover covers on an evidence line; on the class name the provider takes the word. */
  columns?: { start: number; end: number };
}

/** What a hover at a 0-based line and column would show, or undefined when the pointer is on nothing of ours. */
export function modelHoverTarget(analysis: FileAnalysis, line0: number, column: number, lineText: string): ModelHoverTarget | undefined {
  if (analysis.findings.length === 0) return undefined;
  const line = line0 + 1;
  const cls = classAtLine(analysis, line);
  if (!cls) return undefined;
  if (line === cls.line) {
    if (!onClassName(lineText, cls, column)) return undefined;
    const findings = findingsOf(analysis, cls);
    return findings.length > 0 ? { cls, findings } : undefined;
  }
  // On an evidence line: the findings that cite it, and only over the code (not blank space).
  const findings = findingsCitingLine(analysis, line).filter((f) => f.line === cls.line);
  const firstCode = lineText.search(/\S/);
  if (findings.length === 0 || column < firstCode) return undefined;
  return { cls, findings, evidenceLine: line, columns: { start: firstCode, end: lineText.length } };
}

/** The hover card's Markdown for a target (the provider marks it trusted for ArchLens's commands only). */
export function modelHoverMarkdown(target: ModelHoverTarget, library: PaperLibrary, uri: string): string {
  return hoverMarkdown({
    className: target.cls.name,
    findings: target.findings,
    uri,
    pattern: patternById,
    papers: (id) => library.papersFor(patternById(id)!),
    hoveredLine: target.evidenceLine,
  });
}

/** The indentation of a statement being started on the line before the cursor, or undefined when not at a statement start. */
export function statementIndent(linePrefix: string): number | undefined {
  // Building blocks only where a statement starts: never inside expressions, never after a dot.
  const statement = /^(\s*)([A-Za-z_]\w*)?$/.exec(linePrefix);
  return statement ? statement[1].length : undefined;
}

/** A building-block or missing-piece completion, as plain data. */
export interface SnippetCompletion {
  label: string;
  description: string;
  /** Snippet syntax (`${1:dim}` placeholders). */
  snippet: string;
  filterText: string;
  sortText: string;
  detail: string;
  /** Markdown, linking only ArchLens's own commands. */
  documentation: string;
}

function fileFramework(analysis: FileAnalysis) {
  const paths = [...(analysis.model.imports?.values() ?? [])];
  if (paths.some((p) => p.startsWith('flax'))) return 'flax' as const;
  if (paths.some((p) => p.startsWith('keras') || p.startsWith('tensorflow'))) return 'keras' as const;
  return 'pytorch' as const;
}

/**
 * The building blocks for a place in a model (from `completionPlace`: constructor, forward or module level), in the class's
 * framework and with its width parameter's name, then — in a forward method — the pieces commonly paired
 * with the class's patterns that it lacks.
 */
export function snippetCompletions(analysis: FileAnalysis, where: { place: CompletionPlace; cls?: ModuleClass }, library: PaperLibrary): SnippetCompletion[] {
  const framework = where.cls?.framework ?? fileFramework(analysis);
  const names = where.cls ? [...where.cls.methods.flatMap((m) => m.params), ...Object.keys(where.cls.fields)] : [];
  const width = widthName(names);
  const items: SnippetCompletion[] = [];
  for (const block of BUILDING_BLOCKS) {
    const snippet = blockSnippet(block, framework, where.place, width);
    if (!snippet) continue;
    const pattern = patternById(block.pattern);
    items.push({
      label: block.label,
      description: 'ArchLens',
      snippet,
      filterText: `${block.label} ${block.keywords}`,
      sortText: `~archlens ${block.label}`, // after the language server's own items
      detail: `${pattern?.name ?? block.pattern} building block (${framework === 'unknown' ? 'pytorch' : framework})`,
      documentation: pattern ? blockDocumentation(pattern, library.papersFor(pattern, 3).papers.map((r) => r.paper)) : '',
    });
  }
  if (where.cls && where.place === 'forward') {
    const present = findingsOf(analysis, where.cls).map((f) => f.pattern);
    for (const companion of missingCompanions(where.cls, present)) {
      const snippet = companion.snippets[framework === 'unknown' || framework === 'equinox' ? 'pytorch' : framework];
      if (!snippet) continue;
      items.push({
        label: companion.label,
        description: 'ArchLens · missing piece',
        snippet,
        filterText: `${companion.label} ${companion.pattern}`,
        sortText: `~archlens0 ${companion.label}`,
        detail: `Commonly paired with ${patternById(companion.pattern)?.name.toLowerCase() ?? companion.pattern}`,
        documentation: companionDocumentation(companion.reason, companion.paper ? library.paper(companion.paper) : undefined),
      });
    }
  }
  return items;
}
