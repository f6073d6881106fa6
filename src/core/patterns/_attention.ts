// Shared analysis for the attention patterns (self-attention, cross-attention, causal-decoder).
// Not a pattern (the registry skips `_` files).
//
// The question both attention recognizers ask is the same: where does this class compute
// softmax(q·kᵀ)·v (or hand q, k, v to a fused kernel or a library attention layer), and which
// method inputs do the queries and the keys/values derive from? Same stream: self-attention;
// another stream: cross-attention; an optional second stream for the keys (`default(context, x)`,
// HF `key_value_states`): both.
import { resolveDotted } from '../model/imports';
import type { AssignFact, CallFact, MethodFact, ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, RecognizeContext } from './_types';
import { allLayers, evidence, firstSubmoduleNamed, identifiersIn, lastBefore } from './_util';

/** Names that hold queries, keys, values (and their projections) in real attention code. */
export const QUERY_NAME = /^(q|qs|xq|query|queries|q_\w+|query_\w+|\w+_q|\w+_query|\w+_queries|q\d|theta\w*)$/i;
export const KEY_NAME = /^(k|ks|xk|key|keys|k_\w+|key_\w+|\w+_k|\w+_key|\w+_keys|k\d|phi\w*)$/i;
export const VALUE_NAME = /^(v|vs|xv|value|values|v_\w+|value_\w+|\w+_v|\w+_value|\w+_values|v\d|g_x)$/i;
/** A fused q/k/v (or k/v) projection's output or layer name. */
const FUSED_PROJECTION = /^(qkv|to_qkv|qkv_proj|in_proj|wqkv|w_qkv|c_attn|query_key_value|qkv_linear|qkv_layer|w_pack|mixed_qkv|to_kv|kv|kv_proj|wkv|c_kv)$/i;

/** Method inputs that are not a stream of tokens: masks, positions, caches, flags. */
const NON_STREAM =
  /(mask|^pos$|^pos_|_pos$|_pos_|position|rotary|rope|freqs?|^sin|^cos|bias|cache|past|present|^use_|^output_|^return_|relative|^rel_|alibi|seq_?len|seqlens|lengths?$|^steps?$|training|deterministic|kwargs|^args$|^is_|layer_idx|^idx$|scale|dropout|causal|window|shape|size|temperature|timestep|^t$|^time|^t?emb$|_pos_emb|cu_seqlens|segment|token_type|head_mask|inference_params|(ssm|conv|kv|cache|rnn)_states?$|^mode$|^train$|^key_padding|^need_weights|^average_attn|^attn_weights$|sinusoid|coords?$|offset|^h$|^w$|^hw$|^height|^width|grid|xl_mem|knn_mem|^mems$|mem_kv|memories)/i;


/**
 * Union-based value flow within each method: for a local name, every method input (and every learned
 * tensor `self.<param>`) any of its assignments so far derives from. Union (not last-wins) so that
 * `if cross: k = self.key(encoder_hidden_states) else: k = self.key(hidden_states)` keeps both.
 */
export class ClassFlow {
  private readonly history = new Map<string, Array<{ line: number; origins: Set<string> }>>();
  private readonly methods = new Map<string, MethodFact>();
  private readonly learned: Set<string>;

