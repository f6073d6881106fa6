// The paper panel's page. Nothing from a file is ever in it: the webview script fills it in with text
// nodes. The policy allows only the panel's own script (by nonce) and its own styles, images and fonts.

export interface PanelPage {
  /** The webview's `cspSource` (where its own resources are served from). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** A fresh random nonce per page. */
  nonce: string;
}

/** Escapes a value for an HTML attribute in double quotes. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content Security Policy: nothing is allowed unless listed; no inline script or style, no eval. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${cspSource}`, `font-src ${cspSource}`].join('; ');
}

export function panelHtml(page: PanelPage): string {
  const attr = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(page.cspSource, page.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${attr(page.styleUri)}" rel="stylesheet">
  <title>ArchLens Papers</title>
</head>
<body>
  <div class="search-box" role="search">
    <input id="search" type="search" placeholder="Search papers" aria-label="Search papers by title, abstract or tag" autocomplete="off" spellcheck="false">
  </div>
  <p id="status" role="status" aria-live="polite"></p>
  <ul id="results" role="listbox" aria-label="Papers" tabindex="0"></ul>
  <main id="detail" hidden></main>
  <script nonce="${attr(page.nonce)}" src="${attr(page.scriptUri)}"></script>
</body>
</html>`;
}
