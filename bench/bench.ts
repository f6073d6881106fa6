// npm run bench [folder] [-- --only <section,...>]: every performance figure of docs/PERFORMANCE.md from one
// run, each printed with its target and whether it was met, then a summary table. The default corpus is
// a synthetic tree of model code generated from our fixtures (bench/synthetic.ts); a folder argument
// runs the workspace-scale figures over any real repository instead.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/node/knowledge';
import { benchActivation } from './activation';
import { benchEditor } from './editor';
import { benchMemory } from './memory';
import { machine, mib, note, section, summaryTable } from './report';
import { benchScans } from './scans';
import { benchSearch } from './search';
import { benchSize } from './size';
import { ensureSyntheticCorpus } from './synthetic';
import { listPythonFiles } from '../src/node/files';
import { statSync } from 'node:fs';

const SECTIONS = ['scans', 'editor', 'activation', 'memory', 'size', 'search'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { only: { type: 'string' } } });
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  for (const name of only ?? []) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section '${name}' (sections: ${SECTIONS.join(', ')})`);
  const wanted = (name: Section) => !only || only.has(name);
  const root = packageRoot(__dirname);
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run bench` (it builds first)');
  const started = performance.now();

  console.log('ArchLens benchmark');
  console.log(machine());
  let folder: string;
  let bytes: number;
  if (positionals[0]) {
    folder = resolve(positionals[0]);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${positionals[0]} is not a folder`);
    bytes = listPythonFiles([folder], () => undefined).reduce((sum, file) => sum + statSync(file).size, 0);
    console.log(`corpus: ${folder} (${mib(bytes)} of Python)`);
  } else {
    const corpus = ensureSyntheticCorpus(root, join(root, '.bench-cache'));
    folder = corpus.folder;
    bytes = corpus.bytes;
    console.log(`corpus: synthetic, ${corpus.files} files (${corpus.modelFiles} model, ${corpus.helperFiles} helper), ${mib(bytes)}, longest ${corpus.largestLines} lines — ${corpus.regenerated ? `generated in ${(corpus.generationMs / 1000).toFixed(1)} s` : 'cached'} in ${folder}`);
  }

  if (wanted('scans')) await benchScans(root, folder, bytes);
  if (wanted('editor')) await benchEditor(root);
  if (wanted('activation')) await benchActivation(root);
  if (wanted('memory')) await benchMemory(root);
  if (wanted('size')) await benchSize(root);
  if (wanted('search')) await benchSearch(root);

  section('Summary');
  console.log(summaryTable());
  note(`whole run: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
