#!/usr/bin/env node
// Runs the integration suite inside a real VS Code extension host: @vscode/test-electron's runTests,
// with code-server (from npm) standing in for the desktop executable (see launcher.mjs).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ensureCodeServer, ROOT } from '../../scripts/e2e/code-server.mjs';

ensureCodeServer();
const scratch = mkdtempSync(join(tmpdir(), 'archlens-it-'));
const workspace = join(scratch, 'workspace');
cpSync(join(ROOT, 'test', 'integration', 'workspace'), workspace, { recursive: true });
const results = join(scratch, 'results.json');
let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath: join(ROOT, 'test', 'integration', 'launcher.mjs'),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out', 'integration', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`],
    extensionTestsEnv: { ARCHLENS_TEST_RESULTS: results },
  });
} catch (error) {
  console.error(`integration tests failed: ${error.message ?? error}`);
  code = 1;
} finally {
  const counts = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : undefined;
  console.log(counts ? `\nintegration: ${counts.passes} passed, ${counts.failures} failed` : '\nintegration: the suite did not report (see the log above)');
  if (code === 0 && !process.env.ARCHLENS_KEEP_TEST_LOGS) rmSync(scratch, { recursive: true, force: true });
  else console.error(`integration: logs kept in ${scratch}/user-data (code-server.log, browser-console.log)`);
}
process.exit(code);
