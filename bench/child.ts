// Measurements that need a fresh process, run by bench/activation.ts as `node dist/bench-child.js <mode>`;
// each prints one JSON object on stdout.
//   activate                  loads dist/extension.js with a stub vscode module and times activate()
//   first-findings <file>     wasm start-up, parse and recognition of a newly opened file, cold
//   memory                    heap and wasm memory across open/edit/close cycles (run with --expose-gc)
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { Analyzer } from '../src/core/analyze';
import { nodeGrammarSource } from '../src/node/grammar';
import { initWasmMemoryProbe, memoryCycles } from './memory';

/**
 * A stand-in for the `vscode` module: every property is another stand-in, every call and `new` is
 * recorded and returns a stand-in (so disposables, event subscriptions and emitters all work), except
 * for the few values activation reads as data.
 */
function stubs(calls: string[]): (path: string) => unknown {
  const values: Record<string, unknown> = {
    'workspace.textDocuments': [],
    'workspace.workspaceFolders': undefined,
    'workspace.isTrusted': true,
    'window.activeTextEditor': undefined,
    'window.visibleTextEditors': [],
    'workspace.getConfiguration': () => ({ get: (_key: string, fallback?: unknown) => fallback, inspect: () => undefined, has: () => false }),
  };
  const make = (path: string): unknown => {
    const children = new Map<PropertyKey, unknown>();
    return new Proxy(function stub() {}, {
      get(_target, property) {
        if (property === 'then') return undefined; // not a promise
        if (property === Symbol.toPrimitive) return () => `[stub ${path}]`;
        if (property === Symbol.iterator) return function* () {};
        if (typeof property === 'symbol') return undefined;
        if (children.has(property)) return children.get(property);
        const child = path ? `${path}.${property}` : property;
        const value = child in values ? values[child] : make(child);
        children.set(property, value);
        return value;
      },
      set(_target, property, value) {
        children.set(property, value);
        return true;
      },
      apply(_target, _self, args: unknown[]) {
        calls.push(path);
        void args;
        return make(`${path}()`);
      },
      construct(_target) {
        calls.push(`new ${path}`);
        return make(`new ${path}`) as object;
      },
    });
  };
  return make;
}

function activate(root: string): object {
  const calls: string[] = [];
  const stub = stubs(calls);
  // The bundle copies the module's own property names (esbuild's ESM interop), so the stand-in lists
  // the API's top-level names, read from @types/vscode.
  const declarations = readFileSync(join(root, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  const vscode: Record<string, unknown> = {};
  for (const [, name] of declarations.matchAll(/^\texport (?:class|namespace|enum|function|const|let|var) (\w+)/gm)) {
    let value: unknown;
    Object.defineProperty(vscode, name, { get: () => (value ??= stub(name)), enumerable: true, configurable: true });
  }
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const subscriptions: Array<{ dispose?: () => void }> = [];
  // An ExtensionContext whose subscriptions are a real array (activation pushes every registration there).
  const rest = stub('context') as Record<string, unknown>;
  const context = new Proxy({ subscriptions, extensionPath: root }, { get: (target, p) => (p in target ? target[p as keyof typeof target] : rest[p as string]) });
  const requireStart = performance.now();
  const extension = createRequire(__filename)(join(root, 'dist', 'extension.js')) as { activate: (context: unknown) => unknown };
  const requireMs = performance.now() - requireStart;
  const activateStart = performance.now();
  extension.activate(context);
  const activateMs = performance.now() - activateStart;
  const registrations = calls.filter((c) => /\.(register\w+|create\w+)$/.test(c));
  return { requireMs, activateMs, subscriptions: subscriptions.length, registrations: registrations.length, kinds: [...new Set(registrations)].sort() };
}

async function firstFindings(file: string): Promise<object> {
  const text = readFileSync(file, 'utf8');
  const started = performance.now();
  const analyzer = await Analyzer.create(nodeGrammarSource(__dirname));
  const readyMs = performance.now() - started;
  // As the editor does for a newly opened document: a tracked DocumentAnalysis and its first update.
  const document = analyzer.openDocument({ minConfidence: 0.5 });
  const analysis = document.update(text);
  const totalMs = performance.now() - started;
  document.dispose();
  analyzer.dispose();
  return { wasmMs: readyMs, analyzeMs: totalMs - readyMs, totalMs, findings: analysis.findings.length, lines: text.split('\n').length - 1 };
}

async function main(): Promise<void> {
  const [mode, argument] = process.argv.slice(2);
  const root = join(__dirname, '..');
  if (mode === 'activate') process.stdout.write(JSON.stringify(activate(root)));
  else if (mode === 'first-findings' && argument) process.stdout.write(JSON.stringify(await firstFindings(argument)));
  else if (mode === 'memory') {
    await initWasmMemoryProbe(root);
    process.stdout.write(JSON.stringify(await memoryCycles(root)));
  } else throw new Error('usage: bench-child.js activate | first-findings <file> | memory');
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
