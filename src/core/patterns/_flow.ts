// Local dataflow over a forward method's assignments, for recognizers that must tell the block input (or a
// shortcut of it) from values computed by the block's layers: residual adds, parallel branches, transposes.
// Not a pattern (the registry skips `_` files). Works on extracted facts only (assignment texts and reads).
import type { AssignFact, CallFact, ModuleClass } from '../model/types';
import { lastBefore, memoizeText } from './_util';

// ---------------------------------------------------------------------------------------------------
// Expression text

/** Replaces the content of string literals with spaces (same length), so brackets in strings are ignored. */
export function maskStrings(text: string): string {
  if (!/['"]/.test(text)) return text;
  const cached = maskedCache.get(text);
  if (cached !== undefined) return cached;
  if (maskedCache.size > 4096) maskedCache.clear();
  const masked = maskStringLiterals(text);
  maskedCache.set(text, masked);
  return masked;
}

const maskedCache = new Map<string, string>();

function maskStringLiterals(text: string): string {
  return text.replace(/([rbfuRBFU]{0,2})('''[\s\S]*?'''|"""[\s\S]*?"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")/g, (_m, prefix: string, body: string) => {
    const quote = body.startsWith("'''") || body.startsWith('"""') ? body.slice(0, 3) : body[0];
    return prefix + quote + ' '.repeat(body.length - 2 * quote.length) + quote;
  });
}

const OPEN = '([{';
const CLOSE = ')]}';

/** The text with everything nested inside brackets blanked out (brackets kept), for top-level scanning. */
export function topLevel(text: string): string {
  let depth = 0;
  let out = '';
  for (const ch of text) {
    if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
    out += depth > 0 && ch !== '\n' ? ' ' : ch;
    if (OPEN.includes(ch)) depth++;
  }
  return out;
}

/** Index of the bracket closing the one opened at `open`, or -1. */
export function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (OPEN.includes(text[i])) depth++;
    else if (CLOSE.includes(text[i])) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits at top-level commas (outside brackets); pieces are trimmed, empty ones dropped. */
export function splitTopLevelCommas(text: string): string[] {
  const top = topLevel(text);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= top.length; i++) {
    if (i === top.length || top[i] === ',') {
      const piece = text.slice(start, i).trim();
      if (piece) out.push(piece);
      start = i + 1;
    }
  }
  return out;
}

/** Top-level binary `+` positions of a piece (not unary, not `+=`, not an exponent `1e+5`). */
function plusPositions(top: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < top.length; i++) {
    if (top[i] !== '+' || top[i + 1] === '=') continue;
    const before = top.slice(0, i).trimEnd();
    // The end-anchored tests look only at the trailing word (and the character before it): testing the
    // whole prefix would be quadratic over a long sum.
    if (!/[\w)\]}'"]$/.test(before.slice(-1)) || /(^|[^\w.])\d+(\.\d*)?[eE]$/.test(trailingRun(before, /[\w.]/))) continue;
    if (/(^|\W)(return|in|and|or|not|if|else|lambda|yield)$/.test(trailingRun(before, /\w/))) continue;
    out.push(i);
  }
  return out;
}

/** Function-style sums: `torch.add(a, b)`, `layers.add([a, b])`, `layers.Add()([a, b])`, `tf.math.add`. */
const ADD_CALLEE = /(?:^|[^\w.])(?:[\w.]+\.)?(?:add\s*|add_graphs?\w*\s*|Add\s*\([^()]*\)\s*|drop_?path\d*\s*)$/;

/**
 * The end of `text`'s trailing run of `part` characters, with the character before it: an end-anchored
 * pattern that starts at a boundary (`^` or a character outside `part`) and then matches only `part`
 * characters gives the same answer on it as on the whole text, without scanning the whole text.
 */
function trailingRun(text: string, part: RegExp): string {
  let start = text.length;
  while (start > 0 && part.test(text[start - 1])) start--;
  return text.slice(Math.max(0, start - 1));
}

/**
 * The part of `region.slice(0, end)` that `ADD_CALLEE` can match (see `trailingRun`): trailing space, an
 * optional `(...)` without parentheses inside and space before it, then the dotted name and one boundary.
 */
function addCalleeTail(region: string, end: number): string {
  let start = end;
  while (start > 0 && /\s/.test(region[start - 1])) start--;
  if (region[start - 1] === ')') {
    start--;
    while (start > 0 && region[start - 1] !== '(' && region[start - 1] !== ')') start--;
    if (region[start - 1] !== '(') return region.slice(start, end);
    start--;
    while (start > 0 && /\s/.test(region[start - 1])) start--;
  }
  while (start > 0 && /[\w.]/.test(region[start - 1])) start--;
  return region.slice(Math.max(0, start - 1), end);
}