  constructor(
    private readonly cls: ModuleClass,
    lines: string[],
  ) {
    for (const m of cls.methods) this.methods.set(m.name, m);
    this.learned = new Set(cls.parameters.filter((p) => p.kind === 'parameter').map((p) => p.name));
    const byMethod = new Map<string, AssignFact[]>();
    for (const a of cls.assigns) {
      const list = byMethod.get(a.method ?? '') ?? [];
      list.push(a);
      byMethod.set(a.method ?? '', list);
    }
    for (const [method, assigns] of byMethod) {
      assigns.sort((a, b) => a.line - b.line);
      // Locals holding a tuple literal, item by item: `qkv = (self.to_q(x), *self.to_kv(context).chunk(2))`.
      const tuples = new Map<string, Array<Set<string>>>();
      for (const a of assigns) {
        const whole = this.expressionOrigins(a.value, method, a.line + 0.5);
        // `q, k, v = map(fn, (q, *kv))`, `q, k = norm(q), norm(k)`: each target from its own item.
        let items: Array<Set<string>> | null = null;
        if (a.targets.length > 1) {
          const texts = elementwiseSources(a.value, a.targets.length) ?? nestedSources(lines[a.line - 1] ?? '', a.value, a.targets.length);
          if (texts) items = texts.map((t) => this.expressionOrigins(t, method, a.line + 0.5));
          else {
            const held = a.reads.map((r) => tuples.get(r)).find((t) => t !== undefined && t.length === a.targets.length);
            if (held) items = held;
          }
        } else if (/^\w+$/.test(a.targets[0] ?? '')) {
          const texts = /^[([]/.test(a.value.trim()) ? elementwiseSources(a.value.trim().slice(1, -1), 0) : null;
          if (texts) tuples.set(a.targets[0], texts.map((t) => this.expressionOrigins(t.replace(/^\*/, ''), method, a.line + 0.5)));
          else tuples.delete(a.targets[0]);
        }
        if (items) items = items.map((o, i) => (SHAPE_ONLY.test(itemText(a, i)) ? new Set<string>() : o));
        const shapeOnly = !items && SHAPE_ONLY.test(a.value.trim());
        for (const [i, target] of a.targets.entries()) {
          if (!/^\w+$/.test(target)) continue;
          // Sizes and devices read off a tensor (`b, n, _ = x.shape`) are not a stream.
          const origins = shapeOnly ? new Set<string>() : items ? items[i] : whole;
          const key = `${method}:${target}`;
          const list = this.history.get(key) ?? [];
          const previous = list.length > 0 ? list[list.length - 1].origins : new Set<string>();
          list.push({ line: a.line, origins: union(previous, origins) });
          this.history.set(key, list);
        }
      }
    }
  }

  /** Inputs a local name derives from just before `line` in `method`. */
  nameOrigins(name: string, method: string, line: number): Set<string> {
    const list = this.history.get(`${method}:${name}`);
    // Entries are in line order.
    const last = list && lastBefore(list, (entry) => entry.line, line);
    if (last) return last.origins;
    const params = this.methods.get(method)?.params ?? [];
    if (name !== 'self' && name !== 'cls' && params.includes(name)) return new Set([name]);
    return new Set();
  }

  /** Inputs an expression derives from (identifiers through the flow; `self.<learned>` as its own origin). */
  expressionOrigins(text: string, method: string, line: number): Set<string> {
    const out = new Set<string>();
    // Sizes, devices and dtypes read off a tensor (`b=data.shape[0]`, `x.size(1)`) carry no stream.
    const streamText = text.replace(SHAPE_READ, ' ');
    for (const name of identifiersIn(streamText)) for (const o of this.nameOrigins(name, method, line)) out.add(o);
    for (const m of text.matchAll(/self\.(\w+)/g)) {
      if (this.learned.has(m[1]) || /^(latents?|queries|query_tokens|learned_quer\w*|cls_token|class_token|probe)$/.test(m[1])) out.add(`self.${m[1]}`);
    }
    // Keras functional dict inputs: `inputs["latent_array"]` and `inputs["data_array"]` are two streams.
    for (const m of text.matchAll(/\b(\w+)\[\s*['"](\w+)['"]\s*\]/g)) {
      if (this.nameOrigins(m[1], method, line).size === 0) out.add(`${m[1]}.${m[2]}`);
    }
    const inlineParam = /self\.param\(\s*['"](\w+)['"]/.exec(text);
    if (inlineParam) out.add(`self.${inlineParam[1]}`);
    return out;
  }

  method(name: string): MethodFact | undefined {
    return this.methods.get(name);
  }

  /** Whether `input` is a parameter of `method` with a default (an optional stream). */
  isOptional(input: string, method: string): boolean {
    return this.methods.get(method)?.defaults?.[input] !== undefined;
  }

  /**
   * Maps inputs of a helper method (`def _attn(self, query, key, value)`) to the inputs of the methods
   * calling it (`self._attn(q, k, v)`), one level deep.
   */
  throughCallers(origins: Set<string>, method: string): Set<string> {
    const m = this.methods.get(method);
    if (!m || isForwardName(method)) return origins;
    const params = m.params.filter((p) => p !== 'self' && p !== 'cls');
    const callers = this.cls.calls.filter((c) => c.callee === `self.${method}` && c.method !== method);
    if (callers.length === 0) return origins;
    const out = new Set<string>();
    for (const o of origins) {
      const index = params.indexOf(o);
      if (index < 0) {
        out.add(o);
        continue;
      }
      for (const call of callers) {
        const arg = call.kwargs[o] ?? call.args[index];
        if (arg === undefined) continue;
        for (const x of this.expressionOrigins(arg, call.method ?? '', call.line)) out.add(x);
      }
    }
    return out;
  }
}

// Keyed by class alone: a flow reads only the class's own facts and lines, and a class model is reused
// only while its text is unchanged (a moved class is a fresh copy).
const flows = new WeakMap<ModuleClass, ClassFlow>();
export function flowOf(cls: ModuleClass, context: RecognizeContext): ClassFlow {
  let flow = flows.get(cls);
  if (!flow) {
    flow = new ClassFlow(cls, context.file.lines);
    flows.set(cls, flow);
  }
  return flow;
}

/** A size, shape, device or dtype read off a value. */
const SHAPE_READ = /\b[A-Za-z_][\w.]*\.(shape|device|dtype|ndim)\b(\s*\[[^\]]*\])?|\b[A-Za-z_][\w.]*\.size\([^()]*\)|\blen\(\s*[\w.]+\s*\)/g;

/** A value that is only a tensor's size, shape, device or dtype. */
const SHAPE_ONLY = /^\*?[\w.]+(\.(shape|device|dtype|ndim|is_cuda)(\[[^\]]*\])?|\.size\([^()]*\)|\.dim\(\))$|^len\([\w.]+\)$/;

/** The i-th top-level item text of a tuple assignment's value (starred items spread), or ''. */
function itemText(a: AssignFact, i: number): string {
  return elementwiseSources(a.value, a.targets.length)?.[i] ?? (a.targets.length > 1 && SHAPE_ONLY.test(a.value.trim()) ? a.value.trim() : '');
}

/**
 * Nested tuple targets: `(a, b), (c, d) = map(fn, (x, y))` — every name of the i-th target group
 * from the i-th item. Reads the left-hand side from the source line.
 */
function nestedSources(sourceLine: string, value: string, count: number): string[] | null {
  const eq = /^([^=]*?)(?<![=!<>])=(?!=)/.exec(sourceLine.trim());
  if (!eq) return null;
  const groups = splitTopLevel(eq[1]);
  if (groups.length < 2) return null;
  const sizes = groups.map((g) => identifiersIn(g).length);
  if (sizes.reduce((x, y) => x + y, 0) !== count) return null;
  const items = elementwiseSources(value, groups.length);
  if (!items) return null;
  return items.flatMap((item, i) => Array<string>(sizes[i]).fill(item));
}

/** Top-level comma-separated items of a text (brackets and strings respected). */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') {
        current += ch + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}

/** Bracket groups of a text, innermost last, with their contents (strings skipped). */
function bracketGroups(text: string): string[] {
  const groups: string[] = [];
  const open: number[] = [];
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[') open.push(i);
    else if ((ch === ')' || ch === ']') && open.length > 0) groups.push(text.slice(open.pop()! + 1, i));
  }
  return groups;
}

/** Per-target source texts of a tuple assignment, or null when the value is one opaque expression. */
function elementwiseSources(value: string, count: number): string[] | null {
  if (count === 0) {
    // The items of a tuple literal as written; a starred item stands for two (`*kv.chunk(2)`).
    const items = splitTopLevel(value);
    if (items.length < 2 && !items.some((x) => x.startsWith('*'))) return null;
    return items.flatMap((x) => (x.startsWith('*') ? [x, x] : [x]));
  }
  const spread = (items: string[]): string[] | null => {
    const starred = items.filter((x) => x.startsWith('*'));
    if (starred.length === 0) return items.length === count ? items : null;
    if (starred.length > 1 || items.length > count) return null;
    const at = items.findIndex((x) => x.startsWith('*'));
    const fill = count - (items.length - 1);
    return [...items.slice(0, at), ...Array<string>(fill).fill(items[at].slice(1)), ...items.slice(at + 1)];
  };
  let top = splitTopLevel(value);
  // `(self.to_q(x), *self.to_kv(context).chunk(2))`: a parenthesized tuple literal.
  if (top.length === 1 && /^[([]/.test(value.trim()) && bracketGroups(value.trim()).pop() === value.trim().slice(1, -1)) {
    top = splitTopLevel(value.trim().slice(1, -1));
  }
  if (top.length > 1) return spread(top);
  // `map(lambda t: ..., (q, k, v))`, `(f(t) for t in (q, k, v))`: a group of plain names.
  const groups = bracketGroups(value).reverse();
  for (const group of groups) {
    const items = splitTopLevel(group);
    if (items.length > 1 && items.every((x) => /^\*?[A-Za-z_]\w*$/.test(x))) {
      const out = spread(items);
      if (out) return out;
    }
  }
  return null;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

export function isForwardName(name: string | null): boolean {
  return name === 'forward' || name === '__call__' || name === 'call';
}

/** The inputs that carry token streams (masks, positions, caches and flags dropped). */
export function streams(origins: Set<string>): Set<string> {
  return new Set([...origins].filter((o) => o.startsWith('self.') || !NON_STREAM.test(o)));
}

function subset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Library attention layers

/** Resolved constructor paths of library attention layers. */
const PRIMITIVE_PATH =
  /^(torch\.nn\.(modules\.activation\.)?MultiheadAttention|flax\.linen\.(SelfAttention|MultiHeadDotProductAttention|MultiHeadAttention)|flax\.linen\.attention\.\w*Attention|flax\.nnx\.MultiHeadAttention|(tensorflow\.|tf\.)?keras\.layers\.(MultiHeadAttention|Attention|AdditiveAttention|GroupedQueryAttention)|keras\.src\.layers\.\w+|equinox\.nn\.MultiheadAttention|eqx\.nn\.MultiheadAttention|tensorflow\.keras\.layers\.(MultiHeadAttention|Attention))$/;
const PRIMITIVE_NAME = /^(MultiheadAttention|MultiHeadAttention|SelfAttention|MultiHeadDotProductAttention|Attention|AdditiveAttention|GroupedQueryAttention)$/;

export type PrimitiveKind = 'torch' | 'flax-self' | 'flax' | 'keras' | 'keras-list';

/** Whether a layer constructor is a library attention layer (not a same-file class of that name). */
export function primitiveKind(ctor: string, cls: ModuleClass, context: RecognizeContext): PrimitiveKind | null {
  const name = ctor.split('.').pop() ?? '';
  if (!PRIMITIVE_NAME.test(name)) return null;
  if (!ctor.includes('.') && context.classesByName.has(ctor)) return null;
  const imports = context.file.imports;
  const resolved = imports ? resolveDotted(ctor, imports) : ctor;
  let known = PRIMITIVE_PATH.test(resolved);
  if (!known && resolved === ctor) {
    // Unresolved: trust the framework's spelling (`nn.MultiheadAttention`, `layers.MultiHeadAttention`).
    known =
      (cls.framework === 'pytorch' && /^(nn\.|torch\.nn\.)?MultiheadAttention$/.test(ctor)) ||
      (cls.framework === 'flax' && /^(nn|linen)\.(SelfAttention|MultiHeadDotProductAttention|MultiHeadAttention)$/.test(ctor)) ||
      (cls.framework === 'keras' && /^(layers|keras\.layers|tf\.keras\.layers)\.(MultiHeadAttention|Attention|AdditiveAttention)$/.test(ctor)) ||
      (cls.framework === 'equinox' && /^(eqx\.)?nn\.MultiheadAttention$/.test(ctor));
  }
  if (!known) return null;
  if (/SelfAttention$/.test(name) && /flax|^nn\./.test(resolved)) return 'flax-self';
  if (/flax|linen|nnx/.test(resolved) || cls.framework === 'flax') return 'flax';
  if (/keras/.test(resolved) || cls.framework === 'keras') return name === 'MultiHeadAttention' || name === 'GroupedQueryAttention' ? 'keras' : 'keras-list';
  return 'torch';
}

/** One place where the class computes attention, with where its queries and keys/values come from. */
export interface AttentionSite {
  kind: 'primitive' | 'fused' | 'manual' | 'additive';
  line: number;
  method: string;
  /** Stream inputs the queries derive from. */
  query: Set<string>;
  /** Stream inputs the keys and values derive from. */
  keyValue: Set<string>;
  /** Same-text query and key arguments (`attn(x, x, x)`). */
  sameText: boolean;
  note: string;
  /** For primitives, the layer's line (its constructor). */
  layerLine?: number;
}

/** Query and key/value argument texts of a call to a library attention layer. */
function primitiveArgs(kind: PrimitiveKind, call: CallFact): { query?: string; keys: string[] } {
  const a = call.args;
  const kw = call.kwargs;
  switch (kind) {
    case 'flax-self':
      return { query: a[0] ?? kw.inputs_q ?? kw.inputs ?? kw.x, keys: [] };
    case 'flax': {
      const keys = [a[1] ?? kw.inputs_k ?? kw.inputs_kv, a[2] ?? kw.inputs_v].filter((x): x is string => x !== undefined && !/mask/i.test(x));
      return { query: a[0] ?? kw.inputs_q, keys };
    }
    case 'keras': {
      const keys = [a[1] ?? kw.value, a[2] ?? kw.key].filter((x): x is string => x !== undefined && !/mask/i.test(x));
      return { query: a[0] ?? kw.query, keys };
    }
    case 'keras-list': {
      const items = a[0] ? splitTopLevel(a[0].trim().replace(/^\[|\]$/g, '')) : [];
      return { query: items[0], keys: items.slice(1) };
    }
    case 'torch':
    default: {
      const keys = [a[1] ?? kw.key, a[2] ?? kw.value].filter((x): x is string => x !== undefined);
      return { query: a[0] ?? kw.query, keys };
    }
  }
}

/** Forward-side calls of a self submodule (`self.attn(...)`, or a loop variable bound to it). */
function callsOfLayer(cls: ModuleClass, layer: SubmoduleFact): CallFact[] {
  return cls.calls.filter((c) => c.selfAttr === layer.name && (c.callee === `self.${layer.name}` || /^\w+$/.test(c.callee)));
}

function primitiveSites(cls: ModuleClass, context: RecognizeContext, flow: ClassFlow): AttentionSite[] {
  const sites: AttentionSite[] = [];
  const seen = new Set<number>();
  const pushCall = (kind: PrimitiveKind, call: CallFact, layerLine: number) => {
    const method = call.method ?? '';
    const { query, keys } = primitiveArgs(kind, call);
    if (query === undefined) return;
    const q = streams(flow.throughCallers(flow.expressionOrigins(query, method, call.line), method));
    const kv = new Set<string>();
    for (const k of keys) for (const o of streams(flow.throughCallers(flow.expressionOrigins(k, method, call.line), method))) kv.add(o);
    const sameText = keys.length === 0 || keys.every((k) => k.replace(/\s/g, '') === query.replace(/\s/g, ''));
    sites.push({ kind: 'primitive', line: call.line, method, query: q, keyValue: keys.length === 0 ? q : kv, sameText, note: 'library attention layer', layerLine });
    seen.add(call.line);
  };
  for (const layer of allLayers(cls)) {
    const kind = primitiveKind(layer.ctor, cls, context);
    if (!kind) continue;
    if (layer.inline) {
      const call = cls.calls.find((c) => c.innerCall && c.line >= layer.line && c.innerCall.callee === layer.ctor && !seen.has(c.line));
      if (call) pushCall(kind, call, layer.line);
      continue;
    }
    if (!layer.name) continue;
    for (const call of callsOfLayer(cls, layer)) pushCall(kind, call, layer.line);
  }
  // Inline layers the extractor did not keep as submodules (`nn.SelfAttention(...)(x)` with no target).
  for (const call of cls.calls) {
    if (!call.innerCall || seen.has(call.line)) continue;
    const kind = primitiveKind(call.innerCall.callee, cls, context);
    if (kind) pushCall(kind, call, call.line);
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// Hand-written attention

/** Fused attention kernels and HF attention interfaces, called with (q, k, v). */
const FUSED_KERNEL =
  /^(scaled_dot_product_attention|multi_head_attention_forward|flash_attn_func|flash_attn_varlen_func|flash_attn_with_kvcache|memory_efficient_attention|dot_product_attention|flex_attention|attention_interface|eager_attention_forward|sdpa_attention_forward|flash_attention_forward|_flash_attention_forward|xformers_attention|ring_flash_attn_func|dot_product_attention_weights)$/;
const PACKED_KERNEL = /^(flash_attn_qkvpacked_func|flash_attn_varlen_qkvpacked_func)$/;
const KV_PACKED_KERNEL = /^(flash_attn_kvpacked_func|flash_attn_varlen_kvpacked_func)$/;
const MATMUL = /@|\bmatmul\s*\(|\beinsum\s*\(|\bbmm\s*\(|\bdot\s*\(|\bbatch_dot\s*\(|\btensordot\s*\(|\bdot_general\s*\(|\bbaddbmm\s*\(/;

function firstIdentifier(text: string | undefined): string {
  if (!text) return '';
  return identifiersIn(text)[0] ?? '';
}

/** Whether the class projects queries/keys/values with its own layers (`self.to_q(x)`, `self.qkv(x)`, inline Dense). */
const PROJECTION_CTOR = /^(Linear|LinearNoBias|Dense|DenseGeneral|EinsumDense|Einsum|Conv\dd|Conv\d?D?|Conv1D|conv_nd|ColumnParallelLinear|QKVParallelLinear|Embedding)$/;

/** Whether a self layer (or inline layer) is a projection, not an attention or a block. */
function isProjectionLayer(cls: ModuleClass, name: string, inlineCtor?: string): boolean {
  if (inlineCtor !== undefined) return PROJECTION_CTOR.test(inlineCtor.split('.').pop() ?? '');
  const layer = firstSubmoduleNamed(cls, name);
  if (!layer) return true; // built elsewhere (a config helper, a parent class): trust the name
  if (PROJECTION_CTOR.test(layer.ctorName)) return true;
  if (layer.elements.length > 0) return layer.elements.some((e) => PROJECTION_CTOR.test(e.ctorName)) && layer.elements.every((e) => PROJECTION_CTOR.test(e.ctorName) || /Dropout|Norm|Rearrange|Identity|Reshape/.test(e.ctorName));
  return /Linear|Dense|Proj|Conv/.test(layer.ctorName) && !/(Attention|Attn|Block|Layer|Transformer|Encoder|Decoder)$/.test(layer.ctorName);
}

export function projectsQkv(cls: ModuleClass): boolean {
  for (const call of cls.calls) {
    const layerName = call.selfAttr ?? (call.innerCall ? '' : undefined);
    if (layerName === undefined) continue;
    if (!isProjectionLayer(cls, layerName, call.innerCall?.callee)) continue;
    const named = [layerName, ...call.assignedTo].filter(Boolean);
    if (named.some((n) => QUERY_NAME.test(n) || KEY_NAME.test(n) || VALUE_NAME.test(n) || FUSED_PROJECTION.test(n) || /^(to_|w_?)?(q|k|v|qkv|kv)(_proj|_lin|_linear|_dense|_conv)?$/i.test(n))) return true;
  }
  // `query, key, value = [lin(x).view(...) for lin, x in zip(self.linears, (query, key, value))]`
  const layers = new Set(cls.submodules.map((l) => l.name).filter(Boolean));
  // Loop variables over the class's own projection containers (`zip(self.linears, (q, k, v))`).
  const loopLayers = new Set<string>();
  for (const loop of cls.loops) {
    const containers = [...loop.iterable.matchAll(/\bself\.(\w+)/g)].map((m) => m[1]).filter((c) => layers.has(c));
    if (containers.length > 0 && containers.every((c) => isProjectionLayer(cls, c))) for (const n of identifiersIn(loop.target)) loopLayers.add(n);
  }
  for (const a of cls.assigns) {
    if (!a.targets.some((t) => QUERY_NAME.test(t) || KEY_NAME.test(t) || VALUE_NAME.test(t) || FUSED_PROJECTION.test(t))) continue;
    for (const m of a.value.matchAll(/(self\.)?(\w+)\s*\(/g)) {
      if (m[1] ? layers.has(m[2]) && isProjectionLayer(cls, m[2]) : loopLayers.has(m[2])) return true;
    }
  }
  return false;
}

function hasSoftmax(cls: ModuleClass): boolean {
  if (cls.calls.some((c) => /^(softmax|log_softmax|sparsemax|entmax15|Softmax|stable_softmax)$/.test(c.name))) return true;
  for (const w of cls.words) if (/softmax/i.test(w)) return true;
  return allLayers(cls).some((l) => /Softmax/.test(l.ctorName));
}

function fusedSites(cls: ModuleClass, flow: ClassFlow): AttentionSite[] {
  const sites: AttentionSite[] = [];
  const projects = projectsQkv(cls);
  for (const call of cls.calls) {
    const method = call.method ?? '';
    let q: string | undefined;
    let k: string | undefined;
    let v: string | undefined;
    let note = '';
    if (FUSED_KERNEL.test(call.name) || /^(attention_interface|attn_fn|attention_fn)$/.test(call.callee)) {
      q = call.args[0] ?? call.kwargs.query ?? call.kwargs.q;
      k = call.args[1] ?? call.kwargs.key ?? call.kwargs.k;
      v = call.args[2] ?? call.kwargs.value ?? call.kwargs.v;
      // HF attention interfaces take the module first: attention_interface(self, q, k, v, ...)
      if (q === 'self') {
        q = call.args[1];
        k = call.args[2];
        v = call.args[3];
      }
      note = `${call.name}(q, k, v)`;
    } else if (projects && call.selfAttr && call.callee === `self.${call.selfAttr}` && /^(qkv|qkv_\w+|\w+_qkv)$/i.test(firstIdentifier(call.args[0])) && call.args.length <= 2 && !FUSED_PROJECTION.test(call.selfAttr)) {
      // guided-diffusion AttentionBlock: `qkv = self.qkv(self.norm(x)); h = self.attention(qkv)`.
      q = k = v = call.args[0];
      note = `attention core ${call.callee}(qkv)`;
    } else if (/^\w*attention$/i.test(call.callee) && call.args.slice(1).some((a) => /^self\.(\w*qkv\w*|in_proj\w*|to_qkv)(\.weight|_weight)$/.test(a.trim()))) {
      // torchvision Swin: `shifted_window_attention(x, self.qkv.weight, ...)` projects and attends inside a function.
      q = k = v = call.args[0];
      note = `${call.callee}(x, qkv weights)`;
    } else if (PACKED_KERNEL.test(call.name)) {
      q = k = v = call.args[0];
      note = `${call.name}(qkv)`;
    } else if (KV_PACKED_KERNEL.test(call.name)) {
      q = call.args[0];
      k = v = call.args[1];
      note = `${call.name}(q, kv)`;
    } else {
      // A core that takes q, k, v (`self.attend(q, k, v)`, `attention(query, key, value, mask)`) counts when
      // this class made them with its own projections; otherwise it only passes them along.
      const [a0, a1] = [call.args[0], call.args[1]].map(firstIdentifier);
      const qa = call.kwargs.q ?? call.kwargs.query;
      const ka = call.kwargs.k ?? call.kwargs.key;
      const looksQkv = (QUERY_NAME.test(a0) && KEY_NAME.test(a1)) || (qa !== undefined && ka !== undefined && QUERY_NAME.test(firstIdentifier(qa)) && KEY_NAME.test(firstIdentifier(ka)));
      if (!looksQkv || !projects) continue;
      // A kernel: a submodule (`self.attend`), or a function/method named for attention.
      const isSubmodule = call.selfAttr !== undefined && call.callee === `self.${call.selfAttr}` && cls.submodules.some((l) => l.name === call.selfAttr);
      if (!isSubmodule && !/att|sdpa|flash|kernel|core|softmax|^propagate$/i.test(call.name)) continue;
      if (/^(cat|concat|concatenate|stack|map|zip|list|tuple|apply_rotary\w*|rotate\w*|rearrange|repeat|einsum|matmul|bmm|\w*rotary\w*|\w*rope\w*|update|\w*norm\w*)$/i.test(call.name)) continue;
      const byPosition = QUERY_NAME.test(a0) && KEY_NAME.test(a1);
      q = byPosition ? call.args[0] : qa;
      k = byPosition ? call.args[1] : ka;
      v = byPosition ? (call.args[2] ?? call.kwargs.v ?? call.kwargs.value) : (call.kwargs.v ?? call.kwargs.value);
      note = `attention core ${call.callee}(q, k, v)`;
    }
    if (q === undefined || k === undefined) continue;
    const query = streams(flow.throughCallers(flow.expressionOrigins(q, method, call.line), method));
    const keyValue = streams(flow.throughCallers(union(flow.expressionOrigins(k, method, call.line), v ? flow.expressionOrigins(v, method, call.line) : new Set()), method));
    sites.push({ kind: 'fused', line: call.line, method, query, keyValue, sameText: q === k, note });
  }
  return sites;
}

function manualSites(cls: ModuleClass, flow: ClassFlow): AttentionSite[] {
  const sites: AttentionSite[] = [];
  const softmax = hasSoftmax(cls);
  const products = cls.assigns.filter((a) => MATMUL.test(a.value) && !a.value.includes('.weight'));
  for (const a of products) {
    const method = a.method ?? '';
    const qs = a.reads.filter((r) => QUERY_NAME.test(r));
    const ks = a.reads.filter((r) => KEY_NAME.test(r) && !QUERY_NAME.test(r));
    const vs = a.reads.filter((r) => VALUE_NAME.test(r) && !QUERY_NAME.test(r) && !KEY_NAME.test(r));
    let note = '';
    let queryNames: string[] = [];
    let keyNames: string[] = [];
    if (qs.length > 0 && ks.length > 0 && softmax) {
      queryNames = qs;
      keyNames = ks;
      note = 'scores q·kᵀ, softmax';
    } else if (ks.length > 0 && vs.length > 0 && qs.length === 0) {
      // Linear attention: context = kᵀ·v, then q·context.
      const target = a.targets[0] ?? '';
      const used = products.find((b) => b.line > a.line && b.method === a.method && b.reads.includes(target) && b.reads.some((r) => QUERY_NAME.test(r)));
      if (!used) continue;
      queryNames = used.reads.filter((r) => QUERY_NAME.test(r));
      keyNames = [...ks, ...vs];
      note = 'linear attention kᵀ·v then q';
    } else continue;
    const query = new Set<string>();
    for (const n of queryNames) for (const o of flow.throughCallers(flow.nameOrigins(n, method, a.line), method)) query.add(o);
    const keyValue = new Set<string>();
    for (const n of keyNames) for (const o of flow.throughCallers(flow.nameOrigins(n, method, a.line), method)) keyValue.add(o);
    sites.push({ kind: 'manual', line: a.line, method, query: streams(query), keyValue: streams(keyValue), sameText: false, note });
  }
  return sites;
}

/**
 * Additive (Bahdanau) or dot (Luong) attention in RNN seq2seq code: a softmax over scores computed from a
 * decoder state and encoder outputs, with no q/k/v naming.
 */
function additiveSites(cls: ModuleClass, flow: ClassFlow): AttentionSite[] {
  const attentionClass = /Attention|Attn|Attend|Align/.test(cls.name ?? '');
  const sites: AttentionSite[] = [];
  for (const call of cls.calls) {
    if (!/^(softmax|Softmax)$/.test(call.name) && !(call.selfAttr && /softmax/i.test(call.selfAttr))) continue;
    // The weights of an attention: in an attention class, or assigned to attention-named values.
    if (!attentionClass && !call.assignedTo.some((t) => /att|align|alpha|weights?$|scores?$|energ/i.test(t))) continue;
    const method = call.method ?? '';
    const input = call.args[0] ?? call.receiver ?? '';
    const origins = [...streams(flow.throughCallers(flow.expressionOrigins(input, method, call.line), method))];
    if (origins.length < 2) continue;
    const context = origins.filter((o) => /enc|memory|context|annotation|src|source|keys?$|values?$/i.test(o));
    const query = origins.filter((o) => !context.includes(o));
    if (context.length === 0 || query.length === 0) continue;
    sites.push({ kind: 'additive', line: call.line, method, query: new Set(query), keyValue: new Set(context), sameText: false, note: 'softmax over decoder state × encoder outputs' });
  }
  return sites;
}

/**
 * diffusers-style attention modules: the class builds its q/k/v projections and hands itself to an
 * attention processor (`self.processor(self, hidden_states, encoder_hidden_states, ...)`) that runs
 * them. The module is the attention; its keys come from `encoder_hidden_states` when given.
 */
function processorSites(cls: ModuleClass, flow: ClassFlow): AttentionSite[] {
  const names = cls.submodules.map((l) => l.name);
  const hasQuery = names.some((n) => /^(to_q|q_proj|query|wq|q|to_qkv|qkv|to_qkv_\w+)$/.test(n));
  const hasKey = names.some((n) => /^(to_k|k_proj|key|wk|k|to_kv|to_qkv|qkv|to_qkv_\w+)$/.test(n));
  if (!hasQuery || !hasKey) return [];
  const sites: AttentionSite[] = [];
  for (const call of cls.calls) {
    if (!/^self\.(processor|attn_processor|attention_processor)$/.test(call.callee) || call.args[0] !== 'self') continue;
    const method = call.method ?? '';
    const hidden = call.kwargs.hidden_states ?? call.args[1];
    if (hidden === undefined) continue;
    const query = streams(flow.expressionOrigins(hidden, method, call.line));
    const context = call.kwargs.encoder_hidden_states ?? call.args[2];
    const keyValue = new Set(query);
    if (context !== undefined && !/^None$/.test(context)) for (const o of streams(flow.expressionOrigins(context, method, call.line))) keyValue.add(o);
    sites.push({ kind: 'fused', line: call.line, method, query, keyValue, sameText: false, note: 'projections run by its attention processor' });
  }
  return sites;
}

/**
 * Attention written without q/k/v names (timm NonLocalAttn: `t, p, g` 1x1 convs): a product of two
 * projections of the same input, softmaxed, then applied to a third projection.
 */
function unnamedSites(cls: ModuleClass, flow: ClassFlow): AttentionSite[] {
  const projected = new Map<string, { method: string; input: string }>();
  for (const call of cls.calls) {
    if (!call.selfAttr || call.callee !== `self.${call.selfAttr}` || call.assignedTo.length !== 1) continue;
    const layer = firstSubmoduleNamed(cls, call.selfAttr);
    if (!layer || !PROJECTION_CTOR.test(layer.ctorName) || call.args.length !== 1) continue;
    projected.set(`${call.method}:${call.assignedTo[0]}`, { method: call.method ?? '', input: call.args[0] });
  }
  if (projected.size < 3) return [];
  const sites: AttentionSite[] = [];
  for (const a of cls.assigns) {
    if (!MATMUL.test(a.value) || a.targets.length !== 1) continue;
    const method = a.method ?? '';
    const operands = a.reads.filter((r) => projected.has(`${method}:${r}`));
    if (operands.length !== 2) continue;
    const [first, second] = operands.map((r) => projected.get(`${method}:${r}`)!);
    if (first.input !== second.input) continue;
    const target = a.targets[0];
    const softmaxed = cls.calls.some((c) => c.method === a.method && /softmax/i.test(c.name) && (c.args[0] === target || c.receiver === target));
    if (!softmaxed) continue;
    const origins = streams(flow.expressionOrigins(first.input, method, a.line));
    sites.push({ kind: 'manual', line: a.line, method, query: origins, keyValue: origins, sameText: true, note: 'product of two projections of one input, softmax' });
  }
  return sites;
}

/**
 * Every place the class itself computes attention. Cached per recognition context (not per class
 * alone): sites depend on the file's imports and other classes, which the incremental cache records
 * as dependencies of each recognizer run.
 */
const siteCache = new WeakMap<object, WeakMap<ModuleClass, AttentionSite[]>>();
export function attentionSites(cls: ModuleClass, context: RecognizeContext): AttentionSite[] {
  let perContext = siteCache.get(context.classesByName);
  if (!perContext) {
    perContext = new WeakMap();
    siteCache.set(context.classesByName, perContext);
  }
  let sites = perContext.get(cls);
  if (!sites) {
    const flow = flowOf(cls, context);
    sites = [...primitiveSites(cls, context, flow), ...fusedSites(cls, flow), ...manualSites(cls, flow)];
    if (sites.length === 0) sites = [...processorSites(cls, flow), ...unnamedSites(cls, flow)];
    if (sites.length === 0) sites = additiveSites(cls, flow);
    perContext.set(cls, sites);
  }
  return sites;
}

/** How a site's keys relate to its queries. */
export type SiteStreams = 'self' | 'cross' | 'both' | 'unknown';

/**
 * Same stream: self. Disjoint: cross. Keys from the query stream plus another input: both when that
 * input is optional (`context=None`, served as self-attention without it), cross when it is required
 * (Perceiver latents attending to `cat(data, latents)`).
 */
export function classifySite(site: AttentionSite, flow: ClassFlow): SiteStreams {
  const query = site.query;
  // A helper `def apply_attention(self, query, key, value)` nobody in the class calls: a generic kernel.
  const helperParams = isForwardName(site.method) ? [] : (flow.method(site.method)?.params ?? []);
  if (helperParams.length > 0 && [...query, ...site.keyValue].every((o) => helperParams.includes(o))) return 'unknown';
  const learnedQuery = [...query].every((q) => q.startsWith('self.'));
  // Learned memory key/values appended to the keys (`self.mem_kv`) do not make a second stream.
  const keyValue = learnedQuery ? site.keyValue : new Set([...site.keyValue].filter((k) => !k.startsWith('self.')));
  if (site.sameText && site.kind === 'primitive') return 'self';
  if (keyValue.size === 0 && query.size === 0) return 'unknown';
  if (keyValue.size === 0) return 'unknown';
  if (query.size === 0) return [...keyValue].length > 0 ? 'cross' : 'unknown';
  if (subset(keyValue, query)) return 'self';
  const extra = [...keyValue].filter((k) => !query.has(k));
  const shared = [...keyValue].some((k) => query.has(k));
  if (!shared) return 'cross';
  const optional = extra.every((e) => !e.startsWith('self.') && flow.isOptional(e, site.method));
  return optional ? 'both' : 'cross';
}

/** The forward inputs named like raw q/k/v (`forward(self, q, k, v)`, `forward(self, query, key, value)`). */
export function genericQkvInputs(cls: ModuleClass): boolean {
  const forward = cls.methods.find((m) => isForwardName(m.name));
  if (!forward) return false;
  const params = forward.params.filter((p) => p !== 'self');
  if (params.length > 0 && /^qkv$/i.test(params[0])) return true; // QKVAttention(qkv): a packed bare kernel
  return params.some((p) => /^(q|query|queries)$/i.test(p)) && params.some((p) => /^(k|key|keys|v|value|values)$/i.test(p));
}

export function siteEvidence(site: AttentionSite, extra?: string): Evidence[] {
  const out = [evidence(site.line, extra ? `${site.note}; ${extra}` : site.note)];
  if (site.layerLine && site.layerLine !== site.line) out.unshift(evidence(site.layerLine, 'attention layer'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Wiring: a class calling its own attention submodule with another stream for keys/values

/** Keyword arguments that carry the key/value stream of an attention call. */
const KV_KEYWORD =
  /^(key_value_states|encoder_hidden_states|encoder_outputs?|encoder_out|enc_out\w*|context|ctx|memory|mem|key|value|kv|x_kv|inputs_kv|inputs_k|inputs_v|media|xa|y|cond\w*|cross_attn\w*|cross_attention_states|image_embeds|image_features|vision_hidden_states|visual\w*|source|src|encoded|latents?)$/i;
/** Callee names of attention submodules (not their norms, dropouts or projections). */
const ATTENTION_CALLEE = /((attn|attention|attend|xattn)(\d+|_?layers?|_?blocks?|_?module|_?ff)?$)|^(attend|attn)_\w+_to_\w+$|^\w+_attend_\w+$/i;
const NOT_ATTENTION_CALLEE = /(norm|drop|dropout|mask|bias|proj|ln|scale|pool|weights?|gate|score|act|einsum|vec|out|fn|loss|criterion)$|^(attn_|attention_)?(norm|ln|drop|pool)/i;
/** Names that say an attention submodule is the cross one. */
const CROSS_CALLEE = /(cross|encoder_attn|enc_attn|enc_dec|src_attn|xattn|context|memory|mem_attn|multihead_attn|attn2|inter_attn|ca_|_ca\b|co_attn)/i;

export interface WiringSite {
  line: number;
  callee: string;
  note: string;
}

/** The identifier a call is made on: `self.encoder_attn` → `encoder_attn`, loop variable `cross_attn`. */
function calleeName(call: CallFact): string {
  const m = /^self\.(\w+)/.exec(call.callee);
  if (m) return m[1];
  return /^(\w+)/.exec(call.callee)?.[1] ?? '';
}

function isAttentionCall(call: CallFact, cls: ModuleClass): boolean {
  const name = calleeName(call);
  if (!name || name === 'self') return false;
  // HF: whatever the submodule is called, `key_value_states=` is an attention's key/value stream.
  if (call.kwargs.key_value_states !== undefined) return true;
  const layer = call.selfAttr ? firstSubmoduleNamed(cls, call.selfAttr) : undefined;
  const ctorSaysAttention = layer !== undefined && [layer.ctorName, ...layer.elements.map((e) => e.ctorName)].some((c) => /(Attention|Attn|Attend|Attender|MHA|XAttn)\d*(Layer|Block|Module)?$/.test(c));
  if (NOT_ATTENTION_CALLEE.test(name)) return false;
  if (ATTENTION_CALLEE.test(name)) return true;
  return ctorSaysAttention && call.callee === `self.${layer?.name}`;
}

/**
 * Calls of the class's own attention submodules whose keys/values come from another stream than the
 * queries: `self.encoder_attn(h, key_value_states=enc)`, `self.cross_attn(x, context)`,
 * `self.multihead_attn(x, memory, memory)`. An optional context that a single attention merely passes
 * along (a stack forwarding `context=context`) is not wiring.
 */
export function crossWiring(cls: ModuleClass, context: RecognizeContext): WiringSite[] {
  const flow = flowOf(cls, context);
  // Only the class's own submodules (`self.x(...)`, or a loop variable bound to `self.layers`).
  const ownMethods = new Set(cls.methods.map((m) => m.name));
  const projects = projectsQkv(cls);
  // Loop variables over the class's own containers: `for attn, ff in self.layers` binds both names,
  // unless the container is known to hold no attention (`zip(self.resnets, self.attentions)` where
  // `attentions` are Transformer2DModel stacks).
  const loopBound = new Set<string>();
  for (const loop of cls.loops) {
    if (!/\bself\.\w+/.test(loop.iterable)) continue;
    let iterable = loop.iterable.trim();
    let target = loop.target.trim();
    const enumerated = /^enumerate\((.*)\)$/s.exec(iterable);
    if (enumerated) {
      iterable = splitTopLevel(enumerated[1])[0] ?? '';
      target = (splitTopLevel(target)[1] ?? '').replace(/^\((.*)\)$/s, '$1');
    }
    const zipped = /^zip\((.*)\)$/s.exec(iterable);
    const sources = zipped ? splitTopLevel(zipped[1]) : [];
    const items = splitTopLevel(target);
    const positional = zipped !== null && items.length === sources.length;
    items.forEach((item, i) => {
      const source = positional ? sources[i] : iterable;
      const attr = /self\.(\w+)/.exec(source)?.[1];
      const layer = attr ? firstSubmoduleNamed(cls, attr) : undefined;
      if (layer && !holdsAttention(layer)) return;
      for (const name of identifiersIn(item)) loopBound.add(name);
    });
  }
  const attentionCalls = cls.calls.filter(
    (c) =>
      (/^self\./.test(c.callee) ? c.selfAttr !== undefined : loopBound.has(c.callee)) &&
      !c.innerCall &&
      c.args[0] !== 'self' &&
      !(c.selfAttr !== undefined && c.callee === `self.${c.selfAttr}` && ownMethods.has(c.selfAttr)) &&
      // `self.attend(q, k, v)`: handing its own projections to a kernel is computing attention, not wiring.
      !(projects && QUERY_NAME.test(firstIdentifier(c.args[0])) && KEY_NAME.test(firstIdentifier(c.args[1]))) &&
      !(projects && c.kwargs.query !== undefined && (c.kwargs.key !== undefined || c.kwargs.value !== undefined) && QUERY_NAME.test(firstIdentifier(c.kwargs.query))) &&
      // `a, b = cross(a, b)`: a two-branch exchange block updating both streams, not an attention call.
      !(c.assignedTo.length >= 2 && c.args.filter((x) => c.assignedTo.includes(x)).length >= 2) &&
      isAttentionCall(c, cls) &&
      !primitiveLayerCall(c, cls, context),
  );
  const distinctCallees = new Set(attentionCalls.map(calleeName));
  const out: WiringSite[] = [];
  for (const call of attentionCalls) {
    const method = call.method ?? '';
    const queryText = call.args[0] ?? call.kwargs.hidden_states ?? call.kwargs.x ?? call.kwargs.query ?? call.kwargs.inputs_q ?? call.kwargs.q;
    if (queryText === undefined) continue;
    // Within the calling method: its own inputs tell the streams apart (no mapping through callers,
    // whose loops feed decoder state back from the encoder outputs).
    const query = streams(flow.expressionOrigins(queryText, method, call.line));
    const candidates: string[] = [];
    call.args.slice(1, 3).forEach((a) => candidates.push(a));
    for (const [k, v] of Object.entries(call.kwargs)) if (KV_KEYWORD.test(k)) candidates.push(v);
    for (const text of candidates) {
      if (/^(None|True|False|\d+)$/.test(text.trim())) continue;
      const kv = streams(flow.expressionOrigins(text, method, call.line));
      const extra = [...kv].filter((k) => !query.has(k));
      if (extra.length === 0) continue;
      const passedAlong = extra.every((e) => !e.startsWith('self.') && flow.isOptional(e, method) && identifiersIn(text).length === 1);
      const name = calleeName(call);
      const explicit = CROSS_CALLEE.test(name) || call.kwargs.key_value_states === text || distinctCallees.size >= 2 || /Cross/.test(cls.name ?? '');
      if (passedAlong && !explicit) continue;
      out.push({ line: call.line, callee: name, note: `${name} attends to ${extra.join(', ')}` });
      break;
    }
  }
  return out;
}

/** Whether a container's elements (when known) include an attention; unknown contents count as yes. */
function holdsAttention(layer: SubmoduleFact): boolean {
  const attentionLike = (e: SubmoduleFact) => /(Attention|Attn|Attend|MHA|XAttn)\d*(Layer|Block|Module)?\b/.test(e.ctorName) || /Attention\w*\(|Attn\w*\(/.test(e.text);
  const isContainer = (e: SubmoduleFact) => /^(ModuleList|Sequential|ModuleDict|list|tuple|dict)$/.test(e.ctorName);
  const leaves: SubmoduleFact[] = [];
  let unknown = false;
  const visit = (e: SubmoduleFact) => {
    if (attentionLike(e)) leaves.push(e);
    if (!isContainer(e)) return leaves.push(e);
    // A container whose contents were built by factories or held in variables: unknown contents.
    if (e.elements.length === 0) unknown = true;
    e.elements.forEach(visit);
  };
  visit(layer);
  return unknown || leaves.some(attentionLike);
}

function primitiveLayerCall(call: CallFact, cls: ModuleClass, context: RecognizeContext): boolean {
  if (!call.selfAttr) return false;
  const layer = firstSubmoduleNamed(cls, call.selfAttr);
  return layer !== undefined && primitiveKind(layer.ctor, cls, context) !== null;
}
