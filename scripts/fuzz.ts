/**
 * A seeded, bounded fuzzer of the core (parser, model extraction, recognizers, pragmas, incremental
 * analysis) and of the CLI's source decoding.
 *
 *   npm run fuzz -- [--seed N] [--cases N] [--seconds N] [--case I] [--skip-slow]
 *
 * Every case is derived from (seed, case index) alone, so `--seed S --case I` replays one case. Each case
 * checks that nothing throws (a `ParseBudgetExceeded` is a clean refusal, and so is `decodeSource`
 * refusing binary or non-UTF-8 bytes), that it stays within its time budget, that analyzing twice gives
 * deep-equal results, that every tree-sitter tree is deleted, and (incremental cases) that a
 * `DocumentAnalysis` after random edits equals a fresh analysis. Memory is checked after warm-up: the JS
 * heap and the wasm memory must not keep growing over a fixed probe workload.
 * Exit status: 0 when every case passed, 1 otherwise (each failure is printed with a replay command).
 */
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Parser, Tree } from 'web-tree-sitter';
import { Analyzer, type FileAnalysis, type TextChange } from '../src/core/analyze';
import { ParseBudgetExceeded } from '../src/core/parser';
import { nodeGrammarSource } from '../src/node/grammar';
import { decodeSource, listPythonFiles } from '../src/node/files';

const ROOT = join(__dirname, '..');

export interface FuzzOptions {
  seed: number;
  /** Upper bound on cases. */
  cases: number;
  /** Upper bound on wall time; the run stops (without failing) when it is reached. */
  seconds: number;
  /** Replay only this case index. */
  only?: number;
  /** Time budget of one analysis of an ordinary input (ms). Giant inputs get `giantBudgetMs`. */
  budgetMs?: number;
  giantBudgetMs?: number;
  /** Skip the slow structural inputs (giants, and the deep ones known to take seconds): for quick runs. */
  skipSlow?: boolean;
  /** Skip all structural inputs (only random mutations). */
  skipStructural?: boolean;
  /** Run the memory probe (default true). */
  memoryProbe?: boolean;
  log?: (line: string) => void;
}

export interface FuzzFailure {
  seed: number;
  index: number;
  description: string;
  problem: string;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  analyses: number;
  /** Inputs the core refused cleanly (ParseBudgetExceeded). */
  budgetRefusals: number;
  /** Byte inputs decodeSource refused cleanly (binary, not UTF-8). */
  decodeRefusals: number;
  incrementalEdits: number;
  failures: FuzzFailure[];
  slowest: { index: number; description: string; ms: number };
  byKind: Record<string, number>;
  seconds: number;
  memory: { heapStartMB: number; heapEndMB: number; wasmStartMB?: number; wasmEndMB?: number };
  stoppedByTime: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Randomness: one small PRNG per case, seeded from (seed, index), so any case replays on its own.

export function prng(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function caseSeed(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) + Math.imul(index + 1, 0x27d4eb2f)) >>> 0;
  h ^= h >>> 16;
  return Math.imul(h, 0x45d9f3b) >>> 0;
}