/**
 * The operand lists of every sum in an expression, at any nesting depth: `x + self.f(x)` gives
 * [['x', 'self.f(x)']], `F.relu(out + identity)` gives [['out', 'identity']], and `layers.add([x, y])` gives [['x', 'y']].
 */
export function additiveGroups(expression: string): string[][] {
  const groups: string[][] = [];
  const visit = (region: string, depth: number): void => {
    if (depth > 12) return;
    const top = topLevel(region);
    // Pieces between top-level separators that bind looser than `+`.
    const separators = /,|:|\bif\b|\belse\b|\band\b|\bor\b|\bnot\b|\blambda\b|==|!=|<=|>=|<|>|(?<![=!<>+\-*/%&|^])=(?!=)|\bfor\b|\bin\b/g;
    let start = 0;
    const pieces: Array<[number, number]> = [];
    for (const m of top.matchAll(separators)) {
      pieces.push([start, m.index]);
      start = m.index + m[0].length;
    }
    pieces.push([start, top.length]);
    for (const [from, to] of pieces) {
      const pieceTop = top.slice(from, to);
      const plus = plusPositions(pieceTop);
      if (plus.length === 0) continue;
      const terms: string[] = [];
      let s = 0;
      for (const p of plus) {
        terms.push(region.slice(from + s, from + p).trim());
        s = p + 1;
      }
      terms.push(region.slice(from + s, to).trim());
      if (terms.filter(Boolean).length >= 2) groups.push(terms.filter(Boolean));
    }
    for (let i = 0; i < top.length; i++) {
      if (!OPEN.includes(top[i])) continue;
      const close = matchingClose(region, i);
      if (close < 0) break;
      const inner = region.slice(i + 1, close);
      if (top[i] === '(' && ADD_CALLEE.test(addCalleeTail(region, i))) {
        let args = splitTopLevelCommas(inner).filter((a) => !/^\w+\s*=[^=]/.test(a));
        if (args.length === 1 && /^[[(]/.test(args[0])) args = splitTopLevelCommas(args[0].slice(1, -1));
        if (args.length >= 2) groups.push(args);
      }
      visit(inner, depth + 1);
      i = close;
    }
  };
  visit(maskStrings(expression), 0);
  return groups;
}

const PY_KEYWORDS = new Set([
  'and', 'or', 'not', 'if', 'else', 'elif', 'for', 'in', 'is', 'lambda', 'None', 'True', 'False', 'return', 'yield', 'await', 'async',
]);

/** Names read by an expression: not attribute names, keyword-argument names, or string contents. Shared: do not modify. */
export const identifiersOf: (expression: string) => readonly string[] = memoizeText((expression) => {
  const masked = maskStrings(expression);
  const out: string[] = [];
  for (const m of masked.matchAll(/(?<![\w.'"])([A-Za-z_]\w*)(?!\s*=[^=])/g)) {
    if (!PY_KEYWORDS.has(m[1])) out.push(m[1]);
  }
  return out;
});

// ---------------------------------------------------------------------------------------------------
// Layer calls

/** Calls that are not layers: Python builtins, tensor utilities, activations, einops. */
const NOT_LAYER_FUNCTIONS = new Set([
  'len', 'range', 'print', 'isinstance', 'issubclass', 'getattr', 'hasattr', 'setattr', 'default', 'exists', 'cast', 'list', 'tuple',
  'dict', 'set', 'zip', 'enumerate', 'max', 'min', 'sum', 'abs', 'float', 'int', 'str', 'bool', 'super', 'map', 'filter', 'sorted',
  'reversed', 'any', 'all', 'round', 'pow', 'type', 'iter', 'next', 'divmod', 'partial', 'rearrange', 'repeat', 'reduce', 'einsum',
  'pack', 'unpack', 'pair', 'to_2tuple', 'to_tuple', 'relu', 'gelu', 'silu', 'swish', 'sigmoid', 'tanh', 'softmax', 'mish',
  'nonlinearity', 'l2norm', 'normalize', 'drop_path', 'dropout', 'torch', 'divisible_by', 'cast_tuple', 'maybe', 'identity',
  'checkpoint_wrapper', 'shift', 'pad', 'interpolate', 'upsample', 'stack', 'cat', 'concat', 'concatenate', 'split', 'chunk',
]);
/** Merge and reshape layers built inline (`layers.Add()([a, b])`): they combine values, they are not a body. */
const NOT_LAYER_CTORS = /^(Add|Concatenate|Multiply|Subtract|Average|Maximum|Minimum|Dot|Rearrange|Reduce|Reshape|Permute|Flatten|Lambda|Identity|Tensor|Size|Parameter)$/;
/** Tensor methods called on `self.<weight>` or `self.<layer>.<weight>`: not layer applications. */
const TENSOR_METHODS = /^(expand|expand_as|repeat|view|reshape|to|type|type_as|unsqueeze|squeeze|transpose|permute|flatten|contiguous|clone|detach|size|mean|sum|float|half|t|softmax|sigmoid|exp|chunk|split|split_with_sizes|index_select|masked_fill|numel|dim|new_zeros|new_ones|astype|get|item|tile|broadcast_to|pow|sqrt|abs|norm)$/;
/** `self.X(...)` helpers of Flax/Keras modules that create state, not layer applications. */
const SELF_NOT_LAYER = /^(param|variable|sow|make_rng|get_variable|add_weight|add_loss|add_metric|has_rng|is_initializing|is_mutable_collection|put_variable|perturb|register_buffer|log|training|propagate|aggregate|message|message_and_aggregate|edge_update)$/;
/** Functional ops that apply a weight: `F.conv2d(x, self.weight)`, `F.linear`, `lax.conv_general_dilated`. */
const FUNCTIONAL_LAYER = /^(F|nn\.functional|torch\.nn\.functional|functional|lax|jax\.lax)\.(conv\w*|linear|bilinear|embedding)$/;
/** Wrappers applying a layer passed as their argument: `jax.vmap(self.mlp)(x)`, `checkpoint(self.block, x)`. */
const LAYER_WRAPPER = /(^|\.)(vmap|checkpoint|remat|scan|pmap|map_fn)$/;

/** One layer application found in an expression. */
export interface LayerCallText {
  /** Callee as written (`self.attn`, `nn.Dense`, `blk`, `conv2d_bn`). */
  callee: string;
  /** `self.X` attribute, when the callee is one. */
  selfAttr?: string;
  /** Text of the call's arguments. */
  args: string;
}

/** What a class offers to tell layer calls apart: its weights and its methods. */
export interface LayerScope {
  parameterNames: Set<string>;
  /** Local names bound to layers (loop variables over `self.X`, unpacked `self.X` tuples). */
  layerLocals: Set<string>;
  /** Functional models build blocks with helper functions (`conv2d_bn(x, ...)`): plain calls count as layers. */
  functional: boolean;
}

export function layerScope(cls: ModuleClass): LayerScope {
  const layerLocals = new Set<string>();
  // `layers = dropout_layers(self.layers, p)` then `for attn, ff in layers`: still the module's layers.
  const containers = new Set(cls.submodules.filter((s) => s.elements.length > 0 || /List|Sequential|Dict/.test(s.ctorName)).map((s) => s.name));
  const fromSelf = new Set<string>();
  for (const assign of cls.assigns) {
    const attrs = [...assign.value.matchAll(/self\.(\w+)/g)].map((m) => m[1]);
    if (attrs.some((a) => containers.has(a))) for (const t of assign.targets) if (/^\w+$/.test(t)) fromSelf.add(t);
    // `graph_net = jraph.GraphNetwork(...)`, `dense = nn.Dense(8)` (Flax compact): a layer built, then applied.
    const ctor = /^\s*([A-Za-z_][\w.]*)\s*\(/.exec(assign.value)?.[1];
    const last = ctor?.split('.').pop() ?? '';
    if (ctor && /^[A-Z]/.test(last) && !NOT_LAYER_CTORS.test(last) && matchingClose(assign.value, assign.value.indexOf('(')) === assign.value.trimEnd().length - 1) {
      for (const t of assign.targets) if (/^\w+$/.test(t)) layerLocals.add(t);
    }
  }
  for (const loop of cls.loops) {
    const iterable = identifiersOf(loop.iterable);
    if (/self\.\w+/.test(loop.iterable) || iterable.some((n) => fromSelf.has(n))) for (const t of identifiersOf(loop.target)) layerLocals.add(t);
  }
  for (const call of cls.calls) if (call.selfAttr && !call.callee.startsWith('self.')) layerLocals.add(call.callee.split(/[.(]/)[0]);
  for (const assign of cls.assigns) {
    if (/^self\.\w+$/.test(assign.value.trim())) for (const t of assign.targets) if (/^\w+$/.test(t)) layerLocals.add(t);
  }
  return { parameterNames: new Set(cls.parameters.map((p) => p.name)), layerLocals, functional: cls.name === null };
}

/** Layer applications in an expression: `self.X(...)`, inline `nn.Dense(4)(x)`, loop-bound `blk(x)`, helper `conv_bn(x)`. */
export function layerCallsIn(expression: string, scope: LayerScope): LayerCallText[] {
  const text = maskStrings(expression);
  const { closeOf, openOf } = bracketPairs(text);
  const out: LayerCallText[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '(') continue;
    const close = closeOf.get(i) ?? -1;
    const args = close > i ? expression.slice(i + 1, close) : '';
    let j = i - 1;
    while (j >= 0 && /\s/.test(text[j])) j--;
    if (j >= 0 && text[j] === ')') {
      // `Ctor(...)(x)` (Flax/Keras inline layer) or `jax.vmap(self.f)(x)`.
      const innerOpen = openOf.get(j) ?? -1;
      if (innerOpen < 0) continue;
      const innerCallee = calleeEndingAt(text, innerOpen - 1)?.callee ?? '';
      const innerArgs = text.slice(innerOpen + 1, j);
      const last = innerCallee.split('.').pop() ?? '';
      if (/^[A-Z]/.test(last) && !NOT_LAYER_CTORS.test(last)) out.push({ callee: innerCallee, args });
      else if (LAYER_WRAPPER.test(innerCallee) && /\bself\.\w+|^\s*[a-z_]\w*\s*$/.test(innerArgs)) {
        out.push({ callee: innerCallee, selfAttr: /\bself\.(\w+)/.exec(innerArgs)?.[1], args });
      } else if (innerCallee.startsWith('self.')) {
        // `self.conv(features, (3, 3))(x)` (Flax partial layer factories).
        const attr = innerCallee.split('.')[1];
        if (attr && !SELF_NOT_LAYER.test(attr)) out.push({ callee: innerCallee, selfAttr: attr, args });
      }
      continue;
    }
    const found = calleeEndingAt(text, j);
    // `f(x).transpose(1, 2)`: a method of a call's result, not a layer.
    if (!found || (found.start > 0 && text[found.start - 1] === '.')) continue;
    const callee = found.callee;
    // Skip the constructor part of an inline layer: `nn.Dense(4)` in `nn.Dense(4)(x)` is counted above.
    if (close > 0 && /^\s*\(/.test(text.slice(close + 1, close + 40))) continue;
    const parts = callee.split('.');
    const last = parts[parts.length - 1];
    if (parts[0] === 'self') {
      const attr = parts[1];
      if (!attr || SELF_NOT_LAYER.test(attr) || scope.parameterNames.has(attr)) continue;
      if (parts.length >= 3 && TENSOR_METHODS.test(last)) continue;
      out.push({ callee, selfAttr: attr, args });
    } else if (FUNCTIONAL_LAYER.test(callee)) {
      out.push({ callee, args });
    } else if (LAYER_WRAPPER.test(callee) && /^\s*self\.\w+/.test(args)) {
      out.push({ callee, selfAttr: /self\.(\w+)/.exec(args)?.[1], args });
    } else if (parts.length === 1) {
      if (scope.layerLocals.has(callee)) out.push({ callee, args });
      else if (/^[A-Z]/.test(callee) && !NOT_LAYER_CTORS.test(callee)) out.push({ callee, args });
      else if (scope.functional && /^[a-z_]\w*$/.test(callee) && !NOT_LAYER_FUNCTIONS.has(callee) && !PY_KEYWORDS.has(callee)) out.push({ callee, args });
    } else if (parts.length >= 2 && scope.layerLocals.has(parts[0]) && !TENSOR_METHODS.test(last)) {
      out.push({ callee, args });
    } else if (/^[A-Z]/.test(last) && !NOT_LAYER_CTORS.test(last) && /^(nn|layers|keras|tf|eqx|hk|linen)\b/.test(parts[0])) {
      out.push({ callee, args });
    }
  }
  return out;
}

/** Matching bracket positions of a text, both ways, in one pass. */
function bracketPairs(text: string): { closeOf: Map<number, number>; openOf: Map<number, number> } {
  const closeOf = new Map<number, number>();
  const openOf = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') stack.push(i);
    else if (ch === ')' || ch === ']' || ch === '}') {
      const open = stack.pop();
      if (open !== undefined) {
        closeOf.set(open, i);
        openOf.set(i, open);
      }
    }
  }
  return { closeOf, openOf };
}

/** The dotted name (`self.attn`, `nn.Dense`) ending at `end` (spaces before it skipped), if any. */
function calleeEndingAt(text: string, end: number): { callee: string; start: number } | undefined {
  let e = end;
  while (e >= 0 && /\s/.test(text[e])) e--;
  let k = e;
  while (k >= 0 && /[\w.]/.test(text[k])) k--;
  const callee = text.slice(k + 1, e + 1);
  return /^[A-Za-z_]/.test(callee) ? { callee, start: k + 1 } : undefined;
}

function findOpenBefore(text: string, closeIndex: number): number {
  let depth = 0;
  for (let i = closeIndex; i >= 0; i--) {
    if (CLOSE.includes(text[i])) depth++;
    else if (OPEN.includes(text[i])) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// Versions of local values

/** Names of values that are, by convention, a kept copy of the block input (possibly projected). */
export const SHORTCUT_NAME = /^(identity|short?cut\w*|short_cut\w*|residual\w*|res|skip\w*|x_skip|x_res|inp|sc|x_shortcut|input_tensor|x_in|h_in)$/i;
/** Layers that only carry the input across a block: projection shortcuts, downsample paths. */
export const SHORTCUT_LAYER = /short?cut|downsample|down_sample|skip|^res_?conv|conv_?res|identity|proj_?short|match_?dim|^sc$|res_?proj|res_?scale|conv_shortcut|nin_shortcut/i;
/**
 * `self.residual(x)` names the shortcut in some code and the body (the "residual function") in other:
 * a shortcut only when nothing else in the sum is one.
 */
export const RESIDUAL_LAYER = /^residual(_?(conv|proj\w*|connection|path))?\d*$/i;

/** One assignment of a local name (SSA-like), or a method input. */
export interface Version {
  id: number;
  name: string;
  line: number;
  /** Right-hand side (empty for method inputs). */
  value: string;
  /** Versions read by the value (shape-like scalars left out). */
  deps: number[];
  /** The value applies one of the class's layers (a shortcut layer does not count). */
  layer: boolean;
  /** The value is the same data as its single dependency (reshaped, scaled, indexed, or a shortcut projection). */
  copy: boolean;
  /** A shape, size, or other scalar. */
  scalar: boolean;
  /** A method input. */
  input: boolean;
  /** A list, tuple or dict being filled (`outs = []`): a container, not a value of the stream. */
  container: boolean;
  /** For a list literal or a list filled with `.append(...)`: its element texts, in order. */
  elements?: string[];
}

/** Which version each local name holds at one point of a method. */
export interface Env {
  get(name: string): number | undefined;
  has(name: string): boolean;
}

export interface FlowStep {
  assign: AssignFact;
  /** Versions visible before the assignment. */
  env: Env;
}

/**
 * The names' versions as a method runs, kept as one history per name so that each statement gets a
 * cheap view of "the versions before me" instead of a copied map.
 */
class EnvHistory {
  private readonly history = new Map<string, Array<{ step: number; version: number }>>();
  private step = 0;

  set(name: string, version: number): void {
    const entries = this.history.get(name) ?? [];
    entries.push({ step: this.step, version });
    this.history.set(name, entries);
  }

  get(name: string): number | undefined {
    const entries = this.history.get(name);
    return entries ? entries[entries.length - 1].version : undefined;
  }

  has(name: string): boolean {
    return this.history.has(name);
  }

  /** A view of the versions set before now; later assignments do not show in it. */
  snapshot(): Env {
    const at = ++this.step;
    const history = this.history;
    const lookup = (name: string): number | undefined => {
      const entries = history.get(name);
      // Steps only grow, so entries are in step order.
      return entries && lastBefore(entries, (entry) => entry.step, at)?.version;
    };
    return { get: lookup, has: (name) => lookup(name) !== undefined };
  }
}

export interface MethodFlow {
  method: string | null;
  versions: Version[];
  /** Versions created by the statement at each line. */
  byLine: Map<number, number[]>;
  steps: FlowStep[];
  scope: LayerScope;
}

/** Fresh tensors (`torch.arange(n)`, `ops.zeros_like(x)`): sizes and positions, not the stream's data. */
const FRESH_TENSOR = /^\s*(?:[\w.]+\.)?(arange|range|linspace|zeros|ones|zeros_like|ones_like|full|full_like|empty|eye|randn|rand|normal|uniform|randint|tril|triu)\(/;
const SCALAR_VALUE = /\.shape\b|\.size\(|\blen\(|\.dim\(\)|\.ndim\b|\.device\b|\.dtype\b|\bint\(|\bmath\.|^\s*-?\d/;
const MODULE_PREFIXES = new Set(['self', 'cls', 'torch', 'F', 'nn', 'np', 'jnp', 'jax', 'tf', 'keras', 'layers', 'ops', 'math', 'einops', 'lax', 'eqx', 'functools', 'K', 'backend']);

/**
 * Lines of functions nested in a class's methods (`def shape(x): ...` inside `forward`): their locals
 * shadow the method's, so their statements are left out of the method's flow. Read from indentation.
 */
function nestedFunctionLines(cls: ModuleClass, lines: string[]): Set<number> {
  const out = new Set<number>();
  const indent = (text: string): number => /^\s*/.exec(text)![0].length;
  for (const method of cls.methods) {
    for (let line = method.line + 1; line <= method.endLine; line++) {
      const text = lines[line - 1] ?? '';
      if (!/^\s*(async\s+)?def\s/.test(text)) continue;
      const depth = indent(text);
      let end = line + 1;
      while (end <= method.endLine && (/^\s*(#.*)?$/.test(lines[end - 1] ?? '') || indent(lines[end - 1] ?? '') > depth)) end++;
      for (let l = line; l < end; l++) out.add(l);
      line = end - 1;
    }
  }
  return out;
}

/**
 * Dataflow of each non-constructor method (or of a functional model's body), in source order. With the
 * file's lines, statements of functions nested in a class's methods are left out (a functional model's
 * nested closures are its layers, and stay).
 */
export function methodFlows(cls: ModuleClass, imports?: Map<string, string>, lines?: string[]): MethodFlow[] {
  // Several recognizers read the same class in one analysis: build its flows once. The source lines the
  // build read are read again on reuse (each recognizer may see the lines through its own dependency
  // recorder) and must still say the same.
  const cached = flowCache.get(cls);
  const sameLines = (entry: FlowCacheEntry): boolean =>
    entry.lines === lines || (lines !== undefined && entry.lineTexts !== undefined && entry.lineTexts.every(([index, text]) => lines[index] === text));
  if (cached && cached.imports === imports && (cached.lines === undefined) === (lines === undefined) && sameLines(cached)) return cached.flows;
  const flows = buildMethodFlows(cls, imports, lines);
  flowCache.set(cls, { lines, imports, flows, lineTexts: lines ? methodLineIndexes(cls).map((i) => [i, lines[i]] as [number, string]) : undefined });
  return flows;
}

interface FlowCacheEntry {
  lines?: string[];
  imports?: Map<string, string>;
  flows: MethodFlow[];
  /** The source lines a build read (0-based index, text), to check on reuse. */
  lineTexts?: Array<[number, string]>;
}

const flowCache = new WeakMap<ModuleClass, FlowCacheEntry>();

/** 0-based indexes of the lines of a class's methods (what `nestedFunctionLines` reads). */
function methodLineIndexes(cls: ModuleClass): number[] {
  const out: number[] = [];
  for (const method of cls.methods) for (let line = method.line + 1; line <= method.endLine; line++) out.push(line - 1);
  return out;
}

function buildMethodFlows(cls: ModuleClass, imports?: Map<string, string>, lines?: string[]): MethodFlow[] {
  const scope = layerScope(cls);
  const nested = lines && cls.name !== null ? nestedFunctionLines(cls, lines) : new Set<number>();
  // Functions nested in a method wrap the class's layers (`def attn_residual_func(x): return self.ls1(self.attn(x))`).
  for (const line of nested) {
    const name = /^\s*(?:async\s+)?def\s+(\w+)/.exec(lines?.[line - 1] ?? '')?.[1];
    if (name) scope.layerLocals.add(name);
  }
  const byMethod = new Map<string | null, AssignFact[]>();
  for (const assign of cls.assigns) {
    if (nested.has(assign.line)) continue;
    const list = byMethod.get(assign.method) ?? [];
    list.push(assign);
    byMethod.set(assign.method, list);
  }
  const flows: MethodFlow[] = [];
  for (const [method, assigns] of byMethod) {
    const params = cls.methods.find((m) => m.name === method)?.params.filter((p) => p !== 'self' && p !== 'cls');
    const versions: Version[] = [];
    const env = new EnvHistory();
    const newVersion = (v: Omit<Version, 'id'>): number => {
      versions.push({ ...v, id: versions.length });
      return versions.length - 1;
    };
    const inputVersion = (name: string, line: number): number =>
      newVersion({ name, line, value: '', deps: [], layer: false, copy: false, scalar: false, input: true, container: false });
    for (const p of params ?? []) env.set(p, inputVersion(p, 0));
    const steps: FlowStep[] = [];
    // `outs.append(conv(x))` fills a list: the list then derives from what was appended.
    const appends = cls.calls.filter((c) => c.method === method && !nested.has(c.line) && /^(append|extend|insert)$/.test(c.name) && /^\w+$/.test(c.receiver ?? '') && c.args.length > 0);
    type FlowEvent = { line: number; assign?: AssignFact; append?: CallFact };
    const events: FlowEvent[] = [...assigns.map((a) => ({ line: a.line, assign: a })), ...appends.map((c) => ({ line: c.line, append: c }))];
    for (const event of events.sort((a, b) => a.line - b.line)) {
      if (event.append) {
        const call = event.append;
        const receiver = call.receiver!;
        const item = call.name === 'insert' ? call.args.slice(1).join(', ') : call.args.join(', ');
        const previous = env.get(receiver);
        const itemDeps = versionsReadIn(versions, stripShapes(item), env);
        const itemLayer = layerCallsIn(item, scope).some((c) => !SHORTCUT_LAYER.test(c.selfAttr ?? c.callee.split('.').pop() ?? ''));
        const before = previous !== undefined ? versions[previous] : undefined;
        const id = newVersion({
          name: receiver,
          line: call.line,
          value: `${receiver}.${call.name}(${call.args.join(', ')})`,
          deps: [...new Set([...(previous !== undefined && !versions[previous].scalar ? [previous] : []), ...itemDeps])],
          layer: itemLayer,
          copy: false,
          scalar: false,
          input: false,
          container: true,
          elements: call.name === 'append' ? [...(before?.elements ?? []), item] : undefined,
        });
        env.set(receiver, id);
        continue;
      }
      const assign = event.assign!;
      // Functional models have no parameter list: names read before being assigned are their inputs.
      if (!params) {
        for (const name of assign.reads) {
          if (!env.has(name) && !MODULE_PREFIXES.has(name) && !imports?.has(name)) env.set(name, inputVersion(name, assign.line));
        }
      }
      steps.push({ assign, env: env.snapshot() });
      const readVersions = [...new Set(assign.reads.filter((r) => env.has(r)).map((r) => env.get(r)!))];
      const calls = layerCallsIn(assign.value, scope);
      const bodyCalls = calls.filter((c) => !SHORTCUT_LAYER.test(c.selfAttr ?? c.callee.split('.').pop() ?? ''));
      // Data dependencies: names read outside shape lookups (`x.shape[1]`, `x.size(0)`), scalars left out.
      const deps = versionsReadIn(versions, stripShapes(appliedTo(assign.value)), env);
      const layer = bodyCalls.length > 0;
      // Sizes, constants and fresh tensors: no data flows into them.
      const container = /^\s*(\[\s*\]|\(\s*\)|\{\s*\}|list\(\)|dict\(\)|\[[^\]]*\]\s*\*\s*\w+)\s*$/.test(assign.value);
      const scalar = !layer && !container && (FRESH_TENSOR.test(assign.value) || deps.length === 0) && (FRESH_TENSOR.test(assign.value) || readVersions.length > 0 || SCALAR_VALUE.test(assign.value) || !/\(/.test(assign.value) || /^\s*self\.\w+\s*$/.test(assign.value));
      const listLiteral = /^\s*\[[\s\S]*\]\s*$/.test(assign.value) && matchingClose(assign.value, assign.value.indexOf('[')) === assign.value.trimEnd().length - 1;
      const elements = listLiteral ? splitTopLevelCommas(assign.value.trim().slice(1, -1)) : container ? [] : undefined;
      const targets = assign.targets.filter((t) => /^\w+$/.test(t) && t !== 'return');
      for (const target of targets) {
        // `identity = self.downsample(x)` keeps the input; `res = self.residual(x)` is the block's body.
        // A `residual`/`res` variable is a kept input only when what is applied to it looks like a projection
        // (1x1 conv, norm, pooling, resampling); otherwise it names the block's body (`residual = self.conv1(x)`).
        const weakName = /^res(idual)?\w*$/i.test(target);
        const projection = /\(\s*1\s*,\s*1\s*\)|kernel_size\s*=\s*1\b|^\s*[\w.]*\(\s*\w+\s*,\s*1\s*[,)]|norm|pool|upsampl|interpolate|resize/i.test(assign.value);
        const kept = SHORTCUT_NAME.test(target) && deps.length === 1 && calls.length > 0 && !calls.some((c) => RESIDUAL_LAYER.test(c.selfAttr ?? c.callee)) && (!weakName || projection);
        // Parts of a split are not the whole (`shift, scale = emb.chunk(2)`).
        const part = targets.length > 1 && /\.(chunk|split|unbind|tensor_split)\(|\b(split|unbind)\(/.test(assign.value);
        const copy = deps.length === 1 && (!layer || kept) && !part;
        const id = newVersion({
          name: target,
          line: assign.line,
          value: assign.value,
          deps: assign.operator === '=' ? deps : [...new Set([...deps, ...(env.has(target) ? [env.get(target)!] : [])])],
          layer: layer && !kept,
          copy: assign.operator === '=' ? copy : false,
          scalar: scalar && assign.operator === '=',
          input: false,
          container: container && assign.operator === '=',
          elements: assign.operator === '=' && targets.length === 1 ? elements : undefined,
        });
        env.set(target, id);
      }
    }
    const byLine = new Map<number, number[]>();
    for (const v of versions) if (!v.input) byLine.set(v.line, [...(byLine.get(v.line) ?? []), v.id]);
    flows.push({ method, versions, byLine, steps, scope });
  }
  return flows;
}

/**
 * `v` and the versions it is a plain copy of (through reshapes, scalings, shortcut projections), with
 * their siblings from one tuple unpacking (`hidden_states, residual = fused_add_norm(...)`).
 */
export function rootsOf(flow: MethodFlow, v: number): Set<number> {
  const out = new Set<number>();
  let current: number | undefined = v;
  while (current !== undefined && !out.has(current)) {
    out.add(current);
    const version: Version = flow.versions[current];
    current = version.copy ? version.deps[0] : undefined;
  }
  for (const r of [...out]) {
    const version = flow.versions[r];
    if (version.input || !/^(residual|res|shortcut)\w*$/.test(version.name)) continue;
    for (const other of flow.byLine.get(version.line) ?? []) if (flow.versions[other].value === version.value && flow.versions[other].name !== version.name) out.add(other);
  }
  return out;
}

/** `v` and every version it derives from. */
export function ancestorsOf(flow: MethodFlow, v: number): Set<number> {
  const out = new Set<number>();
  const stack = [v];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (out.has(current)) continue;
    out.add(current);
    stack.push(...flow.versions[current].deps);
  }
  return out;
}

/**
 * The versions reached from `v` through steps that are not `isStep`, stopping at (and returning) those
 * that are — e.g. the layer applications a value came out of, not what they derive from. Iterative and in
 * source order of the dependencies, as a recursive walk would visit them.
 */
export function stepsReached(flow: MethodFlow, v: number, isStep: (version: Version) => boolean): number[] {
  const reached: number[] = [];
  const seen = new Set<number>();
  const stack = [v];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const version = flow.versions[current];
    if (isStep(version)) reached.push(current);
    else for (let i = version.deps.length - 1; i >= 0; i--) stack.push(version.deps[i]);
  }
  return reached;
}

/** A set of versions asked only for membership and emptiness. */
export interface VersionQuery {
  has(v: number): boolean;
  readonly nonEmpty: boolean;
}

/**
 * Whether `target` is among `from` and the versions they derive from (`ancestorsOf`), without building
 * those sets: a version's dependencies are always older (smaller ids), so nothing older than `target`
 * can lead to it.
 */
export function derivesFrom(flow: MethodFlow, from: readonly number[], target: number): boolean {
  const seen = new Set<number>();
  const stack = from.filter((v) => v >= target);
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current === target) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const dep of flow.versions[current].deps) if (dep >= target) stack.push(dep);
  }
  return false;
}

/**
 * The versions `v` was computed from through at least one layer, as a membership test: the ancestors of
 * the inputs of every layer application reached from `v` through non-layer steps. Queries walk only what
 * they need, so a method of thousands of statements is not quadratic.
 */
export function computedFrom(flow: MethodFlow, v: number): VersionQuery {
  let layers: number[] | undefined;
  const reachedLayers = (): number[] => (layers ??= stepsReached(flow, v, (version) => version.layer));
  return {
    has: (target) => reachedLayers().some((layer) => derivesFrom(flow, flow.versions[layer].deps, target)),
    get nonEmpty() {
      return reachedLayers().some((layer) => flow.versions[layer].deps.length > 0);
    },
  };
}

/** Versions an expression reads, given the names visible at its statement (scalars left out). */
export function versionsRead(flow: MethodFlow, expression: string, env: Env): number[] {
  return versionsReadIn(flow.versions, stripShapes(expression), env);
}

/**
 * The data part of an inline layer application: `x` in `layers.Conv2D(filters, 1)(x)` (its configuration
 * is not data the value derives from); the whole expression otherwise.
 */
export function appliedTo(expression: string): string {
  const text = maskStrings(expression).trimEnd();
  if (!text.endsWith(')')) return expression;
  const open = findOpenBefore(text, text.length - 1);
  if (open <= 0 || !/\)\s*$/.test(text.slice(0, open))) return expression;
  return expression.slice(open + 1, text.length - 1);
}

/** `x.shape[-1]`, `x.size(1)`, `x.device`: sizes and placement, not data. */
function stripShapes(expression: string): string {
  return expression
    .replace(/\b\w+\.(shape|size\([^()]*\)|dtype|device|ndim)(\[[^\]]*\])?/g, ' ')
    .replace(/(?:\b[\w.]+\.)?(shape|len|size|int_shape|get_shape)\(\s*[\w.]+\s*\)(\[[^\]]*\])?/g, ' ');
}

function versionsReadIn(versions: Version[], expression: string, env: Env): number[] {
  const out = new Set<number>();
  for (const name of identifiersOf(expression)) {
    const v = env.get(name);
    if (v !== undefined && !versions[v].scalar) out.add(v);
  }
  return [...out];
}
