// Builds every target from one place: the CLI now; the extension host and webview bundles join later.
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
  const version = require('./package.json').version;
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    define: { ARCHLENS_VERSION: JSON.stringify(version) },
    // The ESM build reads import.meta.url, which a CommonJS bundle lacks; the package's CJS build does not.
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter').replace(/\.js$/, '.cjs') },
  };
  const contexts = await Promise.all([
    esbuild.context({ ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js' }),
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
