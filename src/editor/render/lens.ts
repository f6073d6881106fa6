/** A code lens title: `Mixture of experts · Cross-attention — 3 papers · trade-offs`. */
export function lensTitle(patternNames: string[], paperCount: number): string {
  // Lens titles render `$(name)` as an icon; a name is shown as written.
  const names = patternNames.map((n, i) => (i === 0 ? n : n.charAt(0).toUpperCase() + n.slice(1)).replace(/\$\(/g, '\\$('));
  const papers = paperCount === 0 ? 'trade-offs' : `${paperCount} paper${paperCount === 1 ? '' : 's'} · trade-offs`;
  return `${names.join(' · ')} — ${papers}`;
}
