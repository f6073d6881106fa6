import type { AssignFact, CallFact, LoopFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition } from './_types';
import { evidence, hasWord, match, regExpFor } from './_util';

/**
 * Differentiable architecture search (DARTS, PC-DARTS, GDAS, ProxylessNAS, NNI): a sum over candidate
 * operations weighted by architecture weights, which are learned parameters of the search (not
 * computed from the input).
 *
 * Two structures decide it:
 * - the mixed op itself: a forward that sums candidate-op outputs times weights taken from a weights
 *   argument (`sum(w * op(x) for w, op in zip(weights, self._ops))`) or from the softmax / binary gates
 *   of its own architecture parameters (`self.AP_path_wb[i] * op(x)`);
 * - the search network: it owns architecture parameters (`alphas_normal`, `arch_parameters`) and hands
 *   their softmax (or Gumbel sample) to its cells.
 * A search cell that only forwards the weights to its MixedOps does not perform the mixing itself; one
 * that also weights its edges (PC-DARTS edge normalisation) does. Not NAS: mixture of experts (weights
 * from a router over the input), selective-kernel / split attention (a softmax over branches computed
 * from the input, so weights derived from a method input never count as architecture weights),
 * ELMo-style scalar mixes (weighted tensors, no candidate ops run) and plain ensembles (no weights).
 */

/** Architecture parameters: `alphas_normal`, `arch_parameters`, `_arch_alpha`, ProxylessNAS `AP_path_wb`. */
const ARCH_NAME = /alpha|arch_?param|^_?arch(_|$)|^ap_path|path_(alpha|wb)|binary_gates?|^_?betas?_(normal|reduce)|op_weights|edge_weights|^_?thetas?$/i;
/** Forward arguments that carry architecture weights into a mixed op or cell. */
const WEIGHTS_ARG = /^(weights?\d*|weightss|alphas?\d*|arch_?\w*|hardwts|ws|probs|op_weights?|path_weights?|betas?\d*|binary_gates)$/i;
/** Relaxations applied to architecture parameters. */
const RELAXATION = /^_?(softmax|log_softmax|gumbel_softmax|sparsemax|entmax\w*|sigmoid)$/;
/** Iterables of candidate operations. */
const CANDIDATES = /self\.|\bops\b|_ops\b|edges|candidate|choices|primitive|op_names|\bpaths\b|branches|\bOPS\b/i;

function nonConstructorMethods(cls: ModuleClass): string[] {
  return cls.methods.map((m) => m.name).filter((n) => !['__init__', 'setup', 'build', '__post_init__'].includes(n));
}

/** Self attributes the class treats as architecture parameters. */
function archParameterNames(cls: ModuleClass): Set<string> {
  const names = new Set<string>();
  for (const p of cls.parameters) if (ARCH_NAME.test(p.name)) names.add(p.name);
  for (const s of cls.submodules) if (ARCH_NAME.test(s.name) && /^(Variable|ParameterDict|ParameterList|Parameter)$/.test(s.ctorName)) names.add(s.name);
  for (const a of [...cls.initAssigns, ...cls.assigns]) {
    const attr = /^self\.(\w+)$/.exec(a.targets[0] ?? '')?.[1];
    if (!attr) continue;
    if (ARCH_NAME.test(attr) && !/^(\d|[\d.]+$|None|True|False)/.test(a.value)) names.add(attr);
    // `self._arch_parameters = [self.alphas_normal, self.alphas_reduce]` names them even when they are plain `weights`.
    if (/arch_?param/i.test(attr)) for (const m of a.value.matchAll(/self\.(\w+)/g)) names.add(m[1]);
  }
  return names;
}

/** Locals of one method assigned from expressions, in source order. */
function localsOf(assigns: AssignFact[]): Map<string, AssignFact[]> {
  const map = new Map<string, AssignFact[]>();
  for (const a of assigns) {
    for (const t of a.targets) {
      if (!/^\w+$/.test(t)) continue;
      const list = map.get(t);
      if (list) list.push(a);
      else map.set(t, [a]);
    }
  }
  return map;
}

/**
 * Whether an expression relaxes an architecture parameter directly: `F.softmax(self.alphas_normal, -1)`,
 * `self.arch_parameters.log_softmax(dim=1)`, `self._softmax(self._arch_alpha[k])`. A softmax whose operand
 * merely involves such a parameter (`softmax(q @ k * self.alpha)`) is attention, not relaxation.
 */
