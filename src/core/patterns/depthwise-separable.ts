import { resolveDotted } from '../model/imports';
import type { CallFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, PatternMatch, RecognizeContext } from './_types';
import { evidence, match } from './_util';

/**
 * Depthwise-separable convolution: a depthwise conv (one filter per channel: `groups` equal to the
 * channel count, `depthwise=True`, Keras `DepthwiseConv2D`, Flax `feature_group_count=features`)
 * together with a pointwise (1x1) conv that mixes channels — MobileNet blocks, inverted residuals,
 * MBConv, Xception separable convs, and a library `SeparableConv2D` on its own.
 *
 * Decisions:
 * - ConvNeXt-style blocks, where the pointwise step is a `Linear`/MLP on the depthwise output
 *   (channels-last), count: a Linear over channels is a 1x1 conv. Lower confidence, and only when the
 *   Linear/MLP reads the depthwise output and the class does no attention (a depthwise positional conv
 *   beside q/k/v projections is not a separable conv).
 * - Grouped convs (`groups=32`, `groups=cardinality`, `groups=groups` of unknown value) are not
 *   depthwise. A depthwise conv alone (a positional conv, a `DWConv` helper) is not the pattern.
 * - A class holding a user-defined `SeparableConv2d` block does not itself build the pattern; a
 *   class wiring a depthwise submodule and a 1x1 conv does.
 */

/** Constructors or factories that build a conv layer (library or user wrapper). */
const CONV_CTOR = /conv|^Separable|^SepConv|Depthwise|^DW|^Dw/i;
/** Functional ops, not layers: `F.conv2d(x, w)`, `tf.nn.depthwise_conv2d`. */
const FUNCTIONAL_CALLEE = /^(F|torch|torch\.nn\.functional|nn\.functional|functional|tf\.nn|tf|jax\.lax|lax|jnp|np|ops|keras\.ops)\./;
const SEPARABLE_CTOR = /^(SeparableConv[123]D|SeparableConvolution[12]D|SeparableConv\w*|SepConv\w*|DepthwiseSeparable\w*|DSConv\w*)$/;
const DEPTHWISE_CTOR = /(Depthwise|DepthWise|DWConv|DwConv)(?!Separable)/;
const POINTWISE_CTOR = /^(conv1x1|Conv1x1\w*|Pointwise\w*|PointWise\w*|PWConv\w*|PwConv\w*)$/;
/** Attribute names of 1x1 convs that sit beside the main path. */
const SIDE_BRANCH = /shortcut|downsample|skip|residual|identity|rpr|rbr|reparam|_scale$/i;
const FRAMEWORK_PATH = /^(keras|tensorflow|tf|flax|torch|equinox|eqx|jax|haiku)(\.|$)/;
const LINEAR_CTOR = /^(Linear|Dense|LazyLinear)$/;
/** Group counts that name a grouping, not the channel count. */
const GROUPING_NAME = /group|card|head|^g$|^G$|^num_g/i;
/** Names that hold a channel count. */
const CHANNEL_NAME = /chan|chs|^c$|^C$|^c_|_c$|dim|planes|features|hidden|^inp$|^oup$|width|mid|exp|inner|^ch$|^nc$|filters|in_?size/i;
const ONE = /^(1|\(1,\s*1\)|\[1,\s*1\]|\(1,\)|\(1,\s*1,\s*1\)|1x1|\(1\))$/;
/** Attention in the same class makes a depthwise conv a positional/local-context helper, not a separable conv. */
const ATTENTION_CALL = /^(softmax|scaled_dot_product_attention|MultiheadAttention|dot_product_attention|flash_attn\w*|memory_efficient_attention|SelfAttention|MultiHeadDotProductAttention)$/i;
/** Attribute names of an MLP / Linear used as the pointwise step (ConvNeXt `pwconv1`, timm `mlp`). */
const POINTWISE_ATTR = /^(mlp|ffn|ff|pwconv\d*|pw\w*|pointwise\w*|channel_mlp|fc\d?|linear\d?|conv_mlp)$/;

