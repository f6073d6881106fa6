import type { ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import {
  RESIDUAL_LAYER,
  SHORTCUT_LAYER,
  SHORTCUT_NAME,
  additiveGroups,
  computedFrom,
  derivesFrom,
  layerCallsIn,
  methodFlows,
  rootsOf,
  versionsRead,
  type Env,
  type LayerCallText,
  type MethodFlow,
  type VersionQuery,
} from './_flow';
import { evidence, match, regExpFor } from './_util';

/**
 * Residual block: the class's own computation adds a value back onto something its layers computed from
 * that value: `out += identity` (with an optional `downsample` shortcut), `x = x + self.attn(self.norm(x))`,
 * `return x + self.fn(x)`, Flax `x + y`, Keras `layers.add([x, shortcut])` / `layers.Add()([...])`.
 *
 * Decided on local dataflow (see `_flow.ts`): one operand of a sum is a value V (or a plain copy, or a
 * shortcut projection, of it) and another operand was computed from V through at least one of the class's
 * layers. Sums whose other operand does not derive from V are not residual: positional or time embeddings
 * (`x + self.pos_embedding`, `h + self.time_mlp(t)`), attention biases and masks, parallel branches that
 * leave the input out, counters and losses. A stack that loops `x = blk(x) + x` does the adds itself and
 * has the pattern; a stack that only calls residual blocks does not.
 */
/** Layers that embed positions, times or conditions: adding their output is conditioning, not a branch. */
const POSITIONAL_LAYER = /pos|position|rotary|rope|time|temb|t_emb|timestep|cond|label_emb|class_emb/i;
/** Loss and auxiliary terms are summed, never residual. */
const LOSS_NAME = /loss|aux|penalty|kl\b|reg_/i;
/** Arguments that carry the sublayer's input into an output/add-norm class (HF `*Output`). */
const PASSED_RESIDUAL = /^(input_tensor|residual|shortcut|identity|input_states)$/;
/** Methods that are not the module's computation: samplers and solvers integrate (`x = x + f(x) * dt`). */
const NON_FORWARD_METHOD = /sample|loss|generat|ddim|ddpm|^step|_step$|predict|infer|solve|\bode|sde|euler|init_weights|^_init/i;
/** `y + x * self.D` in state-space layers is the SSM's D skip term, part of the recurrence. */
const SSM_SKIP = /\*\s*(self\.)?D\b(?!\w)|(self\.)?\bD\b\s*\*/;

interface Hit {
  line: number;
  strong: boolean;
  note: string;
}

/** Versions concatenated with other node outputs: such a sum is a node of a NAS cell, not a block output. */
function concatenatedVersions(flow: MethodFlow): Set<number> {
  const out = new Set<number>();
  for (const { assign, env } of flow.steps) {
    for (const m of assign.value.matchAll(/\b(?:cat|concat|concatenate)\s*\(\s*[[(]([^\])]*)[\])]/g)) {
      // A cell concatenates several summed nodes; a block may concatenate its one output with passthrough tokens.
      const versions = m[1].split(',').map((e) => env.get(e.trim())).filter((v): v is number => v !== undefined);
      const sums = versions.filter((v) => additiveGroups(flow.versions[v].value).length > 0);
      if (sums.length >= 2) for (const v of sums) out.add(v);
    }
  }
  return out;
}

/** One operand of a sum: what it could keep (the identity side) and what it computed (the branch side). */
interface Term {
  term: string;
  reads: number[];
  /** Versions this operand is a plain copy or shortcut of, when it could be the kept input. */
  identity: Set<number>;
  /** Versions this operand was computed from through the class's layers. */
  branch: VersionQuery;
  viaShortcut: boolean;
}

