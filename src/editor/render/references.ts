import type { Paper } from '../../core/corpus/types';
import { isSafeExternalUrl } from '../../shared/messages';

/** A BibTeX `@misc` entry per paper (the corpus has no authors or years; the id is the key). */
export function bibtexReferences(papers: Paper[]): string {
  const escape = (text: string) => text.replace(/([{}\\])/g, '\\$1').replace(/[&%$#_]/g, (c) => `\\${c}`);
  return papers
    .map((p) => {
      const fields = [`  title = {${escape(p.title)}}`];
      const url = p.urls.find(isSafeExternalUrl);
      if (url) fields.push(`  url = {${url.replace(/\{/g, '%7B').replace(/\}/g, '%7D')}}`);
      fields.push(`  note = {ArchLens corpus id ${p.id}}`);
      return `@misc{${p.id},\n${fields.join(',\n')}\n}`;
    })
    .join('\n\n');
}

/**
 * A Markdown list of the papers, linked where the abstract gives an http(s) URL. Titles are escaped where
 * they could start a link, HTML or emphasis, so a title pasted into a document stays a title.
 */
export function markdownReferences(papers: Paper[]): string {
  const escape = (text: string) => text.replace(/\s+/g, ' ').replace(/[\\[\]<>`*_~#]/g, (c) => `\\${c}`);
  return papers
    .map((p) => {
      const url = p.urls.find(isSafeExternalUrl);
      return `- ${url ? `[${escape(p.title)}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : escape(p.title)}`;
    })
    .join('\n');
}
