import type { PatternFinding } from '../../core/analyze';
import type { Paper } from '../../core/corpus/types';
import type { PatternPapers } from '../../core/knowledge/papers-for';
import type { PatternDefinition } from '../../core/patterns/_types';
import { isSafeExternalUrl } from '../../shared/messages';
import { parseEvidence } from './hover';
import { escapeMarkdown, inlineCode } from './markdown';

export interface ExplainContext {
  paper: (id: string) => Paper | undefined;
  papers: (pattern: PatternDefinition) => PatternPapers;
}

const CITATION = /\[\[([a-z0-9-]+)\]\]/g;

/** Card text with citations as numbered references into `cited`; the rest escaped. */
function withReferences(text: string, cited: string[]): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(CITATION)) {
    out += escapeMarkdown(text.slice(last, match.index));
    if (!cited.includes(match[1])) cited.push(match[1]);
    out += `\\[${cited.indexOf(match[1]) + 1}\\]`;
    last = match.index! + match[0].length;
  }
  return out + escapeMarkdown(text.slice(last));
}

/** A pattern's knowledge card as a Markdown document (the Explain Pattern view). */
export function patternMarkdown(pattern: PatternDefinition, context: ExplainContext, headingLevel = 1): string {
  const h = '#'.repeat(headingLevel);
  const out: string[] = [`${h} ${escapeMarkdown(pattern.name)}`, '', `Pattern id: ${inlineCode(pattern.id)}`, ''];
  const card = pattern.knowledge;
  const cited: string[] = [];
  if (card) {
    out.push(withReferences(card.summary, cited), '', `${h}# How it works`, '', withReferences(card.howItWorks, cited), '', `${h}# Trade-offs`, '');
    for (const pro of card.pros) out.push(`- **+** ${withReferences(pro, cited)}`);
    for (const con of card.cons) out.push(`- **−** ${withReferences(con, cited)}`);
    if (card.multimodal) out.push('', `${h}# Multimodal architecture type`, '', withReferences(card.multimodal, cited));
    out.push('', `${h}# Alternatives`, '');
    for (const alt of card.alternatives) out.push(`- **${escapeMarkdown(alt.name)}**${alt.pattern ? ` (${inlineCode(alt.pattern)})` : ''}: ${withReferences(alt.when, cited)}`);
  }
  const papers = context.papers(pattern);
  out.push('', `${h}# Papers to read first`, '');
  papers.papers.forEach((r, i) => out.push(`${i + 1}. ${paperLine(r.paper)}`));
  if (papers.note) out.push('', `*${escapeMarkdown(papers.note)}*`);
  if (cited.length > 0) {
    out.push('', `${h}# References`, '');
    cited.forEach((id, i) => {
      const paper = context.paper(id);
      out.push(`${i + 1}. ${paper ? paperLine(paper) : inlineCode(id)}`);
    });
  }
  return out.join('\n');
}

function paperLine(paper: Paper): string {
  // An autolink only for http(s) URLs without spaces or angle brackets, so the URL cannot end it early.
  const url = paper.urls.find(isSafeExternalUrl);
  const link = url ? ` — <${url}>` : '';
  return `**${escapeMarkdown(paper.title)}** (${inlineCode(paper.id)})${link}`;
}

/** A class's recognized patterns with their evidence, then each pattern's card (Explain This Model). */
export function modelMarkdown(className: string | null, findings: PatternFinding[], pattern: (id: string) => PatternDefinition | undefined, context: ExplainContext): string {
  const out: string[] = [`# ${className ? inlineCode(className) : 'Functional model'}`, ''];
  if (findings.length === 0) {
    out.push('ArchLens recognizes no architecture pattern in this class.');
    return out.join('\n');
  }
  out.push('| Pattern | Confidence | Evidence |', '|---|---|---|');
  for (const f of findings) {
    // A pipe would end the table cell, even inside a code span: GFM wants it escaped there too.
    const evidence = f.evidence.map(parseEvidence).filter((e) => e !== null).map((e) => `L${e!.line}: ${inlineCode(e!.text).replace(/\|/g, '\\|')}`).join('<br>');
    out.push(`| ${escapeMarkdown(pattern(f.pattern)?.name ?? f.pattern)} | ${Math.round(f.confidence * 100)}% | ${evidence} |`);
  }
  for (const f of findings) {
    const definition = pattern(f.pattern);
    if (definition) out.push('', patternMarkdown(definition, context, 2));
  }
  return out.join('\n');
}
