import type { Paper } from '../../core/corpus/types';

/** A BibTeX `@misc` entry per paper (the corpus has no authors or years; the id is the key). */
export function bibtexReferences(papers: Paper[]): string {
  const escape = (text: string) => text.replace(/([{}\\])/g, '\\$1').replace(/[&%$#_]/g, (c) => `\\${c}`);
  return papers
    .map((p) => {
      const fields = [`  title = {${escape(p.title)}}`];
      if (p.urls[0]) fields.push(`  url = {${p.urls[0]}}`);
      fields.push(`  note = {ArchLens corpus id ${p.id}}`);
      return `@misc{${p.id},\n${fields.join(',\n')}\n}`;
    })
    .join('\n\n');
}

/** A Markdown list of the papers, linked where the abstract gives a URL. */
export function markdownReferences(papers: Paper[]): string {
  return papers.map((p) => `- ${p.urls[0] ? `[${p.title.replace(/([[\]])/g, '\\$1')}](${p.urls[0]})` : p.title}`).join('\n');
}
