import assert from 'node:assert/strict';
import { closest } from '../../src/core/pragmas';
import { sharedAnalyzer } from '../helpers';

const MODEL = `import torch.nn as nn


class Fusion(nn.Module):
    # archlens: cross-attention
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.proj(x)  # archlens: ignore residual-block -- the projection is the whole point


class Plain(nn.Module):  # archlens: ignore residual-block
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.proj(x)  # archlens: crossattention


label = "# archlens: unet"  # a string is not a pragma
# archlens: unet
`;

describe('pragmas', () => {
  it('asserts and ignores patterns on the enclosing class, in the CLI core too', async () => {
    const { findings } = (await sharedAnalyzer()).analyze(MODEL);
    const fusion = findings.filter((f) => f.class === 'Fusion');
    assert.deepEqual(fusion.map((f) => f.pattern), ['cross-attention']);
    assert.equal(fusion[0].confidence, 1);
    assert.deepEqual(fusion[0].evidence, ['L5: # archlens: cross-attention']);
    const plain = findings.filter((f) => f.class === 'Plain').map((f) => f.pattern);
    assert.ok(plain.includes('residual-block'), 'an ignore without a reason is not honoured');
    assert.ok(!findings.some((f) => f.pattern === 'unet'), 'strings and pragmas outside classes assert nothing');
  });

  it('reports unknown ids, missing reasons and pragmas outside classes with positions', async () => {
    const { pragmaProblems } = (await sharedAnalyzer()).analyze(MODEL);
    const byCode = Object.fromEntries(pragmaProblems.map((p) => [p.code, p]));
    assert.deepEqual(Object.keys(byCode).sort(), ['missing-reason', 'outside-class', 'unknown-pattern']);
    assert.equal(byCode['missing-reason'].line, 14);
    assert.equal(byCode['unknown-pattern'].line, 20);
    assert.equal(byCode['unknown-pattern'].id, 'crossattention');
    assert.deepEqual(byCode['unknown-pattern'].suggestions, ['cross-attention']);
    assert.match(byCode['unknown-pattern'].message, /did you mean 'cross-attention'\?/);
    const line20 = MODEL.split('\n')[19];
    assert.equal(line20.slice(byCode['unknown-pattern'].column, byCode['unknown-pattern'].endColumn), 'crossattention');
    assert.equal(byCode['outside-class'].line, 24);
  });

  it('suggests the closest ids', () => {
    assert.deepEqual(closest('mixture-of-expert', ['mixture-of-experts', 'unet']), ['mixture-of-experts']);
    assert.deepEqual(closest('zzz', ['mixture-of-experts', 'unet']), []);
  });
});