class Rand {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------
// Inputs

interface Seed {
  name: string;
  text: string;
}


export function loadSeeds(): Seed[] {
  return [...listPythonFiles([join(ROOT, 'test', 'fixtures')], () => undefined), ...listPythonFiles([join(ROOT, 'seeds', 'examples')], () => undefined)].map((path) => ({
    name: relative(ROOT, path).split('\\').join('/'),
    text: readFileSync(path, 'utf8'),
  }));
}

const DEEP = 10_000;
const HEADER = 'import torch\nimport torch.nn as nn\n\n';

function inModule(init: string, forward: string): string {
  return `${HEADER}class Deep(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.proj = nn.Linear(dim, dim)\n        ${init}\n\n    def forward(self, x, context=None):\n        ${forward}\n        return self.proj(x)\n`;
}

/** Structural inputs: each runs once near the start of every run (case index = position here). */
export const STRUCTURAL: Array<{ name: string; giant?: boolean; slow?: boolean; build: () => string }> = [
  { name: 'deep-parens-expression', build: () => `x = ${'('.repeat(DEEP)}1${')'.repeat(DEEP)}\n` },
  { name: 'deep-brackets', build: () => `x = ${'['.repeat(DEEP)}1${']'.repeat(DEEP)}\n` },
  { name: 'deep-braces', build: () => `x = ${'{1: '.repeat(DEEP)}1${'}'.repeat(DEEP)}\n` },
  { name: 'deep-calls-module-level', build: () => `x = ${'f('.repeat(DEEP)}1${')'.repeat(DEEP)}\n` },
  { name: 'deep-unclosed-parens', build: () => `x = ${'('.repeat(DEEP)}1\n` },
  { name: 'deep-unary', build: () => `x = ${'-'.repeat(DEEP)}1\nassert ${'not '.repeat(DEEP)}x\n` },
  { name: 'deep-binary-chain', build: () => `x = 1${' + 1'.repeat(DEEP)}\n` },
  { name: 'deep-attribute-chain', build: () => `x = a${'.b'.repeat(DEEP)}\n` },
  { name: 'deep-subscript-chain', build: () => `x = a${'[0]'.repeat(DEEP)}\n` },
  { name: 'deep-call-chain', build: () => `x = f${'()'.repeat(DEEP)}\n` },
  { name: 'deep-lambda', build: () => `f = ${'lambda: '.repeat(DEEP)}1\n` },
  { name: 'deep-parens-in-forward', build: () => inModule('pass', `x = ${'('.repeat(DEEP)}x${')'.repeat(DEEP)}`) },
  { name: 'deep-brackets-in-init', build: () => inModule(`self.layers = ${'['.repeat(DEEP)}nn.Linear(dim, dim)${']'.repeat(DEEP)}`, 'pass') },
  { name: 'deep-sequential-in-init', slow: true, build: () => inModule(`self.net = ${'nn.Sequential('.repeat(DEEP)}nn.Linear(dim, dim)${')'.repeat(DEEP)}`, 'x = self.net(x)') },
  { name: 'deep-tuple-target-in-forward', build: () => inModule('pass', `${'('.repeat(DEEP)}a,${'),'.repeat(DEEP - 1)}) = x`) },
  { name: 'deep-list-target-in-forward', build: () => inModule('pass', `${'['.repeat(DEEP)}a${']'.repeat(DEEP)} = x`) },
  { name: 'deep-sum-in-forward', slow: true, build: () => inModule('pass', `x = x${' + self.proj(x)'.repeat(DEEP)}`) },
  { name: 'deep-parenthesized-sum-in-forward', slow: true, build: () => inModule('pass', `x = ${'(x + '.repeat(DEEP)}x${')'.repeat(DEEP)}`) },
  { name: 'deep-nested-calls-in-forward', slow: true, build: () => inModule('pass', `x = ${'self.proj('.repeat(DEEP)}x${')'.repeat(DEEP)}`) },
  {
    name: 'deep-blocks',
    build: () => {
      // 3,000 nested `if` blocks, one-space indents (10,000 would be a 50 MB file of indentation alone).
      const depth = 3000;
      const lines: string[] = [];
      for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i)}if x:`);
      lines.push(`${' '.repeat(depth)}y = 1`);
      return `${lines.join('\n')}\n`;
    },
  },
  {
    name: 'deep-nested-classes',
    build: () => {
      const depth = 1000;
      const lines: string[] = [HEADER];
      for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i)}class C${i}(nn.Module):`);
      lines.push(`${' '.repeat(depth)}def forward(self, x):\n${' '.repeat(depth + 1)}return x`);
      return `${lines.join('\n')}\n`;
    },
  },
  {
    name: 'inheritance-chain',
    slow: true,
    build: () => {
      const parts = [HEADER, 'class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.dw = nn.Conv2d(8, 8, 3, groups=8)\n        self.rnn = nn.LSTM(8, 8)\n    def forward(self, x):\n        return self.dw(x)\n'];
      for (let i = 1; i < 3000; i++) parts.push(`class C${i}(C${i - 1}):\n    def forward(self, x):\n        return super().forward(x)\n`);
      return parts.join('\n');
    },
  },
  {
    name: 'inheritance-and-composition-cycles',
    build: () =>
      `${HEADER}class A(B):\n    def __init__(self):\n        super().__init__()\n        self.b = B()\n        self.dw = nn.Conv2d(8, 8, 3, groups=8)\n    def forward(self, x):\n        return self.b(self.dw(x))\n\nclass B(A):\n    def __init__(self):\n        super().__init__()\n        self.a = A()\n    def forward(self, x):\n        return self.a(x)\n\nclass S(S):\n    def forward(self, x):\n        self.s = S()\n        return self.s(x)\n`,
  },
  {
    name: 'composition-chain',
    slow: true,
    build: () => {
      const parts = [HEADER];
      for (let i = 0; i < 2000; i++) {
        const inner = i === 0 ? 'nn.Linear(8, 8)' : `M${i - 1}()`;
        parts.push(`class M${i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.encoder = ${inner}\n        self.decoder = ${inner}\n        self.blocks = nn.ModuleList([${inner} for _ in range(2)])\n    def forward(self, x):\n        for blk in self.blocks:\n            x = blk(x)\n        return self.decoder(self.encoder(x))\n`);
      }
      return parts.join('\n');
    },
  },
  {
    name: 'long-dataflow-chain-in-forward',
    slow: true,
    build: () => inModule('pass', Array.from({ length: DEEP }, () => 'x = x * 2 + self.proj(x)').join('\n        ')),
  },
  {
    name: 'enormous-class-body',
    giant: true,
    build: () => {
      const n = 20_000;
      const init = Array.from({ length: n }, (_, i) => `self.l${i} = nn.Linear(dim, dim)`).join('\n        ');
      const forward = Array.from({ length: n }, (_, i) => `x = x + self.l${i}(x)`).join('\n        ');
      return inModule(init, forward);
    },
  },
  {
    name: 'many-classes',
    giant: true,
    build: () => {
      const parts = [HEADER];
      for (let i = 0; i < 5000; i++) parts.push(`class M${i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.q = nn.Linear(8, 8)\n        self.k = nn.Linear(8, 8)\n    def forward(self, x, context):\n        return torch.softmax(self.q(x) @ self.k(context).T, dim=-1)\n`);
      return parts.join('\n');
    },
  },
  { name: '50MB-line-comment', giant: true, build: () => `# ${'a'.repeat(50 * 1024 * 1024)}\nx = 1\n` },
  { name: '50MB-line-string', giant: true, build: () => `x = "${'a'.repeat(50 * 1024 * 1024)}"\n` },
  { name: '50MB-line-in-forward', giant: true, build: () => inModule('pass', `x = x${' + x'.repeat((50 * 1024 * 1024) / 4)}`) },
  { name: '50MB-line-no-newline', giant: true, build: () => 'x'.repeat(50 * 1024 * 1024) },
  { name: 'nul-bytes', build: () => inModule('self.a\u0000 = nn.Linear(\u0000dim, dim)', 'x = self.a(x)\u0000') + '\u0000'.repeat(1000) },
  { name: 'lone-surrogates', build: () => inModule('self.a = nn.Linear(dim, dim)  # \ud800', `x = self.a(x) # \udfff "\ud83d"`) },
  { name: 'only-cr-line-endings', build: () => inModule('self.a = nn.Linear(dim, dim)', 'x = self.a(x)').replace(/\n/g, '\r') },
  { name: 'bom-and-crlf', build: () => `\ufeff${inModule('self.a = nn.Linear(dim, dim)', 'x = self.a(x)').replace(/\n/g, '\r\n')}` },
  { name: 'empty', build: () => '' },
  { name: 'only-whitespace', build: () => ' \t\r\n\f\v\u00a0\u2028\u2029'.repeat(1000) },
];

