import type { ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { allLayers, evidence, match } from './_util';

/**
 * Patch embedding: the class cuts an image (or video, or series) into patches and turns them into tokens.
 * Any one of:
 * - a convolution whose kernel equals its stride (`Conv2d(c, d, kernel_size=patch, stride=patch)`, Flax
 *   `nn.Conv(d, (p, p), strides=(p, p))`, Keras `Conv2D(d, patch, strides=patch)`, Conv3d tubelets);
 *   literal kernels of 2-3 are downsampling (ConvNeXt stages, PatchMerging-like), not patching;
 * - an einops rearrange that groups pixels into patches and puts each patch's pixels and channels last
 *   (`'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'`); space-to-depth (`-> b (c p1 p2) h w`), window
 *   partitions and MobileViT unfolds keep channels apart and are not patching;
 * - unfold / `extract_patches` with patch-sized windows, or a reshape into patch-sized axes in a class
 *   named for patches (`x.view(b, c, h // p, p, w // p, p)`);
 * - the ViT embedding assembly: a patch embedding layer (`self.patch_embed`, `PatchEmbed(...)`,
 *   `to_patch_embedding`) whose tokens get a class token and/or position embedding in this class.
 * Not the pattern: a model that only holds a PatchEmbed submodule (the submodule has it), ordinary
 * strided convolutions (kernel 3 stride 2 stems), Swin PatchMerging (merges tokens: decided not patching
 * an image), text token embeddings, and position embeddings alone.
 */
const CONV = /^(Conv|Conv[123][dD]|Conv2dSame|StdConv2d|StdConv2dSame|ScaledStdConv2d|WSConv2d|SeparableConv2D|Conv2dNormActivation|ConvNormAct|ConvNormActivation|ConvBnAct|ConvBNAct|ConvBNReLU|ConvBnRelu)$/;
const PATCH_WORD = /patch|tubelet|\bps\b|\bp\b|\bpatches\b/i;
const POSITION = /^(pos_?embed\w*|pos_?emb\w*|position_?embed\w*|positional_?embed\w*|absolute_pos_embed|pos_?enc\w*|position_?enc\w*)$/i;
const CLASS_TOKEN = /^(cls_?token\w*|class_?token|class_?embedding|cls_?emb\w*|cls)$/i;
const PATCH_LAYER = /patch|tubelet|x_embedder|to_patch/i;
const NOT_PATCH_LAYER = /merg|drop|unembed|unpatch|dropout|patch_?norm|patch_?size/i;

/** Normalizes a size text: `(p, p)` and `[p, p]` become `p`, spaces dropped. */
function size(text: string | undefined): string {
  if (!text) return '';
  const t = text.replace(/\s/g, '');
  const m = /^[([](.+),\1[)\]]$/.exec(t);
  return m ? m[1] : t;
}

/** Kernel and stride of a conv layer, by keyword or by its framework's positional order. */
function kernelAndStride(layer: SubmoduleFact): [string, string] {
  const flaxOrKeras = /^(nn\.Conv|Conv|layers\.Conv[123]D|keras\.layers\.Conv[123]D|tf\.keras\.layers\.Conv[123]D|Conv[123]D|SeparableConv2D)$/.test(layer.ctor) || /[123]D$/.test(layer.ctorName);
  const kernelIndex = flaxOrKeras ? 1 : 2;
  const kernel = layer.kwargs['kernel_size'] ?? layer.args[kernelIndex];
  const stride = layer.kwargs['stride'] ?? layer.kwargs['strides'] ?? layer.args[kernelIndex + 1];
  return [size(kernel), size(stride)];
}

/** Conv layers the class builds: attributes, containers, inline layers, and locals (`stem = Sequential([Conv2D(...)])`). */
function convLayers(cls: ModuleClass): SubmoduleFact[] {
  const layers = allLayers(cls).filter((l) => CONV.test(l.ctorName));
  const seen = new Set(layers.map((l) => `${l.line}:${l.ctor}`));
  for (const call of [...cls.initCalls, ...cls.calls]) {
    const name = call.innerCall?.name ?? call.name;
    if (!CONV.test(name) || seen.has(`${call.line}:${call.innerCall?.callee ?? call.callee}`)) continue;
    const source = call.innerCall ?? call;
    layers.push({ name: call.assignedTo[0] ?? '', ctor: source.callee, ctorName: name, args: source.args, kwargs: source.kwargs, elements: [], replicated: false, inline: true, text: '', line: call.line });
  }
  return layers;
}

function convPatchify(cls: ModuleClass): { line: number; confidence: number; note: string } | null {
  let best: { line: number; confidence: number; note: string } | null = null;
  const consider = (line: number, confidence: number, note: string): void => {
    if (!best || confidence > best.confidence) best = { line, confidence, note };
  };
  const named = /patch|embed|stem|token/i.test(cls.name ?? '');
  for (const layer of convLayers(cls)) {
    if (/Transpose/i.test(layer.ctor)) continue;
    const [kernel, stride] = kernelAndStride(layer);
    if (!kernel) continue;
    if (kernel === stride) {
      if (PATCH_WORD.test(kernel)) consider(layer.line, 0.9, 'conv with kernel = stride = patch size');
      else if (/^\d+$/.test(kernel) && Number(kernel) >= 4) consider(layer.line, named ? 0.8 : 0.65, 'conv with kernel = stride (non-overlapping patches)');
      else if (!/^\d+$/.test(kernel) && named && !/stride|down|scale|factor/i.test(kernel)) consider(layer.line, 0.6, 'conv with kernel = stride');
    } else if (PATCH_WORD.test(kernel) && /patch/i.test(kernel) && (named || /patch/i.test(layer.name))) {
      // Overlapping patch embeddings (PVT, PiT): patch-sized kernel, smaller stride.
      consider(layer.line, 0.6, 'patch-sized conv kernel');
    }
  }
  // Functional convs with a patch stride (`F.conv2d(x, w, stride=patch_size)`, `lax.conv_general_dilated`).
  for (const call of cls.calls) {
    if (!/^(conv[123]d|conv_general_dilated|conv)$/.test(call.name)) continue;
    const stride = call.kwargs['stride'] ?? call.kwargs['window_strides'] ?? call.kwargs['strides'] ?? '';
    if (/patch/i.test(stride)) consider(call.line, 0.75, 'conv strided by the patch size');
  }
  return best;
}

/**
 * An einops pattern that patchifies: groups like `(h p1)` on the left, and on the right a last group
 * holding the patch factors with the channel axis (`(p1 p2 c)`).
 */
export function isPatchifyPattern(pattern: string, patchSized = false): boolean {
  const [left, right] = pattern.split('->').map((s) => s.trim());
  if (!left || !right) return false;
  const groups = (side: string): string[][] => [...side.matchAll(/\(([^)]*)\)|(\.\.\.|\w+)/g)].map((m) => (m[1] ?? m[2]).trim().split(/\s+/));
  const leftAxes = groups(left);
  const rightAxes = groups(right);
  // An image (or series) batch: `b c (h p1) ...`, `b (h p1) (w p2) c`, or unbatched `c (h ph) ...`.
  if (!/^(b|batch|bs|B|c|ch|channels|d)$/.test(leftAxes[0]?.[0] ?? '')) return false;
  const isBatch = (a: string): boolean => /^(b|batch|bs|B|\.\.\.)$/.test(a);
  // `(h p1)` splits a spatial axis; `(b h)` unmerges heads from the batch.
  const fine = leftAxes.filter((g) => g.length === 2 && !isBatch(g[0])).map((g) => g[1]);
  if (fine.length === 0) return false;
  const singles = leftAxes.filter((g) => g.length === 1).map((g) => g[0]);
  const channels = singles.filter((a) => !isBatch(a));
  // Tokens: each patch's pixels and channels merged last. With patch-sized factors (`p1 = patch_size`), a
  // grid of patch vectors (`-> b (p1 p2 c) h w`, NesT/Twins) counts too; with literal 2s that is space-to-depth.
  const candidates = patchSized ? rightAxes : [rightAxes[rightAxes.length - 1] ?? []];
  return candidates.some((group) => channels.some((c) => group.includes(c)) && fine.every((f) => group.includes(f)));
}

