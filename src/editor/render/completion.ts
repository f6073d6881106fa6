import type { Paper } from '../../core/corpus/types';
import type { PatternDefinition } from '../../core/patterns/_types';
import { stripCitations } from './hover';
import { commandLink, escapeMarkdown, inlineCode } from './markdown';

/** How much of an abstract a citation completion or hover shows. */
export const COMPLETION_ABSTRACT_CHARS = 600;
export const HOVER_ABSTRACT_CHARS = 900;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A corpus title as one line of plain text for a completion label or for insertion into code: a title
 * from a user's corpus may hold line breaks (which would carry text out of the comment into code) and
 * brackets (which would end the `[id]` of the citation early).
 */
export function plainTitle(title: string): string {
  return title.replace(/\s+/g, ' ').trim().replace(/\[/g, '(').replace(/\]/g, ')');
}

/** What accepting a citation completion inserts: `Title [paper-id]`. */
export function citationInsertText(paper: Paper): string {
  return `${plainTitle(paper.title)} [${paper.id}]`;
}

/** A citation completion's documentation: the start of the abstract, as text. */
export function citationDocumentation(paper: Paper): string {
  return escapeMarkdown(clip(paper.abstract, COMPLETION_ABSTRACT_CHARS));
}

/** A building block's documentation: the pattern's summary, its first trade-offs and papers. */
export function blockDocumentation(pattern: PatternDefinition, papers: Paper[]): string {
  const card = pattern.knowledge;
  if (!card) return '';
  return [
    `**${escapeMarkdown(pattern.name)}** — ${escapeMarkdown(stripCitations(card.summary))}`,
    ...card.pros.slice(0, 2).map((p) => `- **+** ${escapeMarkdown(stripCitations(p))}`),
    ...card.cons.slice(0, 2).map((c) => `- **−** ${escapeMarkdown(stripCitations(c))}`),
    papers.length > 0 ? `Papers: ${papers.map((p) => escapeMarkdown(p.title)).join('; ')}` : '',
  ].join('\n\n');
}

/** A missing piece's documentation: why it is commonly paired, and the paper that explains it. */
export function companionDocumentation(reason: string, paper: Paper | undefined): string {
  return `${escapeMarkdown(reason)}${paper ? `\n\nSee ${escapeMarkdown(paper.title)} — ${commandLink('Open abstract', 'archlens.openPaper', [paper.id])}` : ''}`;
}

/** The hover over a `paper: Title [id]` citation: title, the start of the abstract and a link to all of it. */
export function citationHoverMarkdown(paper: Paper): string {
  return `**${escapeMarkdown(paper.title)}**\n\n${escapeMarkdown(clip(paper.abstract, HOVER_ABSTRACT_CHARS))}\n\n${commandLink('Open abstract', 'archlens.openPaper', [paper.id])}`;
}

/** The hover over a citation whose id is not in the corpus. */
export function unknownCitationMarkdown(id: string): string {
  return `**ArchLens**: no paper with id ${inlineCode(id)} in the corpus.`;
}