const SNIPPETS = [
  'x', '\n', '    ', '\t', '(', ')', '[', ']', '{', '}', ':', ',', '"', "'", '"""', '\\', '#', '@', '=', '.', '\r\n', '\r',
  'self.gate = nn.Linear(dim, 8)\n        ', 'return x + self.mlp(x)\n', 'class Extra(nn.Module):\n    pass\n',
  '# archlens: unet\n', '# archlens: ignore residual-block -- reason\n', '# archlens: ignore\n', '# archlens: no-such-id\n',
  'def forward(self, x):\n', 'for blk in self.blocks:\n            x = blk(x)\n', 'nn.ModuleList([Block() for _ in range(4)])',
  'é😀', 'λ', '变量', '\u0000', '\ud800', '\u200b', '\u0301', '\ufeff', 'lambda: ', 'async ', 'yield ', 'await ', '**', '*',
];

const UNICODE_NAMES = ['ñame', '变量', 'λ', 'x̂', 'Ω_1', 'ｆｕｌｌ', 'ⅷ', 'ǅ', 'ﬁ', 'αβγ', 'self_é'];

interface Case {
  kind: string;
  description: string;
  /** Text for the core; undefined for byte-only cases. */
  text?: string;
  /** Bytes for decodeSource (the CLI path). */
  bytes?: Uint8Array;
  /** Whether the bytes are valid UTF-8 without NUL (decodeSource must accept them). */
  giant?: boolean;
  /** Incremental: the start text and the edits. */
  edits?: Array<{ start: number; end: number; insert: string }>;
}

