#!/usr/bin/env node
// UI tests through the real workbench: the packaged .vsix installed into code-server, driven in Debian's
// Chromium with playwright-core. Each step asserts what a person would see and saves a screenshot under
// test-artifacts/ui/ (git-ignored) to look at. The workspace also holds hostile input (test/ui/hostile.mjs):
// the steps on it check in every frame that no payload became markup or ran. Last, a second editor with
// workspace trust on opens the same workspace untrusted (Restricted Mode), then trusts it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVsix, launchChromium, ROOT, startCodeServer } from '../../scripts/e2e/code-server.mjs';
import * as hostile from './hostile.mjs';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'ui');
rmSync(ARTIFACTS, { recursive: true, force: true });
mkdirSync(ARTIFACTS, { recursive: true });

// The .vsix under test: built now unless one is given.
let vsix = process.env.ARCHLENS_VSIX;
if (!vsix) {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  vsix = join(ROOT, readdirSync(ROOT).find((f) => /^archlens-.*\.vsix$/.test(f)));
}

const scratch = mkdtempSync(join(tmpdir(), 'archlens-ui-'));
const workspace = join(scratch, 'workspace');
cpSync(join(ROOT, 'seeds', 'examples'), workspace, { recursive: true });
// A user corpus (named in the workspace settings) and a model that carry hostile markup.
hostile.writeHostileWorkspace(workspace);
const userDataDir = join(scratch, 'user-data');
const extensionsDir = join(scratch, 'extensions');
installVsix(vsix, extensionsDir, userDataDir);

const results = [];
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`  ✖ ${name}: ${error.message.split('\n')[0]}`);
    await page.screenshot({ path: join(ARTIFACTS, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    // The workbench's logs (ArchLens's output channel among them) explain what the screenshot cannot.
    for (const dir of [join(scratch, 'user-data', 'logs'), join(scratch, 'user-data-trust', 'logs')]) {
      try {
        cpSync(dir, join(ARTIFACTS, `failed-${name.replace(/\W+/g, '-')}-logs`, dir.split(/[\\/]/).at(-2)), { recursive: true });
      } catch {
        // no logs there (yet)
      }
    }
  }
}
const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

const EDITOR_SETTINGS = { 'editor.stickyScroll.enabled': false, 'workbench.colorTheme': 'Default Light Modern' };
let server = await startCodeServer({ userDataDir, extensionsDir, settings: EDITOR_SETTINGS });
let browser = await launchChromium(join(scratch, 'chromium'));
let page = browser.pages()[0] ?? (await browser.newPage());
// ArchLens's own webview (a Markdown preview is a webview too).
const panelFrame = () => page.frameLocator('iframe.webview.ready[src*="extensionId=archlens.archlens"]').frameLocator('#active-frame');

async function openFile(name) {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).click();
  await page.locator(`.tab[aria-label*="${name}"]`).first().waitFor();
}

async function command(title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${title}`);
  // The row whose label is exactly the command (not one that merely contains it).
  await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`).first().click();
}

async function gotoLine(line) {
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** Shows the hover at the cursor until `card` is visible (the first request can race the analysis). */
async function showHover(card) {
  for (let attempt = 0; attempt < 10 && !(await card.isVisible()); attempt++) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await card.waitFor({ state: 'visible', timeout: 1500 }).catch(() => undefined);
  }
  return card.innerText();
}

/** Fails when any frame shows a trace of a payload that became markup or ran. */
async function assertNoPayloadTraces() {
  const traces = await hostile.payloadTraces(page);
  if (traces.length > 0) throw new Error(`a payload became markup or ran: ${traces.join('; ')}`);
}

/** The link targets in a rendered hover card: all must be ArchLens's own allow-listed commands. */
async function assertOnlyArchLensLinks(card) {
  const targets = await card.evaluate((el) => [...el.querySelectorAll('a')].map((a) => a.getAttribute('data-href') ?? a.getAttribute('href') ?? ''));
  if (targets.length === 0) throw new Error('the card has none of its own links (the check would be vacuous)');
  const foreign = targets.filter((t) => !/^command:archlens\.(revealLine|openPaper|showPatternPapers|explainModel|explainPattern)(\?|$)/.test(t));
  if (foreign.length > 0) throw new Error(`the card links to ${foreign.join(', ')}`);
  const elements = await card.evaluate((el) => el.querySelectorAll('img, script, iframe, svg:not(.codicon), b').length);
  if (elements > 0) throw new Error(`the card holds ${elements} element(s) from a payload`);
}

