import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { PythonParser } from '../../src/core/parser';
import { SyntaxTree, type SyntaxNode } from '../../src/core/model/syntax';
import { nodeGrammarSource } from '../../src/node/grammar';
import { FIXTURES, pythonFiles } from '../helpers';

describe('SyntaxNode', () => {
  it('knows the parent of every node reached from its parent as wasm does (fixtures, and a file with syntax errors)', async () => {
    const parser = await PythonParser.create(nodeGrammarSource(join(__dirname, '..', '..', 'dist')));
    const texts = pythonFiles(FIXTURES).map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
    texts.push('class A(nn.Module:\n    def forward(self, x\n        return self.f(x) +\n    x = [1, (2,\n');
    let checked = 0;
    try {
      for (const text of texts) {
        const tree = parser.parse(text);
        try {
          // The cached parents (reached by walking down) against wasm's own `parent` of the same node.
          const walked = new SyntaxTree().wrap(tree.rootNode);
          const pending: SyntaxNode[] = [walked];
          while (pending.length > 0) {
            const node = pending.pop()!;
            for (const field of ['body', 'function', 'arguments', 'left', 'right']) {
              const child = node.childForFieldName(field);
              if (child) pending.push(child);
            }
            pending.push(...node.namedChildren);
            if (node === walked) continue;
            const expected = (node as unknown as { node: Node }).node.parent;
            assert.equal(node.parent?.id, expected?.id, `parent of ${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column}`);
            checked++;
          }
        } finally {
          tree.delete();
        }
      }
    } finally {
      parser.dispose();
    }
    assert.ok(checked > 10_000, `${checked} nodes checked`);
  });
});