function lineMutation(r: Rand, text: string, kind: 'delete' | 'duplicate' | 'shuffle'): { text: string; note: string } {
  const lines = text.split('\n');
  const count = 1 + r.int(Math.min(8, lines.length));
  const notes: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = r.int(lines.length);
    notes.push(i);
    if (kind === 'delete') lines.splice(i, 1);
    else if (kind === 'duplicate') lines.splice(i, 0, ...lines.slice(i, i + 1 + r.int(5)));
    else {
      const j = r.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
  }
  return { text: lines.join('\n'), note: `${kind} lines ${notes.join(',')}` };
}

function textMutation(r: Rand, seed: Seed): { kind: string; text: string; note: string } {
  const t = seed.text;
  const kind = r.pick(['truncate', 'delete-lines', 'duplicate-lines', 'swap-lines', 'splice', 'crlf', 'lone-cr', 'tabs', 'unicode-identifiers', 'nul', 'dedent', 'stack']);
  switch (kind) {
    case 'truncate': {
      const at = r.int(t.length + 1);
      return { kind, text: t.slice(0, at), note: `truncate at ${at}` };
    }
    case 'delete-lines':
      return { kind, ...lineMutation(r, t, 'delete') };
    case 'duplicate-lines':
      return { kind, ...lineMutation(r, t, 'duplicate') };
    case 'swap-lines':
      return { kind, ...lineMutation(r, t, 'shuffle') };
    case 'splice': {
      let out = t;
      const notes: string[] = [];
      for (let k = 1 + r.int(6); k > 0; k--) {
        const at = r.int(out.length + 1);
        const len = r.chance(0.5) ? 0 : r.int(30);
        const insert = r.chance(0.2) ? '' : r.pick(SNIPPETS);
        out = out.slice(0, at) + insert + out.slice(at + len);
        notes.push(`${at}-${at + len}=${JSON.stringify(insert)}`);
      }
      return { kind, text: out, note: `splice ${notes.join(' ')}` };
    }
    case 'crlf':
      return { kind, text: t.replace(/\n/g, '\r\n'), note: 'LF→CRLF' };
    case 'lone-cr': {
      const mixed = r.chance(0.5);
      return { kind, text: mixed ? t.replace(/\n/g, () => r.pick(['\n', '\r', '\r\n'])) : t.replace(/\n/g, '\r'), note: mixed ? 'mixed LF/CR/CRLF' : 'LF→CR' };
    }
    case 'tabs':
      return { kind, text: t.replace(/^( {4})+/gm, (m) => m.replace(/ {4}/g, () => r.pick(['\t', '    ', ' \t', '\t    ']))), note: 'mixed tabs and spaces in indents' };
    case 'unicode-identifiers': {
      const names = [...new Set(t.match(/\b[a-z_][a-z_0-9]*\b/g) ?? [])];
      const picked = names.filter(() => r.chance(0.3));
      const map = new Map(picked.map((n) => [n, `${r.pick(UNICODE_NAMES)}${n}`]));
      return { kind, text: t.replace(/\b[a-z_][a-z_0-9]*\b/g, (m) => map.get(m) ?? m), note: `unicode identifiers for ${picked.slice(0, 8).join(',')}${picked.length > 8 ? ',…' : ''}` };
    }
    case 'nul': {
      const at = r.int(t.length + 1);
      return { kind, text: `${t.slice(0, at)}\u0000${t.slice(at)}`, note: `NUL at ${at}` };
    }
    case 'dedent':
      return { kind, text: t.replace(/^ {4}/gm, () => (r.chance(0.1) ? '' : '    ')), note: 'random dedents' };
    default: {
      // Several mutations stacked.
      let text = t;
      const notes: string[] = [];
      for (let k = 0; k < 3; k++) {
        const m = textMutation(r, { name: seed.name, text });
        text = m.text;
        notes.push(m.note);
      }
      return { kind, text, note: notes.join(' + ') };
    }
  }
}