interface ConvOp {
  call: CallFact;
  /** Attribute (or local) it is stored in, without `self.`. */
  attr: string;
  kind: 'depthwise' | 'pointwise' | 'separable' | 'linear' | 'other';
  userClass: boolean;
  note: string;
}

const depthwiseSeparable: PatternDefinition = {
  id: 'depthwise-separable',
  name: 'Depthwise-separable convolution',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    return recognizeWithBases(cls, context);
  },
};

/** Results per class, per context (one file's analysis): inheritance chains are walked once, not per class. */
const resultsByContext = new WeakMap<Map<string, ModuleClass>, Map<ModuleClass, PatternMatch | null>>();

/**
 * The pattern in `start`, or inherited from a same-file base class with it (see `inheritedFrom`). Walks up
 * the inheritance graph with an explicit stack (chains can be thousands of classes long); a base class
 * that is already being resolved (an inheritance cycle) counts as not having the pattern, and results that
 * depended on such a cut are not kept, so every class gets the same answer whichever class was asked first.
 */
function recognizeWithBases(start: ModuleClass, context: RecognizeContext): PatternMatch | null {
  // Inside a part's check (`isSeparablePart`) answers depend on the parts being checked: not kept.
  let known = visiting.size === 0 ? resultsByContext.get(context.classesByName) : new Map<ModuleClass, PatternMatch | null>();
  if (!known) resultsByContext.set(context.classesByName, (known = new Map()));
  if (known.has(start)) return known.get(start)!;
  const local = new Map<ModuleClass, PatternMatch | null>();
  const resultOf = (cls: ModuleClass): PatternMatch | null | undefined => (local.has(cls) ? local.get(cls) : known.get(cls));
  const hasResult = (cls: ModuleClass): boolean => local.has(cls) || known.has(cls);
  type Frame = { cls: ModuleClass; baseIndex: number; cut: boolean };
  const frames: Frame[] = [];
  const resolving = new Set<ModuleClass>();
  const finish = (frame: Frame, result: PatternMatch | null): void => {
    frames.pop();
    resolving.delete(frame.cls);
    local.set(frame.cls, result);
    if (!frame.cut) known.set(frame.cls, result);
    else if (frames.length > 0) frames[frames.length - 1].cut = true;
  };
  const enter = (cls: ModuleClass): void => {
    const ops = convOps(cls, context);
    if (ops.some((op) => op.kind === 'depthwise' || op.kind === 'separable')) {
      const result = ownPattern(cls, context, ops);
      local.set(cls, result);
      known.set(cls, result);
      return;
    }
    frames.push({ cls, baseIndex: 0, cut: false });
    resolving.add(cls);
  };
  enter(start);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const { cls } = frame;
    let result: PatternMatch | null = null;
    let waiting = false;
    for (; frame.baseIndex < cls.bases.length; frame.baseIndex++) {
      const base = cls.bases[frame.baseIndex];
      const parent = context.classesByName.get(base);
      if (!parent || parent === cls) continue;
      if (!hasResult(parent)) {
        if (resolving.has(parent)) {
          frame.cut = true;
          continue;
        }
        enter(parent);
        if (!hasResult(parent)) {
          waiting = true;
          break;
        }
      }
      if (!known.has(parent)) frame.cut = true; // the parent's answer was itself cut
      result = inheritedFrom(cls, base, parent, resultOf(parent) ?? null, context);
      if (result) break;
    }
    if (!waiting) finish(frame, result);
  }
  return resultOf(start) ?? null;
}

