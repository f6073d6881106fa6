/**
 * Notification text that cannot hold a link. VS Code turns `[label](target)` in a notification message
 * into a link when the target is an http(s), `file:` or `command:` URI, and opens command links with any
 * command and arguments. A message can quote a setting's value or a file name, so the `](` of every such
 * pair is split: the text still reads the same, but it is never a link.
 */
export function notificationText(text: string): string {
  return text.replace(/\]\s*\(/g, '] (');
}
