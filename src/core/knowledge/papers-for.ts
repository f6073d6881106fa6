import { OFF_TOPIC } from '../corpus/types';
import type { PatternDefinition } from '../patterns/_types';
import type { PaperIndex, RankedPaper } from './paper-index';

export interface PatternPapers {
  pattern: string;
  papers: RankedPaper[];
  /** Set when the corpus has nothing (or little) close to the pattern, instead of padding the list. */
  note?: string;
}

export const DEFAULT_PAPER_LIMIT = 5;

/**
 * The papers a person studying a pattern should read first. Candidates are the papers tagged with the
 * pattern plus the pattern's pinned papers; they are ranked by the pattern's query terms (pins first, in
 * their order). Off-topic and blocked papers are never offered, and an empty list comes with a note.
 *
 * @example papersFor(index, mixtureOfExperts).papers[0].paper.id // 'moduleformer-learning-modular-...'
 */
export function papersFor(index: PaperIndex, pattern: PatternDefinition, limit = DEFAULT_PAPER_LIMIT): PatternPapers {
  const links = pattern.knowledge?.papers ?? { queries: [], pins: [], blocks: [] };
  const blocked = new Set(links.blocks);
  const tag = `pattern:${pattern.id}`;
  const scores = new Map<string, RankedPaper>();
  for (const query of [pattern.name, ...links.queries]) {
    for (const hit of index.search(query, { includeOffTopic: false, limit: 100 })) {
      const known = scores.get(hit.paper.id);
      if (known) {
        known.score += hit.score;
        for (const [term, fields] of Object.entries(hit.matched)) known.matched[term] = [...new Set([...(known.matched[term] ?? []), ...fields])];
      } else {
        scores.set(hit.paper.id, { paper: hit.paper, score: hit.score, matched: { ...hit.matched } });
      }
    }
  }
  const eligible = (id: string): boolean => {
    const paper = index.get(id);
    return !!paper && !blocked.has(id) && !paper.tags.includes(OFF_TOPIC);
  };
  const pinned: RankedPaper[] = [];
  for (const id of links.pins) {
    if (!eligible(id)) continue;
    pinned.push(scores.get(id) ?? { paper: index.get(id)!, score: 0, matched: {} });
  }
  const pinnedIds = new Set(pinned.map((p) => p.paper.id));
  const tagged: RankedPaper[] = [];
  for (const paper of index.papers()) {
    if (pinnedIds.has(paper.id) || !paper.tags.includes(tag) || !eligible(paper.id)) continue;
    tagged.push(scores.get(paper.id) ?? { paper, score: 0, matched: {} });
  }
  tagged.sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));
  const papers = [...pinned, ...tagged].slice(0, limit);
  const result: PatternPapers = { pattern: pattern.id, papers };
  if (papers.length === 0) result.note = `No paper in the corpus is close to ${pattern.name.toLowerCase()}; none is offered rather than a loosely related one.`;
  else if (papers.length < Math.min(limit, 3)) result.note = `The corpus has only ${papers.length} paper${papers.length === 1 ? '' : 's'} close to ${pattern.name.toLowerCase()}.`;
  return result;
}