function ownPattern(cls: ModuleClass, context: RecognizeContext, ops: ConvOp[]): PatternMatch | null {
  // (A functional model pools the whole network, attention blocks included: no penalty there.)
  const attention = cls.name !== null && [...cls.calls, ...cls.initCalls].some((c) => ATTENTION_CALL.test(c.name));

  // A framework's separable layer (Keras SeparableConv2D) is the whole pattern; a project's own block is its own.
  const imports = context.file.imports ?? new Map<string, string>();
  const separable = ops.find((op) => op.kind === 'separable' && !op.userClass && isFrameworkLayer(op.call.callee, imports));
  if (separable) return match(0.9, [evidence(separable.call.line, separable.note)], attention ? -0.5 : 0);

  // A depthwise part of this file that is already a whole separable conv (vit-pytorch's `DepthWiseConv2d`)
  // keeps the pattern to itself, like a user SeparableConv2d block.
  const depthwise = ops.filter((op) => op.kind === 'depthwise' && !(op.userClass && isSeparablePart(op.call.name, cls, context)));
  if (depthwise.length === 0) return null;
  const firstDw = depthwise[0];
  const found: Evidence[] = [evidence(firstDw.call.line, firstDw.note)];

  // A 1x1 conv of this class, or a part of this file whose own layer is a 1x1 conv (HF EfficientNet's projection layer).
  // Shortcut projections and re-parameterization branches are 1x1 convs beside the path, not after the depthwise conv.
  const pointwise = ops.filter((op) => op.kind === 'pointwise' && !SIDE_BRANCH.test(op.attr));
  if (pointwise.length === 0) {
    // Parts count only on the main path: run on the depthwise output (not a shortcut projection).
    const parts = pointwiseParts(cls, context, ops);
    const partAttrs = new Set(parts.map((p) => p.attr).filter(Boolean));
    const onPath = partAttrs.size > 0 ? stepAfterDepthwise(cls, depthwise, (attr) => partAttrs.has(attr), new Set()) : undefined;
    if (onPath !== undefined) pointwise.push(...parts.filter((p) => cls.assigns.some((a) => a.line === onPath && a.value.includes(`self.${p.attr}(`))));
  }
  if (pointwise.length > 0) {
    const after = pointwise.find((op) => op.call.line > firstDw.call.line) ?? pointwise[0];
    found.push(evidence(after.call.line, after.note));
    return match(0.85, found, after.call.line > firstDw.call.line ? 0.05 : 0, attention ? -0.5 : 0);
  }

  // ConvNeXt: depthwise conv, then Linear/MLP layers over channels on its output — not in a transformer
  // block whose depthwise conv is a local/positional add-on beside its attention.
  const holdsAttention = cls.submodules.some((s) => /^(attn|attention|self_attn|mha|token_mixer)$/.test(s.name) || /Attention/.test(s.ctorName));
  if (attention || holdsAttention) return null;
  // Over images only: a depthwise conv1d followed by Linear projections is a Mamba / Conformer-style
  // token mixer (causal local conv), not a separable conv.
  const spatial = depthwise.filter((op) => !/1d|1D/.test(op.call.name) && !/^\(\s*[\w.]+\s*,?\s*\)$|^\[\s*[\w.]+\s*\]$/.test((op.call.kwargs['kernel_size'] ?? '').trim()));
  const pointwiseStep = linearAfterDepthwise(cls, spatial, ops.filter((op) => op.kind === 'linear'));
  if (!pointwiseStep) return null;
  found.push(evidence(pointwiseStep, 'pointwise Linear/MLP over channels'));
  return match(0.65, found);
}

/** Parts being checked, so that classes holding each other do not recurse forever. */
const visiting = new Set<string>();
/** How many parts deep a separable part is looked for (a chain of thousands would overflow the stack). */
const MAX_PART_DEPTH = 8;

function isSeparablePart(name: string, holder: ModuleClass, context: RecognizeContext): boolean {
  const part = context.classesByName.get(name);
  if (!part || part === holder || visiting.has(name) || visiting.size >= MAX_PART_DEPTH) return false;
  visiting.add(name);
  try {
    return depthwiseSeparable.recognize(part, context) !== null;
  } finally {
    visiting.delete(name);
  }
}

