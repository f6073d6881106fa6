import type { PatternFinding } from '../../core/analyze';
import type { PatternPapers } from '../../core/knowledge/papers-for';
import type { PatternDefinition } from '../../core/patterns/_types';
import { commandLink, escapeMarkdown, inlineCode } from './markdown';

/** Commands a hover or lens may link to: ArchLens's own, nothing else. */
export const HOVER_COMMANDS = ['archlens.revealLine', 'archlens.openPaper', 'archlens.showPatternPapers', 'archlens.explainModel', 'archlens.explainPattern'] as const;

export interface EvidenceLine {
  line: number;
  text: string;
}

/** Splits a finding's `L42: source` evidence string. */
export function parseEvidence(evidence: string): EvidenceLine | null {
  const match = /^L(\d+): ?(.*)$/s.exec(evidence);
  return match ? { line: Number(match[1]), text: match[2] } : null;
}

export interface HoverInput {
  /** The class (or functional model) hovered, with its findings. */
  className: string | null;
  findings: PatternFinding[];
  /** Document URI string, for evidence links. */
  uri: string;
  pattern: (id: string) => PatternDefinition | undefined;
  papers: (id: string) => PatternPapers;
  /** How many papers to list per pattern. */
  paperLimit?: number;
  /** The line the pointer is on, to mark the evidence there. */
  hoveredLine?: number;
}

/**
 * The hover card for a recognized class: each pattern with its confidence, the evidence as line links,
 * the trade-offs in brief, and the top papers with links to their abstracts.
 */
export function hoverMarkdown(input: HoverInput): string {
  const parts: string[] = [];
  const title = input.className ? inlineCode(input.className) : 'functional model';
  parts.push(`**ArchLens** · ${title}`);
  for (const finding of input.findings) {
    const pattern = input.pattern(finding.pattern);
    const name = pattern?.name ?? finding.pattern;
    parts.push(`---\n\n#### ${escapeMarkdown(name)} · ${Math.round(finding.confidence * 100)}%`);
    const evidence = finding.evidence
      .map(parseEvidence)
      .filter((e): e is EvidenceLine => e !== null)
      .map((e) => `- ${commandLink(`L${e.line}`, 'archlens.revealLine', [input.uri, e.line])}${e.line === input.hoveredLine ? ' ◀' : ''} ${inlineCode(e.text)}`);
    if (evidence.length > 0) parts.push(`Evidence:\n\n${evidence.join('\n')}`);
    const card = pattern?.knowledge;
    if (card) {
      const pro = card.pros[0] ? `**+** ${escapeMarkdown(stripCitations(card.pros[0]))}` : '';
      const con = card.cons[0] ? `**−** ${escapeMarkdown(stripCitations(card.cons[0]))}` : '';
      parts.push(`${escapeMarkdown(stripCitations(card.summary))}\n\n${[pro, con].filter(Boolean).join('  \n')}`);
    }
    const papers = input.papers(finding.pattern);
    const shown = papers.papers.slice(0, input.paperLimit ?? 3);
    if (shown.length > 0) {
      parts.push(
        `Papers:\n\n${shown.map((r) => `- ${escapeMarkdown(r.paper.title)} — ${commandLink('Open abstract', 'archlens.openPaper', [r.paper.id])}`).join('\n')}`,
      );
    } else if (papers.note) {
      parts.push(`*${escapeMarkdown(papers.note)}*`);
    }
    parts.push(
      [commandLink('All papers for this pattern', 'archlens.showPatternPapers', [finding.pattern]), commandLink('Trade-offs', 'archlens.explainPattern', [finding.pattern])].join(' · '),
    );
  }
  return parts.join('\n\n');
}

/** Card text without `[[paper-id]]` markers (hovers are brief; the explanation lists references). */
export function stripCitations(text: string): string {
  return text.replace(/\s*\[\[[a-z0-9-]+\]\]/g, '');
}
