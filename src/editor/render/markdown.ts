// Markdown building blocks that never let text from a file act as markup, HTML or a link.

/** Escapes text for Markdown: every character Markdown or HTML could read as syntax is backslash-escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&:"'=]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Text as an inline code span, with a fence longer than any backtick run inside (so it cannot close early). */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\r?\n/g, ' ')}${fence}`;
}

/** A `command:` link to one of ArchLens's own commands, with JSON arguments encoded into the URI. */
export function commandLink(label: string, command: string, args: unknown[]): string {
  if (!/^archlens\.[A-Za-z]+$/.test(command)) throw new Error(`refusing a command link to '${command}'`);
  return `[${escapeMarkdown(label)}](command:${command}?${encodeURIComponent(JSON.stringify(args))} "${escapeMarkdown(label)}")`;
}