function analyseTerms(flow: MethodFlow, terms: string[], env: Env): Term[] {
  const callsOf = terms.map((term) => layerCallsIn(term, flow.scope));
  const nameOf = (c: LayerCallText): string => c.selfAttr ?? c.callee;
  // `self.residual_function(x) + self.shortcut(x)`: with a real shortcut present, "residual" is the body.
  const hasShortcut = callsOf.some((calls) => calls.some((c) => SHORTCUT_LAYER.test(nameOf(c))));
  const isShortcut = (c: LayerCallText): boolean => SHORTCUT_LAYER.test(nameOf(c)) || (!hasShortcut && RESIDUAL_LAYER.test(nameOf(c)));
  return terms.map((term, index) => {
    const reads = versionsRead(flow, term, env);
    const calls = callsOf[index];
    const body = calls.filter((c) => !isShortcut(c) && !POSITIONAL_LAYER.test(nameOf(c)));
    // The kept value is a local (or a shortcut of one): not a module weight indexed by sizes (`self.pos[:n]`),
    // not a skip popped from a list of saved activations (U-Net), not a loss, not an SSM's D term.
    const identity = new Set<number>();
    const keepable = body.length === 0 && reads.length === 1 && !/^self\.(?!\w+\s*\()/.test(term) && !/\.pop\(/.test(term) && !LOSS_NAME.test(term) && !SSM_SKIP.test(term);
    if (keepable) for (const v of rootsOf(flow, reads[0])) if (!flow.versions[v].container) identity.add(v);
    // Positional / time embeddings added to a stream are not a branch computed from it.
    const positional = reads.length > 0 && reads.every((r) => POSITIONAL_LAYER.test(flow.versions[r].name));
    // Asked, not built: over a long method the sets of ancestors would make every sum cost the whole method.
    const sources = positional ? [] : reads;
    const computed = body.length > 0 ? [] : sources.map((r) => computedFrom(flow, r));
    const branch: VersionQuery =
      body.length > 0
        ? { has: (v) => derivesFrom(flow, sources, v), nonEmpty: sources.length > 0 }
        : { has: (v) => computed.some((c) => c.has(v)), get nonEmpty() { return computed.some((c) => c.nonEmpty); } };
    return { term, reads, identity, branch, viaShortcut: calls.some(isShortcut) };
  });
}

function residualHits(flow: MethodFlow): Hit[] {
  const hits: Hit[] = [];
  const concatenated = concatenatedVersions(flow);
  for (const step of flow.steps) {
    // Cheap filter: only statements that can hold a sum.
    if (step.assign.operator !== '+=' && !/\+|add|Add|drop_?path/.test(step.assign.value)) continue;
    const producedId = (flow.byLine.get(step.assign.line) ?? []).find((v) => flow.versions[v].name === step.assign.targets[0]);
    const produced = producedId !== undefined ? flow.versions[producedId] : undefined;
    if (produced && concatenated.has(produced.id)) continue;
    const { assign, env } = step;
    const groups = additiveGroups(assign.value);
    if (assign.operator === '+=' && assign.targets.length === 1 && /^\w+$/.test(assign.targets[0])) {
      groups.push([assign.targets[0], assign.value]);
    }
    for (const terms of groups) {
      // List and tuple concatenation (`xs += [x]`, `(logits,) + outputs[1:]`) is not arithmetic.
      if (terms.some((t) => /^\[|^\(.*,\s*\)$|^\(\s*\)$|^tuple\(|^list\(/s.test(t))) continue;
      const analysed = analyseTerms(flow, terms, env);
      let found: Hit | undefined;
      for (const a of analysed) {
        for (const b of analysed) {
          if (a === b || a.identity.size === 0) continue;
          // `s + c * (h - s)` is a gated interpolation (highway, GRU-style), not an added branch.
          const kept = [...a.identity].map((v) => flow.versions[v].name);
          if (kept.some((name) => regExpFor(`-\\s*${name}\\b`).test(b.term))) continue;
          if ([...a.identity].some((v) => b.branch.has(v))) {
            const named = a.viaShortcut || [...a.identity].some((v) => SHORTCUT_NAME.test(flow.versions[v].name));
            found = { line: assign.line, strong: true, note: named ? 'shortcut added back' : 'input added back to layer output' };
            break;
          }
        }
        if (found) break;
      }
      if (!found) {
        // `hidden_states + input_tensor` (HF *Output classes): the sublayer input arrives as its own argument.
        const passedIn = analysed.find((a) => a.reads.length === 1 && flow.versions[a.reads[0]].input && PASSED_RESIDUAL.test(flow.versions[a.reads[0]].name));
        const computed = analysed.find((b) => b !== passedIn && b.branch.nonEmpty);
        if (passedIn && computed) found = { line: assign.line, strong: false, note: 'residual input added back' };
      }
      if (found) hits.push(found);
    }
  }
  return hits;
}

const residualBlock: PatternDefinition = {
  id: 'residual-block',
  name: 'Residual block',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    // Graph convolutions add root/self-loop terms to aggregated messages: that is message passing, not a residual block.
    if (cls.calls.some((c) => c.selfAttr === 'propagate')) return null;
    const hits: Hit[] = [];
    for (const flow of methodFlows(cls, context.file.imports, context.file.lines)) {
      if (flow.method && NON_FORWARD_METHOD.test(flow.method)) continue;
      hits.push(...residualHits(flow));
    }
    if (hits.length === 0) return null;
    const strong = hits.filter((h) => h.strong);
    const items: Evidence[] = (strong.length > 0 ? strong : hits).slice(0, 4).map((h) => evidence(h.line, h.note));
    if (strong.length === 0) return match(0.65, items);
    const named = strong.some((h) => h.note.startsWith('shortcut'));
    return match(0.8, items, strong.length > 1 ? 0.1 : 0, named ? 0.05 : 0);
  },
};

export default residualBlock;
