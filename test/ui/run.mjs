#!/usr/bin/env node
// UI tests through the real workbench: the packaged .vsix installed into code-server, driven in Debian's
// Chromium with playwright-core. Each step asserts what a person would see and saves a screenshot under
// test-artifacts/ui/ (git-ignored) to look at.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVsix, launchChromium, ROOT, startCodeServer } from '../../scripts/e2e/code-server.mjs';

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
  }
}
const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

const server = await startCodeServer({ userDataDir, extensionsDir, settings: { 'editor.stickyScroll.enabled': false, 'workbench.colorTheme': 'Default Light Modern' } });
const browser = await launchChromium(join(scratch, 'chromium'));
const page = browser.pages()[0] ?? (await browser.newPage());
const panelFrame = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

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

try {
  console.log('ArchLens UI (code-server + Chromium)');
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  await step('opens an example model and shows code lenses', async () => {
    await openFile('sparse_moe_transformer.py');
    await page.locator('.monaco-editor .codelens-decoration:has-text("papers · trade-offs")').first().waitFor({ timeout: 30_000 });
    await shot('01-example-with-lenses');
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
} finally {
  await browser.close().catch(() => undefined);
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\nscreenshots: ${ARTIFACTS}`);
console.log(`ui: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
