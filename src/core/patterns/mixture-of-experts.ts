import type { ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition, PatternMatch, RecognizeContext } from './_types';
import { allLayers, evidence, forwardMethod, match } from './_util';

/**
 * Mixture of experts: the class owns a set of experts AND a router, and its forward uses both
 * (Switch, GShard, Mixtral, ST-MoE, Soft MoE, V-MoE, Keras Switch).
 *
 * Experts: a container of expert networks (`nn.ModuleList([Expert() for _ in range(n)])`, a Keras list
 * from a factory, an `nn.ModuleDict` filled in a loop, `self.experts = Experts(...)`, an
 * `XParallelExperts` bank), weights stacked on a leading expert axis
 * (`nn.Parameter(torch.randn(num_experts, d, h))`, Flax `self.param(..., (num_experts, d, h))`, Keras
 * `add_weight(shape=(num_experts, ...))`), or a Flax `nn.vmap` over an expert module.
 * Router: a gate/router layer (`nn.Linear(d, num_experts)`, a `TopKGate`/`Router` submodule, a gate
 * handed to the constructor) or routing weights (`w_gating`, Soft MoE slot embeddings).
 * The class that routes AND runs the experts has the pattern, including one that wires a router
 * submodule to an experts submodule (HF `XSparseMoeBlock`); an Experts class that runs routing it is
 * given, a standalone router, a gated MLP (GEGLU/SwiGLU, `gate_proj`), attention heads, ensembles and a
 * block that merely holds an MoE submodule do not. A subclass that keeps an MoE base's forward inherits it.
 */

/** `experts`, `local_experts`, `expert_bank`, `experts_list`; not `num_experts`, `expert_capacity`, `shared_experts`. */
function isExpertsName(name: string): boolean {
  const base = name.replace(/^_+/, '');
  if (/shared/i.test(base)) return false;
  if (/^(num|n|total|top_?k?|active|selected|max|min|used|per)_/i.test(base)) return false;
  return /^(\w+_)?experts?(_(list|layers?|mlps?|ffns?|ff|modules?|nets?|networks?|blocks?|group|pool|bank|set|dict|stack|linears?|dense|impl))?$/i.test(base);
}

/** `gate`, `router`, `w_gating`, `wg`, `to_gates`; not `gate_proj` (a gated MLP's projection). */
function isRouterName(name: string): boolean {
  const base = name.replace(/^_+/, '');
  if (/proj|shared/i.test(base)) return false;
  if (/^(num|n|total|top_?k?)_/i.test(base)) return false;
  return /^(\w+_)?(gate|gates|gating|router|routing|switch|wg|w_gate|w_gating|gate_network|gating_network|routing_fn|gating_fn|to_gates?|selector)$/i.test(base)
    || /^(router|gate|gating)_(linear|layer|fc|dense|net|network|weights?|logits_proj)$/i.test(base);
}

/** The leading axis of stacked expert weights: `num_experts`, `self.num_local_experts`, `E`. */
const STACKED_EXPERT_AXIS = /^(self\.|config\.|self\.config\.)?(num_|n_)?(local_)?experts?$|^(E|num_local_experts|n_routed_experts)$/i;
const MENTIONS_EXPERTS = /expert|num_gates|\bE\b/;
const ROUTER_CTOR = /(Gate|Gating|Router|Routing)(\b|[A-Z_]|$)/;
const LINEAR_CTOR = /^(Linear|Dense|DenseGeneral|LazyLinear)$/;
const ROUTING_OP = /^(topk|top_k|argmax|argsort|softmax|log_softmax|one_hot|gumbel_softmax|sigmoid|sinkhorn\w*|approx_max_k)$/;
const COMBINE_OP = /^(index_add_|index_add|scatter_add_?|scatter|einsum|bmm|segment_sum|gather|tensordot)$/;

interface Part {
  /** The attribute or variable name the part is known by in forward code (`''` when inline). */
  name: string;
  line: number;
  note: string;
}

function layerMentionsExperts(layer: SubmoduleFact): boolean {
  return [...layer.args, ...Object.values(layer.kwargs)].some((a) => MENTIONS_EXPERTS.test(a));
}

