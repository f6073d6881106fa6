import type { Paper } from './types';

/** Lines of page chrome the paper-listing page put before the first title. */
const PAGE_CHROME = /^Get trending papers in your email inbox/;
/** The button label glued to the first title. */
const BUTTON_PREFIX = /^Subscribe(?=\S)/;

/**
 * A title as a stable id: TeX markup dropped, lower case, runs of other characters as single dashes,
 * at most 80 characters cut at a dash.
 *
 * @example slugify('Qua$^2$SeDiMo: Quantifiable ...') // 'qua2sedimo-quantifiable-...'
 */
export function slugify(title: string): string {
  const plain = title
    .replace(/\$([^$]*)\$/g, (_, tex: string) => tex.replace(/[\\^_{}]/g, ''))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  let slug = plain.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > 80) slug = slug.slice(0, 80).replace(/-[^-]*$/, '');
  return slug || 'untitled';
}

/** URLs in a text, without the sentence punctuation or braces glued to their end. */
export function extractUrls(text: string): string[] {
  const urls: string[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s<>"'()]+/g)) {
    const url = match[0].replace(/[.,;:!?}\]]+$/, '');
    if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}

/**
 * Reads the saved paper-listing page: page chrome, then title and abstract lines in turn.
 * Returns the papers without tags (the tagger adds them) and the problems found.
 */
export function parseSeedListing(text: string): { papers: Omit<Paper, 'tags'>[]; problems: string[] } {
  const lines = text.split(/\r\n|\r|\n/);
  let skipped = 0;
  while (lines.length > 0 && (PAGE_CHROME.test(lines[0]) || lines[0].trim() === '')) {
    lines.shift();
    skipped++;
  }
  if (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const papers: Omit<Paper, 'tags'>[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    let title = lines[i].trim();
    const abstract = lines[i + 1].trim();
    if (papers.length === 0) title = title.replace(BUTTON_PREFIX, '');
    if (!title || !abstract) {
      problems.push(`record at lines ${skipped + i + 1}-${skipped + i + 2} has an empty title or abstract`);
      continue;
    }
    let id = slugify(title);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) id = `${id}-${count}`;
    papers.push({ id, title, abstract, urls: extractUrls(abstract) });
  }
  if (lines.length % 2 === 1) problems.push(`line ${skipped + lines.length} has a title without an abstract`);
  return { papers, problems };
}
