import type { ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import {
  additiveGroups,
  ancestorsOf,
  layerCallsIn,
  maskStrings,
  matchingClose,
  methodFlows,
  splitTopLevelCommas,
  stepsReached,
  versionsRead,
  type Env,
  type MethodFlow,
  type Version,
} from './_flow';
import { allLayers, evidence, firstSubmoduleNamed, match, regExpFor } from './_util';

/**
 * Inception module: parallel branches, each computed by its own layers from the same input, concatenated
 * on the channel axis (`torch.cat([b1, b2, b3, b4], 1)`, `layers.concatenate([...], axis=-1)`,
 * `jnp.concatenate(..., axis=-1)`). GoogLeNet/Inception v1-v4 modules, Inception-ResNet blocks (which are
 * residual too), Keras functional inception blocks, and (decided, per the definition: parallel branches
 * with different receptive fields concatenated on channels) ASPP.
 *
 * Decided on dataflow: at least two concatenated values, each computed through layers from one shared
 * source, none derived from another (parallel, not sequential as in GhostNet), none being the source
 * itself (DenseNet concatenates features with the input; U-Net concatenates a skip with an upsampled
 * path from another input). Three or more branches suffice; two need a pooling branch or different
 * kernels. Not the pattern: attention heads concatenated on the feature axis (replicated heads, dim -1
 * in PyTorch), feature pyramids (inputs from different levels), SK-Net (branches summed, not
 * concatenated), channel splits (ShuffleNet, Res2Net: branches of split parts, not of one input).
 */
const CONCAT = /(?:^|[^\w.])((?:[\w.]+\.)?(?:cat|concat|concatenate)|(?:[\w.]+\.)?Concatenate\s*\([^()]*\))\s*\(/g;
const POOL = /pool|Pool/;

interface Branch {
  text: string;
  versions: number[];
  /** Versions the branch's own layers consumed. */
  sources: Set<number>;
  /** Texts of the values along the branch (for pooling and kernel checks). */
  chain: string[];
}

/** Whether a concatenation's axis is the channel axis for the class's framework. */
function channelAxis(cls: ModuleClass, callee: string, args: string[]): boolean {
  // `self.concat = layers.Concatenate(axis=-1)` then `self.concat([...])`.
  const stored = /^self\.(\w+)$/.exec(callee)?.[1];
  const layer = stored ? firstSubmoduleNamed(cls, stored) : undefined;
  if (layer) {
    if (!/Concatenate/.test(layer.ctorName)) return false;
    const axis = (layer.kwargs['axis'] ?? layer.args[0] ?? '-1').trim();
    return /^(-1|3)$/.test(axis) || /channel|concat_axis|bn_axis/i.test(axis);
  }
  const keyword = args.find((a) => /^(dim|axis)\s*=/.test(a));
  const positional = args.filter((a) => !/^\w+\s*=/.test(a));
  const axis = (keyword ? keyword.replace(/^(dim|axis)\s*=\s*/, '') : positional[1] ?? '').trim();
  const channelsLast = cls.framework === 'keras' || cls.framework === 'flax' || /Concatenate|concatenate$/.test(callee) && !/^(torch|np)\./.test(callee);
  if (axis === '') return /Concatenate|^layers\.concatenate|keras/.test(callee); // Keras defaults to -1
  if (/channel|concat_axis|bn_axis|chan/i.test(axis)) return true;
  if (cls.framework === 'pytorch' || /^torch\./.test(callee)) return /^(1|-3)$/.test(axis);
  // Equinox arrays are unbatched: channels first (axis 0) for images.
  if (cls.framework === 'equinox') return /^(0|-3)$/.test(axis);
  return channelsLast ? /^(-1|3)$/.test(axis) : /^(1|-1|3)$/.test(axis);
}

interface Elements {
  flow: MethodFlow;
  elements: string[];
  env: Env;
}

/**
 * Element texts of the concatenated sequence: a literal list, a local list literal, a list filled by
 * appends, or the list returned by a helper method (`outputs = self._forward(x)`, torchvision style).
 */
function concatenatedElements(flows: MethodFlow[], flow: MethodFlow, first: string, env: Env, depth = 0): Elements | null {
  const text = first.trim();
  if (/^[[(]/.test(text) && matchingClose(maskStrings(text), 0) === text.length - 1) {
    return { flow, elements: splitTopLevelCommas(text.slice(1, -1)).filter((e) => !e.startsWith('*')), env };
  }
  const v = /^\w+$/.test(text) ? env.get(text) : undefined;
  if (v === undefined) return null;
  const version: Version = flow.versions[v];
  if (version.elements && version.elements.length > 0) {
    // Elements were read with the names visible where the list was built.
    const built = flow.steps.find((s) => s.assign.line === version.line)?.env ?? env;
    return { flow, elements: version.elements, env: built };
  }
  const helper = /^\s*self\.(\w+)\s*\(/.exec(version.value)?.[1];
  const helperFlow = helper && depth < 2 ? flows.find((f) => f.method === helper) : undefined;
  const returned = helperFlow ? [...helperFlow.steps].reverse().find((s) => s.assign.targets[0] === 'return') : undefined;
  if (helperFlow && returned) return concatenatedElements(flows, helperFlow, returned.assign.value, returned.env, depth + 1);
  return null;
}

/** Pooling is a branch of its own in Inception modules (`F.max_pool2d(x, 3, stride=2)`), though it has no weights. */
const POOL_FN = /(?:^|[^\w])(?:F\.|nn\.|tf\.nn\.|jax\.)?\w*(max|avg|average)_?pool\w*\s*\(/i;

function applied(flow: MethodFlow, text: string): boolean {
  return layerCallsIn(text, flow.scope).length > 0 || POOL_FN.test(text);
}

/**
 * Versions a value was computed from through layers or pooling (see `computedFrom`): what the inputs of
 * every layer or pooling step reached through plain steps derive from. Iterative: methods can be long.
 */
function appliedFrom(flow: MethodFlow, v: number): Set<number> {
  const out = new Set<number>();
  for (const op of stepsReached(flow, v, (version) => version.layer || POOL_FN.test(version.value))) {
    for (const dep of flow.versions[op].deps) for (const x of ancestorsOf(flow, dep)) out.add(x);
  }
  return out;
}

/** `v` and the versions it merely copies (reshape, index), stopping at pooling. */
function plainCopies(flow: MethodFlow, v: number): number[] {
  const out: number[] = [];
  let current: number | undefined = v;
  while (current !== undefined && !out.includes(current)) {
    out.push(current);
    const version: Version = flow.versions[current];
    current = version.copy && !POOL_FN.test(version.value) ? version.deps[0] : undefined;
  }
  return out;
}

function branchOf(flow: MethodFlow, text: string, env: Env): Branch {
  const versions = versionsRead(flow, text, env);
  const direct = applied(flow, text);
  const sources = new Set<number>();
  for (const v of versions) for (const s of direct ? ancestorsOf(flow, v) : appliedFrom(flow, v)) sources.add(s);
  return { text, versions, sources, chain: [] };
}

/** The values along a branch, from its element back to (not including) the shared input. */
function chainOf(flow: MethodFlow, branch: Branch, shared: number[]): string[] {
  const before = new Set<number>();
  for (const s of shared) for (const a of ancestorsOf(flow, s)) before.add(a);
  const chain = [branch.text];
  for (const v of branch.versions) for (const a of ancestorsOf(flow, v)) if (!before.has(a)) chain.push(flow.versions[a].value);
  return chain;
}

/** Kernel sizes of the layers a branch applies (`self.branch3x3`, `Conv2d(..., kernel_size=3)`), when readable. */
function kernelsOf(cls: ModuleClass, branch: Branch): Set<string> {
  const kernels = new Set<string>();
  for (const text of branch.chain) {
    for (const m of text.matchAll(/(\d+)x(\d+)/g)) kernels.add(`${m[1]}x${m[2]}`);
    for (const m of text.matchAll(/kernel_size\s*=\s*\(?\s*(\d+)/g)) kernels.add(m[1]);
    for (const m of text.matchAll(/self\.(\w+)/g)) {
      const layer = firstSubmoduleNamed(cls, m[1]);
      if (layer) for (const k of layerKernels(layer)) kernels.add(k);
    }
  }
  return kernels;
}

function layerKernels(layer: SubmoduleFact): string[] {
  const out: string[] = [];
  for (const l of [layer, ...layer.elements]) {
    if (!/Conv/.test(l.ctorName)) continue;
    const k = l.kwargs['kernel_size'] ?? l.args[2];
    if (k) out.push(k.replace(/\s/g, ''));
  }
  return out;
}

interface InceptionHit {
  line: number;
  branches: number;
  pooled: boolean;
}

function concatHits(cls: ModuleClass, flows: MethodFlow[], flow: MethodFlow): InceptionHit[] {
  const hits: InceptionHit[] = [];
  for (const { assign, env } of flow.steps) {
    const masked = maskStrings(assign.value);
    for (const m of masked.matchAll(CONCAT)) {
      const open = m.index + m[0].length - 1;
      const close = matchingClose(masked, open);
      if (close < 0) continue;
      const args = splitTopLevelCommas(assign.value.slice(open + 1, close));
      if (args.length === 0 || !channelAxis(cls, m[1], args)) continue;
      const found = concatenatedElements(flows, flow, args[0], env);
      if (found && found.elements.length === 1) {
        // `for conv in self.convs: res.append(conv(x))` (ASPP): one element per layer of a heterogeneous list.
        const listed = loopedBranches(cls, found.elements[0]);
        if (listed >= 3) hits.push({ line: assign.line, branches: listed, pooled: false });
        continue;
      }
      if (!found || found.elements.length < 2) continue;
      const branchFlow = found.flow;
      const branches = found.elements.map((e) => branchOf(branchFlow, e, found.env));
      // Class tokens joined to patch tokens, U-Net skips popped from a list: not branches.
      if (found.elements.some((e) => /cls|token|\.pop\(/i.test(e))) continue;
      if (branches.some((b) => b.versions.some((v) => branchFlow.versions[v].container))) continue;
      const lineOf = (b: Branch): number[] => b.versions.filter((v) => !branches.every((o) => o.versions.includes(v))).map((v) => branchFlow.versions[v].line);
      if (branches.some((b, i) => branches.some((o, j) => i < j && lineOf(b).some((l) => lineOf(o).includes(l))))) continue;
      // NAS cells concatenate summed nodes; an Inception module concatenates single branches.
      const summed = (text: string): boolean => additiveGroups(text).some((g) => g.filter((t) => versionsRead(branchFlow, t, found.env).length > 0 || /\w/.test(t) && !/^\d/.test(t)).length >= 2);
      if (branches.some((b) => summed(b.text) || b.versions.some((v) => summed(branchFlow.versions[v].value)))) continue;
      // Every branch computed by layers, from one shared source.
      if (branches.some((b) => b.sources.size === 0)) continue;
      const shared = [...branches[0].sources].filter((s) => branches.every((b) => b.sources.has(s)));
      if (shared.length === 0) continue;
      // Parallel: no branch is the shared input itself, or derives from another branch.
      const own = branches.map((b) => new Set(applied(branchFlow, b.text) ? [] : b.versions.flatMap((v) => plainCopies(branchFlow, v))));
      if (own.some((set) => shared.some((s) => set.has(s)))) continue;
      const sequential = branches.some((b, i) => branches.some((other, j) => i !== j && other.versions.some((v) => !shared.includes(v) && b.sources.has(v))));
      if (sequential) continue;
      for (const b of branches) b.chain = chainOf(branchFlow, b, shared);
      // The same layers on every branch (one conv applied to slices of the input) is not a multi-kernel module.
      // Inline layers (`nn.Conv(f, (3, 3))(x)`) are told apart by their construction text.
      const layersOf = (b: Branch): string => {
        const calls = b.chain.flatMap((t) => layerCallsIn(t, branchFlow.scope));
        const named = [...new Set(calls.map((c) => c.selfAttr ?? c.callee))].sort().join();
        return calls.some((c) => !c.selfAttr) ? `${named}|${b.chain.join('|')}` : named;
      };
      if (new Set(branches.map(layersOf)).size === 1 && layersOf(branches[0]) !== '') continue;
      const pooled = branches.some((b) => b.chain.some((t) => POOL.test(t)));
      if (branches.length === 2) {
        // Two branches: a pooling branch (Inception-v4 reductions) or different kernels (SqueezeNet Fire).
        const kernels = branches.map((b) => [...kernelsOf(cls, b)].sort().join());
        const differentKernels = kernels.every((k) => k !== '') && kernels[0] !== kernels[1];
        if (!pooled && !differentKernels) continue;
      }
      hits.push({ line: assign.line, branches: branches.length, pooled });
    }
  }
  return hits;
}

/** A layer's shape of computation: constructor, kernels, dilations, pooling. */
function signature(layer: SubmoduleFact): string {
  const parts = [layer, ...layer.elements].map((l) => `${l.ctorName}:${layerKernels(l).join()}:${l.kwargs['dilation'] ? 'dilated' : ''}`);
  return parts.join('|');
}

/** ASPP-style: a list of heterogeneous branch layers applied to one input in a loop, then concatenated. */
function branchListHeterogeneous(cls: ModuleClass): boolean {
  return cls.submodules.some((s) => s.elements.length >= 3 && new Set(s.elements.map(signature)).size >= 2);
}

/**
 * For a list filled in a loop over a layer list (`for conv in self.convs: res.append(conv(x))`): how many
 * parallel branches that is, when the listed layers differ (not replicated heads). 0 otherwise.
 */
function loopedBranches(cls: ModuleClass, element: string): number {
  const callee = /^\s*(\w+)\s*\(/.exec(element)?.[1];
  if (!callee) return 0;
  const loop = cls.loops.find((l) => regExpFor(`\\b${callee}\\b`).test(l.target) && /^self\.\w+$/.test(l.iterable.trim()));
  const container = loop ? cls.submodules.find((s) => s.name === loop.iterable.trim().slice(5)) : undefined;
  if (!container || container.elements.length < 3) return 0;
  return new Set(container.elements.map(signature)).size >= 2 ? container.elements.length : 0;
}

const inception: PatternDefinition = {
  id: 'inception',
  name: 'Inception module',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    // Cheap filter: the class concatenates something.
    if (![...cls.words].some((w) => /^(cat|concat|concatenate|Concatenate)$/.test(w))) return null;
    const hits: InceptionHit[] = [];
    const flows = methodFlows(cls, context.file.imports, context.file.lines);
    for (const flow of flows) hits.push(...concatHits(cls, flows, flow));
    if (hits.length === 0) return null;
    const best = hits.reduce((a, b) => (b.branches > a.branches ? b : a));
    const items: Evidence[] = hits.slice(0, 3).map((h) => evidence(h.line, `${h.branches} parallel branches concatenated`));
    const named = /incep|mixed|reduction|branch/i.test(cls.name ?? '') || allLayers(cls).some((l) => /^branch|^b\d|tower/i.test(l.name));
    const listed = hits.every((h) => h.branches >= 3) || branchListHeterogeneous(cls);
    return match(best.branches >= 3 ? 0.75 : 0.6, items, named ? 0.15 : 0, best.pooled ? 0.05 : 0, listed ? 0 : -0.05);
  },
};

export default inception;
