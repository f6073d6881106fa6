import type { PatternDefinition } from '../patterns/_types';
import type { PaperLibrary } from './library';

const CITATION = /\[\[([a-z0-9-]+)\]\]/g;

/** Card text with `[[paper-id]]` citations written as “Title” [id]. */
export function resolveCitations(text: string, library: PaperLibrary): string {
  return text.replace(CITATION, (_, id: string) => {
    const paper = library.paper(id);
    return paper ? `“${paper.title}” [${id}]` : `[${id}]`;
  });
}

/** Ids cited as `[[paper-id]]` in a card's text. */
export function citedPaperIds(pattern: PatternDefinition): string[] {
  const card = pattern.knowledge;
  if (!card) return [];
  const text = [card.summary, card.howItWorks, ...card.pros, ...card.cons, ...card.alternatives.map((a) => a.when), card.multimodal ?? ''].join('\n');
  return [...new Set([...text.matchAll(CITATION)].map((m) => m[1]))];
}

/** Wraps text to `width` columns; continuation lines get `hang` extra spaces. */
function wrap(text: string, width = 96, indent = '  ', hang = ''): string {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    const prefix = lines.length === 0 ? indent : indent + hang;
    if (current && prefix.length + current.length + word.length + 1 > width) {
      lines.push(prefix + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push((lines.length === 0 ? indent : indent + hang) + current);
  return lines.join('\n');
}

/** The knowledge card as plain text for the terminal (`archlens explain`); citations become [n]. */
export function formatCard(pattern: PatternDefinition, library: PaperLibrary): string {
  const card = pattern.knowledge;
  const out: string[] = [`${pattern.name} (${pattern.id})`, ''];
  const cited: string[] = [];
  const cite = (text: string) =>
    text.replace(CITATION, (_, id: string) => {
      if (!cited.includes(id)) cited.push(id);
      return `[${cited.indexOf(id) + 1}]`;
    });
  if (!card) {
    out.push('  No knowledge card is written for this pattern yet.');
  } else {
    out.push(wrap(cite(card.summary)), '', 'How it works', wrap(cite(card.howItWorks)), '', 'Strengths');
    for (const pro of card.pros) out.push(wrap(`+ ${cite(pro)}`, 96, '  ', '  '));
    out.push('', 'Costs and risks');
    for (const con of card.cons) out.push(wrap(`- ${cite(con)}`, 96, '  ', '  '));
    if (card.multimodal) out.push('', 'Multimodal architecture type', wrap(cite(card.multimodal)));
    out.push('', 'Alternatives');
    for (const alt of card.alternatives) out.push(wrap(`${alt.name}${alt.pattern ? ` (${alt.pattern})` : ''}: ${cite(alt.when)}`, 96, '  ', '  '));
    if (cited.length > 0) {
      out.push('', 'References');
      cited.forEach((id, i) => out.push(wrap(`[${i + 1}] ${library.paper(id)?.title ?? '(not in the corpus)'} — ${id}`, 96, '  ', '    ')));
    }
  }
  const papers = library.papersFor(pattern);
  out.push('', 'Papers to read first');
  papers.papers.forEach((r, i) => out.push(wrap(`${i + 1}. ${r.paper.title} — ${r.paper.id}`, 96, '  ', '   ')));
  if (papers.note) out.push(wrap(papers.note));
  return out.join('\n');
}
