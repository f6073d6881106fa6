import type { AssignFact, CallFact, ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition } from './_types';
import { allLayers, evidence, firstSubmoduleNamed, match, nestedLayers } from './_util';

/**
 * Squeeze-and-excitation: the class's own forward pools its input globally over the spatial (or time)
 * axes, turns the pooled vector into a sigmoid (or hard-sigmoid) channel gate, and multiplies the gate
 * back onto the input. Decided by local dataflow in each method: a value derived from a global pooling
 * and passed through a sigmoid gate is multiplied with a value that did not come from the pooling.
 *
 * Decisions:
 * - ECA (pooling → 1D conv → sigmoid → multiply) and CBAM channel attention (avg+max pooling → shared
 *   MLP → sigmoid → multiply) count: same squeeze/gate/rescale structure, without (ECA) or with a
 *   bottleneck. CBAM spatial attention (pooling over channels) does not.
 * - A block holding a user-defined SE module (`self.se = SqueezeExcite(...)`) does not; a block that
 *   inlines the pooling, gate and multiply does.
 * - GLU / gated activations (gate not from global pooling), softmax attention, selective-kernel
 *   (softmax over branches) and pooling for a classification head are not squeeze-excitation.
 */

/** Global pooling over spatial/time axes, written inline. */
const POOL_EXPRESSIONS: RegExp[] = [
  // F.adaptive_avg_pool2d(x, 1), F.adaptive_max_pool2d(x, (1, 1)), output_size=1
  /\badaptive_(avg|max)_pool[123]d\s*\(\s*[\w.]+\s*,\s*(output_size\s*=\s*)?(1|\(\s*1\s*,\s*1\s*\)|\[\s*1\s*,\s*1\s*\]|\(\s*1\s*,?\s*\))\s*\)/,
  // F.avg_pool2d(x, x.size(2)), F.avg_pool2d(x, kernel_size=x.shape[2:])
  /\b(avg|max)_pool[123]d\s*\(\s*[\w.]+\s*,\s*(kernel_size\s*=\s*)?[\w.]+\.(size|shape)\b/,
  // x.mean((2, 3), keepdim=True), x.mean(dim=[-2, -1]), x.amax((2, 3)), jnp.mean(x, axis=(1, 2))
  /\.(mean|amax|max|sum)\s*\(\s*((dim|axis)\s*=\s*)?[([]\s*-?[123]\s*,\s*-?[1234]\s*,?\s*[)\]]/,
  /\b(mean|amax|reduce_mean|reduce_max|max)\s*\(\s*[\w.]+\s*,\s*((dim|axis)\s*=\s*)?[([]\s*-?[123]\s*,\s*-?[1234]\s*,?\s*[)\]]/,
  // einops reduce(x, 'b c h w -> b c', 'mean')
  /\breduce\s*\(\s*\w+\s*,\s*['"]b c [^'"]*->\s*b c\b[^'"]*['"]\s*,\s*['"](mean|max)['"]/,
  /\bGlobal(Average|Avg|Max)Pool(ing)?[123]D\s*\(/,
];
/** 1D squeeze over time: `x.mean(dim=2, keepdim=True)`. Two of them over different axes are strip pooling (coordinate attention), not global. */
const SINGLE_AXIS_MEAN = /\.mean\s*\(\s*(?:(?:dim|axis)\s*=\s*)?(-1|2|-2|3)\s*,\s*keepdims?\s*=\s*True\s*\)/;
const POOL_LAYER = /^(AdaptiveAvgPool[123]d|AdaptiveMaxPool[123]d|Global(Average|Avg|Max)Pool(ing)?[123]D|GlobalAvgPool\w*|SelectAdaptivePool[123]d|Reduce)$/;
const GATE_EXPRESSION = /\b(sigmoid|hard_sigmoid|hardsigmoid|hsigmoid|h_sigmoid)\b|activation\s*=\s*['"](hard_)?sigmoid['"]|Activation\s*\(\s*['"](hard_)?sigmoid/i;
const GATE_LAYER = /^(Sigmoid|Hardsigmoid|HardSigmoid|HSigmoid|Hsigmoid|h_sigmoid|HardSigmoidJit|HardSigmoidMe|SigmoidJit)$/;
/** Attributes conventionally holding the gate activation, built by a factory (`create_act_layer(gate_layer)`). */
const GATE_ATTR = /^(gate|gate_fn|gate_act|act_gate|sigmoid|sig|hsigmoid|hard_sigmoid|scale_activation|scale_act|excite_act|act_expand|gate_layer)$/;
/** Layers that are never a gate activation themselves, whatever the attribute is called (`self.gate = nn.Linear`). */
const NOT_ACTIVATION = /^(Linear|Dense|Conv\w*|Embedding|LayerNorm|BatchNorm\w*)$/;
const MULTIPLY = /(^|[^*])\*(?![*=])|\b(mul|multiply|mul_)\s*\(|\bMultiply\s*\(/;

interface Status {
  pooled: boolean;
  gated: boolean;
}

const squeezeExcitation: PatternDefinition = {
  id: 'squeeze-excitation',
  name: 'Squeeze-and-excitation',
  recognize(cls: ModuleClass) {
    const attrs = gateAndPoolAttrs(cls);
    const singleAxes = new Set(cls.assigns.map((a) => SINGLE_AXIS_MEAN.exec(a.value)?.[1]).filter((axis) => axis !== undefined));
    attrs.singleAxisPooling = singleAxes.size === 1;
    // Helper methods (`_scale`) feed the forward: their return status first.
    const returns = new Map<string, Status>();
    // Functional models have no methods: their body (and helpers) are named by the assigns.
    const methodNames = [...new Set([...cls.methods.map((m) => m.name), ...cls.assigns.map((a) => a.method)])];
    // Each method is scanned twice: its steps are collected once.
    const stepsByMethod = new Map(methodNames.map((method) => [method, methodSteps(cls, method)]));
    for (let pass = 0; pass < 2; pass++) {
      for (const method of methodNames) {
        const result = scanMethod(stepsByMethod.get(method)!, attrs, returns);
        if (method !== null) returns.set(method, result.returned);
        if (pass === 1 && result.hit) {
          const bottleneck = allLayers(cls).filter((l) => /^(Linear|Dense|Conv[123]?d?|Conv[123]D|Conv)$/.test(l.ctorName)).length >= 2 ||
            cls.calls.filter((c) => /^(Dense|Conv[123]D|Conv)$/.test(c.name)).length >= 2;
          return match(0.8, result.hit, bottleneck ? 0.1 : 0);
        }
      }
    }
    return null;
  },
};

interface Attrs {
  pool: Map<string, number>;
  gate: Map<string, number>;
  /** Whether a mean over one time axis counts as the global pooling (1D signals). */
  singleAxisPooling?: boolean;
}

function gateAndPoolAttrs(cls: ModuleClass): Attrs {
  const pool = new Map<string, number>();
  const gate = new Map<string, number>();
  for (const layer of cls.submodules) {
    if (!layer.name) continue;
    const members = [layer, ...nestedLayers(layer)];
    if (members.some(isPoolLayer)) pool.set(layer.name, layer.line);
    if (members.some(isGateLayer)) gate.set(layer.name, layer.line);
  }
  // Constructor parameters defaulting to a sigmoid (`scale_activation=nn.Sigmoid`, `act_layer="sigmoid"`) and locals from them.
  const sigmoidNames = new Set<string>();
  for (const method of cls.methods) {
    for (const [param, value] of Object.entries(method.defaults ?? {})) if (/sigmoid/i.test(value)) sigmoidNames.add(param);
  }
  for (const assign of cls.initAssigns) {
    const attr = /^self\.(\w+)$/.exec(assign.targets[0] ?? '')?.[1];
    if (!attr) {
      if (assign.reads.some((r) => sigmoidNames.has(r))) for (const t of assign.targets) sigmoidNames.add(t);
      continue;
    }
    if (gate.has(attr)) continue;
    if (assign.reads.some((r) => sigmoidNames.has(r))) {
      gate.set(attr, assign.line);
      continue;
    }
    const layer = firstSubmoduleNamed(cls, attr);
    if (layer && NOT_ACTIVATION.test(layer.ctorName)) continue;
    // `self.gate = create_act_layer(gate_layer)`, `self.scale_activation = scale_activation()`, `self.gate_fn = sigmoid`
    if (GATE_ATTR.test(attr) || GATE_EXPRESSION.test(assign.value) || /gate_layer|scale_activation|gate_fn/.test(assign.value)) {
      if (!layer || !NOT_ACTIVATION.test(layer.ctorName)) gate.set(attr, assign.line);
    }
  }
  return { pool, gate };
}


function isPoolLayer(layer: SubmoduleFact): boolean {
  if (!POOL_LAYER.test(layer.ctorName)) return false;
  if (layer.ctorName === 'Reduce') return /->\s*b c\b/.test(layer.text) && /mean|max/.test(layer.text);
  if (/^Adaptive/.test(layer.ctorName)) return /^(1|\(\s*1\s*,\s*1\s*\)|\[\s*1\s*,\s*1\s*\]|output_size\s*=\s*1|\(1,?\))$/.test((layer.args[0] ?? `output_size=${layer.kwargs['output_size'] ?? ''}`).trim());
  return true;
}

function isGateLayer(layer: SubmoduleFact): boolean {
  if (GATE_LAYER.test(layer.ctorName)) return true;
  if (layer.ctorName === 'Activation') return /(hard_)?sigmoid/.test(layer.args[0] ?? '');
  return /['"](hard_)?sigmoid['"]/.test(layer.kwargs['activation'] ?? '');
}

type Step = { assign?: AssignFact; call?: CallFact; line: number };

/** A method's assignments and in-place multiplications (`x.mul_(gate)`), in line order. */
function methodSteps(cls: ModuleClass, method: string | null): Step[] {
  const assigns = cls.assigns.filter((a) => a.method === method);
  const inPlace = cls.calls.filter((c) => c.method === method && /^(mul_|mul)$/.test(c.name) && c.receiver && c.assignedTo.length === 0);
  return [...assigns.map((a) => ({ assign: a, line: a.line })), ...inPlace.map((c) => ({ call: c, line: c.line }))].sort((a, b) => a.line - b.line);
}

/** Reads one method in line order, tracking which locals derive from a global pooling and a gate. */
function scanMethod(steps: Step[], attrs: Attrs, returns: Map<string, Status>): { hit?: Evidence[]; returned: Status } {
  const status = new Map<string, Status>();
  const returned: Status = { pooled: false, gated: false };
  let poolLine = 0;
  let gateLine = 0;
  for (const step of steps) {
    const value = step.assign ? step.assign.value : `${step.call!.receiver} * ${step.call!.args.join(', ')}`;
    const reads = step.assign ? step.assign.reads : [step.call!.receiver!, ...step.call!.args.flatMap((a) => a.match(/[A-Za-z_]\w*/g) ?? [])];
    const selfCalls = [...value.matchAll(/self\.(\w+)\s*\(/g)].map((m) => m[1]);
    const readStatus = reads.map((r) => status.get(r)).filter((s): s is Status => s !== undefined);
    const helper = selfCalls.map((c) => returns.get(c)).filter((s): s is Status => s !== undefined);
    const poolsHere = POOL_EXPRESSIONS.some((re) => re.test(value)) || (attrs.singleAxisPooling === true && SINGLE_AXIS_MEAN.test(value)) || selfCalls.some((c) => attrs.pool.has(c));
    const gatesHere = GATE_EXPRESSION.test(value) || selfCalls.some((c) => attrs.gate.has(c));
    const pooled = poolsHere || readStatus.some((s) => s.pooled) || helper.some((s) => s.pooled);
    const gated = gatesHere || readStatus.some((s) => s.gated && s.pooled) || helper.some((s) => s.gated && s.pooled);
    if (poolsHere && !poolLine) poolLine = step.line;
    if (gatesHere && pooled && !gateLine) gateLine = step.line;

    const multiplies = MULTIPLY.test(value) || step.assign?.operator === '*=';
    if (multiplies && pooled && gated) {
      // The other factor must be a value that did not go through the pooling: the input being rescaled.
      const untouched = reads.some((r) => !status.has(r) && !/^(self|torch|F|nn|jnp|jax|tf|layers|keras|ops|np|math)$/.test(r)) ||
        reads.some((r) => status.get(r)?.pooled === false) || step.assign?.operator === '*=';
      if (untouched) {
        const found: Evidence[] = [];
        if (poolLine) found.push(evidence(poolLine, 'global pooling (squeeze)'));
        if (gateLine && gateLine !== poolLine) found.push(evidence(gateLine, 'sigmoid channel gate (excitation)'));
        found.push(evidence(step.line, 'gate multiplied back onto the input'));
        return { hit: found, returned };
      }
    }
    const targets = step.assign ? step.assign.targets : [];
    for (const target of targets) {
      if (target === 'return') {
        returned.pooled ||= pooled;
        returned.gated ||= gated && pooled;
      } else if (/^\w+$/.test(target)) {
        // Branches (`if extent == 0: pooled = x.mean(...) else: pooled = avg_pool2d(...)`) are read in
        // sequence, so a reassignment keeps what an earlier branch established.
        const before = status.get(target);
        status.set(target, { pooled: pooled || (before?.pooled ?? false), gated: (gated && pooled) || (before?.gated ?? false) });
      }
    }
  }
  return { returned };
}

export default squeezeExcitation;