function byteMutation(r: Rand, seed: Seed): { bytes: Uint8Array; note: string } {
  const bytes = new Uint8Array(Buffer.from(seed.text, 'utf8'));
  const kind = r.pick(['flip', 'invalid-utf8', 'truncate-utf8', 'nul']);
  if (kind === 'flip') {
    const flips: string[] = [];
    for (let k = 1 + r.int(8); k > 0 && bytes.length > 0; k--) {
      const i = r.int(bytes.length);
      const bit = 1 << r.int(8);
      bytes[i] ^= bit;
      flips.push(`${i}^${bit}`);
    }
    return { bytes, note: `byte flips ${flips.join(',')}` };
  }
  if (kind === 'invalid-utf8') {
    const bad = r.pick([[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xfe]]);
    const at = r.int(bytes.length + 1);
    const out = new Uint8Array(bytes.length + bad.length);
    out.set(bytes.subarray(0, at));
    out.set(bad, at);
    out.set(bytes.subarray(at), at + bad.length);
    return { bytes: out, note: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')} at ${at}` };
  }
  if (kind === 'truncate-utf8') {
    const withMultibyte = new Uint8Array(Buffer.from(`${seed.text}# é😀变`, 'utf8'));
    const at = withMultibyte.length - 1 - r.int(3);
    return { bytes: withMultibyte.subarray(0, at), note: `multibyte tail cut at ${at}` };
  }
  const at = r.int(bytes.length + 1);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes.subarray(0, at));
  out.set(bytes.subarray(at), at + 1);
  return { bytes: out, note: `NUL byte at ${at}` };
}

export function makeCase(seed: number, index: number, seeds: Seed[], skip: { slow?: boolean; structural?: boolean } = {}): Case {
  if (index < STRUCTURAL.length) {
    const s = STRUCTURAL[index];
    if (skip.structural || ((s.giant || s.slow) && skip.slow)) return { kind: 'skipped', description: `structural ${s.name} (skipped)` };
    return { kind: `structural`, description: `structural ${s.name}`, text: s.build(), giant: s.giant };
  }
  const r = new Rand(prng(caseSeed(seed, index)));
  const file = r.pick(seeds);
  const roll = r.next();
  if (roll < 0.2) {
    const { bytes, note } = byteMutation(r, file);
    return { kind: 'bytes', description: `${file.name}: ${note}`, bytes };
  }
  if (roll < 0.35) {
    const edits: Array<{ start: number; end: number; insert: string }> = [];
    let length = file.text.length;
    for (let k = 0; k < 4 + r.int(8); k++) {
      const start = r.int(length + 1);
      const end = Math.min(length, start + (r.chance(0.5) ? 0 : r.int(60)));
      const insert = r.chance(0.25) ? '' : r.chance(0.2) ? file.text.slice(r.int(file.text.length), r.int(file.text.length)) : r.pick(SNIPPETS);
      edits.push({ start, end, insert });
      length += insert.length - (end - start);
    }
    return { kind: 'incremental', description: `${file.name}: ${edits.length} edits ${JSON.stringify(edits).slice(0, 400)}`, text: file.text, edits };
  }
  const m = textMutation(r, file);
  return { kind: `text:${m.kind}`, description: `${file.name}: ${m.note}`, text: m.text };
}

// ---------------------------------------------------------------------------------------------------
// Checks

