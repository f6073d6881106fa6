#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests starts: reads the usual
// flags, starts code-server (a real VS Code 1.100 workbench and extension host), opens the workbench
// in headless Chromium with VS Code's test flags in the URL, relays the test output and exits with the
// test run's result.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchChromium, startCodeServer } from '../../scripts/e2e/code-server.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const folder = args.find((a) => !a.startsWith('--'));
const [testsPath] = flag('extensionTestsPath');
const developmentPaths = flag('extensionDevelopmentPath');
const [userDataDir] = flag('user-data-dir');
const [extensionsDir] = flag('extensions-dir');
if (!folder || !testsPath || developmentPaths.length === 0 || !userDataDir || !extensionsDir) {
  console.error(`launcher: expected a folder and --extensionTestsPath, --extensionDevelopmentPath, --user-data-dir, --extensions-dir; got ${args.join(' ')}`);
  process.exit(2);
}
const timeoutMs = Number(process.env.ARCHLENS_TEST_TIMEOUT_MS ?? 10 * 60_000);

const server = await startCodeServer({
  userDataDir: resolve(userDataDir),
  extensionsDir: resolve(extensionsDir),
  workspaceTrust: !args.includes('--disable-workspace-trust'),
  logFile: join(resolve(userDataDir), 'code-server.log'),
});
let browser;
let exitCode = 1;
try {
  const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${resolve(path)}`;
  const payload = [...developmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]), ['extensionTestsPath', remote(testsPath)]];
  const url = `${server.url}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const profile = join(resolve(userDataDir), 'chromium');
  mkdirSync(profile, { recursive: true });
  browser = await launchChromium(profile);
  const page = browser.pages()[0] ?? (await browser.newPage());
  const finished = new Promise((done) => {
    // The workbench calls this with the result when the test module's run() settles.
    void page.exposeFunction('codeAutomationExit', (code) => done(code));
  });
  const consoleLog = join(resolve(userDataDir), 'browser-console.log');
  page.on('console', async (message) => {
    const values = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => a.toString())));
    const [first, ...rest] = values;
    const text = typeof first === 'string' ? format(first.replace(/%c/g, ''), ...rest.filter((v, i) => !(first.split('%c').length > 1 && i < first.split('%c').length - 1))) : message.text();
    appendFileSync(consoleLog, `${message.type()}: ${text}\n`);
    // Relay the test report (marked by the suite); the workbench's own chatter stays in the log file.
    const marked = text.indexOf('[archlens-test]');
    if (marked >= 0) process.stdout.write(`${text.slice(marked + 15).replace(/^ /, '')}\n`);
  });
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  await page.goto(url);
  const timeout = new Promise((done) => setTimeout(() => done('timeout'), timeoutMs));
  const result = await Promise.race([finished, timeout]);
  if (result === 'timeout') {
    console.error(`launcher: tests did not finish within ${timeoutMs / 1000} s`);
    exitCode = 1;
  } else {
    exitCode = Number(result) || 0;
    // Console events arrive asynchronously: give the last report lines a moment to be relayed.
    await new Promise((r) => setTimeout(r, 500));
  }
} catch (error) {
  console.error(`launcher: ${error.stack ?? error}`);
  console.error(server.output().slice(-4000));
} finally {
  await browser?.close().catch(() => undefined);
  server.stop();
}
process.exit(exitCode);
