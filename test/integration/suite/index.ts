// Runs inside the real VS Code extension host (code-server), started by @vscode/test-electron's runTests.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Lines the launcher relays to the terminal carry this mark (the browser console holds much else). */
const MARK = '[archlens-test]';

export function run(): Promise<void> {
  // Mocha's reporters print through Base.consoleLog; mark each line for the launcher.
  const original = console.log;
  const emit = (...args: unknown[]) => original(`${MARK} ${format(...args)}`);
  Mocha.reporters.Base.consoleLog = emit;
  console.log = emit;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0 } = runner.stats ?? {};
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
    });
  });
}
