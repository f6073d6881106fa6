import assert from 'node:assert/strict';
import { formatSummary, runFuzz, STRUCTURAL } from '../../scripts/fuzz';
import { sharedAnalyzer } from '../helpers';

const SEED = 20260;

describe('fuzz (fixed seed)', () => {
  it('survives ~2,000 random mutations of the fixtures and examples', async function () {
    this.timeout(150_000);
    // Random cases only; the structural inputs have their own tests below and in `npm run fuzz`.
    const summary = await runFuzz({ seed: SEED, cases: STRUCTURAL.length + 2000, seconds: 120, skipStructural: true });
    const failures = summary.failures.map((f) => `case ${f.index}: ${f.description}\n  ${f.problem}`).join('\n');
    assert.equal(summary.failures.length, 0, `${formatSummary(summary)}\n${failures}`);
    assert.ok(summary.cases >= 1500, `only ${summary.cases} cases ran in the time limit`);
  });

  // Each quick structural input (deep nesting, NUL bytes, lone CR, …) as its own test; `npm run fuzz`
  // also runs the slow ones (50 MB lines, enormous classes, long inheritance chains).
  STRUCTURAL.forEach((input, index) => {
    if (input.slow || input.giant) return;
    it(`handles structural input ${input.name}`, async function () {
      this.timeout(60_000);
      const summary = await runFuzz({ seed: SEED, cases: 1, seconds: 60, only: index, memoryProbe: false });
      assert.deepEqual(summary.failures.map((f) => f.problem), []);
    });
  });
});

describe('deep nesting', () => {
  const DEPTH = 10_000;

  it('analyzes a 10,000-deep expression without overflowing the stack', async () => {
    const analyzer = await sharedAnalyzer();
    const text = `x = ${'('.repeat(DEPTH)}1${')'.repeat(DEPTH)}\n`;
    const analysis = analyzer.analyze(text);
    assert.deepEqual(analysis.findings, []);
    assert.deepEqual(analysis.errors, []);
    assert.deepEqual(analyzer.analyze(text).model.lines, analysis.model.lines);
  });

  it('reads a module class whose forward holds a 10,000-deep expression', async () => {
    const analyzer = await sharedAnalyzer();
    const text = `import torch.nn as nn\n\nclass Deep(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.proj = nn.Linear(dim, dim)\n\n    def forward(self, x):\n        y = ${'('.repeat(DEPTH)}x${')'.repeat(DEPTH)}\n        return self.proj(y)\n`;
    const analysis = analyzer.analyze(text);
    assert.deepEqual(analysis.errors, []);
    assert.deepEqual(analysis.model.classes.map((c) => c.name), ['Deep']);
  });
});
