import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Edit } from 'web-tree-sitter';
import { ParseBudgetExceeded, PythonParser } from '../../src/core/parser';
import { nodeGrammarSource } from '../../src/node/grammar';

describe('PythonParser', () => {
  let parser: PythonParser;
  before(async () => {
    parser = await PythonParser.create(nodeGrammarSource(join(__dirname, '..', '..', 'dist')));
  });
  after(() => parser.dispose());

  it('parses Python and tolerates syntax errors', () => {
    const tree = parser.parse('class A:\n    def f(self:\n        pass\n\nclass B:\n    x = 1\n');
    try {
      assert.equal(tree.rootNode.hasError, true);
      const names = tree.rootNode.descendantsOfType('class_definition').map((c) => c?.childForFieldName('name')?.text);
      assert.ok(names.includes('B'), `B still parses: ${names.join(',')}`);
    } finally {
      tree.delete();
    }
  });

  it('gives up on a file that exceeds its parse budget, and keeps working afterwards', () => {
    const huge = 'x = [' + '(1, '.repeat(200_000) + ')'.repeat(200_000) + ']\n';
    assert.throws(() => parser.parse(huge, 1), (error: unknown) => error instanceof ParseBudgetExceeded && /1 ms budget/.test((error as Error).message));
    const tree = parser.parse('y = 2\n');
    try {
      assert.equal(tree.rootNode.text, 'y = 2\n');
      assert.equal(tree.rootNode.hasError, false);
    } finally {
      tree.delete();
    }
  });

  it('reuses an edited tree for an incremental parse', () => {
    const before = 'a = 1\nb = 2\n';
    const after = 'a = 10\nb = 2\n';
    const old = parser.parse(before);
    old.edit(new Edit({
      startIndex: 5,
      oldEndIndex: 5,
      newEndIndex: 6,
      startPosition: { row: 0, column: 5 },
      oldEndPosition: { row: 0, column: 5 },
      newEndPosition: { row: 0, column: 6 },
    }));
    const tree = parser.parse(after, 5000, old);
    try {
      assert.equal(tree.rootNode.text, after);
      assert.equal(tree.rootNode.descendantsOfType('integer')[0]?.text, '10');
    } finally {
      tree.delete();
      old.delete();
    }
  });
});