/** Expert sets the class itself builds. */
function findExperts(cls: ModuleClass): Part[] {
  const parts: Part[] = [];
  for (const layer of cls.submodules) {
    if (layer.inline) continue;
    if (isExpertsName(layer.name)) {
      parts.push({ name: layer.name, line: layer.line, note: 'experts' });
    } else if (layer.replicated && layer.elements.some((e) => /Expert/.test(e.ctorName))) {
      parts.push({ name: layer.name, line: layer.line, note: 'replicated experts' });
    } else if (/(GLU|MLP|FFN|FeedForward|Linear)$/.test(layer.ctorName) && !LINEAR_CTOR.test(layer.ctorName) && layerMentionsExperts(layer)) {
      // A batched expert MLP sized by the expert count (MLX `SwitchGLU(d, h, num_experts)`).
      parts.push({ name: layer.name, line: layer.line, note: `expert bank ${layer.ctorName}` });
    } else if (/Experts$|Experts[A-Z_]/.test(layer.ctorName)) {
      // An expert bank class under another name (Granite/JetMoE `input_linear = ParallelExperts(...)`).
      parts.push({ name: layer.name, line: layer.line, note: `expert bank ${layer.ctorName}` });
    } else if (/^[A-Z]/.test(layer.ctorName) && !LINEAR_CTOR.test(layer.ctorName) && !ROUTER_CTOR.test(layer.ctorName)
      && !/MoE|Moe|MOE|Mixture|Sparse/.test(layer.ctorName) && !isRouterName(layer.name)
      && Object.entries(layer.kwargs).some(([k, v]) => /^(groups|num_groups|num_experts|experts)$/.test(k) && /expert/i.test(v))) {
      // One layer grouped over the expert axis (mixture-of-attention `Attention(..., groups=num_experts)`).
      parts.push({ name: layer.name, line: layer.line, note: `${layer.ctorName} grouped over experts` });
    }
  }
  // Flax @nn.compact / Keras functional: experts built where they are used,
  // `experts = [Expert(...) for _ in range(n)]`, `expert_outputs = [layers.Dense(u)(x) for _ in range(n)]`.
  for (const assign of cls.assigns) {
    const target = assign.targets[0] ?? '';
    if (!/expert/i.test(target) || /shared|^(num|n|top)_/i.test(target)) continue;
    if (/^\[[^]*\b[A-Z]\w*\s*\([^]*\bfor\b/.test(assign.value) || /^\[[^]*\)\s*\([^]*\bfor\b/.test(assign.value)) {
      parts.push({ name: '', line: assign.line, note: 'experts' });
    }
  }
  // Experts from factories or constructor arguments: `self.experts = [make_ffn() for _ in range(n)]`.
  for (const assign of cls.initAssigns) {
    const attr = /^self\.(\w+)$/.exec(assign.targets[0] ?? '')?.[1];
    if (!attr || !isExpertsName(attr) || parts.some((p) => p.name === attr)) continue;
    if (/^(\d|True|False|None|len\(|int\(|\w+\s*(\/\/|\*|-)|config\.\w+$)/.test(assign.value)) continue;
    parts.push({ name: attr, line: assign.line, note: 'experts' });
  }
  // Dataclass fields holding the experts (flaxformer `expert: MlpBlock`, Equinox `experts: list`).
  for (const [field, value] of Object.entries(cls.fields)) {
    if (isExpertsName(field) && !/^[\d.'"]|^(True|False)$/.test(value) && !parts.some((p) => p.name === field)) {
      parts.push({ name: field, line: cls.line, note: 'experts field' });
    }
  }
  // Stacked expert weights: the leading axis is the expert axis.
  for (const param of cls.parameters) {
    if (param.kind !== 'parameter') continue;
    const leading = param.shape[0] ?? '';
    if (STACKED_EXPERT_AXIS.test(leading) || (/^(\*?\w*experts?\w*)$/i.test(param.name) && !isRouterName(param.name))) {
      parts.push({ name: param.name, line: param.line, note: 'stacked expert weights' });
    }
  }
  // Forward-side calls include helpers like `route_tokens_to_experts`.
  for (const call of cls.calls) {
    // Flax `self.param('wi', init, (self.num_experts, d, h))` inside @nn.compact.
    if (call.callee === 'self.param' && /expert/i.test(call.args[2] ?? '') && /^\(?\s*[\w.]*expert/i.test(call.args[2] ?? '')) {
      parts.push({ name: call.assignedTo[0] ?? '', line: call.line, note: 'stacked expert weights' });
    }
    // Flax `nn.vmap(Expert, ..., axis_size=num_experts)`: one module lifted over the expert axis.
    const vmap = call.innerCall ?? (call.name === 'vmap' ? { callee: call.callee, name: call.name, args: call.args, kwargs: call.kwargs } : undefined);
    if (vmap?.name === 'vmap' && (/expert/i.test(vmap.kwargs['axis_size'] ?? '') || /Expert/.test(vmap.args[0] ?? ''))) {
      parts.push({ name: call.assignedTo[0] ?? '', line: call.line, note: 'experts vmapped over the expert axis' });
    } else if (call.innerCall && /moe|expert/i.test(call.innerCall.name) && /^[A-Z]\w*$/.test(call.innerCall.args[0] ?? '')) {
      // A lifted MoE transform over an expert module (V-MoE `sparse_moe_spmd(MlpBlock, ...)(...)`).
      parts.push({ name: '', line: call.line, note: `experts lifted from ${call.innerCall.args[0]}` });
    }
  }
  for (const assign of cls.initAssigns) {
    const attr = /^self\.(\w+)$/.exec(assign.targets[0] ?? '')?.[1];
    if (attr && /\bvmap\(/.test(assign.value) && /expert/i.test(assign.value) && !parts.some((p) => p.name === attr)) {
      parts.push({ name: attr, line: assign.line, note: 'experts vmapped over the expert axis' });
    }
  }
  // With expert modules present, weights on an expert axis belong to routing (Soft MoE slot embeddings).
  const modules = parts.filter((p) => !/stacked/.test(p.note));
  return modules.length > 0 ? modules : parts;
}

/** Routers the class itself builds (or is handed in its constructor). */
function findRouters(cls: ModuleClass, experts: Part[]): Part[] {
  const parts: Part[] = [];
  const expertNames = new Set(experts.map((e) => e.name));
  const expertsAreModules = experts.some((e) => !/stacked/.test(e.note));
  for (const layer of allLayers(cls)) {
    if (expertNames.has(layer.name)) continue;
    const namedRouter = layer.name !== '' && isRouterName(layer.name);
    const routerClass = ROUTER_CTOR.test(layer.ctorName) && !/Gated/.test(layer.ctorName);
    const expertLogits = LINEAR_CTOR.test(layer.ctorName) && layerMentionsExperts(layer);
    const inlineNamed = layer.inline && isRouterName((layer.kwargs['name'] ?? '').replace(/['"]/g, ''));
    if (namedRouter || routerClass || expertLogits || inlineNamed) {
      parts.push({ name: layer.inline ? '' : layer.name, line: layer.line, note: routerClass ? 'router module' : 'router' });
    }
  }
  for (const assign of cls.initAssigns) {
    const attr = /^self\.(\w+)$/.exec(assign.targets[0] ?? '')?.[1];
    if (!attr || !isRouterName(attr) || parts.some((p) => p.name === attr)) continue;
    if (/^(\d|True|False|None|[\d.]+$)/.test(assign.value)) continue;
    parts.push({ name: attr, line: assign.line, note: 'router' });
  }
  for (const [field, value] of Object.entries(cls.fields)) {
    if (isRouterName(field) && !/^[\d.'"]|^(True|False|None)$/.test(value) && !parts.some((p) => p.name === field)) {
      parts.push({ name: field, line: cls.line, note: 'router field' });
    }
  }
  for (const param of cls.parameters) {
    if (param.kind !== 'parameter' || expertNames.has(param.name)) continue;
    const shapeMentions = param.shape.some((s) => /expert|num_gates/i.test(s));
    const lastMentions = /expert|num_gates/i.test(param.shape[param.shape.length - 1] ?? '');
    if (isRouterName(param.name) || (shapeMentions && (expertsAreModules || lastMentions))) {
      parts.push({ name: param.name, line: param.line, note: 'router weights' });
    }
  }
  // Forward-side calls include helpers like `route_tokens_to_experts`.
  for (const call of cls.calls) {
    if (call.callee === 'self.param' && /gat|rout/i.test(call.args[0] ?? '')) {
      parts.push({ name: call.assignedTo[0] ?? '', line: call.line, note: 'router weights' });
    }
    // `self.create_router()(inputs)`, `self.gating(x)` helpers that build the router in forward.
    if (call.innerCall && /router|gating/i.test(call.innerCall.callee)) {
      parts.push({ name: '', line: call.line, note: 'router' });
    }
  }
  return parts;
}

/** Whether forward code reads `self.<name>` (or uses an inline part, which lives in forward by definition). */
function usedInForward(cls: ModuleClass, part: Part): boolean {
  if (part.name === '') return true;
  const ref = new RegExp(`\\bself\\.${part.name}\\b`);
  if (cls.calls.some((c) => c.selfAttr === part.name || ref.test(c.callee) || c.args.some((a) => ref.test(a)))) return true;
  if (cls.assigns.some((a) => ref.test(a.value))) return true;
  // Flax compact locals (`wi = self.param(...)`) are used by their local name.
  const local = new RegExp(`\\b${part.name}\\b`);
  return cls.calls.some((c) => c.line !== part.line && c.args.some((a) => local.test(a)));
}

/** Base classes that are MoE layers by name (`FMoE`, `MoE`, `MoeLayer`, `SparseMoeBlock`). */
const MOE_BASE = /^(F|Sparse|Switch|Base)?(MoE|Moe|MOE)(Layer|Block|MLP)?$|^MixtureOfExperts\w*$/;

/** Own MoE, read from the class's own constructor and forward. */
function ownMoE(cls: ModuleClass): PatternMatch | null {
  const experts = findExperts(cls).filter((p) => usedInForward(cls, p));
  if (experts.length === 0) return null;
  const routers = findRouters(cls, experts).filter((p) => usedInForward(cls, p));
  if (routers.length === 0) return null;

  const found: Evidence[] = [evidence(routers[0].line, routers[0].note), evidence(experts[0].line, experts[0].note)];
  const routing = cls.calls.find((c) => ROUTING_OP.test(c.name));
  if (routing) found.push(evidence(routing.line, `routing (${routing.name})`));
  const combine = cls.calls.find((c) => COMBINE_OP.test(c.name));
  if (combine) found.push(evidence(combine.line, `combine (${combine.name})`));
  const byLine = [...new Map(found.map((e) => [e.line, e] as const)).values()].sort((a, b) => a.line - b.line);
  return match(0.75, byLine, routing ? 0.1 : 0, combine ? 0.05 : 0);
}

/**
 * A subclass that configures an MoE base and keeps (or calls) its forward is that MoE layer
 * (fastmoe `FMoETransformerMLP(FMoE)`): routing and combining are inherited, not merely held.
 */
function inheritedMoE(cls: ModuleClass, context: RecognizeContext): PatternMatch | null {
  const keepsForward = !forwardMethod(cls) || cls.calls.some((c) => /^super\(\s*\w*[\w\s,]*\)\.(forward|__call__|call)$/.test(c.callee));
  if (!keepsForward) return null;
  for (const base of cls.bases) {
    const name = base.split('.').pop() ?? '';
    const local = context.classesByName.get(name);
    if (local && local !== cls && ownMoE(local)) return match(0.6, [evidence(cls.line, `inherits the MoE layer ${name}`)]);
    if (!local && MOE_BASE.test(name)) return match(0.55, [evidence(cls.line, `subclasses the MoE layer ${name}`)]);
  }
  return null;
}

const mixtureOfExperts: PatternDefinition = {
  id: 'mixture-of-experts',
  name: 'Mixture of experts',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    return ownMoE(cls) ?? inheritedMoE(cls, context);
  },
};

export default mixtureOfExperts;