function rearrangePatchify(cls: ModuleClass): { line: number } | null {
  const patchSized = (kwargs: Record<string, string>): boolean => /patch/i.test(Object.values(kwargs).join(',')) || /patch/i.test(cls.name ?? '');
  for (const layer of allLayers(cls)) {
    if (layer.ctorName !== 'Rearrange') continue;
    const pattern = /['"]([^'"]*->[^'"]*)['"]/.exec(layer.args[0] ?? '')?.[1];
    if (pattern && isPatchifyPattern(pattern, patchSized(layer.kwargs))) return { line: layer.line };
  }
  for (const call of cls.calls) {
    if (call.name !== 'rearrange') continue;
    const pattern = /['"]([^'"]*->[^'"]*)['"]/.exec(call.args[1] ?? '')?.[1];
    if (pattern && isPatchifyPattern(pattern, patchSized(call.kwargs))) return { line: call.line };
  }
  return null;
}

/**
 * Reshape-based patchify in a class named for patches or embeddings (Lumina, CogView):
 * `x.view(b, c, h // p, p, w // p, p)` — at least two patch-sized axes among five or more.
 */
function reshapePatches(cls: ModuleClass): { line: number } | null {
  if (!/patch|embed|token/i.test(cls.name ?? '')) return null;
  for (const call of cls.calls) {
    if (!/^(view|reshape)$/.test(call.name)) continue;
    const args = call.args.length === 1 && /^[([]/.test(call.args[0]) ? call.args[0].slice(1, -1).split(',') : call.args;
    const patchSized = args.filter((a) => /^\s*(self\.)?(patch\w*|p|ph|pw|p[_ ]?[hw])\s*$/.test(a));
    if (args.length >= 5 && patchSized.length >= 2) return { line: call.line };
  }
  return null;
}

function unfoldPatches(cls: ModuleClass): { line: number; note: string } | null {
  for (const layer of allLayers(cls)) {
    if (layer.ctorName === 'Unfold') return { line: layer.line, note: 'image unfolded into patches' };
  }
  for (const call of cls.calls) {
    if (/^(extract_patches|conv_general_dilated_patches|extract_image_patches)$/.test(call.name)) return { line: call.line, note: 'image cut into patches' };
    if (call.name === 'unfold' && (/patch/i.test(call.args.join(',') + Object.values(call.kwargs).join(',')) || call.args.length === 3 && call.args[1] === call.args[2])) {
      return { line: call.line, note: 'image unfolded into patches' };
    }
  }
  return null;
}

/**
 * Patches projected to tokens where they are made: Keras `PatchEncoder` (a Dense projection plus a
 * position embedding, in a class named for patches), or a functional model projecting a Patches layer's
 * output (`x = layers.Dense(dim)(Patches(p)(images))`).
 */
function projectedPatches(cls: ModuleClass): { evidence: Evidence[]; confidence: number } | null {
  const projection = allLayers(cls).find((l) => /^(Dense|Linear)$/.test(l.ctorName));
  const position = [...cls.parameters, ...cls.submodules].find((w) => POSITION.test(w.name));
  if (/patch/i.test(cls.name ?? '') && projection && position) {
    return { evidence: [evidence(projection.line, 'patches projected to tokens'), evidence(position.line, 'position embedding')], confidence: 0.7 };
  }
  const patches = cls.submodules.find((s) => s.inline && /^(Patches|PatchExtractor|Patchify|ExtractPatches)$/.test(s.ctorName));
  if (patches && patches.name) {
    const projected = cls.submodules.find((s) => s.inline && /^(Dense|Linear)$/.test(s.ctorName) && s.line > patches.line && cls.calls.some((c) => c.line === s.line && c.args.includes(patches.name)));
    if (projected) return { evidence: [evidence(patches.line, 'image cut into patches'), evidence(projected.line, 'patches projected to tokens')], confidence: 0.75 };
  }
  return null;
}

/** A subclass running the patch projection its base class (in this file) builds (`PatchEmbedWithSize(PatchEmbed)`). */
function inheritedPatchify(cls: ModuleClass, context: RecognizeContext): { line: number } | null {
  for (const base of cls.bases) {
    const parent = context.classesByName.get(base.split('.').pop() ?? '');
    if (!parent || parent === cls) continue;
    const conv = convPatchify(parent);
    const layer = conv ? convLayers(parent).find((l) => l.line === conv.line) : undefined;
    if (conv && layer?.name && cls.calls.some((c) => c.selfAttr === layer.name)) {
      return { line: cls.calls.find((c) => c.selfAttr === layer.name)!.line };
    }
  }
  return null;
}

/** The ViT embedding assembly: patch tokens from a patch layer, given a class token and/or positions here. */
function assembly(cls: ModuleClass): { evidence: Evidence[]; confidence: number } | null {
  // Token reducers and decoders named for patches (`patch_merging`, `patch_drop`, `unpatchify`) make no tokens.
  const isPatchLayer = (name: string): boolean => PATCH_LAYER.test(name) && !NOT_PATCH_LAYER.test(name);
  const patchLayer = cls.submodules.find((s) => isPatchLayer(s.name) || /PatchEmbed|Patchify|PatchEmbedding|PatchEmbeddings/.test(s.ctorName));
  const patchCall = cls.calls.find((c) => c.selfAttr !== undefined && isPatchLayer(c.selfAttr));
  if (!patchLayer && !patchCall) return null;
  const weights = [...cls.parameters.map((p) => ({ name: p.name, line: p.line })), ...cls.submodules.map((s) => ({ name: s.name, line: s.line }))];
  const classToken = weights.find((w) => CLASS_TOKEN.test(w.name));
  // Position embeddings are weights here, or a sibling module's (`self.encoder.pos_embedding`, MAE).
  const position = weights.find((w) => POSITION.test(w.name));
  const positionAdded = cls.assigns.find((a) => /\+/.test(a.value) && /pos_?emb|pos_?embed|position_?emb|positional/i.test(a.value));
  const items: Evidence[] = [];
  if (patchLayer) items.push(evidence(patchLayer.line, 'patch embedding layer'));
  else if (patchCall) items.push(evidence(patchCall.line, 'patches embedded'));
  if (classToken) items.push(evidence(classToken.line, 'class token'));
  if (position) items.push(evidence(position.line, 'position embedding'));
  else if (positionAdded) items.push(evidence(positionAdded.line, 'position embedding added'));
  if (!classToken && !position && !positionAdded) return null;
  return { evidence: items, confidence: classToken && (position || positionAdded) ? 0.85 : 0.7 };
}

const patchEmbedding: PatternDefinition = {
  id: 'patch-embedding',
  name: 'Patch embedding',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const conv = convPatchify(cls);
    const rearranged = rearrangePatchify(cls);
    const unfolded = unfoldPatches(cls);
    const reshaped = reshapePatches(cls);
    const assembled = assembly(cls) ?? projectedPatches(cls);
    const inherited = conv ? null : inheritedPatchify(cls, context);
    const items: Evidence[] = [];
    let confidence = 0;
    if (conv) {
      items.push(evidence(conv.line, conv.note));
      confidence = Math.max(confidence, conv.confidence);
    }
    if (rearranged) {
      items.push(evidence(rearranged.line, 'pixels grouped into patch tokens'));
      confidence = Math.max(confidence, 0.85);
    }
    if (unfolded) {
      items.push(evidence(unfolded.line, unfolded.note));
      confidence = Math.max(confidence, /unfolded/.test(unfolded.note) && !/patch/i.test(cls.name ?? '') && !assembled ? 0.6 : 0.8);
    }
    if (reshaped) {
      items.push(evidence(reshaped.line, 'image reshaped into patches'));
      confidence = Math.max(confidence, 0.75);
    }
    if (inherited) {
      items.push(evidence(inherited.line, "base class's patch projection applied"));
      confidence = Math.max(confidence, 0.8);
    }
    if (assembled) {
      items.push(...assembled.evidence);
      confidence = confidence > 0 ? Math.min(1, confidence + 0.1) : assembled.confidence;
    }
    if (confidence === 0) return null;
    return match(confidence, items);
  },
};

export default patchEmbedding;
