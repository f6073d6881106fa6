// Markdown building blocks that never let text from a file act as markup, HTML or a link.

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Escapes text for Markdown: every ASCII punctuation character is backslash-escaped (CommonMark allows
 * that for all of them), so nothing in the text can start markup, HTML, an entity, a link, an autolink
 * or math. Line breaks (including a lone CR) become spaces: a blank line would end the paragraph.
 * Leading indentation is dropped: four spaces at the start of a line would make a code block.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`).replace(LINE_BREAK, ' ').replace(/^[ \t]+/, '');
}

/** Text as an inline code span, with a fence longer than any backtick run inside (so it cannot close early). */
export function inlineCode(text: string): string {
  // A line break inside a span is fine, but a blank line would end the paragraph and the span with it.
  const flat = text.replace(LINE_BREAK, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat;
  return `${fence}${padded}${fence}`;
}

/** A `command:` link to one of ArchLens's own commands, with JSON arguments encoded into the URI. */
export function commandLink(label: string, command: string, args: unknown[]): string {
  if (!/^archlens\.[A-Za-z]+$/.test(command)) throw new Error(`refusing a command link to '${command}'`);
  return `[${escapeMarkdown(label)}](command:${command}?${encodeURIComponent(JSON.stringify(args))} "${escapeMarkdown(label)}")`;
}
