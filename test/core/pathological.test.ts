import assert from 'node:assert/strict';
import type { FileAnalysis } from '../../src/core/analyze';
import { sharedAnalyzer } from '../helpers';

// Shapes real files never reach but the fuzzer does (`npm run fuzz`): each must be analysed without a
// recognizer failing (a stack overflow is reported as a recognizer error) and with the findings the
// shape implies. Timings are the fuzzer's business; these tests assert behaviour only.

const HEADER = 'import torch\nimport torch.nn as nn\n\n';

function inModule(init: string, forward: string): string {
  return `${HEADER}class Deep(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.proj = nn.Linear(dim, dim)\n        ${init}\n\n    def forward(self, x, context=None):\n        ${forward}\n        return self.proj(x)\n`;
}

async function analyze(text: string): Promise<FileAnalysis> {
  const analyzer = await sharedAnalyzer();
  const analysis = analyzer.analyze(text, { budgetMs: 60_000 });
  assert.deepEqual(analysis.errors, []);
  return analysis;
}

function found(analysis: FileAnalysis): string[] {
  return analysis.findings.map((f) => `${f.class}:${f.pattern}`);
}

describe('pathological shapes', function () {
  this.timeout(120_000);
  const DEEP = 10_000;

  it('reads a 10,000-deep nested call in forward, with the dataflow of its outer calls', async () => {
    const analysis = await analyze(inModule('pass', `y = ${'self.proj('.repeat(DEEP)}x${')'.repeat(DEEP)}`));
    const deep = analysis.model.classes.find((c) => c.name === 'Deep')!;
    const nested = deep.calls.filter((c) => c.callee === 'self.proj' && c.method === 'forward');
    // The outer calls are recorded (deeper ones are text inside their arguments), each reading `x`.
    assert.ok(nested.length >= 2 && nested.length < DEEP, `${nested.length} calls recorded`);
    for (const call of nested) assert.deepEqual([...call.argOrigins[0]], ['x']);
    assert.deepEqual(nested[0].assignedTo, ['y']);
    assert.deepEqual(nested[1].assignedTo, []);
    assert.deepEqual(found(analysis), []);
  });

  it('reads a 10,000-deep nested Sequential in a constructor', async () => {
    const analysis = await analyze(inModule(`self.net = ${'nn.Sequential('.repeat(DEEP)}nn.Linear(dim, dim)${')'.repeat(DEEP)}`, 'x = self.net(x)'));
    const deep = analysis.model.classes.find((c) => c.name === 'Deep')!;
    assert.ok(deep.submodules.some((s) => s.name === 'net' && s.ctorName === 'Sequential' && s.elements.length === 1));
  });

  it('finds the residual sum in a 10,000-term sum and in a 10,000-statement forward', async () => {
    assert.deepEqual(found(await analyze(inModule('pass', `x = x${' + self.proj(x)'.repeat(DEEP)}`))), ['Deep:residual-block']);
    const chain = Array.from({ length: DEEP }, () => 'x = x * 2 + self.proj(x)').join('\n        ');
    assert.deepEqual(found(await analyze(inModule('pass', chain))), ['Deep:residual-block']);
  });

  it('finds the residual sums of a class of 3,000 layers', async () => {
    // (`npm run fuzz` runs the 20,000-layer class.)
    const n = 3_000;
    const init = Array.from({ length: n }, (_, i) => `self.l${i} = nn.Linear(dim, dim)`).join('\n        ');
    const forward = Array.from({ length: n }, (_, i) => `x = x + self.l${i}(x)`).join('\n        ');
    const analysis = await analyze(inModule(init, forward));
    assert.deepEqual(found(analysis), ['Deep:residual-block']);
    assert.equal(analysis.model.classes[0].submodules.length, n + 1);
  });

  it('inherits a depthwise-separable conv down a 3,000-class chain, losing confidence per level', async () => {
    const parts = [HEADER, 'class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.dw = nn.Conv2d(8, 8, 3, groups=8)\n        self.pw = nn.Conv2d(8, 16, 1)\n    def forward(self, x):\n        return self.pw(self.dw(x))\n'];
    for (let i = 1; i < 3000; i++) parts.push(`class C${i}(C${i - 1}):\n    pass\n`);
    const analysis = await analyze(parts.join('\n'));
    const separable = analysis.findings.filter((f) => f.pattern === 'depthwise-separable');
    // 0.9 for C0, then 0.1 less per level: C1..C4 stay at or above the 0.5 threshold.
    assert.deepEqual(separable.map((f) => [f.class, f.confidence]), [['C0', 0.9], ['C1', 0.8], ['C2', 0.7], ['C3', 0.6], ['C4', 0.5]]);
    assert.equal(analysis.model.classes.length, 3000);
  });

  it('answers an inheritance cycle the same whichever class is asked first', async () => {
    const dw = '    def __init__(self):\n        super().__init__()\n        self.dw = nn.Conv2d(8, 8, 3, groups=8)\n        self.pw = nn.Conv2d(8, 16, 1)\n    def forward(self, x):\n        return self.pw(self.dw(x))\n';
    const a = 'class A(B, D):\n    pass\n';
    const b = 'class B(A):\n    pass\n';
    const d = `class D(nn.Module):\n${dw}`;
    // B inherits D's convs through A whether A or B comes first in the file.
    for (const order of [[d, a, b], [d, b, a]]) {
      const analysis = await analyze(HEADER + order.join('\n'));
      const separable = analysis.findings.filter((f) => f.pattern === 'depthwise-separable').map((f) => [f.class, f.confidence]);
      assert.deepEqual(separable.sort(), [['A', 0.8], ['B', 0.7], ['D', 0.9]]);
    }
  });

  it('reads 400 nested classes (deeper indents end in a syntax error) and the module class at the bottom', async () => {
    const depth = 400;
    const lines: string[] = [HEADER];
    for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i)}class C${i}(nn.Module):`);
    lines.push(`${' '.repeat(depth)}def __init__(self):\n${' '.repeat(depth + 1)}self.a = nn.Linear(4, 4)\n${' '.repeat(depth)}def forward(self, x):\n${' '.repeat(depth + 1)}return x + self.a(x)`);
    const analysis = await analyze(`${lines.join('\n')}\n`);
    assert.equal(analysis.model.classes.length, depth);
    assert.deepEqual(found(analysis), [`C${depth - 1}:residual-block`]);
  });

  it('finds every encoder-decoder of a 2,000-class composition chain', async () => {
    const parts = [HEADER];
    for (let i = 0; i < 2000; i++) {
      const inner = i === 0 ? 'nn.Linear(8, 8)' : `M${i - 1}()`;
      parts.push(`class M${i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.encoder = ${inner}\n        self.decoder = ${inner}\n    def forward(self, x):\n        return self.decoder(self.encoder(x))\n`);
    }
    const analysis = await analyze(parts.join('\n'));
    const wired = analysis.findings.filter((f) => f.pattern === 'encoder-decoder').map((f) => f.class);
    assert.equal(wired.length, 1999);
    assert.equal(wired[0], 'M1');
    assert.equal(wired[1998], 'M1999');
  });
});