/** Back to the panel's search results (from an abstract or a model), then searches. */
async function panelSearch(query) {
  const back = panelFrame().locator('#detail:not([hidden]) button.back');
  if ((await back.count()) > 0) await back.first().click();
  await panelFrame().locator('#search').fill(query);
  // The status names the query once its results are in (earlier results may still be on screen).
  const answered = async () => ((await panelFrame().locator('#status').textContent()) ?? '').includes(`“${query}”`);
  for (const deadline = Date.now() + 15_000; !(await answered()); ) {
    if (Date.now() > deadline) throw new Error(`no results for "${query}": ${await panelFrame().locator('#status').textContent()}`);
    await page.waitForTimeout(100);
  }
}

/** The panel's page, checked from inside: only the elements the panel builds, only its own script. */
async function assertPanelInert() {
  const problems = await panelFrame()
    .locator('body')
    .evaluate((body) => {
      const allowed = new Set(['DIV', 'INPUT', 'P', 'UL', 'LI', 'MAIN', 'ARTICLE', 'BUTTON', 'H2', 'H3', 'H4', 'MARK', 'SPAN', 'A', 'SECTION', 'CODE', 'SCRIPT']);
      const out = [...body.querySelectorAll('*')].filter((e) => !allowed.has(e.tagName)).map((e) => e.tagName);
      // The panel's own script (by nonce) and the one VS Code adds for acquireVsCodeApi; nothing else.
      for (const script of document.scripts) {
        if (script.src ? !(script.nonce && script.src.endsWith('/dist/webview.js')) : !script.textContent.includes('acquireVsCodeApi')) out.push(`a script ${script.src || script.textContent.slice(0, 60)}`);
      }
      for (const a of body.querySelectorAll('a')) if (a.getAttribute('href') !== '#') out.push(`a link to ${a.getAttribute('href')}`);
      return out;
    });
  if (problems.length > 0) throw new Error(`the panel holds ${problems.join(', ')}`);
}

