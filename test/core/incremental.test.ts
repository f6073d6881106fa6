import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allPatterns, type TextChange } from '../../src/core/analyze';
import { FIXTURES, pythonFiles, sharedAnalyzer } from '../helpers';

const EXAMPLES = join(__dirname, '..', '..', 'seeds', 'examples');

function positionAt(text: string, index: number): { row: number; column: number } {
  const before = text.slice(0, index);
  const row = before.split('\n').length - 1;
  return { row, column: index - (before.lastIndexOf('\n') + 1) };
}

/** Replaces text[start, end) with `insert`, returning the new text and the tree-sitter change. */
function edit(text: string, start: number, end: number, insert: string): { text: string; change: TextChange } {
  const next = text.slice(0, start) + insert + text.slice(end);
  return {
    text: next,
    change: {
      startIndex: start,
      oldEndIndex: end,
      newEndIndex: start + insert.length,
      startPosition: positionAt(text, start),
      oldEndPosition: positionAt(text, end),
      newEndPosition: positionAt(next, start + insert.length),
    },
  };
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SNIPPETS = ['x', '\n', '    ', 'self.gate = nn.Linear(dim, 8)\n        ', 'return x + self.mlp(x)\n', '(', ')', ':', '# archlens: unet\n', 'class Extra(nn.Module):\n    pass\n', 'é😀'];

describe('DocumentAnalysis (incremental)', () => {
  // Every example and every third fixture (all frameworks and most patterns), eight random edits each.
  const files = [...pythonFiles(FIXTURES).filter((_, i) => i % 3 === 0).map((f) => join(FIXTURES, f)), ...pythonFiles(EXAMPLES).map((f) => join(EXAMPLES, f))];

  it('gives the same findings as a fresh analysis after every random edit', async function () {
    this.timeout(120_000);
    const analyzer = await sharedAnalyzer();
    const next = random(7);
    let checked = 0;
    for (const file of files) {
      let text = readFileSync(file, 'utf8');
      const doc = analyzer.openDocument();
      try {
        doc.update(text);
        for (let step = 0; step < 8; step++) {
          const start = Math.floor(next() * text.length);
          const end = Math.min(text.length, start + (next() < 0.5 ? 0 : Math.floor(next() * 40)));
          const insert = next() < 0.3 ? '' : SNIPPETS[Math.floor(next() * SNIPPETS.length)];
          const edited = edit(text, start, end, insert);
          text = edited.text;
          const incremental = doc.update(text, [edited.change]);
          const fresh = analyzer.analyze(text);
          assert.deepEqual(incremental.findings, fresh.findings, `${file} after edit ${step} at ${start}`);
          assert.deepEqual(incremental.pragmaProblems, fresh.pragmaProblems);
          checked++;
        }
      } finally {
        doc.dispose();
      }
    }
    assert.ok(checked >= files.length * 8);
  });

  it('re-reads only the class whose text changed', async () => {
    const analyzer = await sharedAnalyzer();
    const text = readFileSync(join(EXAMPLES, 'sparse_moe_transformer.py'), 'utf8');
    const doc = analyzer.openDocument();
    try {
      const first = doc.update(text);
      const at = text.indexOf('self.top_k = top_k');
      const { text: edited, change } = edit(text, at, at, '# tuned\n        ');
      const second = doc.update(edited, [change]);
      const changed = second.model.classes.filter((c) => !first.model.classes.some((o) => o.cacheKey === c.cacheKey));
      assert.deepEqual(changed.map((c) => c.name), ['SparseMoE']);
      assert.equal(second.work.classesRead, 1, 'only the edited class is read again');
      const patterns = allPatterns().length;
      assert.ok(first.work.recognitionsRun === first.model.classes.length * patterns);
      // The edited class is recognized again for every pattern; other classes only where a recognizer
      // read beyond its class (a whole-file scan) or looked at the edited class.
      assert.ok(second.work.recognitionsRun >= patterns && second.work.recognitionsRun < first.work.recognitionsRun / 2, `re-ran ${second.work.recognitionsRun} of ${first.work.recognitionsRun}`);
      const moved = second.model.classes.find((c) => c.name === 'Translator')!;
      const before = first.model.classes.find((c) => c.name === 'Translator')!;
      assert.equal(moved.line, before.line + 1, 'classes below moved down a line');
      assert.equal(moved.submodules[0].line, before.submodules[0].line + 1, 'and so did their facts');
    } finally {
      doc.dispose();
    }
  });

  it('refuses use after dispose', async () => {
    const doc = (await sharedAnalyzer()).openDocument();
    doc.update('x = 1\n');
    doc.dispose();
    assert.throws(() => doc.update('x = 2\n'), /after dispose/);
  });
});
