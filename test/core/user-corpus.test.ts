import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBibtexCorpus, parseJsonlCorpus } from '../../src/core/corpus/user-corpus';
import { PaperLibrary } from '../../src/core/knowledge/library';
import { nodeKnowledgeSource, packageRoot, readUserCorpus } from '../../src/node/knowledge';

const ROOT = packageRoot(join(__dirname, '..', '..', 'src', 'node'));

describe('user corpora', () => {
  describe('JSONL', () => {
    it('reads good records and reports bad ones with file and line', () => {
      const text = [
        '{"title": "Sparse Routing at Scale", "abstract": "We route tokens to experts (mixture of experts). Code: https://example.org/moe."}',
        '',
        '{"title": "No abstract"}',
        'not json',
        '["an", "array"]',
        '{"id": "Bad Id", "title": "T", "abstract": "A"}',
        '{"id": "kept-id", "title": "Kept", "abstract": "Kept abstract", "tags": ["pattern:unet"], "urls": ["https://a.b"]}',
      ].join('\n');
      const { papers, problems } = parseJsonlCorpus(text, 'mine.jsonl');
      assert.deepEqual(papers.map((p) => p.id), ['sparse-routing-at-scale', 'kept-id']);
      assert.deepEqual(papers[0].urls, ['https://example.org/moe']);
      assert.ok(papers[0].tags.includes('pattern:mixture-of-experts'), 'untagged records are tagged by the rules');
      assert.deepEqual(papers[1].tags, ['pattern:unet']);
      assert.deepEqual(problems.map((p) => [p.file, p.line]), [['mine.jsonl', 3], ['mine.jsonl', 4], ['mine.jsonl', 5], ['mine.jsonl', 6]]);
      assert.match(problems[0].message, /missing "abstract"/);
      assert.match(problems[1].message, /not valid JSON/);
      assert.match(problems[2].message, /expected a JSON object/);
      assert.match(problems[3].message, /"id" must be a lower-case slug/);
    });
  });

  describe('BibTeX', () => {
    const bib = `% my reading list
@comment{ignored entirely}
@article{shazeer2017,
  title = {Outrageously Large Neural Networks: The Sparsely-Gated {Mixture-of-Experts} Layer},
  author = {Shazeer, Noam and others},
  year = 2017,
  abstract = "We introduce a Sparsely-Gated Mixture-of-Experts layer (MoE), consisting of up to thousands of feed-forward sub-networks. Caf\\'e \\& more.",
  url = {https://arxiv.org/abs/1701.06538}
}

@inproceedings{noabstract,
  title = {A Paper Without Abstract},
  year = {2020}
}

@misc{broken,
  title = {Unclosed {brace,
  abstract = {x}

@article{ronneberger2015,
  title={U-Net: Convolutional Networks for Biomedical Image Segmentation},
  abstract={A contracting path to capture context and a symmetric expanding path.}
}
`;
    it('reads entries with abstracts and reports the rest with their lines', () => {
      const { papers, problems } = parseBibtexCorpus(bib, 'refs.bib');
      assert.deepEqual(papers.map((p) => p.title), [
        'Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer',
        'U-Net: Convolutional Networks for Biomedical Image Segmentation',
      ]);
      assert.match(papers[0].abstract, /Café & more\.$/);
      assert.deepEqual(papers[0].urls, ['https://arxiv.org/abs/1701.06538']);
      assert.ok(papers[0].tags.includes('pattern:mixture-of-experts'));
      assert.ok(papers[1].tags.includes('pattern:unet'));
      assert.deepEqual(problems.map((p) => [p.line, p.message]), [
        [11, '@inproceedings{noabstract} has no abstract'],
        [16, '@misc entry is never closed (unbalanced braces)'],
      ]);
    });
  });

  describe('PaperLibrary with user corpora', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'archlens-corpus-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('always loads the bundled corpus, adds good user records and keeps the first of duplicate ids', async () => {
      const user = [
        '{"title": "MLP-Mixer: An all-MLP Architecture for Vision", "abstract": "my own copy"}',
        '{"id": "my-router", "title": "My Router", "abstract": "Top-2 routing over a mixture of experts."}',
        '{"id": "my-router", "title": "My Router Again", "abstract": "Second record with the same id."}',
        '{broken',
      ].join('\n');
      const { library, problems } = await PaperLibrary.load(nodeKnowledgeSource(ROOT), [{ path: 'mine.jsonl', text: user }]);
      assert.equal(library.size, 163 + 1);
      assert.equal(library.paper('mlp-mixer-an-all-mlp-architecture-for-vision')?.source, 'bundled');
      assert.equal(library.paper('my-router')?.title, 'My Router');
      assert.deepEqual(problems.map((p) => p.message).sort(), [
        "duplicate id 'my-router' in this file: the first record is kept",
        "id 'mlp-mixer-an-all-mlp-architecture-for-vision' is already in the corpus: the paper loaded first is kept",
        `not valid JSON: ${(() => { try { JSON.parse('{broken'); } catch (e) { return (e as Error).message; } return ''; })()}`,
      ].sort());
      assert.equal(library.search('My Router')[0].paper.id, 'my-router');
    });

    it('refuses an unknown extension, a binary file and an over-size file with clear messages', async () => {
      const { library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT));
      assert.deepEqual(library.addUserCorpus({ path: 'notes.txt', text: 'x' }), [{ file: 'notes.txt', line: 0, message: 'not a corpus file: use .jsonl or .bib' }]);
      writeFileSync(join(dir, 'bin.jsonl'), Buffer.from([0x7b, 0x00, 0x7d]));
      assert.deepEqual(await readUserCorpus(join(dir, 'bin.jsonl')), { path: join(dir, 'bin.jsonl'), error: 'corpus file refused: binary file (contains NUL bytes)' });
      writeFileSync(join(dir, 'big.jsonl'), 'x'.repeat(2048));
      assert.deepEqual(await readUserCorpus(join(dir, 'big.jsonl'), 1024), { path: join(dir, 'big.jsonl'), error: 'corpus file is 2048 bytes, over the 1024-byte limit' });
      const missing = await readUserCorpus(join(dir, 'missing.bib'));
      assert.ok('error' in missing && /could not read corpus file/.test(missing.error));
      assert.equal(library.size, 163, 'the bundled corpus is intact');
    });
  });
});
