import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundledCorpus, serializeCorpus } from '../../src/core/corpus/build';
import { extractUrls, parseSeedListing, slugify } from '../../src/core/corpus/convert';
import { applyCorrections, parseCorrections, tagsFor } from '../../src/core/corpus/tagger';
import { OFF_TOPIC, type CorpusFile } from '../../src/core/corpus/types';

const SEEDS = join(__dirname, '..', '..', 'seeds');
const RAW_NAME = '000_f4bf7b1adefb95b6.txt';
const raw = readFileSync(join(SEEDS, 'raw', RAW_NAME), 'utf8');
const corrections = readFileSync(join(SEEDS, 'tag-corrections.txt'), 'utf8');
const committed = readFileSync(join(SEEDS, 'papers.json'), 'utf8');
const corpus = JSON.parse(committed) as CorpusFile;

describe('bundled corpus conversion', () => {
  it('is up to date with the raw listing, the tagger and the corrections (run `npm run corpus`)', () => {
    const { corpus: fresh, problems } = buildBundledCorpus(RAW_NAME, raw, corrections);
    assert.deepEqual(problems, []);
    assert.equal(serializeCorpus(fresh), committed, 'seeds/papers.json is stale: run `npm run corpus` and review the diff');
  });

  it('drops the page chrome and the button label, keeping 163 papers', () => {
    assert.equal(corpus.papers.length, 163);
    assert.equal(corpus.papers[0].title, 'The Evolution of Multimodal Model Architectures');
    assert.ok(!corpus.papers.some((p) => /Get trending papers/.test(p.title) || /^Subscribe/.test(p.title)));
  });

  it('keeps every title and abstract exactly as in the source', () => {
    const lines = raw.split('\n');
    for (const paper of corpus.papers) {
      const titleLine = lines.findIndex((l) => l === paper.title || l === `Subscribe${paper.title}`);
      assert.ok(titleLine >= 0, `title of ${paper.id} is a source line`);
      assert.equal(lines[titleLine + 1], paper.abstract, `abstract of ${paper.id} is the next source line`);
    }
    assert.ok(corpus.papers.some((p) => p.title === 'Qua$^2$SeDiMo: Quantifiable Quantization Sensitivity of Diffusion Models'));
    assert.match(corpus.papers[corpus.papers.length - 1].abstract, /clinical texts\.$/, 'the last line (no trailing newline) is whole');
  });

  it('gives every paper a unique slug id', () => {
    const ids = corpus.papers.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(ids.includes('qua2sedimo-quantifiable-quantization-sensitivity-of-diffusion-models'));
  });

  it('extracts the URLs of the 34 abstracts that have them, without trailing punctuation', () => {
    assert.equal(corpus.papers.filter((p) => p.urls.length > 0).length, 34);
    for (const url of corpus.papers.flatMap((p) => p.urls)) assert.match(url, /^https?:\/\/\S+[^.,;:}\]]$/);
    assert.deepEqual(extractUrls('see https://github.com/a/b}. and https://x.org/y.'), ['https://github.com/a/b', 'https://x.org/y']);
  });

  it('marks buildings, landscapes, floorplans, clinical notes and quantum networks off-topic', () => {
    const offTopic = corpus.papers.filter((p) => p.tags.includes(OFF_TOPIC)).map((p) => p.id);
    for (const word of ['building', 'landscape', 'floorplan', 'mimicause', 'quality-of-service', 'architext']) {
      assert.ok(offTopic.some((id) => id.includes(word)), `an off-topic paper about ${word}`);
    }
    for (const onTopic of ['neural-architecture-design-for-gpu-efficient-networks', 'mlp-mixer-an-all-mlp-architecture-for-vision', 'unet-a-nested-u-net-architecture-for-medical-image-segmentation']) {
      assert.ok(!offTopic.includes(onTopic), `${onTopic} is about model code`);
    }
  });
});

describe('corpus conversion helpers', () => {
  it('slugifies titles with TeX, punctuation and length limits', () => {
    assert.equal(slugify('Qua$^2$SeDiMo: Quantifiable'), 'qua2sedimo-quantifiable');
    assert.equal(slugify('MAMMAL -- Molecular'), 'mammal-molecular');
    assert.equal(slugify('Élan vital'), 'elan-vital');
    assert.ok(slugify('word '.repeat(40)).length <= 80);
    assert.equal(slugify('!!!'), 'untitled');
  });

  it('reports a listing record without an abstract, with its line', () => {
    const { papers, problems } = parseSeedListing('Get trending papers in your email inbox!\nTitle A\nAbstract A\nTitle B');
    assert.equal(papers.length, 1);
    assert.deepEqual(problems, ['line 4 has a title without an abstract']);
  });

  it('disambiguates duplicate titles predictably', () => {
    const { papers } = parseSeedListing('Same\nOne\nSame\nTwo\n');
    assert.deepEqual(papers.map((p) => p.id), ['same', 'same-2']);
  });

  it('tags by the rules and applies hand corrections, reporting bad lines', () => {
    assert.ok(tagsFor({ title: 'Switch', abstract: 'a sparse mixture-of-experts model' }).includes('pattern:mixture-of-experts'));
    const papers = [{ id: 'p', title: 't', abstract: 'a', urls: [], tags: ['x'] }];
    const parsed = parseCorrections('# comment\np +y -x  # why\nq +z\np oops\n');
    assert.deepEqual(parsed.problems, ["line 4: 'oops' is neither +tag nor -tag"]);
    const problems = applyCorrections(papers, parsed.corrections);
    assert.deepEqual(papers[0].tags, ['y']);
    assert.deepEqual(problems, ["line 3: no paper with id 'q'"]);
  });
});