try {
  console.log('ArchLens UI (code-server + Chromium)');
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  await step('opens an example model and shows code lenses', async () => {
    await openFile('sparse_moe_transformer.py');
    await page.locator('.monaco-editor .codelens-decoration:has-text("papers · trade-offs")').first().waitFor({ timeout: 30_000 });
    await shot('01-example-with-lenses');
  });

  await step('shows a hostile setting value in a warning as text, never as a link', async () => {
    const message = page.locator('.notification-toast .notification-list-item-message:has-text("archlens.debounceMs")').first();
    await message.waitFor({ timeout: 15_000 });
    const text = await message.innerText();
    if (!text.includes('[Fix ArchLens]')) throw new Error(`the warning does not quote the value: ${text}`);
    const links = await message.locator('a').count();
    if (links > 0) throw new Error(`the warning holds ${links} link(s): ${text}`);
    await assertNoPayloadTraces();
    await shot('01b-hostile-setting-warning');
    await command('Notifications: Clear All Notifications');
  });

  await step('hovers a class and reads the card', async () => {
    await gotoLine(57);
    const name = page.locator('.monaco-editor .view-line span:text-is("SparseMoE")').first();
    await name.click();
    const card = page.locator('.monaco-hover-content:has-text("Mixture of experts")');
    for (let attempt = 0; attempt < 10 && !(await card.isVisible()); attempt++) {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      await card.waitFor({ state: 'visible', timeout: 1500 }).catch(() => undefined);
    }
    const text = await card.innerText();
    for (const expected of ['SparseMoE', 'Evidence', 'self.router = nn.Linear', 'Open abstract', 'All papers for this pattern']) {
      if (!text.includes(expected)) throw new Error(`hover card lacks "${expected}": ${text.slice(0, 300)}`);
    }
    await shot('02-hover-card');
    await page.keyboard.press('Escape');
  });

  await step('clicks the code lens and reads the model in the paper panel', async () => {
    await page.locator('.monaco-editor .codelens-decoration a:has-text("Mixture of experts")').first().click();
    const heading = panelFrame().locator('h2:text-is("SparseMoE")');
    await heading.waitFor({ timeout: 20_000 });
    const body = await panelFrame().locator('#detail').innerText();
    for (const expected of ['Mixture of experts', 'Evidence', 'Papers', 'ModuleFormer']) {
      if (!body.includes(expected)) throw new Error(`panel lacks "${expected}"`);
    }
    await shot('03-panel-model');
  });

  await step('searches in the panel and opens an abstract with highlighted terms', async () => {
    await panelFrame().locator('button.back').first().click();
    const input = panelFrame().locator('#search');
    await input.fill('inceptoin');
    const first = panelFrame().locator('#results .result').first();
    await first.waitFor({ timeout: 10_000 });
    if (!(await first.innerText()).includes('Inception')) throw new Error('the typo did not find Inception');
    await input.press('ArrowDown');
    await page.keyboard.press('Enter');
    await panelFrame().locator('h2:has-text("Rethinking the Inception")').waitFor({ timeout: 10_000 });
    if ((await panelFrame().locator('mark').count()) === 0) throw new Error('no highlighted term in the abstract');
    await shot('04-panel-abstract');
  });

  await step('keeps the panel state across hide and show', async () => {
    await page.keyboard.press('Control+Shift+E');
    await page.locator('.explorer-folders-view').waitFor();
    await command('ArchLens: Show Paper Panel');
    await panelFrame().locator('h2:has-text("Rethinking the Inception")').waitFor({ timeout: 10_000 });
  });

  await step('shows hostile corpus records (JSONL and BibTeX) as text in the paper panel', async () => {
    await command('ArchLens: Show Paper Panel');
    await panelSearch('zygomorph');
    const result = panelFrame().locator('#results .result-title').first();
    if ((await result.textContent()) !== hostile.PAPER_TITLE) throw new Error(`result title: ${JSON.stringify(await result.textContent())}`);
    await result.click();
    const heading = panelFrame().locator('#detail h2');
    await heading.waitFor({ timeout: 10_000 });
    if ((await heading.textContent()) !== hostile.PAPER_TITLE) throw new Error(`abstract heading: ${await heading.textContent()}`);
    const abstract = await panelFrame().locator('#detail p.abstract').textContent();
    if (abstract !== hostile.PAPER_ABSTRACT) throw new Error(`abstract: ${abstract}`);
    const links = await panelFrame().locator('#detail ul.links a').allTextContents();
    if (links.join() !== hostile.SAFE_URL) throw new Error(`links shown: ${links.join(', ')} (only the https URL may be)`);
    await assertPanelInert();
    await shot('08-hostile-abstract');
    await panelSearch('zygobib');
    await panelFrame().locator('#results .result-title').first().click({ timeout: 15_000 });
    await panelFrame().locator('#detail h2').waitFor({ timeout: 10_000 });
    if ((await panelFrame().locator('#detail h2').textContent()) !== hostile.BIB_TITLE) throw new Error('the BibTeX title is not shown as written');
    await assertPanelInert();
    const query = `<img src=x onerror="window.${hostile.MARKER}='query'">`;
    await panelSearch(query);
    await assertPanelInert();
    await assertNoPayloadTraces();
  });

  await step('shows hostile evidence, a hostile class docstring and a hostile citation as text in hovers', async () => {
    await page.keyboard.press('Control+Shift+E');
    await openFile('hostile_model.py');
    await gotoLine(hostile.MODEL_CLASS_LINE);
    await page.locator(`.monaco-editor .view-line span:text-is("${hostile.MODEL_CLASS}")`).first().click();
    const card = page.locator('.monaco-hover-content:has-text("Mixture of experts")');
    const text = await showHover(card);
    if (!text.includes(hostile.EVIDENCE_PAYLOAD)) throw new Error(`the evidence payload is not shown as text: ${text.slice(0, 400)}`);
    await assertOnlyArchLensLinks(card);
    await assertNoPayloadTraces();
    await shot('09-hostile-hover');
    await page.keyboard.press('Escape');
    await gotoLine(hostile.CITATION_LINE);
    await page.keyboard.press('End');
    const citation = page.locator('.monaco-hover-content:has-text("Zygomorph routing")');
    const citationText = await showHover(citation);
    for (const expected of [hostile.PAPER_TITLE, '[quit](command:workbench.action.quit)', '<a href="javascript:']) {
      if (!citationText.includes(expected)) throw new Error(`the citation hover lacks "${expected}" as text: ${citationText.slice(0, 400)}`);
    }
    await assertOnlyArchLensLinks(citation);
    await assertNoPayloadTraces();
    await shot('10-hostile-citation-hover');
    await page.keyboard.press('Escape');
  });

  await step('shows hostile evidence as text in the Architecture view and the model view', async () => {
    await command('ArchLens: Focus on Architecture View');
    const tree = page.locator('.monaco-list[aria-label*="Architecture"], [id="workbench.view.extension.archlens"] .monaco-list').first();
    const pattern = tree.locator('.monaco-list-row[aria-level="2"]:has-text("Mixture of experts")').first();
    await pattern.waitFor({ timeout: 15_000 });
    if ((await pattern.getAttribute('aria-expanded')) !== 'true') await pattern.click();
    const evidence = tree.locator('.monaco-list-row:has-text("L12")').first();
    await evidence.waitFor({ timeout: 10_000 });
    const row = await evidence.innerText();
    if (!row.includes(hostile.EVIDENCE_PAYLOAD)) throw new Error(`the evidence row: ${row}`);
    // Its tooltip (the whole line, as the row is narrow) is text too.
    await evidence.hover();
    const tooltip = page.locator(`.monaco-hover:has-text("${hostile.EVIDENCE_PAYLOAD.replace(/"/g, '\\"')}")`).first();
    await tooltip.waitFor({ timeout: 10_000 });
    if ((await tooltip.evaluate((el) => el.querySelectorAll('img, script, iframe, a').length)) > 0) throw new Error('the tooltip holds markup from the payload');
    await assertNoPayloadTraces();
    await shot('11-hostile-tree');
    await page.mouse.move(700, 700);
    // Back in the editor, as a person would be before clicking a lens (focusing it also refreshes lenses).
    await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
    await page.locator('.monaco-editor .codelens-decoration a:has-text("Mixture of experts")').first().click();
    await panelFrame().locator(`h2:text-is("${hostile.MODEL_CLASS}")`).waitFor({ timeout: 20_000 });
    const code = await panelFrame().locator('#detail ul.evidence code').allInnerTexts();
    if (!code.some((c) => c.includes(hostile.EVIDENCE_PAYLOAD))) throw new Error(`model view evidence: ${code.join(' | ')}`);
    await assertPanelInert();
    await assertNoPayloadTraces();
    await shot('12-hostile-model');
  });


  await step('runs the walkthrough\'s first step', async () => {
    await command('Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row:has-text("Get started with ArchLens")').first().click();
    await page.locator('.getting-started-step:has-text("Open an example model")').first().waitFor({ timeout: 15_000 });
    await shot('05-walkthrough');
    await page.locator('.getting-started-step:has-text("Open an example model") a:has-text("Open Example Model"), .getting-started-step:has-text("Open an example model") .button-link:has-text("Open Example Model")').first().click();
    await page.locator('.tab:has-text("Untitled")').first().waitFor({ timeout: 15_000 });
  });

  for (const [theme, file] of [['Dark Modern', '06-dark'], ['Dark High Contrast', '07-high-contrast']]) {
    await step(`switches to ${theme} and the panel follows the theme`, async () => {
      await command('Preferences: Color Theme');
      await page.locator('.quick-input-widget input').fill(theme);
      await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${theme}"]`).first().click();
      await page.locator(`.monaco-workbench.${theme.includes('High') ? 'hc-black' : 'vs-dark'}`).waitFor({ timeout: 10_000 });
      await command('ArchLens: Search Papers');
      await page.locator('.quick-input-widget input').fill('mixture of experts');
      await page.locator('.quick-input-list .monaco-list-row:has-text("ModuleFormer")').first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await panelFrame().locator('h2:has-text("ModuleFormer")').waitFor({ timeout: 10_000 });
      const background = await panelFrame().locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
      if (background === 'rgb(255, 255, 255)') throw new Error('the panel kept a light background in a dark theme');
      await shot(file);
    });
  }
  await step('shows hostile evidence as text in the Markdown explanation', async () => {
    await page.keyboard.press('Control+Shift+E');
    await openFile('hostile_model.py');
    await gotoLine(hostile.MODEL_CLASS_LINE + 6);
    await command('ArchLens: Explain This Model as Markdown');
    const deadline = Date.now() + 20_000;
    let shown = false;
    while (!shown && Date.now() < deadline) {
      // The preview's frame: a document headed by the class, with the evidence table (the panel has neither).
      for (const frame of page.frames()) {
        const table = await frame.evaluate((name) => (document.querySelector('h1')?.textContent === name ? (document.querySelector('table')?.innerText ?? '') : ''), hostile.MODEL_CLASS).catch(() => '');
        if (table.includes(hostile.EVIDENCE_PAYLOAD)) shown = true;
      }
      if (!shown) await page.waitForTimeout(250);
    }
    if (!shown) throw new Error('no preview shows the class and its evidence as text');
    await assertNoPayloadTraces();
    await shot('13-hostile-explanation');
  });

  // Workspace trust: the same workspace (its settings name the hostile corpus) in a fresh editor with
  // trust enabled, opened untrusted. Restricted Mode must ignore the corpus and keep everything else.
  await browser.close();
  server.stop();
  // The user settings name a corpus too: VS Code itself hides only workspace values of restricted settings,
  // so this one proves ArchLens's own check (readSettings ignores corpus files when untrusted).
  const userCorpus = { 'archlens.corpus.files': [join(workspace, 'hostile-papers.bib')] };
  server = await startCodeServer({ userDataDir: join(scratch, 'user-data-trust'), extensionsDir, workspaceTrust: true, settings: { ...EDITOR_SETTINGS, ...userCorpus } });
  browser = await launchChromium(join(scratch, 'chromium-trust'));
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  await step('opens an untrusted workspace in Restricted Mode (the trust dialog answered "No")', async () => {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.locator('.monaco-button:has-text("No, I don\'t trust the authors")').click();
    await page.locator('.statusbar-item:has-text("Restricted Mode")').first().waitFor({ timeout: 10_000 });
  });

  await step('in Restricted Mode recognition works: code lenses and hover cards', async () => {
    await openFile('hostile_model.py');
    await page.locator('.monaco-editor .codelens-decoration:has-text("Mixture of experts")').first().waitFor({ timeout: 30_000 });
    await gotoLine(hostile.MODEL_CLASS_LINE);
    await page.locator(`.monaco-editor .view-line span:text-is("${hostile.MODEL_CLASS}")`).first().click();
    const text = await showHover(page.locator('.monaco-hover-content:has-text("Mixture of experts")'));
    if (!text.includes('Evidence')) throw new Error(`no hover card in Restricted Mode: ${text.slice(0, 200)}`);
    await page.keyboard.press('Escape');
    await shot('14-restricted-lens-hover');
  });

  await step('in Restricted Mode the workspace\'s corpus is ignored (and the log says so); bundled papers are searchable', async () => {
    await command('ArchLens: Show Paper Panel');
    await panelSearch('zygomorph');
    const status = await panelFrame().locator('#status').textContent();
    if (status !== 'No paper matches “zygomorph”.') throw new Error(`the untrusted workspace's corpus was loaded: ${status}`);
    await panelSearch('zygobib');
    if ((await panelFrame().locator('#status').textContent()) !== 'No paper matches “zygobib”.') throw new Error('the corpus named in the user settings was loaded in an untrusted workspace');
    await panelSearch('mixture of experts');
    await panelFrame().locator('#results .result-title:has-text("ModuleFormer")').first().waitFor({ timeout: 10_000 });
    await shot('15-restricted-panel');
    await command('ArchLens: Show Log');
    const log = page.locator('[id="workbench.panel.output"] .view-lines');
    await log.filter({ hasText: 'archlens.corpus.files is ignored' }).waitFor({ timeout: 10_000 });
    await shot('16-restricted-log');
  });

  await step('once the workspace is trusted its corpus is searchable', async () => {
    await command('Workspaces: Manage Workspace Trust');
    await page.locator('.workspace-trust-editor .monaco-button:text-is("Trust")').first().click({ timeout: 15_000 });
    await page.locator('.statusbar-item:has-text("Restricted Mode")').first().waitFor({ state: 'detached', timeout: 10_000 });
    await command('ArchLens: Show Paper Panel');
    await panelSearch('zygomorph');
    const result = panelFrame().locator('#results .result-title').first();
    await result.waitFor({ timeout: 15_000 });
    if ((await result.textContent()) !== hostile.PAPER_TITLE) throw new Error(`after trusting, the first result is ${await result.textContent()}`);
    await shot('17-trusted-panel');
  });
} finally {
  await browser.close().catch(() => undefined);
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\nscreenshots: ${ARTIFACTS}`);
console.log(`ui: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
