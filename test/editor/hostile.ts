// Hostile strings: text a file, a corpus record or a class could carry that would act as markup, HTML, a
// link or a command if it reached a renderer unescaped. Shared by the rendering tests; the UI test plants
// the same kinds of payloads in a real workspace.
import MarkdownIt from 'markdown-it';
import type { Paper } from '../../src/core/corpus/types';

export const HOSTILE_STRINGS: readonly string[] = [
  `<img src=x onerror="document.title='pwned'">`,
  '<script>window.name="pwned"</script>',
  '<svg onload=alert(1)><iframe src="javascript:alert(1)"></iframe>',
  '<a href="command:workbench.action.quit">quit</a>',
  '[click me](command:workbench.action.quit)',
  // An allow-listed command is still not a link when it comes from text.
  '[open](command:archlens.openPaper?%5B%22x%22%5D "t")',
  '<command:workbench.action.quit> <https://evil.example/x>',
  '[x](javascript:alert(1)) javascript:alert(1)',
  '![tracker](https://evil.example/pixel.png)',
  '[ref]\n\n[ref]: command:workbench.action.quit',
  'first line\r\r[lone CR](command:workbench.action.quit)',
  'first line\n\n<img src=x onerror=alert(1)>',
  'first line\r\n\r\n# heading\r\n---',
  '```\nfenced\n```',
  '`` ` `` backticks ``` and `code`',
  '**bold** _em_ ~~strike~~ | table | cell |',
  '&lt;script&gt; &amp; &#60;img&#62;',
  '\\[pre-escaped\\](command:workbench.action.quit) \\',
  '$\\href{javascript:alert(1)}{math}$ $(zap) codicon',
  '<!-- comment --> <style>body{display:none}</style>',
  '    indented code\n1. list\n- item\n> quote',
];

/** A corpus paper whose every text field carries a hostile string. */
export function hostilePaper(payload: string, index = 0): Paper {
  return {
    id: `hostile-${index}`,
    title: `Title ${payload}`,
    abstract: `Abstract ${payload}`,
    urls: ['javascript:alert(1)', 'command:workbench.action.quit', 'https://ok.example/a?b=(c)'],
    tags: [`topic:${payload}`],
    source: 'hostile.jsonl',
  };
}

/**
 * A CommonMark renderer at its most permissive: raw HTML passes through and every link target is kept,
 * so any markup that escaping failed to neutralize shows up in the HTML.
 */
const markdown = new MarkdownIt({ html: true, linkify: false });
markdown.validateLink = () => true;

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

/** Elements a rendered ArchLens document may contain (the raw `<br>` is ours, in explanation tables). */
const SAFE_TAGS = new Set(['p', 'strong', 'em', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'hr', 'br', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

export interface RenderedMarkup {
  html: string;
  /** Element names outside the safe set (img, script, iframe, ...). */
  unsafeTags: string[];
  /** Every link target, as rendered. */
  hrefs: string[];
  /** Images (a Markdown image would load a URL). */
  images: number;
  /** The visible text, entities decoded. */
  text: string;
}

export function inspectMarkdown(text: string): RenderedMarkup {
  const html = renderMarkdown(text);
  const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase());
  const hrefs = [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
  const visible = decodeEntities(html.replace(/<[^>]*>/g, ''));
  return { html, unsafeTags: tags.filter((t) => !SAFE_TAGS.has(t)), hrefs, images: tags.filter((t) => t === 'img').length, text: visible };
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|lt|gt|amp|quot);/gi, (entity, name: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
    if (name[0] !== '#') return named[name.toLowerCase()] ?? entity;
    return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
  });
}

/** The text a renderer should show for a payload: on one line (line breaks become spaces). */
export function flat(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ');
}
