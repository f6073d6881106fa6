#!/usr/bin/env node
// Takes the README's screenshot: the packaged .vsix installed in a real VS Code (code-server), an
// example model open, and the hover card on its mixture-of-experts class.
//   npm run package && node scripts/e2e/screenshot-hover.mjs [out.png]
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVsix, launchChromium, ROOT, startCodeServer } from './code-server.mjs';

const out = process.argv[2] ?? join(ROOT, 'media', 'screenshots', 'hover-card.png');
const vsix = readdirSync(ROOT).find((f) => /^archlens-.*\.vsix$/.test(f));
if (!vsix) throw new Error('no archlens-*.vsix: run `npm run package` first');
const scratch = mkdtempSync(join(tmpdir(), 'archlens-shot-'));
const workspace = join(scratch, 'workspace');
cpSync(join(ROOT, 'seeds', 'examples'), workspace, { recursive: true });
const userDataDir = join(scratch, 'user-data');
const extensionsDir = join(scratch, 'extensions');
installVsix(join(ROOT, vsix), extensionsDir, userDataDir);
const server = await startCodeServer({ userDataDir, extensionsDir, settings: { 'editor.stickyScroll.enabled': false, 'workbench.colorTheme': 'Default Dark Modern' } });
const browser = await launchChromium(join(scratch, 'chromium'));
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label="sparse_moe_transformer.py"]').click();
  await page.locator('.monaco-editor .view-line').first().waitFor();
  // Scroll the class to the top of the editor: go to the line below it, then reveal it at the top.
  const classLine = readFileSync(join(workspace, 'sparse_moe_transformer.py'), 'utf8').split('\n').findIndex((l) => l.startsWith('class SparseMoE')) + 1;
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(classLine + 10));
  await page.keyboard.press('Enter');
  const name = page.locator('.monaco-editor .view-line span:text-is("SparseMoE")').first();
  await name.waitFor({ timeout: 30_000 });
  // Put the cursor on the class name and ask for the hover from the keyboard (Ctrl+K Ctrl+I); the first
  // request can come before the extension has activated, so repeat until the card shows.
  await name.click();
  const card = page.locator('.monaco-hover-content:has-text("Mixture of experts")');
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    if (await card.waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) break;
  }
  await card.waitFor({ state: 'visible', timeout: 5000 });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} catch (error) {
  const page = browser.pages()[0];
  if (page) await page.screenshot({ path: join(tmpdir(), 'archlens-screenshot-failure.png') });
  console.error(`screenshot failed (page at ${join(tmpdir(), 'archlens-screenshot-failure.png')}): ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
