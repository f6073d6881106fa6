import assert from 'node:assert/strict';
import { citationQuery, citationsOnLine, completionPlace, insideTripleQuotedString, onClassName } from '../../src/editor/locate';
import { readSettings, DEFAULT_SETTINGS } from '../../src/editor/settings';
import { BUILDING_BLOCKS, blockSnippet, widthName, withDefaults } from '../../src/editor/render/snippets';
import { sharedAnalyzer } from '../helpers';

const MODEL = `import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.fc = nn.Linear(d_model, d_model)

    def forward(self, x):
        return x + self.fc(x)

    def extra_repr(self):
        return "block"
`;

describe('editor location helpers (pure)', () => {
  it('finds where a completion is asked for', async () => {
    const analysis = (await sharedAnalyzer()).analyze(MODEL);
    assert.equal(completionPlace(analysis, 8, 8)?.place, 'init');
    assert.equal(completionPlace(analysis, 11, 8)?.place, 'forward');
    assert.equal(completionPlace(analysis, 14, 8), undefined, 'not in other methods');
    assert.equal(completionPlace(analysis, 3, 0)?.place, 'module');
    assert.equal(completionPlace(analysis, 3, 4), undefined);
  });

  it('knows when the pointer is on the class name', async () => {
    const analysis = (await sharedAnalyzer()).analyze(MODEL);
    const cls = analysis.model.classes[0];
    assert.equal(onClassName('class Block(nn.Module):', cls, 8), true);
    assert.equal(onClassName('class Block(nn.Module):', cls, 2), false);
    assert.equal(onClassName('class Block(nn.Module):', cls, 15), false);
  });

  it('reads citation queries only in comments and docstrings', () => {
    assert.equal(citationQuery('    # paper: mixture of', false), 'mixture of');
    assert.equal(citationQuery('    see paper: unet', true), 'unet');
    assert.equal(citationQuery('x = paper: 3', false), undefined);
    assert.equal(citationQuery('    # no citation here', false), undefined);
    assert.equal(insideTripleQuotedString('"""doc\nmore'), true);
    assert.equal(insideTripleQuotedString('"""doc"""\nx = 1'), false);
  });

  it('finds written citations and the id position', () => {
    const line = '    # paper: MLP-Mixer: An all-MLP Architecture for Vision [mlp-mixer-an-all-mlp-architecture-for-vision]';
    const [c] = citationsOnLine(line);
    assert.equal(c.id, 'mlp-mixer-an-all-mlp-architecture-for-vision');
    assert.equal(line.slice(c.start, c.end), c.id);
    assert.deepEqual(citationsOnLine('x = [1, 2]'), []);
  });
});

describe('building-block snippets (pure)', () => {
  it('uses the file\'s width name', () => {
    assert.equal(widthName(['self', 'd_model', 'heads']), 'd_model');
    assert.equal(widthName(['self', 'x']), 'dim');
    const moe = BUILDING_BLOCKS.find((b) => b.pattern === 'mixture-of-experts')!;
    assert.match(blockSnippet(moe, 'pytorch', 'init', 'd_model')!, /^self\.router = nn\.Linear\(d_model, \$\{1:num_experts\}, bias=False\)/);
  });

  it('writes each framework in its own idiom', () => {
    const cross = BUILDING_BLOCKS.find((b) => b.pattern === 'cross-attention')!;
    assert.match(blockSnippet(cross, 'flax', 'forward', 'dim')!, /nn\.MultiHeadDotProductAttention/);
    assert.match(blockSnippet(cross, 'keras', 'init', 'dim')!, /layers\.MultiHeadAttention/);
    assert.equal(blockSnippet(cross, 'flax', 'init', 'dim'), null, 'Flax compact modules build layers inline');
  });

  it('builds whole classes at module level that ArchLens then recognizes', async () => {
    const analyzer = await sharedAnalyzer();
    const headers = { pytorch: 'import math\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n', flax: 'import jax\nimport jax.numpy as jnp\nimport flax.linen as nn\n\n\n', keras: 'import keras\nfrom keras import layers\n\n\n' } as const;
    let checked = 0;
    for (const block of BUILDING_BLOCKS) {
      for (const framework of ['pytorch', 'flax', 'keras'] as const) {
        const snippet = blockSnippet(block, framework, 'module', 'dim');
        if (!snippet) continue;
        const code = headers[framework] + withDefaults(snippet).replace(/\$0/g, '');
        const { findings, model } = analyzer.analyze(code);
        assert.equal(model.hasSyntaxErrors, false, `${block.label} (${framework}) parses:\n${code}`);
        assert.ok(findings.some((f) => f.pattern === block.pattern), `${block.label} (${framework}) is recognized as ${block.pattern}; found [${findings.map((f) => f.pattern).join(', ')}]\n${code}`);
        checked++;
      }
    }
    assert.ok(checked >= 15);
  });
});

describe('settings (pure)', () => {
  const ids = ['unet', 'vae'];
  it('falls back to defaults with one warning per invalid value', () => {
    const { settings, warnings } = readSettings({ minConfidence: 7, 'features.hover': 'yes', patterns: ['unet', 'nope'], maxFileSize: 'big', debounceMs: 50 }, ids, true);
    assert.equal(settings.minConfidence, DEFAULT_SETTINGS.minConfidence);
    assert.equal(settings.hover, true);
    assert.deepEqual(settings.patterns, ['unet']);
    assert.equal(settings.maxFileSize, DEFAULT_SETTINGS.maxFileSize);
    assert.equal(settings.debounceMs, 50);
    assert.equal(warnings.length, 4);
    assert.match(warnings.join('\n'), /archlens\.minConfidence must be a number from 0 to 1, not 7; using 0\.5\./);
    assert.match(warnings.join('\n'), /unknown pattern ids 'nope'/);
  });

  it('ignores settings that name files in an untrusted workspace', () => {
    assert.deepEqual(readSettings({ 'corpus.files': ['mine.jsonl'] }, ids, false).settings.corpusFiles, []);
    assert.deepEqual(readSettings({ 'corpus.files': ['mine.jsonl'] }, ids, true).settings.corpusFiles, ['mine.jsonl']);
  });
});
