// Runs inside the real VS Code extension host (code-server), started by @vscode/test-electron's runTests.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Lines the launcher relays to the terminal carry this mark (the browser console holds much else). */
const MARK = '[archlens-test]';

/**
 * Promise rejections nobody handled and exceptions nobody caught in the extension host while the suite
 * runs. Any of them fails the run (after every test has run), named with the test during which it surfaced.
 */
const escaped: string[] = [];
const attributed: string[] = [];
function describeEscape(what: string, reason: unknown): string {
  return `${what}: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`;
}
process.on('unhandledRejection', (reason) => escaped.push(describeEscape('unhandled promise rejection', reason)));
process.on('uncaughtException', (error) => escaped.push(describeEscape('uncaught exception', error)));

export function run(): Promise<void> {
  // Mocha's reporters print through Base.consoleLog; mark each line for the launcher.
  const original = console.log;
  const emit = (...args: unknown[]) => original(`${MARK} ${format(...args)}`);
  Mocha.reporters.Base.consoleLog = emit;
  console.log = emit;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  mocha.rootHooks({
    afterEach(this: Mocha.Context) {
      // Not thrown here: a failing root hook would skip every later test.
      for (const problem of escaped.splice(0)) attributed.push(`during "${this.currentTest?.fullTitle() ?? 'a test'}": ${problem}`);
    },
    async afterAll() {
      // Work the last test started (a debounce, a pending analysis) may still fail: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const problem of escaped.splice(0)) attributed.push(`after the last test: ${problem}`);
      if (attributed.length > 0) throw new Error(`${attributed.length} unhandled rejection(s) or uncaught exception(s) in the extension host:\n${attributed.join('\n')}`);
    },
  });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((testFailures) => {
      const { passes = 0 } = runner.stats ?? {};
      // Anything that surfaced after the root hooks ran still fails the run.
      setTimeout(() => {
        const late = escaped.splice(0);
        for (const problem of late) emit(`after the suite: ${problem}`);
        const failures = testFailures + late.length;
        // A plain closing line the CI log reader understands.
        emit(`integration: ${passes} passed, ${failures} failed`);
        // The runner prints the closing line again after the launcher's own output.
        if (process.env.ARCHLENS_TEST_RESULTS) writeFileSync(process.env.ARCHLENS_TEST_RESULTS, JSON.stringify({ passes, failures }));
        console.log = original;
        // Let the console forwarding deliver the report before the workbench is told the run is over.
        setTimeout(() => {
          if (failures > 0) reject(new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`));
          else resolve();
        }, 1000);
      }, 200);
    });
  });
}
