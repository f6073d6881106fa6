import type { ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { identifiersOf, layerCallsIn, maskStrings, matchingClose, methodFlows, splitTopLevelCommas, topLevel, type LayerCallText, type MethodFlow } from './_flow';
import { allLayers, escapeRegExp, evidence, firstSubmoduleNamed, match, nestedLayers } from './_util';

/**
 * MLP-Mixer block: a token-mixing MLP applied across the sequence axis, alternating with a channel-mixing
 * MLP, in the class's own forward (timm MixerBlock, Flax MixerBlock, Keras MLPMixerLayer, ResMLP blocks).
 *
 * Token mixing is an MLP-like layer (Linear/Dense, an MLP block, a 1x1 Conv1d over tokens) applied to a
 * tensor whose token and channel axes were swapped (`.transpose(1, 2)`, `jnp.swapaxes(y, 1, 2)`,
 * `tf.linalg.matrix_transpose`, `rearrange('b n c -> b c n')`), or a Conv1d whose channels are the token
 * count (`nn.Conv1d(num_patches, ...)`, window-token MLPs). Channel mixing is another MLP-like layer on
 * unswapped data. Not the pattern: attention (its transposes feed a matmul, not a layer), convolutions
 * run on transposed sequences (Conformer-style: that mixes channels), ConvMixer (depthwise conv token
 * mixing), gMLP's spatial gating unit (the token-mixed half gates the other by a product: decided not a
 * mixer, as the token mixing sits inside a gated channel MLP), and a model that merely loops MixerBlocks.
 * PyTorch builder functions (`def MLPMixer(...): return nn.Sequential(...)`, class null) are read from
 * the Sequential they build.
 */

/** Swapping the last two axes of a (batch, tokens, channels) tensor, at the end of an expression. */
const SWAP_TAIL = /(\.(transpose|swapaxes)\(\s*(1\s*,\s*2|2\s*,\s*1|-1\s*,\s*-2|-2\s*,\s*-1)\s*\)|\.permute\(\s*0\s*,\s*2\s*,\s*1\s*\)|\.mT|\.T)\s*$/;
/** Swap functions applied to a whole expression. */
const SWAP_CALL = /^\s*(?:[\w.]+\.)?(swapaxes|transpose|matrix_transpose|rearrange|Permute\s*\(\s*[([]?[^()]*[)\]]?\s*\))\s*\(/;
const TOKEN_COUNT = /num_patches|n_patches|num_tokens|n_tokens|seq_len|seq_length|dim_seq|num_positions|window_size\s*\*\*\s*2|token/i;
const NOT_MLP = /norm|ln\d*$|bn\d*$|drop|act|gelu|relu|identity|pool|attn|attention|conv|embed|pos|head|scale|ls\d*$|gamma|rnn|lstm|gru/i;
const MLP_LIKE = /mlp|ff|feed|dense|linear|fc|mix|token|channel|proj|spatial|fn/i;

/** Whether an expression, as a whole, swaps the token and channel axes of one tensor. */
export function isSwap(expression: string): boolean {
  const text = maskStrings(expression).trim();
  // `y.transpose(1, 2)` swaps y; `x + f(y).transpose(1, 2)` is a sum, not a swap.
  const head = text.replace(SWAP_TAIL, '');
  if (SWAP_TAIL.test(text) && !/\.(reshape|view|flatten)\(/.test(head) && !/[-+*/@%,]|\bif\b/.test(topLevel(head))) return true;
  const call = SWAP_CALL.exec(text);
  if (!call) return false;
  const open = text.indexOf('(', call[0].length - 1);
  if (!text.endsWith(')')) return false;
  const args = splitTopLevelCommas(expression.trim().slice(open + 1, -1));
  const fn = call[1];
  if (fn === 'matrix_transpose' || fn.startsWith('Permute')) return true;
  if (fn === 'swapaxes') return /^(1,2|2,1|-1,-2|-2,-1)$/.test(args.slice(1).join(',').replace(/\s/g, ''));
  if (fn === 'transpose') {
    const perm = args.slice(1).join(',').replace(/\s|perm=|axes=/g, '');
    return /^[[(]0,2,1[\])]$/.test(perm) || /^(1,2|2,1|-1,-2|-2,-1)$/.test(perm);
  }
  // einops: 'b n c -> b c n', 'c p -> p c'
  const pattern = /['"]([^'"]*->[^'"]*)['"]/.exec(expression)?.[1];
  if (!pattern || /[()]/.test(pattern)) return false;
  const [left, right] = pattern.split('->').map((side) => side.trim().split(/\s+/));
  if (left.length !== right.length || left.length < 2) return false;
  const n = left.length;
  return left.slice(0, n - 2).join(' ') === right.slice(0, n - 2).join(' ') && left[n - 1] === right[n - 2] && left[n - 2] === right[n - 1];
}

/** Names swapped somewhere inside an expression: `y.transpose(1, 2)`, `jnp.swapaxes(y, 1, 2)`. */
function swappedNames(expression: string): string[] {
  const out: string[] = [];
  const text = maskStrings(expression);
  for (const m of text.matchAll(/(\w+)\s*(\.(?:transpose|swapaxes|permute)\([^()]*\)|\.mT\b|\.T\b)/g)) {
    if (isSwap(m[1] + m[2])) out.push(m[1]);
  }
  for (const m of text.matchAll(/(?:[\w.]+\.)?(?:swapaxes|transpose|matrix_transpose|rearrange)\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) continue;
    const call = expression.slice(m.index, close + 1);
    const first = splitTopLevelCommas(expression.slice(open + 1, close))[0]?.trim() ?? '';
    if (/^\w+$/.test(first) && isSwap(call)) out.push(first);
  }
  return out;
}

interface MixerFinding {
  /** Token mixing by a layer that runs over the token axis itself (token-count Conv1d, einops Sequential). */
  tokenLayer: Evidence[];
  /** Token mixing by an MLP on transposed data. */
  token: Evidence[];
  channel: Evidence[];
  gated: boolean;
  /** The transposed token-mixing result is transposed back (a mixer always returns to (tokens, channels)). */
  swappedBack: boolean;
}

function layerOf(cls: ModuleClass, call: LayerCallText): SubmoduleFact | undefined {
  if (call.selfAttr) return firstSubmoduleNamed(cls, call.selfAttr);
  return undefined;
}

/** The kind of layer a call applies: an MLP (or linear map), a token-count Conv1d, or something else. */
function layerKind(cls: ModuleClass, call: LayerCallText): 'mlp' | 'token-layer' | 'other' {
  const name = call.selfAttr ?? call.callee.split('.').pop() ?? '';
  const layer = layerOf(cls, call);
  if (layer) {
    const inner = [layer, ...nestedLayers(layer)];
    if (inner.some((l) => /^Conv1d$/i.test(l.ctorName) && TOKEN_COUNT.test(l.args[0] ?? ''))) return 'token-layer';
    // `nn.Sequential(Rearrange('b n d -> b d n'), FeedForward(num_patches), Rearrange('b d n -> b n d'))`.
    const movesTokens = inner.some((l) => l.ctorName === 'Rearrange' && movesTokensLast(/['"]([^'"]*->[^'"]*)['"]/.exec(l.args[0] ?? '')?.[1] ?? ''));
    if (movesTokens && inner.some((l) => /^(Linear|Dense|FeedForward|Mlp|MLP|MlpBlock)$/.test(l.ctorName))) return 'token-layer';
    if (inner.some((l) => /Conv|Attention|LSTM|GRU|RNN/.test(l.ctorName))) return 'other';
    if (inner.some((l) => /^(Linear|Dense|DenseGeneral|MLP|Mlp|MlpBlock|FeedForward)$/.test(l.ctorName))) return 'mlp';
    if (inner.every((l) => /Norm|Pool|Dropout|Identity|GELU|ReLU|SiLU/.test(l.ctorName))) return 'other';
    return MLP_LIKE.test(name) || MLP_LIKE.test(layer.ctorName) ? (NOT_MLP.test(name) ? 'other' : 'mlp') : 'other';
  }
  const ctor = call.callee.split('.').pop() ?? '';
  if (/^(Dense|Linear|DenseGeneral)$/.test(ctor)) return 'mlp';
  if (NOT_MLP.test(name) && !/mlp/i.test(name)) return 'other';
  return MLP_LIKE.test(name) || /mixing/.test(call.args) ? 'mlp' : 'other';
}


function analyseFlow(cls: ModuleClass, flow: MethodFlow): MixerFinding {
  const finding: MixerFinding = { tokenLayer: [], token: [], channel: [], gated: false, swappedBack: false };
  const swapped = new Set<number>();
  /** Versions holding a token-mixing result (swapped or not yet swapped back). */
  const tokenMixed = new Set<number>();
  /** Halves of a split (`u, v = x.chunk(2, dim=-1)`): gMLP gates one half with the token-mixed other. */
  const halves = new Set<number>();
  for (const step of flow.steps) {
    const { assign, env } = step;
    const value = assign.value.trim();
    const readVersions = identifiersOf(value).map((n) => env.get(n)).filter((v): v is number => v !== undefined && !flow.versions[v].scalar);
    const source = readVersions.length >= 1 ? readVersions[0] : undefined;
    const produced = (flow.byLine.get(assign.line) ?? []).filter((v) => assign.targets.includes(flow.versions[v].name));
    const calls = layerCallsIn(assign.value, flow.scope);
    let mixedHere = false;
    for (const call of calls) {
      const kind = layerKind(cls, call);
      if (kind === 'other') continue;
      const arg = splitTopLevelCommas(call.args)[0] ?? '';
      // The argument's data: a plain name, or one name under norms (`self.norm2(y)`), not reshaped.
      const argVersions = /\.(reshape|view|flatten)\(|rearrange\(/.test(arg) ? [] : identifiersOf(arg).map((n) => env.get(n)).filter((v): v is number => v !== undefined && !flow.versions[v].scalar);
      const onSwapped = isSwap(arg) || (argVersions.length === 1 && swapped.has(argVersions[0]));
      if (kind === 'token-layer' || (kind === 'mlp' && onSwapped)) {
        (kind === 'token-layer' ? finding.tokenLayer : finding.token).push(evidence(assign.line, kind === 'token-layer' ? 'MLP over the token axis' : 'MLP on transposed tokens'));
        mixedHere = true;
        // `self.mlp_tokens(...).transpose(1, 2)`: swapped back in the same expression.
        if (isSwap(value) || new RegExp(`${escapeRegExp(call.callee)}\\([\\s\\S]*\\)\\s*\\.(transpose|swapaxes|permute)\\(`).test(value)) finding.swappedBack = true;
      } else if (kind === 'mlp' && !onSwapped) {
        finding.channel.push(evidence(assign.line, 'channel MLP'));
      }
    }
    // A token-mixed value swapped back inside a larger expression (`x + jnp.transpose(y, (0, 2, 1))`).
    if (tokenMixed.size > 0 && swappedNames(value).some((n) => env.get(n) !== undefined && tokenMixed.has(env.get(n)!))) finding.swappedBack = true;
    // Track which values are swapped: a swap flips, a layer or a plain copy keeps, a reshape resets.
    for (const id of produced) {
      const from = source !== undefined && readVersions.every((v) => v === source) ? source : undefined;
      if (from !== undefined && isSwap(value)) {
        if (!swapped.has(from)) swapped.add(id);
        if (tokenMixed.has(from)) finding.swappedBack = true;
      } else if (from !== undefined && !/\.(reshape|view|flatten)\(|rearrange\(/.test(value) && (flow.versions[id].copy || calls.length > 0)) {
        if (swapped.has(from)) swapped.add(id);
      }
      if (mixedHere || (from !== undefined && tokenMixed.has(from) && !calls.some((c) => layerKind(cls, c) === 'mlp'))) tokenMixed.add(id);
    }
    if (produced.length === 2 && /\.(chunk|split)\(|\bsplit\(/.test(value)) for (const id of produced) halves.add(id);
    // gMLP: the token-mixed half gates the other half by a product (`u * v`).
    const readsMixed = mixedHere || readVersions.some((v) => tokenMixed.has(v));
    const readsHalf = readVersions.some((v) => halves.has(v) && !tokenMixed.has(v));
    if (readsMixed && readsHalf && /(?<![*])\*(?![*=])/.test(maskStrings(value))) finding.gated = true;
  }
  return finding;
}

/**
 * An einops pattern that moves a token (spatial) axis into the last, feature position, as a token MLP
 * needs: `'b n d -> b d n'`, Permutator's `'b h w (c s) -> b w c (h s)'`. Patchifying is not this.
 */
export function movesTokensLast(pattern: string): boolean {
  const [left, right] = pattern.split('->').map((s) => s.trim());
  if (!left || !right) return false;
  const axes = (side: string): string[][] => [...side.matchAll(/\(([^)]*)\)|(\.\.\.|\w+)/g)].map((m) => (m[1] ?? m[2]).trim().split(/\s+/));
  const l = axes(left);
  const r = axes(right);
  // Patchifying merges the coarse parts of split axes into a token axis (`(h w)`): not a token move.
  const coarse = new Set(l.filter((g) => g.length === 2).map((g) => g[0]));
  if (r.some((g) => g.length >= 2 && g.every((a) => coarse.has(a)))) return false;
  const leftLast = l[l.length - 1] ?? [];
  const rightLast = r[r.length - 1] ?? [];
  // Moving channels last (`'b c n -> b n c'`, after an unfold) is the usual layout, not token mixing.
  const standalone = l.slice(1, -1).filter((g) => g.length === 1 && !/^(c|d|ch|dim|e|f|channels?|features?)$/.test(g[0])).map((g) => g[0]);
  return standalone.some((a) => rightLast.includes(a)) && leftLast.every((a) => !rightLast.includes(a) || leftLast.length > 1) && !leftLast.every((a) => rightLast.includes(a));
}

/**
 * PyTorch builder functions (`def MLPMixer(...): return nn.Sequential(...)`, lucidrains): the mixing
 * layers are read from the built Sequential's text: a token MLP over the token count
 * (`FeedForward(num_patches, ..., chan_first)`, `nn.Conv1d(num_patches, num_patches, 1)`), or a Rearrange
 * moving tokens last before a Linear (Permutator), alongside a channel MLP.
 */
function builderMixing(cls: ModuleClass): Evidence[] | null {
  if (cls.name !== null) return null;
  const built = cls.submodules.find((s) => /Sequential$/.test(s.ctorName));
  if (!built) return null;
  const lineAt = (index: number): number => built.line + (built.text.slice(0, index).match(/\n/g)?.length ?? 0);
  let token: Evidence | undefined;
  let channel: Evidence | undefined;
  const masked = maskStrings(built.text);
  for (const m of masked.matchAll(/\b(FeedForward|Mlp|MLP|Linear|Dense|Conv1d|MlpBlock)\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    if (close < 0) continue;
    const [first = '', second = ''] = splitTopLevelCommas(built.text.slice(open + 1, close));
    const ctor = m[1];
    if (TOKEN_COUNT.test(first)) token ??= evidence(lineAt(m.index), 'MLP over the token axis');
    else if (/dim|hidden|width/.test(first) && (/FeedForward|Mlp|MLP|MlpBlock/.test(ctor) || /dim|hidden|expansion/.test(second))) channel ??= evidence(lineAt(m.index), 'channel MLP');
  }
  for (const m of built.text.matchAll(/Rearrange\(\s*['"]([^'"]+)['"]/g)) {
    if (movesTokensLast(m[1]) && /^\s*,?[^)]*\)\s*,\s*nn\.Linear\(/.test(built.text.slice(m.index + m[0].length))) token ??= evidence(lineAt(m.index), 'tokens moved last for a Linear');
  }
  return token && channel ? [token, channel] : null;
}

const mlpMixer: PatternDefinition = {
  id: 'mlp-mixer',
  name: 'MLP-Mixer',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const built = builderMixing(cls);
    if (built) return match(0.8, built);
    // Cheap filter: a swap of axes, or a Conv1d that could run over tokens.
    const swaps = [...cls.words].some((w) => /^(transpose|swapaxes|permute|matrix_transpose|rearrange|Rearrange|Permute|T|mT)$/.test(w));
    if (!swaps && !allLayers(cls).some((l) => /^Conv1d$/i.test(l.ctorName))) return null;
    const token: Evidence[] = [];
    const channel: Evidence[] = [];
    let gated = false;
    let swappedBack = false;
    for (const flow of methodFlows(cls, context.file.imports, context.file.lines)) {
      const f = analyseFlow(cls, flow);
      // A transpose into a layer without the transpose back is a layout change (channels-first code), not mixing.
      token.push(...f.tokenLayer, ...(f.swappedBack ? f.token : []));
      channel.push(...f.channel);
      gated ||= f.gated;
      swappedBack ||= f.swappedBack;
    }
    if (token.length === 0 || gated) return null;
    const tokenLines = new Set(token.map((e) => e.line));
    const channelOnly = channel.filter((e) => !tokenLines.has(e.line));
    // Token mixing alone (no channel MLP of its own) is part of a mixer, not a mixer block.
    if (channelOnly.length === 0) return null;
    const tokenLayers = allLayers(cls).some((l) => TOKEN_COUNT.test(l.args.join(',')) && /Linear|Dense|Conv1d|Mlp|MLP|Block/i.test(l.ctorName));
    return match(0.7, [...token.slice(0, 2), ...channelOnly.slice(0, 2)], swappedBack ? 0.15 : 0, tokenLayers ? 0.1 : 0);
  },
};

export default mlpMixer;
