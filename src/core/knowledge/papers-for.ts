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

/** What `papersFor` reads of a pattern: its id, name and the card's paper links (plain data, so it can cross to a worker). */
export type PatternPaperLinks = Pick<PatternDefinition, 'id' | 'name'> & { knowledge?: { papers: NonNullable<PatternDefinition['knowledge']>['papers'] } };

/** Only what `papersFor` reads of a pattern, for sending to a worker thread. */
export function paperLinksOf(pattern: PatternPaperLinks): PatternPaperLinks {
  return { id: pattern.id, name: pattern.name, ...(pattern.knowledge ? { knowledge: { papers: pattern.knowledge.papers } } : {}) };
}

/**
 * The papers a person studying a pattern should read first. Candidates are the papers tagged with the
 * pattern plus the pattern's pinned papers; they are ranked by the pattern's query terms (pins first, in
 * their order). Off-topic and blocked papers are never offered, and an empty list comes with a note.
 *
 * @example papersFor(index, mixtureOfExperts).papers[0].paper.id // 'moduleformer-learning-modular-...'
 */
export function papersFor(index: PaperIndex, pattern: PatternPaperLinks, limit = DEFAULT_PAPER_LIMIT): PatternPapers {
  return limitPatternPapers(pattern, rankPapersFor(index, pattern), limit);
}

/** All of a pattern's papers, ranked as `papersFor` ranks them (pins first). */
export function rankPapersFor(index: PaperIndex, pattern: PatternPaperLinks): RankedPaper[] {
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
  return [...pinned, ...tagged];
}

/** The first `limit` of a pattern's ranked papers, with a note when there are none or few. */
export function limitPatternPapers(pattern: PatternPaperLinks, ranked: readonly RankedPaper[], limit = DEFAULT_PAPER_LIMIT): PatternPapers {
  const papers = ranked.slice(0, limit);
  const result: PatternPapers = { pattern: pattern.id, papers };
  if (papers.length === 0) result.note = `No paper in the corpus is close to ${pattern.name.toLowerCase()}; none is offered rather than a loosely related one.`;
  else if (papers.length < Math.min(limit, 3)) result.note = `The corpus has only ${papers.length} paper${papers.length === 1 ? '' : 's'} close to ${pattern.name.toLowerCase()}.`;
  return result;
}