function relaxesArch(text: string, arch: Set<string>): boolean {
  const named = (m: RegExpMatchArray) => arch.has(m[1]) || /^weights?$/.test(m[1]);
  const called = [...text.matchAll(/\b_?(?:softmax|log_softmax|gumbel_softmax|sparsemax|entmax\w*|sigmoid)\s*\(\s*\(?\s*self\.(\w+)\s*(?:\[[^\]]*\]\s*)?[,)]/g)];
  const chained = [...text.matchAll(/self\.(\w+)\s*(?:\[[^\]]*\]\s*)?\.(?:log_softmax|softmax|sigmoid)\s*\(/g)];
  // Helpers that sample or relax the parameter (GDAS `get_gumbel_prob(self.arch_normal_parameters)`).
  const helper = [...text.matchAll(/\b\w*(?:gumbel|softmax|sample|relax|probs?)\w*\s*\(\s*self\.(\w+)\s*[,)[]/gi)];
  return called.some(named) || chained.some(named) || helper.some(named);
}

/** Names that carry relaxed architecture weights: `weights = F.softmax(self.alphas_normal)` and what derives from them. */
function relaxedWeightLocals(calls: CallFact[], assigns: AssignFact[], loops: LoopFact[], arch: Set<string>): Set<string> {
  const tainted = new Set<string>();
  for (const call of calls) {
    if (!RELAXATION.test(call.name)) continue;
    const operand = call.receiver && /^\(?\s*self\./.test(call.receiver) ? `${call.receiver}.${call.name}(` : `${call.name}(${call.args[0] ?? ''})`;
    if (relaxesArch(operand, arch)) for (const t of call.assignedTo) tainted.add(t);
  }
  // Propagate through arithmetic on the weights (`logits = (self.arch.log_softmax(1) + g) / tau; probs = softmax(logits)`).
  // Architecture weights never depend on the input: values computed from it (features, layer outputs) stop the flow.
  const layerOutputs = new Set(calls.filter((c) => c.selfAttr !== undefined && !arch.has(c.selfAttr)).map((c) => c.line));
  for (let pass = 0; pass < 3; pass++) {
    for (const a of assigns) {
      if (layerOutputs.has(a.line) || a.origins.size > 0) continue;
      if (a.reads.some((r) => tainted.has(r)) || relaxesArch(a.value, arch)) {
        for (const t of a.targets) if (/^\w+$/.test(t)) tainted.add(t);
      }
    }
    // `for w, op in zip(hardwts, self.candidates)`: the loop variable carries the weights.
    for (const loop of loops) {
      if ([...loop.iterable.matchAll(/\b(\w+)\b/g)].some((m) => tainted.has(m[1]))) {
        for (const t of loop.target.split(/[\s,()]+/)) if (t) tainted.add(t);
      }
    }
  }
  return tainted;
}

interface MixHit {
  line: number;
  note: string;
}

/** A weighted sum over candidate-op outputs in one method, with architecture-sourced weights. */
function weightedSumOverOps(cls: ModuleClass, method: string, arch: Set<string>): MixHit | null {
  const params = cls.methods.find((m) => m.name === method)?.params.filter((p) => p !== 'self') ?? [];
  const weightParams = new Set(params.slice(1).filter((p) => WEIGHTS_ARG.test(p)));
  const calls = cls.calls.filter((c) => c.method === method);
  const assigns = cls.assigns.filter((a) => a.method === method);
  const loops = cls.loops.filter((l) => l.method === method);
  const locals = localsOf(assigns);
  // An op that relaxes its own learned parameters mixes with them whatever they are called (FBNet `thetas`).
  const learned = new Set([...arch, ...cls.parameters.filter((p) => p.kind === 'parameter').map((p) => p.name)]);
  const relaxed = relaxedWeightLocals(calls, assigns, loops, learned);

  // Callables that are candidate operations: loop variables over op collections, locals taken from self.
  const opNames = new Set<string>();
  for (const loop of loops) {
    if (!CANDIDATES.test(loop.iterable)) continue;
    for (const t of loop.target.split(/[\s,()]+/)) if (t) opNames.add(t);
  }
  for (const [name, defs] of locals) if (defs.some((d) => /^self\.\w+(\[|\(|$)/.test(d.value))) opNames.add(name);
  const callsOp = (text: string) =>
    /self\.\w+\[[^\]]*\]\s*\(|self\[[^\]]*\]\s*\(/.test(text) || [...text.matchAll(/\b(\w+)\s*\(/g)].some((m) => opNames.has(m[1]));
  const opOutput = (text: string, depth = 0): boolean => {
    if (callsOp(text)) return true;
    if (depth > 2) return false;
    return [...text.matchAll(/\b([A-Za-z_]\w*)\b/g)].some((m) => (locals.get(m[1]) ?? []).some((d) => d.value !== text && opOutput(d.value, depth + 1)));
  };
  const archWeighted = (a: AssignFact) =>
    [...a.origins].some((o) => weightParams.has(o)) ||
    a.reads.some((r) => relaxed.has(r)) ||
    [...a.value.matchAll(/self\.(\w+)/g)].some((m) => arch.has(m[1]));

  for (const a of assigns) {
    if (!/\*/.test(a.value)) continue;
    const target = a.targets[0] ?? '';
    const summed =
      /\bsum\s*\([^]*\bfor\b/.test(a.value) ||
      /\b(torch|jnp|np|tf|ops)\.(sum|add_n)\s*\(|reduce_sum\s*\(/.test(a.value) ||
      a.operator === '+=' ||
      (/^\w+$/.test(target) && regExpFor(`^${target}\\s*\\+|\\+\\s*${target}\\b`).test(a.value));
    if (!summed || !archWeighted(a) || !opOutput(a.value)) continue;
    return { line: a.line, note: 'candidate ops summed with architecture weights' };
  }
  // NNI style: a reduction helper given the op outputs and the relaxed weights.
  for (const call of calls) {
    const args = call.args.join(' ');
    if (call.args.length >= 2 && relaxesArch(args, arch) && call.args.some((x) => opOutput(x))) {
      return { line: call.line, note: 'candidate-op outputs reduced with relaxed architecture weights' };
    }
  }
  return null;
}

/** The search network: relaxed architecture weights handed to its cells. */
function weightsHandedToCells(cls: ModuleClass, method: string, arch: Set<string>): MixHit | null {
  const calls = cls.calls.filter((c) => c.method === method);
  const assigns = cls.assigns.filter((a) => a.method === method);
  const loops = cls.loops.filter((l) => l.method === method);
  const relaxed = relaxedWeightLocals(calls, assigns, loops, arch);
  const submoduleNames = new Set(cls.submodules.map((s) => s.name));
  for (const call of calls) {
    if (!call.selfAttr || !submoduleNames.has(call.selfAttr)) continue;
    const args = [...call.args, ...Object.values(call.kwargs)];
    const carries = args.some((x) => [...x.matchAll(/\b(\w+)\b/g)].some((m) => relaxed.has(m[1])) || relaxesArch(x, arch));
    if (carries) return { line: call.line, note: 'relaxed architecture weights passed to cells' };
  }
  return null;
}

const nasMixedOp: PatternDefinition = {
  id: 'nas-mixed-op',
  name: 'Differentiable NAS mixed operation',
  recognize(cls: ModuleClass) {
    // Routers over experts also weight several networks; that is mixture-of-experts, not NAS.
    if (hasWord(cls, /expert/i)) return null;
    const arch = archParameterNames(cls);
    const found: Evidence[] = [];
    let owner = false;
    for (const method of nonConstructorMethods(cls)) {
      if (/genotype|parse|export|show|print|repr|loss/i.test(method)) continue;
      const mix = weightedSumOverOps(cls, method, arch);
      if (mix) found.push(evidence(mix.line, mix.note));
      const handed = arch.size > 0 ? weightsHandedToCells(cls, method, arch) : null;
      if (handed) {
        found.push(evidence(handed.line, handed.note));
        owner = true;
      }
    }
    // A search network that creates architecture weights and shares them with its cells by assignment
    // (DARTS RNN: `rnn.weights = self.weights`).
    if (found.length === 0 && arch.size > 0) {
      const shapes = [...cls.assigns, ...cls.initAssigns].filter((a) => /PRIMITIVES|num_ops|op_names|len\(\s*(self\.)?(ops|primitives|search_space|candidates)/i.test(a.value) && /randn|zeros|ones|empty|Parameter|Variable|rand/.test(a.value));
      const shared = cls.assigns.some((a) => a.targets.some((t) => /^\w+\.(weights|alphas?\w*|arch\w*)$/.test(t) && !t.startsWith('self.')));
      // An RL controller also keeps logits over candidate ops but builds no network around them.
      const network = cls.submodules.some((m) => !/^(Variable|Parameter\w*)$/.test(m.ctorName));
      if (shapes.length > 0 && (shared || (network && hasWord(cls, /^arch_parameters$/)))) {
        found.push(evidence(shapes[0].line, 'architecture weights over candidate ops'));
        owner = true;
      }
    }
    if (found.length === 0) return null;
    const archEvidence = cls.parameters.find((p) => arch.has(p.name)) ?? cls.submodules.find((s) => arch.has(s.name));
    if (archEvidence && !found.some((e) => e.line === archEvidence.line)) found.push(evidence(archEvidence.line, 'architecture parameters'));
    found.sort((a, b) => a.line - b.line);
    return match(owner ? 0.7 : 0.75, found, arch.size > 0 ? 0.1 : 0, hasWord(cls, /^(PRIMITIVES|alphas?_\w+|arch_parameters|op_names)$/) ? 0.05 : 0);
  },
};

export default nasMixedOp;
