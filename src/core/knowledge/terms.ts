/** Words too common in abstracts to help ranking. */
const STOP_WORDS = new Set(
  'a an and are as at be by can for from has have in into is it its of on or our that the their these this to was we were which while with'.split(' '),
);

/**
 * Folds a plural to its singular so "transformers" and "Transformer" meet. Deliberately light (no
 * Porter stemming): technical terms such as "attention" or "embedding" must keep their exact form.
 *
 * @example singular('transformers') // 'transformer'; singular('patches') // 'patch'; singular('studies') // 'study'
 */
export function singular(term: string): string {
  if (term.length <= 3) return term;
  if (term.endsWith('ies') && term.length > 4) return term.slice(0, -3) + 'y';
  if (term.endsWith('sses')) return term.slice(0, -2);
  if (/(ss|us|is|ous)$/.test(term)) return term;
  if (/(ch|sh|x|z)es$/.test(term)) return term.slice(0, -2);
  if (term.endsWith('s')) return term.slice(0, -1);
  return term;
}

/** MiniSearch's term processor for both indexing and queries: lower case, no stop words, singular. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length < 2 || STOP_WORDS.has(lower)) return null;
  return singular(lower);
}
