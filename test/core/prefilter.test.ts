import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mayHoldModel } from '../../src/core/model/extract';
import { FIXTURES, pythonFiles, sharedAnalyzer } from '../helpers';

describe('skipping files that cannot hold a model', () => {
  it('keeps every fixture, with the same findings as without the prefilter', async () => {
    const analyzer = await sharedAnalyzer();
    for (const file of pythonFiles(FIXTURES)) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      assert.ok(mayHoldModel(text), file);
      const plain = analyzer.analyze(text);
      const filtered = analyzer.analyze(text, { skipNonModelFiles: true });
      assert.deepEqual(filtered.findings, plain.findings, file);
      assert.deepEqual(filtered.pragmaProblems, plain.pragmaProblems, file);
    }
  });

  it('finds models whose only framework trace is a written-out base or an import alias', () => {
    for (const text of [
      'class A(nn.Module):\n    def forward(self, x):\n        return x\n',
      'class A(tf.keras.Model):\n    pass\n',
      'class A(eqx.Module):\n    pass\n',
      'import tf\nclass A(tf.Module):\n    pass\n',
      'from lightning import LightningModule as L\nclass A(L):\n    pass\n',
    ]) {
      assert.ok(mayHoldModel(text), text);
    }
  });

  it('does not parse a file without any framework word, unless it has a pragma', async () => {
    const analyzer = await sharedAnalyzer();
    const plain = 'import os\n\nclass Config(Base):\n    def forward(self, x):\n        return x  # utf-8 stuff\n';
    assert.equal(mayHoldModel(plain), false);
    const skipped = analyzer.analyze(plain, { skipNonModelFiles: true });
    assert.deepEqual(skipped.model.lines, []); // not read: the model of a parsed file has its lines
    assert.deepEqual(skipped.findings, []);
    const withPragma = `${plain}# archlens: unet\n`;
    const analysed = analyzer.analyze(withPragma, { skipNonModelFiles: true });
    assert.deepEqual(analysed.pragmaProblems.map((p) => p.code), ['outside-class']);
  });
});