/** Counts live tree-sitter trees: parse results minus deletions (the core must delete every tree). */
const liveTrees = { created: 0, deleted: 0 };
let treesPatched = false;
function trackTrees(): void {
  if (treesPatched) return;
  treesPatched = true;
  const parse = Parser.prototype.parse;
  Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
    const tree = parse.apply(this, args);
    if (tree) liveTrees.created++;
    return tree;
  } as Parser['parse'];
  const remove = Tree.prototype.delete;
  const deleted = new WeakSet<Tree>();
  Tree.prototype.delete = function (this: Tree) {
    if (!deleted.has(this)) {
      deleted.add(this);
      liveTrees.deleted++;
    }
    return remove.call(this);
  };
}

function comparable(a: FileAnalysis): unknown {
  return { findings: a.findings, errors: a.errors, pragmaProblems: a.pragmaProblems, classes: a.model.classes, lines: a.model.lines.length, hasSyntaxErrors: a.model.hasSyntaxErrors };
}

function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Set)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  const show = (v: unknown) => (JSON.stringify(v instanceof Set ? [...v] : v) ?? String(v)).slice(0, 200);
  return `${path || '(root)'}: ${show(a)} vs ${show(b)}`;
}

function positionAt(text: string, index: number): { row: number; column: number } {
  // tree-sitter counts rows at '\n' only; columns in UTF-16 units as the JS string indexes.
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

function textChange(before: string, after: string, start: number, end: number, insertLength: number): TextChange {
  return {
    startIndex: start,
    oldEndIndex: end,
    newEndIndex: start + insertLength,
    startPosition: positionAt(before, start),
    oldEndPosition: positionAt(before, end),
    newEndPosition: positionAt(after, start + insertLength),
  };
}

/** Requests a full GC when the flag can be set at run time (it can in Node ≥ 20). */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // No GC on demand: the heap numbers are then only indicative.
  }
}

/** Where the wasm heap is visible: emscripten keeps its heap views on the options object given to `Parser.init`. */
let wasmModuleOptions: object = {};
function wasmBytes(): number | undefined {
  const heap = (wasmModuleOptions as { HEAP8?: Int8Array }).HEAP8;
  return heap?.buffer.byteLength;
}