/** Submodules built from this file's classes that are themselves a 1x1 conv wrapper (and no depthwise conv). */
function pointwiseParts(cls: ModuleClass, context: RecognizeContext, ops: ConvOp[]): ConvOp[] {
  const parts: ConvOp[] = [];
  const depthwiseLines = new Set(ops.filter((op) => op.kind === 'depthwise').map((op) => op.call.line));
  for (const call of cls.initCalls) {
    const part = context.classesByName.get(call.name);
    if (!part || part === cls || depthwiseLines.has(call.line)) continue;
    // A squeeze-excitation part also holds only 1x1 convs: it is not the pointwise step.
    if ([...part.words].some((w) => /^(sigmoid|Sigmoid|Hardsigmoid|AdaptiveAvgPool[123]d|adaptive_avg_pool[123]d|squeeze|excite|excitation)$/.test(w))) continue;
    const inner = convOps(part, context);
    if (inner.some((o) => o.kind === 'pointwise') && !inner.some((o) => o.kind === 'depthwise' || o.kind === 'other')) {
      parts.push({ call, attr: (call.assignedTo[0] ?? '').replace(/^self\./, ''), userClass: true, kind: 'pointwise', note: `pointwise 1x1 conv (${call.name})` });
    }
  }
  return parts;
}

/** Inherited: a subclass of a same-file block with the pattern whose forward runs the parent's convs (timm CondConvResidual). */
function inheritedFrom(cls: ModuleClass, base: string, parent: ModuleClass, parentMatch: PatternMatch | null, context: RecognizeContext): PatternMatch | null {
  if (!parentMatch) return null;
  const parentAttrs = new Set(convOps(parent, context).filter((op) => op.kind === 'depthwise').map((op) => op.attr));
  const runsParentConv = cls.calls.find((c) => c.selfAttr !== undefined && parentAttrs.has(c.selfAttr));
  const overridesForward = cls.methods.some((m) => /^(forward|__call__|call)$/.test(m.name));
  if (runsParentConv || !overridesForward) {
    return match(parentMatch.confidence - 0.1, [evidence(runsParentConv?.line ?? cls.line, `depthwise-separable convs of ${base}`)]);
  }
  return null;
}

/**
 * Line of a Linear/MLP step that reads (through locals) the output of a depthwise conv: a call of a
 * pointwise-like attribute after `self.dwconv(...)`, or an inline `Dense(...)(x)` after an inline
 * depthwise `Conv2D(groups=dim)(x)` (Keras functional, Flax compact).
 */
function linearAfterDepthwise(cls: ModuleClass, depthwise: ConvOp[], linears: ConvOp[]): number | undefined {
  const linearAttrs = new Set(linears.map((op) => op.attr).filter(Boolean));
  const inlineLinearLines = new Set(linears.filter((op) => op.call.method !== null || cls.name === null).map((op) => op.call.line));
  return stepAfterDepthwise(cls, depthwise, (attr) => linearAttrs.has(attr) || POINTWISE_ATTR.test(attr), inlineLinearLines);
}

