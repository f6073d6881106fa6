import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusFile, Paper } from '../../src/core/corpus/types';
import { INDEX_FORMAT_VERSION, PaperIndex } from '../../src/core/knowledge/paper-index';
import { singular } from '../../src/core/knowledge/terms';

const corpus = JSON.parse(readFileSync(join(__dirname, '..', '..', 'seeds', 'papers.json'), 'utf8')) as CorpusFile;
const titles = (results: { paper: Paper }[]) => results.map((r) => r.paper.title);

describe('PaperIndex', () => {
  const index = PaperIndex.build(corpus.papers);

  it('round-trips through JSON with identical rankings', () => {
    const loaded = PaperIndex.load(JSON.parse(JSON.stringify(index.toJSON())), corpus.papers);
    assert.ok(loaded);
    for (const query of ['mixture of experts', 'diffus', 'inceptoin', 'graph neural networks', 'u-net']) {
      // Same papers in the same order; scores equal up to floating-point summation order.
      const before = index.search(query);
      const after = loaded.search(query);
      assert.deepEqual(after.map((r) => r.paper.id), before.map((r) => r.paper.id));
      after.forEach((r, i) => assert.ok(Math.abs(r.score - before[i].score) < 1e-9));
    }
  });

  it('refuses an index from another format version or another corpus', () => {
    const serialized = index.toJSON();
    assert.equal(PaperIndex.load({ ...serialized, formatVersion: INDEX_FORMAT_VERSION + 1 }, corpus.papers), null);
    const changed = corpus.papers.map((p, i) => (i === 0 ? { ...p, abstract: p.abstract + ' edited' } : p));
    assert.equal(PaperIndex.load(serialized, changed), null);
  });

  it('the index shipped in dist/ is current (built by the build)', () => {
    const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'dist', 'paper-index.json'), 'utf8'));
    assert.ok(PaperIndex.load(shipped, corpus.papers), 'dist/paper-index.json matches seeds/papers.json');
  });

  it('finds Inception despite a typo', () => {
    assert.equal(titles(index.search('inceptoin'))[0], 'Rethinking the Inception Architecture for Computer Vision');
  });

  it('matches plurals and singulars both ways', () => {
    const plural = titles(index.search('transformers', { limit: 10 }));
    assert.ok(plural.includes('Geometric Algebra Transformers'));
    assert.ok(plural.some((t) => /\bTransformer\b/.test(t)), 'a title with the singular');
    const fromSingular = titles(index.search('supernet', { limit: 10 }));
    assert.ok(fromSingular.some((t) => /SuperNets|Supernets/.test(t)));
    assert.equal(singular('patches'), 'patch');
    assert.equal(singular('studies'), 'study');
    assert.equal(singular('attention'), 'attention');
    assert.equal(singular('class'), 'class');
  });

  it('matches prefixes as the user types', () => {
    assert.match(titles(index.search('diffus', { limit: 1 }))[0], /Diffusion/);
    assert.match(titles(index.search('mlp-mix'))[0], /MLP-Mixer/);
    assert.match(titles(index.search('perceiv'))[0], /Perceiver IO/);
  });

  it('boosts titles over abstracts', () => {
    const [first] = index.search('Perceiver');
    assert.match(first.paper.title, /Perceiver IO/);
    assert.ok(Object.values(first.matched).some((fields) => fields.includes('title')));
  });

  it('leaves off-topic papers out when asked', () => {
    const all = titles(index.search('building information modeling'));
    assert.ok(all.some((t) => /Building Information Modeling/.test(t)));
    const onTopic = titles(index.search('building information modeling', { includeOffTopic: false }));
    assert.ok(!onTopic.some((t) => /Building Information Modeling/.test(t)));
  });
});
