// npm run corpus: converts seeds/raw/<listing>.txt (+ seeds/tag-corrections.txt) into seeds/papers.json.
// Run it after changing the tagger rules, the corrections or the raw listing; a test fails until you do.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundledCorpus, serializeCorpus } from '../src/core/corpus/build';

export const SEEDS = join(__dirname, '..', 'seeds');
export const RAW_LISTING = '000_f4bf7b1adefb95b6.txt';

const { corpus, problems } = buildBundledCorpus(
  RAW_LISTING,
  readFileSync(join(SEEDS, 'raw', RAW_LISTING), 'utf8'),
  readFileSync(join(SEEDS, 'tag-corrections.txt'), 'utf8'),
);
for (const problem of problems) console.error(`convert-corpus: ${problem}`);
writeFileSync(join(SEEDS, 'papers.json'), serializeCorpus(corpus));
console.log(`wrote seeds/papers.json: ${corpus.papers.length} papers`);
if (problems.length > 0) process.exitCode = 1;
