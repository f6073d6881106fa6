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

const SNIPPETS = ['x', '\n', '    ', 'self.gate = nn.Linear(dim, 8)\n        ', 'return x + self.mlp(x)\n', '(', ')', ':', '# archlens: unet\n', 'class Extra(nn.Module):\n    pass\n', 'é😀', '\r'];

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

  it('gives the same file model as a fresh analysis after edit sequences at lines, class boundaries and imports', async function () {
    this.timeout(120_000);
    const analyzer = await sharedAnalyzer();
    const next = random(11);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    /** Offsets where edits most often go wrong: line starts and ends, class headers, imports, the file's ends. */
    const places = (text: string): number[] => {
      const found = [0, text.length];
      for (const match of text.matchAll(/\n|^(class |import |from )/gm)) found.push(match.index, match.index + match[0].length);
      return found;
    };
    let checked = 0;
    for (const file of files.filter((_, i) => i % 2 === 0)) {
      let text = readFileSync(file, 'utf8');
      const doc = analyzer.openDocument();
      try {
        doc.update(text);
        for (let step = 0; step < 10; step++) {
          const start = next() < 0.7 ? pick(places(text)) : Math.floor(next() * text.length);
          const kind = Math.floor(next() * 7);
          let end = start;
          let insert = '';
          if (kind === 0) insert = '\n' + /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', start - 1) + 1))![0]; // Enter with indent
          else if (kind === 1) end = Math.min(text.length, start + 1 + Math.floor(next() * 3)); // backspace/delete
          else if (kind === 2) {
            // multi-line paste of another part of the file (may duplicate or split classes)
            const from = Math.floor(next() * text.length);
            insert = text.slice(from, from + Math.floor(next() * 400));
          } else if (kind === 3) end = Math.min(text.length, text.indexOf('\n', start + 1 + Math.floor(next() * 200)) + 1 || text.length); // delete lines
          else if (kind === 4) insert = pick(['import torch.nn as nn\n', 'from flax import linen as nn\n', 'import tensorflow as tf\n', 'class Added(nn.Module):\n    def forward(self, x):\n        return x\n']);
          else if (kind === 5) insert = pick(['\r\n', '\r', '\n\n', 'x', '    ']);
          // Openings that swallow the statements after them (until closed), and a dedent that ends a class.
          else insert = pick(['"""', "'''", '(', '[', 'def top(x):\n', 'if flag:\n    ', '@decorator\n']);
          if (end < start) end = start;
          const edited = edit(text, start, end, insert);
          text = edited.text;
          const incremental = doc.update(text, [edited.change]);
          const fresh = analyzer.analyze(text);
          const where = `${file} after edit ${step} (kind ${kind}) at ${start}`;
          assert.deepEqual(incremental.model.classes, fresh.model.classes, where);
          assert.deepEqual(incremental.model.lines, fresh.model.lines, where);
          assert.deepEqual([...(incremental.model.imports ?? [])], [...(fresh.model.imports ?? [])], where);
          assert.deepEqual(incremental.findings, fresh.findings, where);
          assert.deepEqual(incremental.pragmaProblems, fresh.pragmaProblems, where);
          checked++;
        }
      } finally {
        doc.dispose();
      }
    }
    assert.ok(checked >= 10 * 5);
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
      assert.equal(second.work.statementsRead, 1, 'of the module-level statements, only the edited class is read again');
      assert.ok(first.work.statementsRead > 10, `the first analysis read all ${first.work.statementsRead} statements`);
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

  it('re-runs recognition only for the edited class when decoders ask about the whole file', async () => {
    // Each decoder asks file-wide questions (is there an encoder-decoder using it, another LM head, a
    // causal mask elsewhere); the answers do not change when one decoder's forward method is edited.
    const decoder = (name: string) => `
class ${name}(nn.Module):
    def __init__(self, vocab_size, dim, depth):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.lm_head = nn.Linear(dim, vocab_size)

    def forward(self, idx):
        n = idx.shape[1]
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
        x = self.tok(idx)
        for block in self.blocks:
            x = block(x, mask)
        return self.lm_head(x)
`;
    const text = `import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, 4, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        x = x + self.attn(x, x, x, attn_mask=mask)[0]
        return x + self.mlp(x)
${['CharDecoder', 'WordDecoder', 'ByteDecoder', 'CodeDecoder'].map(decoder).join('')}`;
    const analyzer = await sharedAnalyzer();
    const decoders = analyzer.analyze(text).findings.filter((f) => f.pattern === 'causal-decoder').map((f) => f.class);
    assert.deepEqual(decoders, ['CharDecoder', 'WordDecoder', 'ByteDecoder', 'CodeDecoder']);
    const doc = analyzer.openDocument();
    try {
      const first = doc.update(text);
      assert.equal(first.work.recognitionsRun, 5 * allPatterns().length);
      // Typing in WordDecoder.forward: a statement, then a character at a time.
      let current = text;
      let at = current.indexOf('return self.lm_head(x)', current.indexOf('class WordDecoder'));
      for (const typed of ['x = x * 1.0\n        ', 'h', 'h = x']) {
        const edited = edit(current, at, at, typed);
        current = edited.text;
        at += typed.length;
        const next = doc.update(current, [edited.change]);
        assert.equal(next.work.classesRead, 1);
        assert.equal(next.work.recognitionsRun, allPatterns().length, `typing ${JSON.stringify(typed)} re-ran ${next.work.recognitionsRun} recognitions`);
        assert.deepEqual(next.findings, analyzer.analyze(current).findings);
      }
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