/** Line of a forward step (a `self.<attr>` call, or an inline layer on `inlineLines`) that reads the depthwise conv's output. */
function stepAfterDepthwise(cls: ModuleClass, depthwise: ConvOp[], isPointwiseAttr: (attr: string) => boolean, inlineLinearLines: Set<number>): number | undefined {
  const dwAttrs = new Set(depthwise.map((op) => op.attr).filter(Boolean));
  const inlineDwLines = new Set(depthwise.filter((op) => op.call.method !== null || cls.name === null).map((op) => op.call.line));
  const methods = new Set(cls.assigns.map((a) => a.method));
  for (const method of methods) {
    if (method !== null && /^(__init__|setup|build)$/.test(method)) continue;
    const derived = new Set<string>();
    for (const assign of cls.assigns.filter((a) => a.method === method).sort((a, b) => a.line - b.line)) {
      const selfCalls = [...assign.value.matchAll(/self\.(\w+)\s*\(/g)].map((m) => m[1]);
      const readsDerived = assign.reads.some((r) => derived.has(r));
      const dwHere = selfCalls.some((c) => dwAttrs.has(c)) || inlineDwLines.has(assign.line);
      // The pointwise call's own arguments must carry the depthwise output (`self.shortcut(shortcut)` beside it does not).
      const pwCallReadsDerived = cls.calls.some(
        (c) => c.line === assign.line && c.method === method && c.selfAttr !== undefined && isPointwiseAttr(c.selfAttr) &&
          c.args.some((a) => (a.match(/[A-Za-z_]\w*/g) ?? []).some((w) => derived.has(w)) || [...dwAttrs].some((d) => a.includes(`self.${d}(`))),
      );
      const inlinePw = inlineLinearLines.has(assign.line) && readsDerived;
      // `x = x + self.mlp(x)`: a residual MLP sublayer after a local conv (TinyViT), not a pointwise step of it.
      if ((pwCallReadsDerived || inlinePw) && /(^|[^\w.])\w+\s*\+\s*(self\.)?\w+\(/.test(assign.value) && !inlineDwLines.has(assign.line)) continue;
      if (pwCallReadsDerived || inlinePw || (dwHere && selfCalls.some((c) => isPointwiseAttr(c)) && selfCalls.length > 1 && !/\+/.test(assign.value))) return assign.line;
      if (dwHere || readsDerived) for (const t of assign.targets) if (/^\w+$/.test(t)) derived.add(t);
    }
  }
  return undefined;
}

function isFrameworkLayer(callee: string, imports: Map<string, string>): boolean {
  if (/^(layers|keras\.layers|tf\.keras\.layers|nn|L)\./.test(callee)) return true;
  return FRAMEWORK_PATH.test(resolveDotted(callee, imports));
}

/** Every conv / linear layer the class builds, in constructors and inline in forward (Flax compact, Keras functional). */
function convOps(cls: ModuleClass, context: RecognizeContext): ConvOp[] {
  const ops: ConvOp[] = [];
  for (const call of [...cls.initCalls, ...cls.calls]) {
    if (call.innerCall) continue; // `nn.Conv(...)(x)`: the constructor call is recorded on its own
    if (FUNCTIONAL_CALLEE.test(call.callee) && !/^(tf\.keras|keras)\./.test(call.callee)) continue;
    // Running a layer (`self.conv_dw(x)`, `conv(x)` over `self.convs`) is not building one.
    if (call.selfAttr !== undefined || call.callee.startsWith('self.')) continue;
    const ctor = call.name;
    const inConstructor = call.method !== null && /^(__init__|setup|build|__post_init__)$/.test(call.method);
    const layerLike = /^[A-Z]/.test(ctor) || (/conv/i.test(ctor) && (inConstructor || /^(create_conv\w*|conv\dx\d|conv_bn\w*)$/.test(ctor)));
    if (!layerLike) continue;
    const attr = (call.assignedTo[0] ?? '').replace(/^self\./, '');
    const userClass = context.classesByName.has(ctor);
    if (LINEAR_CTOR.test(ctor)) {
      ops.push({ call, attr, kind: 'linear', userClass, note: 'linear layer' });
      continue;
    }
    if (!CONV_CTOR.test(ctor) || /Transpose|Deconv|^Conv\w*Attention|LSTM/i.test(ctor)) continue;
    ops.push({ call, attr, userClass, ...classify(call, cls) });
  }
  return ops;
}

function classify(call: CallFact, cls: ModuleClass): { kind: ConvOp['kind']; note: string } {
  const ctor = call.name;
  if (SEPARABLE_CTOR.test(ctor)) return { kind: 'separable', note: 'separable conv layer' };
  if (call.kwargs['depthwise'] === 'True') return { kind: 'depthwise', note: 'depthwise conv' };
  if (DEPTHWISE_CTOR.test(ctor)) return { kind: 'depthwise', note: 'depthwise conv' };
  const attr = (call.assignedTo[0] ?? '').replace(/^self\./, '');
  const flaxLike = call.kwargs['feature_group_count'] !== undefined;
  const kerasLike = /^(Conv[123]D|Convolution[123]D)$/.test(ctor);
  const inChannels = call.kwargs['in_channels'] ?? call.kwargs['in_chs'] ?? call.kwargs['inp'] ?? (kerasLike || flaxLike ? undefined : call.args[0]);
  const outChannels = call.kwargs['out_channels'] ?? call.kwargs['out_chs'] ?? call.kwargs['features'] ?? call.kwargs['filters'] ?? (kerasLike || flaxLike ? call.args[0] : call.args[1]);
  const groups = call.kwargs['groups'] ?? call.kwargs['feature_group_count'] ?? (/^Conv[123]d$/.test(ctor) ? call.args[6] : undefined);
  if (groups !== undefined && isDepthwiseGroups(groups.trim(), inChannels?.trim(), outChannels?.trim(), attr, cls, flaxLike)) {
    return { kind: 'depthwise', note: `depthwise conv (groups=${groups.trim()})` };
  }
  if (POINTWISE_CTOR.test(ctor)) return { kind: 'pointwise', note: 'pointwise 1x1 conv' };
  const kernel = call.kwargs['kernel_size'] ?? call.kwargs['kernel'] ?? call.kwargs['k'] ?? (kerasLike || flaxLike || /^Conv$/.test(ctor) ? call.args[1] : call.args[2]);
  if (kernel !== undefined && ONE.test(kernel.trim().replace(/\s+/g, ' '))) return { kind: 'pointwise', note: 'pointwise 1x1 conv' };
  // timm: `self.conv_pw = create_conv2d(in_chs, out_chs, pw_kernel_size)`, a kernel size that defaults to 1.
  if (kernel !== undefined && /^(pw|exp)_kernel_size$|pointwise/.test(kernel.trim())) return { kind: 'pointwise', note: 'pointwise conv' };
  if (kernel !== undefined && !/^\d/.test(kernel.trim()) && /(^|_)(pw|pwl|pointwise)(_|\d|$)/i.test(attr)) return { kind: 'pointwise', note: 'pointwise conv' };
  return { kind: 'other', note: '' };
}

/** Whether a `groups` value is the channel count (one filter per channel). */
function isDepthwiseGroups(groups: string, inChannels: string | undefined, outChannels: string | undefined, attr: string, cls: ModuleClass, flax: boolean): boolean {
  if (/^(1|0|None|False)$/.test(groups)) return false;
  if (groups === inChannels || (groups === outChannels && (inChannels === outChannels || inChannels === undefined))) return true;
  if (flax && /shape\[-1\]|features|channels|dim/.test(groups)) return true;
  if (/^\d+$/.test(groups)) return false;
  const bare = groups.replace(/^self\./, '');
  const dwName = /(^|_)(dw|depthwise|dwconv)(_|\d|$)/i.test(attr);
  if (GROUPING_NAME.test(bare)) {
    // `groups = num_groups(group_size, in_chs)` (timm): depthwise by default, trusted when the layer is named so.
    if (!dwName) return false;
    return cls.initAssigns.some((a) => a.targets.includes(bare) && CHANNEL_NAME.test(a.value));
  }
  if (/^[\w.]+$/.test(bare) && CHANNEL_NAME.test(bare)) return true;
  // `groups=dim * mult` or an expression of the channel count.
  return dwName && (inChannels !== undefined && groups.includes(inChannels));
}

export default depthwiseSeparable;
