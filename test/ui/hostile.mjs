// Hostile input for the UI test: a user corpus (JSONL and BibTeX) and a Python model whose comments and
// docstring carry HTML, scripts, Markdown links, command: and javascript: URLs. Every payload that could
// run sets `window.__archlensPwned` (and one sets the document title), so the test can look for the side
// effect in every frame as well as for the elements themselves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MARKER = '__archlensPwned';

// Words no bundled paper uses, so searches for them find only these records (and other searches are unchanged).
export const PAPER_TITLE = `Zygomorph towers <img src=x onerror="window.${MARKER}='title';document.title='pwned'"> <script>window.${MARKER}='title-script'</script>`;
export const PAPER_ABSTRACT =
  `Zygomorph routing of tokens between towers. [quit](command:workbench.action.quit) <a href="javascript:window.${MARKER}='abstract-link'">click me</a> ` +
  `<iframe srcdoc="<script>parent.${MARKER}='iframe'</script>"></iframe> javascript:window.${MARKER}='abstract-js' <b>not bold</b>`;
export const PAPER_ID = 'zygomorph-hostile-paper';
export const SAFE_URL = 'https://example.org/zygomorph';
export const BIB_TITLE = `Zygobib gates <img src=x onerror="window.${MARKER}='bibtex'"> [quit](command:workbench.action.quit)`;

/** A setting value that quotes a command link: the warning about it must show it as text. */
export const SETTING_PAYLOAD = '[Fix ArchLens](command:workbench.action.quit)';

/** Evidence lines of the model, each ending in a payload comment (line numbers are 1-based). */
export const MODEL_CLASS = 'ZygoMoE';
export const MODEL_CLASS_LINE = 6;
export const EVIDENCE_PAYLOAD = `<img src=x onerror="window.${MARKER}='evidence'"> [quit](command:workbench.action.quit)`;
export const CITATION_LINE = 9;

const MODEL = `# A model whose comments and docstring carry markup; ArchLens must show them as text.
import torch
from torch import nn


class ${MODEL_CLASS}(nn.Module):
    """Router docs <img src=x onerror="window.${MARKER}='docstring'"> [quit](command:workbench.action.quit)"""

    # paper: Zygomorph towers [${PAPER_ID}]
    def __init__(self, dim: int, num_experts: int = 4):
        super().__init__()
        self.router = nn.Linear(dim, num_experts, bias=False)  # ${EVIDENCE_PAYLOAD}
        self.experts = nn.ModuleList([nn.Linear(dim, dim) for _ in range(num_experts)])  # <script>window.${MARKER}='script'</script> [js](javascript:alert(1))

    def forward(self, x):
        weights, chosen = self.router(x).softmax(dim=-1).topk(2, dim=-1)  # <a href="javascript:window.${MARKER}='link'">click</a>
        out = torch.zeros_like(x)
        for index, expert in enumerate(self.experts):
            mask = (chosen == index).any(dim=-1)
            out[mask] += expert(x[mask])
        return out
`;

/** Writes the hostile corpus, the model and workspace settings (naming the corpus, and one invalid value) into a workspace folder. */
export function writeHostileWorkspace(folder) {
  const record = {
    id: PAPER_ID,
    title: PAPER_TITLE,
    abstract: PAPER_ABSTRACT,
    urls: [`javascript:window.${MARKER}='url'`, 'command:workbench.action.quit', SAFE_URL],
    tags: ['pattern:vae', `topic:<img src=x onerror="window.${MARKER}='tag'">`],
  };
  writeFileSync(join(folder, 'hostile-papers.jsonl'), `${JSON.stringify(record)}\n`);
  writeFileSync(
    join(folder, 'hostile-papers.bib'),
    `@article{zygobib2026,\n  title = {${BIB_TITLE}},\n  abstract = {Zygobib sparse gating of towers. <script>window.${MARKER}='bibtex-script'</script> See javascript:window.${MARKER}='bibtex-js' for code.}\n}\n`,
  );
  writeFileSync(join(folder, 'hostile_model.py'), MODEL);
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'archlens.corpus.files': ['hostile-papers.jsonl', 'hostile-papers.bib'], 'archlens.debounceMs': SETTING_PAYLOAD }, null, 2));
}

/**
 * Looks in every frame of the page (the workbench, the webview hosts and the webviews inside them) for a
 * payload that became markup or ran: its elements, an active javascript: or foreign command: link, or its
 * side effects. Returns what it found, one line per finding (empty when all is well).
 */
export async function payloadTraces(page) {
  const found = [];
  for (const frame of page.frames()) {
    const traces = await frame
      .evaluate((marker) => {
        const out = [];
        if (window[marker] !== undefined) out.push(`window.${marker} = ${String(window[marker])}`);
        if (document.title.includes('pwned')) out.push(`document.title = ${document.title}`);
        if (String(window.name).includes('pwned')) out.push(`window.name = ${window.name}`);
        for (const selector of ['img[src="x"]', 'iframe[srcdoc]', '[onerror]', 'a[href^="javascript:"]', 'a[data-href^="javascript:"]', 'a[href*="workbench.action.quit"]', 'a[data-href*="workbench.action.quit"]']) {
          const count = document.querySelectorAll(selector).length;
          if (count > 0) out.push(`${count} × ${selector}`);
        }
        // VS Code's own acquireVsCodeApi script carries the panel's saved state (the last query) as a string.
        for (const script of document.querySelectorAll('script')) {
          if (script.textContent.includes(marker) && !script.textContent.includes('acquireVsCodeApi')) out.push(`a script element from a payload: ${script.textContent.slice(0, 120)}`);
        }
        return out;
      }, MARKER)
      .catch(() => []); // a frame that navigated away meanwhile
    for (const trace of traces) found.push(`${frame.url().slice(0, 80)}: ${trace}`);
  }
  return found;
}
