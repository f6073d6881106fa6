import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PaperLibrary } from '../../src/core/knowledge/library';
import { modelHoverMarkdown, modelHoverTarget, snippetCompletions, statementIndent } from '../../src/editor/providerAnswers';
import { completionPlace } from '../../src/editor/locate';
import { nodeKnowledgeSource, packageRoot } from '../../src/node/knowledge';
import { FIXTURES, sharedAnalyzer } from '../helpers';

// What the hover and completion providers answer (they only wrap these results in vscode objects).
describe('provider answers (vscode-free)', () => {
  const text = readFileSync(join(FIXTURES, 'pytorch', 'mixture-of-experts.py'), 'utf8');
  const lines = text.split('\n');
  const classLine0 = lines.findIndex((l) => l.startsWith('class TopKSparseMoeBlock('));

  it('hovers a recognized class on its name and on its evidence lines, nowhere else', async () => {
    const analysis = (await sharedAnalyzer()).analyze(text);
    const { library } = await PaperLibrary.load(nodeKnowledgeSource(packageRoot(join(__dirname, '..', '..', 'src', 'node'))));
    const onName = modelHoverTarget(analysis, classLine0, lines[classLine0].indexOf('TopK') + 2, lines[classLine0]);
    assert.ok(onName, 'a hover on the class name');
    assert.equal(onName.cls.name, 'TopKSparseMoeBlock');
    assert.ok(onName.findings.some((f) => f.pattern === 'mixture-of-experts'));
    assert.equal(onName.columns, undefined, 'the provider takes the word under the pointer');
    assert.match(modelHoverMarkdown(onName, library, 'file:///m.py'), /Mixture of experts/i);

    assert.equal(modelHoverTarget(analysis, classLine0, 1, lines[classLine0]), undefined, 'not on the `class` keyword');

    const evidence = onName.findings.find((f) => f.pattern === 'mixture-of-experts')!.evidence[0];
    const evidenceLine0 = Number(/^L(\d+):/.exec(evidence)![1]) - 1;
    const firstCode = lines[evidenceLine0].search(/\S/);
    const onEvidence = modelHoverTarget(analysis, evidenceLine0, firstCode + 1, lines[evidenceLine0]);
    assert.ok(onEvidence, 'a hover on an evidence line');
    assert.deepEqual(onEvidence.columns, { start: firstCode, end: lines[evidenceLine0].length });
    assert.equal(onEvidence.evidenceLine, evidenceLine0 + 1);
    assert.equal(modelHoverTarget(analysis, evidenceLine0, 0, lines[evidenceLine0]), undefined, 'not over the indentation');
  });

  it('offers building blocks at a statement start in a constructor, in the class framework', async () => {
    const analysis = (await sharedAnalyzer()).analyze(text);
    const { library } = await PaperLibrary.load(nodeKnowledgeSource(packageRoot(join(__dirname, '..', '..', 'src', 'node'))));
    assert.equal(statementIndent('        self.gate = '), undefined, 'not inside an expression');
    assert.equal(statementIndent('        sel'), 8);
    const initLine = lines.findIndex((l, i) => i > classLine0 && l.includes('def __init__')) + 2;
    const where = completionPlace(analysis, initLine, 8);
    assert.equal(where?.place, 'init');
    const items = snippetCompletions(analysis, where!, library);
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => i.snippet.length > 0 && i.sortText.startsWith('~archlens')));
    assert.ok(items.some((i) => /pytorch/.test(i.detail)), 'in the class framework');
  });
});
