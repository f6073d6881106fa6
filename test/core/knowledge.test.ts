import assert from 'node:assert/strict';
import { join } from 'node:path';
import { allPatterns, patternById } from '../../src/core/analyze';
import { OFF_TOPIC } from '../../src/core/corpus/types';
import { PaperLibrary } from '../../src/core/knowledge/library';
import { citedPaperIds, formatCard } from '../../src/core/knowledge/render';
import { nodeKnowledgeSource, packageRoot } from '../../src/node/knowledge';

const ROOT = packageRoot(join(__dirname, '..', '..', 'src', 'node'));

/**
 * Papers a reader expects on the first page for a pattern (our own reading of the corpus). The hidden
 * relevance judgement is stricter; this guards the obvious ones against regressions.
 */
const EXPECTED_FIRST_PAGE: Record<string, string[]> = {
  'mixture-of-experts': ['moduleformer-learning-modular-large-language-models-from-uncurated-data'],
  'nas-mixed-op': ['pc-darts-partial-channel-connections-for-memory-efficient-architecture-search'],
  unet: ['unet-a-nested-u-net-architecture-for-medical-image-segmentation', 'resunet-an-advanced-architecture-for-medical-image-segmentation'],
  inception: ['rethinking-the-inception-architecture-for-computer-vision'],
  'mlp-mixer': ['mlp-mixer-an-all-mlp-architecture-for-vision'],
  'state-space': ['densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large'],
  'cross-attention': ['the-evolution-of-multimodal-model-architectures'],
  'depthwise-separable': ['mnasnet-platform-aware-neural-architecture-search-for-mobile'],
};

describe('knowledge', () => {
  let library: PaperLibrary;
  before(async () => {
    ({ library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT)));
  });

  it('has a complete knowledge card for every pattern', () => {
    for (const pattern of allPatterns()) {
      const card = pattern.knowledge;
      assert.ok(card, `${pattern.id} has a card (src/core/patterns/${pattern.id}.knowledge.ts)`);
      assert.ok(card.summary.length > 20 && !card.summary.includes('\n'), `${pattern.id}: one-line summary`);
      const sentences = card.howItWorks.split(/(?<=[.!?])\s+(?=[A-Z])/).filter(Boolean);
      assert.equal(sentences.length, 3, `${pattern.id}: how it works in three sentences`);
      assert.ok(card.pros.length >= 2 && card.cons.length >= 2, `${pattern.id}: pros and cons`);
      assert.ok(card.alternatives.length >= 1, `${pattern.id}: alternatives`);
      for (const alt of card.alternatives) if (alt.pattern) assert.ok(patternById(alt.pattern), `${pattern.id}: alternative ${alt.pattern} is a pattern id`);
      assert.ok(card.papers.queries.length >= 1, `${pattern.id}: query terms`);
    }
  });

  it('places cross-attention among the multimodal types A–D', () => {
    const card = patternById('cross-attention')?.knowledge;
    assert.match(card?.multimodal ?? '', /Type[- ]A/);
    assert.ok(citedPaperIds(patternById('cross-attention')!).includes('the-evolution-of-multimodal-model-architectures'));
  });

  it('cites, pins and blocks only papers that exist', () => {
    for (const pattern of allPatterns()) {
      const card = pattern.knowledge;
      if (!card) continue;
      for (const id of [...citedPaperIds(pattern), ...card.papers.pins, ...card.papers.blocks]) {
        assert.ok(library.paper(id), `${pattern.id} names unknown paper '${id}'`);
      }
    }
  });

  for (const pattern of allPatterns()) {
    it(`ranks papers for ${pattern.id}: on-topic, pins first, never blocked, a note instead of padding`, () => {
      const result = library.papersFor(pattern, 10);
      const ids = result.papers.map((r) => r.paper.id);
      for (const r of result.papers) assert.ok(!r.paper.tags.includes(OFF_TOPIC), `${r.paper.id} is off-topic`);
      const card = pattern.knowledge;
      if (card) {
        for (const blocked of card.papers.blocks) assert.ok(!ids.includes(blocked), `${blocked} is blocked`);
        const pins = card.papers.pins.filter((id) => !library.paper(id)?.tags.includes(OFF_TOPIC));
        assert.deepEqual(ids.slice(0, pins.length), pins.slice(0, 10), 'pins come first, in order');
      }
      for (const r of result.papers) {
        assert.ok(r.paper.tags.includes(`pattern:${pattern.id}`) || card?.papers.pins.includes(r.paper.id), `${r.paper.id} is tagged or pinned`);
      }
      if (result.papers.length < 3) assert.ok(result.note, 'a short list says why');
      for (const expected of EXPECTED_FIRST_PAGE[pattern.id] ?? []) assert.ok(ids.slice(0, 5).includes(expected), `${expected} on the first page of ${pattern.id}`);
    });
  }

  it('formats a card with numbered references and its papers', () => {
    const text = formatCard(patternById('mixture-of-experts')!, library);
    assert.match(text, /^Mixture of experts \(mixture-of-experts\)/);
    assert.match(text, /\[1\]/);
    assert.match(text, /References\n {2}\[1\] ModuleFormer/);
    assert.match(text, /Papers to read first\n {2}1\. ModuleFormer/);
    assert.ok(!text.includes('[['), 'no raw citation markers');
  });
});
