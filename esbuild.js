// Builds every target from one place: the CLI, the benchmark and the extension host (webview later).
//   node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(__dirname, 'dist');

/** The wasm runtime and grammar are loaded as bytes at run time from beside the bundle. */
function copyWasm() {
  mkdirSync(dist, { recursive: true });
  copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
  copyFileSync(join(__dirname, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
}

async function main() {
  execFileSync(process.execPath, [join(__dirname, 'scripts', 'generate-pattern-index.mjs')], { stdio: 'inherit' });
  copyWasm();
  // The paper index is built here, once, and loaded from JSON at run time.
  require('tsx/cjs/api').require('./scripts/build-paper-index.ts', __filename).writePaperIndex(__dirname);
  const version = require('./package.json').version;
  // The engine's identity for result caches: the version plus a hash of the core's sources, so any
  // change to parsing or recognition invalidates cached results.
  const { createHash } = require('node:crypto');
  const { readdirSync, readFileSync, statSync } = require('node:fs');
  const engineHash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) engineHash.update(name).update(readFileSync(path));
    }
  };
  walk(join(__dirname, 'src', 'core'));
  const engine = `${version}+${engineHash.digest('hex').slice(0, 12)}`;
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    define: { ARCHLENS_VERSION: JSON.stringify(version), ARCHLENS_ENGINE: JSON.stringify(engine) },
    // The ESM build reads import.meta.url, which a CommonJS bundle lacks; the package's CJS build does not.
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter').replace(/\.js$/, '.cjs') },
  };
  const contexts = await Promise.all([
    esbuild.context({ ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js' }),
    esbuild.context({ ...common, entryPoints: ['src/node/scan-worker.ts'], outfile: 'dist/scan-worker.js' }),
    esbuild.context({ ...common, entryPoints: ['src/node/paper-index-worker.ts'], outfile: 'dist/paper-index-worker.js' }),
    esbuild.context({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
    // Measurements that need a fresh process (activation, first findings, memory), run by the benchmark.
    esbuild.context({ ...common, entryPoints: ['bench/child.ts'], outfile: 'dist/bench-child.js' }),
    // The extension host: vscode is provided by the editor at run time.
    esbuild.context({ ...common, entryPoints: ['src/editor/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
    // The paper panel's script runs in a webview: a browser bundle.
    esbuild.context({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' }),
    // Integration tests run inside the extension host: vscode and mocha come from the host and node_modules.
    esbuild.context({
      ...common,
      entryPoints: ['test/integration/suite/*.ts'],
      outdir: 'out/integration/suite',
      external: ['vscode', 'mocha'],
      minify: false,
      sourcemap: true,
    }),
  ]);
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(contexts.map((c) => c.rebuild()));
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