const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// The run

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const log = options.log ?? (() => {});
  const budgetMs = options.budgetMs ?? 3000;
  const giantBudgetMs = options.giantBudgetMs ?? 20_000;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  trackTrees();
  if (wasmBytes() === undefined) {
    // First in the process: initialize the runtime ourselves to see its memory (else it stays unknown).
    wasmModuleOptions = { wasmBinary: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')) };
    try {
      await Parser.init(wasmModuleOptions);
    } catch {
      wasmModuleOptions = {};
    }
  }
  const analyzer = await Analyzer.create(nodeGrammarSource(join(ROOT, 'dist')));
  const seeds = loadSeeds();
  const summary: FuzzSummary = {
    seed: options.seed,
    cases: 0,
    analyses: 0,
    budgetRefusals: 0,
    decodeRefusals: 0,
    incrementalEdits: 0,
    failures: [],
    slowest: { index: -1, description: '', ms: 0 },
    byKind: {},
    seconds: 0,
    memory: { heapStartMB: 0, heapEndMB: 0 },
    stoppedByTime: false,
  };

  const fail = (index: number, description: string, problem: string) => {
    summary.failures.push({ seed: options.seed, index, description, problem });
    log(`FAIL seed=${options.seed} case=${index} ${description}\n     ${problem}\n     replay: npm run fuzz -- --seed ${options.seed} --case ${index}`);
  };

  /** One analysis, timed; undefined when refused cleanly or failed. */
  const analyzeOnce = (index: number, c: Case, text: string, limitMs: number): FileAnalysis | undefined => {
    const t0 = performance.now();
    let result: FileAnalysis | undefined;
    try {
      summary.analyses++;
      result = analyzer.analyze(text);
    } catch (error) {
      if (error instanceof ParseBudgetExceeded) summary.budgetRefusals++;
      else fail(index, c.description, `threw ${(error as Error)?.name}: ${(error as Error)?.message}\n${(error as Error)?.stack?.split('\n').slice(1, 6).join('\n')}`);
    }
    const ms = performance.now() - t0;
    if (ms > summary.slowest.ms) summary.slowest = { index, description: c.description, ms };
    if (ms > limitMs) fail(index, c.description, `took ${ms.toFixed(0)} ms, over the ${limitMs} ms budget`);
    if (result && result.errors.length > 0) fail(index, c.description, `recognizer failed: ${result.errors.slice(0, 3).join(' | ')}`);
    return result;
  };

  /** Runs one case; false when it was skipped. */
  const runCase = (index: number): boolean => {
    const c = makeCase(options.seed, index, seeds, { slow: options.skipSlow, structural: options.skipStructural });
    if (c.kind === 'skipped') return false;
    summary.byKind[c.kind] = (summary.byKind[c.kind] ?? 0) + 1;
    const limit = c.giant ? giantBudgetMs : budgetMs;
    const treesBefore = liveTrees.created - liveTrees.deleted;

    if (c.bytes) {
      let decoded;
      try {
        decoded = decodeSource(c.bytes);
      } catch (error) {
        fail(index, c.description, `decodeSource threw ${(error as Error).message}`);
        return true;
      }
      const acceptable = isUtf8(c.bytes) && !c.bytes.includes(0);
      if (decoded.ok !== acceptable) {
        fail(index, c.description, `decodeSource ${decoded.ok ? 'accepted' : `refused (${decoded.reason})`} bytes that are ${acceptable ? '' : 'not '}valid NUL-free UTF-8`);
        return true;
      }
      if (!decoded.ok) {
        summary.decodeRefusals++;
        if (typeof decoded.reason !== 'string' || !decoded.reason) fail(index, c.description, 'refusal without a reason');
        return true;
      }
      c.text = decoded.text;
    }

    if (c.edits) {
      const doc = analyzer.openDocument();
      let text = c.text!;
      try {
        doc.update(text);
        for (const [step, e] of c.edits.entries()) {
          const start = Math.min(e.start, text.length);
          const end = Math.min(e.end, text.length);
          const next = text.slice(0, start) + e.insert + text.slice(end);
          const change = textChange(text, next, start, end, e.insert.length);
          text = next;
          const t0 = performance.now();
          const incremental = doc.update(text, [change]);
          const ms = performance.now() - t0;
          if (ms > limit) fail(index, c.description, `incremental update ${step} took ${ms.toFixed(0)} ms`);
          const fresh = analyzeOnce(index, c, text, limit);
          summary.incrementalEdits++;
          if (!fresh) return true;
          const a = { findings: incremental.findings, pragmaProblems: incremental.pragmaProblems, errors: incremental.errors };
          const b = { findings: fresh.findings, pragmaProblems: fresh.pragmaProblems, errors: fresh.errors };
          if (!isDeepStrictEqual(a, b)) {
            fail(index, c.description, `incremental ≠ fresh after edit ${step} (${JSON.stringify(c.edits[step])}): ${firstDifference(a, b)}`);
            return true;
          }
        }
      } catch (error) {
        if (error instanceof ParseBudgetExceeded) summary.budgetRefusals++;
        else fail(index, c.description, `DocumentAnalysis threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
      } finally {
        doc.dispose();
      }
    } else {
      const first = analyzeOnce(index, c, c.text!, limit);
      if (first) {
        const second = analyzeOnce(index, c, c.text!, limit);
        if (second && !isDeepStrictEqual(comparable(first), comparable(second))) {
          fail(index, c.description, `not deterministic: ${firstDifference(comparable(first), comparable(second))}`);
        }
      }
    }
    const leaked = liveTrees.created - liveTrees.deleted - treesBefore;
    if (leaked !== 0) fail(index, c.description, `${leaked} tree-sitter tree(s) not deleted`);
    return true;
  };

  // Memory probe: the same ordinary workload before and after the run must not leave the heap or the
  // wasm memory larger (after warm-up, with a GC in between).
  const probe = () => {
    for (const s of seeds) analyzer.analyze(s.text);
    const doc = analyzer.openDocument();
    try {
      let text = seeds[0].text;
      doc.update(text);
      for (let i = 0; i < 20; i++) {
        const next = `${text.slice(0, 10)}x${text.slice(10)}`;
        doc.update(next, [textChange(text, next, 10, 10, 1)]);
        text = next;
      }
    } finally {
      doc.dispose();
    }
  };
  const measure = () => {
    collectGarbage();
    return { heap: process.memoryUsage().heapUsed / MB, wasm: wasmBytes() };
  };

  const indexes = options.only !== undefined ? [options.only] : Array.from({ length: options.cases }, (_, i) => i);
  const probing = options.memoryProbe !== false;
  if (probing) {
    probe();
    probe();
  }
  const before = measure();
  summary.memory.heapStartMB = Math.round(before.heap);
  if (before.wasm !== undefined) summary.memory.wasmStartMB = Math.round(before.wasm / MB);

  let lastReport = performance.now();
  for (const index of indexes) {
    if (performance.now() > deadline) {
      summary.stoppedByTime = true;
      break;
    }
    if (runCase(index)) summary.cases++;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      log(`… ${summary.cases} cases, ${summary.failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }

  // Memory returned: after the run, the probe workload must fit in what the warmed-up process had.
  if (probing) probe();
  const mid = measure();
  if (probing) {
    probe();
    probe();
  }
  const after = measure();
  summary.memory.heapEndMB = Math.round(after.heap);
  if (after.wasm !== undefined) summary.memory.wasmEndMB = Math.round(after.wasm / MB);
  if (probing && after.heap - before.heap > 64) fail(-1, 'memory probe', `JS heap grew from ${before.heap.toFixed(0)} MB to ${after.heap.toFixed(0)} MB over the run`);
  if (probing && after.heap - mid.heap > 16) fail(-1, 'memory probe', `JS heap keeps growing over repeated identical work: ${mid.heap.toFixed(0)} → ${after.heap.toFixed(0)} MB`);
  if (probing && mid.wasm !== undefined && after.wasm !== undefined && after.wasm > mid.wasm) fail(-1, 'memory probe', `wasm memory grew over repeated identical work: ${mid.wasm / MB} → ${after.wasm / MB} MB`);
  if (liveTrees.created !== liveTrees.deleted) fail(-1, 'memory probe', `${liveTrees.created - liveTrees.deleted} tree(s) never deleted`);
  analyzer.dispose();
  summary.seconds = Math.round((performance.now() - started) / 100) / 10;
  return summary;
}

export function formatSummary(s: FuzzSummary): string {
  const wasm = s.memory.wasmStartMB !== undefined ? `, wasm ${s.memory.wasmStartMB}→${s.memory.wasmEndMB} MB` : '';
  return [
    `fuzz: seed ${s.seed}, ${s.cases} cases (${Object.entries(s.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}) in ${s.seconds} s${s.stoppedByTime ? ' (time limit reached)' : ''}`,
    `      ${s.analyses} analyses, ${s.incrementalEdits} incremental edits, ${s.budgetRefusals} over-budget refusals, ${s.decodeRefusals} decode refusals; heap ${s.memory.heapStartMB}→${s.memory.heapEndMB} MB${wasm}`,
    `      slowest: case ${s.slowest.index} (${s.slowest.description.slice(0, 100)}) ${s.slowest.ms.toFixed(0)} ms`,
    `fuzz: ${s.failures.length === 0 ? 'PASS' : `FAIL (${s.failures.length} failure${s.failures.length === 1 ? '' : 's'})`} — ${s.cases} cases, seed ${s.seed}, ${s.seconds} s`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      cases: { type: 'string', default: '2000' },
      seconds: { type: 'string', default: '600' },
      case: { type: 'string' },
      'skip-slow': { type: 'boolean' },
    },
  });
  const number = (text: string, flag: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`fuzz: ${flag} takes a whole number, not '${text}'`);
      process.exit(2);
    }
    return n;
  };
  const summary = await runFuzz({
    seed: number(values.seed!, '--seed'),
    cases: number(values.cases!, '--cases'),
    seconds: number(values.seconds!, '--seconds'),
    only: values.case !== undefined ? number(values.case, '--case') : undefined,
    skipSlow: values['skip-slow'],
    log: (line) => console.log(line),
  });
  console.log(formatSummary(summary));
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
