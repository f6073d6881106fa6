import type { AssignFact, CallFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { allLayers, escapeRegExp, evidence, identifiersIn, match } from './_util';
import { callArgumentNames, isConstructor } from './_generative';

/**
 * U-Net: a contracting path and an expanding path joined by skip connections at matching resolutions.
 * The class that has it is the one whose own forward runs both paths and wires the skips — the U-Net
 * model — not an `Up` block that concatenates the skip it is handed, nor a down block that returns its
 * intermediate features.
 *
 * Decided on dataflow, in one of these shapes:
 * - a skip stack: features pushed on the way down (`hs.append(h)`, `res_samples += ...`) and taken back
 *   on the way up (`torch.cat([h, hs.pop()], 1)`, `x + outputs.pop()`, `down_block_res_samples[-n:]`
 *   handed to an up block), in a class that also up-samples;
 * - explicit wiring (milesial): up blocks called with the current map and an earlier down-path output
 *   (`self.up1(x5, x4)`), at least twice;
 * - explicit concatenation (classic and Keras functional U-Nets): at least twice, an up-sampled map
 *   concatenated with a feature map computed before the first up-sampling;
 * - a pix2pix recursive level (`torch.cat([x, self.model(x)], 1)` around a down/inner/up Sequential), and
 *   the generator named as a U-Net that builds such levels.
 *
 * Not a U-Net: DenseNet concatenation (no up path), FPN top-down additions over features handed in,
 * a plain conv autoencoder (no skips), residual additions inside the up path, an encoder that keeps
 * `hs` but only reads `hs[-1]`.
 */

/** Layers and attributes that up-sample. */
const UP_GATE_NAME = /(^|_|\b)(ups?|up_?blocks?|up_?layers?|upsampl\w*|up_?conv\w*|upconv\w*|output_blocks|deconv\w*|expand\w*|dec_?blocks?|up\d+|u_layers)(_|\d|$)/i;
/** Up-path parts a skip can be handed to: also a "decoder" (which alone does not make an up path: seq2seq decoders). */
const UP_NAME = new RegExp(`${UP_GATE_NAME.source}|(^|_)decoder`, 'i');
const UP_CTOR = /(Up|Upsample|UpSample|Upsampling|UpSampling\dD|ConvTranspose\w*|Conv\dDTranspose|Deconv\w*|PixelShuffle)/;
const UP_CALL = /^(interpolate|upsample|upsample_\w+|Upsample|UpSampling\dD|UpSample\w*|Conv\dDTranspose|ConvTranspose|resize|upsample_nearest\w*|pixel_shuffle)$/;
/** Layers and attributes that down-sample ("encoder" alone does not: seq2seq encoders). */
const DOWN_GATE_NAME = /(^|_)(downs?|down_?blocks?|down_?layers?|downsampl\w*|input_blocks|enc_?blocks?|contract\w*|pool\w*|down\d+|d_layers|inc)(_|\d|$)/i;
const DOWN_CTOR = /(Down|Downsample|DownSample|MaxPool\w*|AvgPool\w*|MaxPooling\dD|AveragePooling\dD|Pool$)/;
const DOWN_CALL = /^(max_pool\w*|avg_pool\w*|MaxPooling\dD|AveragePooling\dD|DownSample\w*|Downsample\w*|pool)$/;
/** A module or helper that merges a skip into the current map (`self.skip_mp_cat(x, skip)`). */
const JOIN_MODULE = /cat|concat|join|merge|fuse|skip/i;
/** Joining a skip with the current map. */
const JOIN_CALL = /^(cat|concat|concatenate|Concatenate|add|Add|stack)$/;

/** `hs = []`, `skips = [x]`, `res = (sample,)`: a list or tuple literal, not a parenthesized expression. */
const COLLECTION_LITERAL = /^\[[\s\S]*\]$|^\(\s*\)$|^\(\s*[\w.]+\s*,[\w.,\s]*\)$/;
/** MLP projections named up/down (`up_proj`, `down_proj` of a SwiGLU) are not resolution changes. */
const PROJECTION_NAME = /(^|_)(up|down|gate)_?proj\w*$|_proj(ection)?$/i;

function upCallText(text: string): boolean {
  return /\b(self\.)?\w*(up|Up|UP)\w*\s*[([]|interpolate\s*\(|UpSampling\dD|Conv\dDTranspose|ConvTranspose|upsample/.test(text);
}

function hasUpPath(cls: ModuleClass): boolean {
  if (allLayers(cls).some((l) => UP_CTOR.test(l.ctorName) || (UP_GATE_NAME.test(l.name) && !PROJECTION_NAME.test(l.name)))) return true;
  if (cls.initCalls.some((c) => UP_CTOR.test(c.name))) return true;
  if (cls.calls.some((c) => UP_CALL.test(c.name) || (c.innerCall && UP_CTOR.test(c.innerCall.name)) || (c.selfAttr !== undefined && UP_GATE_NAME.test(c.selfAttr) && !PROJECTION_NAME.test(c.selfAttr)))) return true;
  return cls.loops.some((l) => /self\.\w*(ups?|up_blocks|output_blocks|up_layers)\b/.test(l.iterable));
}

function hasDownPath(cls: ModuleClass): boolean {
  if (allLayers(cls).some((l) => DOWN_CTOR.test(l.ctorName) || (DOWN_GATE_NAME.test(l.name) && !PROJECTION_NAME.test(l.name)) || l.kwargs['stride'] === '2' || l.kwargs['strides'] === '2')) return true;
  if (cls.initCalls.some((c) => DOWN_CTOR.test(c.name) || (/^Conv/.test(c.name) && /^\(?2/.test(c.kwargs['stride'] ?? c.kwargs['strides'] ?? '')))) return true;
  if (cls.calls.some((c) => DOWN_CALL.test(c.name) || (c.innerCall && (DOWN_CTOR.test(c.innerCall.name) || c.innerCall.kwargs['strides'] === '2')) || (c.selfAttr !== undefined && DOWN_GATE_NAME.test(c.selfAttr) && !PROJECTION_NAME.test(c.selfAttr)))) return true;
  return cls.loops.some((l) => /self\.\w*(downs?|down_blocks|input_blocks|down_layers|d_layers)\b/.test(l.iterable));
}

/** Values a method computes with layers: outputs and inputs of calls that are not list/tensor utilities. */
function layerValues(cls: ModuleClass, method: string | null): Set<string> {
  const names = new Set<string>();
  for (const call of cls.calls) {
    if (call.method !== method || /^(append|extend|insert|pop|len|range|zip|enumerate|reversed|list|tuple|print|format|split|join|str|int|float|isinstance|getattr|hasattr)$/.test(call.name)) continue;
    const layerLike = call.selfAttr !== undefined || call.innerCall !== undefined || /^[A-Z]/.test(call.name) || /^(block|layer|module|resnet|attn|conv|down\w*|up\w*|stage)\w*$/i.test(call.callee);
    if (!layerLike) continue;
    for (const t of call.assignedTo) names.add(t);
    for (const a of call.args) if (/^\w+$/.test(a)) names.add(a);
  }
  return names;
}

/**
 * Locals a method starts as a collection and fills with feature maps on the way down: `hs.append(h)`,
 * `res_samples += ...`, or handing the list to a down block that fills it (`DownBlock(w)([x, skips])`).
 */
function skipStacks(cls: ModuleClass, method: string | null): Map<string, number> {
  const started = new Set<string>();
  for (const a of cls.assigns) {
    if (a.method === method && a.operator === '=' && COLLECTION_LITERAL.test(a.value.trim())) for (const t of a.targets) started.add(t);
  }
  const features = layerValues(cls, method);
  const pushed = new Map<string, number>();
  for (const call of cls.calls) {
    if (call.method !== method) continue;
    if (/^(append|extend|insert)$/.test(call.name) && call.receiver && started.has(call.receiver)) {
      const values = call.args.flatMap(identifiersIn);
      if (values.some((v) => features.has(v)) || call.args.some((a) => /\(/.test(a))) pushed.set(call.receiver, call.line);
    } else if (isDownCall(call)) {
      const handed = callArgumentNames(call).find((n) => started.has(n));
      if (handed) pushed.set(handed, call.line);
    }
  }
  for (const a of cls.assigns) {
    if (a.method !== method) continue;
    const target = a.targets[0] ?? '';
    if (!started.has(target)) continue;
    const grows = a.operator === '+=' || new RegExp(`^${escapeRegExp(target)}\\s*\\+`).test(a.value);
    if (grows && a.reads.some((r) => r !== target && features.has(r))) pushed.set(target, a.line);
  }
  return pushed;
}

function isDownCall(call: CallFact): boolean {
  const name = call.innerCall?.name ?? (call.selfAttr !== undefined ? call.selfAttr : call.callee);
  return /^(Down\w*|down\w*|\w*_down\w*|encoder\w*|Encoder\w*)$/.test(name) && !PROJECTION_NAME.test(name);
}

/** Takes a stored skip back: `hs.pop()`, `skips[-n:]`, `skips[i]`, not the latest `hs[-1]`. */
function takesBack(text: string, stack: string): boolean {
  const s = escapeRegExp(stack);
  if (new RegExp(`\\b${s}\\.pop\\(`).test(text)) return true;
  const index = new RegExp(`\\b${s}\\[([^\\]]*)\\]`).exec(text)?.[1]?.trim();
  if (index === undefined) return false;
  if (/^-?\s*1$|^0$/.test(index)) return false;
  return true;
}

/** Skip stacks whose stored features come back into a join or an up block. */
function stackSkips(cls: ModuleClass): Evidence[] {
  const methods = new Set(cls.calls.map((c) => c.method).filter((m) => !isConstructor(m)));
  for (const method of methods) {
    const stacks = skipStacks(cls, method);
    for (const [stack, pushLine] of stacks) {
      // Joined where it is taken back: `torch.cat([h, hs.pop()], 1)`, `x = x + outputs.pop()`.
      const joinAssign = cls.assigns.find(
        (a) => a.method === method && takesBack(a.value, stack) && (/\b(cat|concat|concatenate|Concatenate|add|Add)\b\s*[(\]]|\(\s*\)\s*\(/.test(a.value) || /[^+]\+[^+=]/.test(` ${a.value}`)),
      );
      const joinCall = cls.calls.find((c) => c.method === method && JOIN_CALL.test(c.name) && callArgumentNames(c).length > 0 && [...c.args, ...Object.values(c.kwargs)].some((t) => takesBack(t, stack)));
      const join = joinCall?.line ?? joinAssign?.line;
      if (join !== undefined) return [evidence(pushLine, 'feature stored on the way down'), evidence(join, 'skip joined on the way up')];
      // Handed to an up block or a join module: `res_samples = down_block_res_samples[-n:]` then
      // `upsample_block(sample, res_samples)`; `skip = skips.pop()` then `self.skip_cat(x, skip)`.
      const takes = cls.assigns.filter((a) => a.method === method && takesBack(a.value, stack) && !a.targets.includes(stack));
      const consumer = cls.calls.find((c) => {
        if (c.method !== method || /^(append|extend|insert|pop)$/.test(c.name) || !(isUpCall(c) || JOIN_MODULE.test(c.selfAttr ?? c.name))) return false;
        const args = callArgumentNames(c);
        if (args.includes(stack) && isUpCall(c)) return true;
        return takes.some((t) => t.line <= c.line && t.targets.some((n) => args.includes(n)));
      });
      if (consumer) return [evidence(pushLine, 'features stored on the way down'), evidence(consumer.line, 'stored skip handed to the up path')];
      // Iterated back in reverse: `for skip in reversed(skips)`.
      const reverse = cls.loops.find((l) => l.method === method && new RegExp(`reversed\\(\\s*${escapeRegExp(stack)}\\b|\\b${escapeRegExp(stack)}\\[::-1\\]`).test(l.iterable));
      if (reverse) return [evidence(pushLine, 'features stored on the way down'), evidence(reverse.line, 'stored skips read back in reverse')];
    }
  }
  return [];
}

function isUpCall(call: CallFact): boolean {
  if (call.selfAttr !== undefined && PROJECTION_NAME.test(call.selfAttr)) return false;
  if (call.selfAttr !== undefined && UP_NAME.test(call.selfAttr)) return true;
  if (call.innerCall) return UP_CTOR.test(call.innerCall.name) || UP_NAME.test(call.innerCall.name);
  return UP_NAME.test(call.callee) || /^Up\w*$/.test(call.name);
}

/** milesial: `x = self.up1(x5, x4)` where x4 came from an earlier down-path call. */
function explicitUpWiring(cls: ModuleClass): Evidence[] {
  const hits: Evidence[] = [];
  for (const call of cls.calls) {
    if (isConstructor(call.method) || call.selfAttr === undefined || !isUpCall(call) || call.args.length < 2) continue;
    const earlier = new Set(
      cls.calls
        .filter((c) => c.method === call.method && c.line < call.line && c.selfAttr !== undefined && !isUpCall(c))
        .flatMap((c) => c.assignedTo),
    );
    if (call.args.slice(1).some((a) => /^\w+$/.test(a) && earlier.has(a))) hits.push(evidence(call.line, 'up block takes a down-path feature map'));
  }
  return hits.length >= 2 ? hits : [];
}

/** Classic/functional: `torch.cat((self.upconv4(b), enc4), 1)` with enc4 computed before the first up-sampling. */
function explicitConcatSkips(cls: ModuleClass): Evidence[] {
  const hits: Evidence[] = [];
  const methods = new Set(cls.assigns.map((a) => a.method).filter((m) => !isConstructor(m)));
  for (const method of methods) {
    const assigns = cls.assigns.filter((a) => a.method === method).sort((a, b) => a.line - b.line);
    const firstUp = assigns.find((a) => upCallText(a.value))?.line;
    if (firstUp === undefined) continue;
    const assignedBefore = new Set(assigns.filter((a) => a.line < firstUp).flatMap((a) => a.targets));
    const upDerived = new Set<string>();
    for (const assign of assigns) {
      const joins = joinedOperands(assign);
      if (joins) {
        const fromUp = joins.some((n) => upDerived.has(n)) || joins.length === 0;
        const skip = joins.find((n) => assignedBefore.has(n) && !upDerived.has(n));
        if (assign.line > firstUp && (fromUp || upCallText(assign.value)) && skip) hits.push(evidence(assign.line, `up-sampled map joined with ${skip}`));
      }
      if (upCallText(assign.value) || assign.reads.some((r) => upDerived.has(r))) for (const t of assign.targets) upDerived.add(t);
    }
  }
  return hits.length >= 2 ? hits : [];
}

/** Operand names of a concatenation in an assignment (`torch.cat([a, b], 1)`, `layers.concatenate([a, b])`). */
function joinedOperands(assign: AssignFact): readonly string[] | null {
  const m = /\b(cat|concat|concatenate|Concatenate\([^)]*\))\s*\(\s*[[(]([^\])]*)[\])]/.exec(assign.value);
  if (!m) return null;
  return identifiersIn(m[2]);
}

/**
 * pix2pix-style recursive U-Net level: the block down-samples, runs the inner levels, up-samples
 * (`self.model = Sequential(downconv, ..., submodule, ..., upconv)`) and concatenates its own input
 * with the result (`torch.cat([x, self.model(x)], 1)`): both paths and the skip at this resolution.
 */
function nestedSkipLevel(cls: ModuleClass): Evidence[] {
  for (const call of cls.calls) {
    if (isConstructor(call.method) || !/^(cat|concat|concatenate)$/.test(call.name)) continue;
    const method = cls.methods.find((m) => m.name === call.method);
    const inputs = new Set((method?.params ?? []).filter((p) => p !== 'self'));
    const text = call.args[0] ?? '';
    const items = /^[[(](.*)[\])]$/s.exec(text.trim())?.[1]?.split(',').map((t) => t.trim()) ?? [];
    const raw = items.find((t) => inputs.has(t));
    if (raw && items.some((t) => new RegExp(`^self\\.\\w+\\(\\s*${escapeRegExp(raw)}\\s*\\)$`).test(t))) {
      return [evidence(call.line, 'input concatenated with its down-and-up-sampled result')];
    }
  }
  return [];
}

/** pix2pix `UnetGenerator`: a class named as a U-Net that builds and runs a U-Net level defined in this file. */
function wrapsUnetLevels(cls: ModuleClass, context: RecognizeContext): Evidence[] {
  if (!/u-?net/i.test(cls.name ?? '') || visiting.has(cls)) return [];
  const built = [...cls.submodules, ...cls.initCalls.map((c) => ({ ctorName: c.name, line: c.line, name: '' }))];
  for (const layer of built) {
    const defined = context.classesByName.get(layer.ctorName);
    if (!defined || defined === cls) continue;
    visiting.add(cls);
    try {
      if (unet.recognize(defined, context)) return [evidence(layer.line, `builds ${layer.ctorName} U-Net levels`)];
    } finally {
      visiting.delete(cls);
    }
  }
  return [];
}

const visiting = new Set<ModuleClass>();

const unet: PatternDefinition = {
  id: 'unet',
  name: 'U-Net',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const up = hasUpPath(cls);
    const down = hasDownPath(cls);
    if (up && down) {
      const stack = stackSkips(cls);
      if (stack.length > 0) return match(0.85, stack, /u-?net/i.test(cls.name ?? cls.functionName ?? '') ? 0.1 : 0);
      const wiring = explicitUpWiring(cls);
      if (wiring.length > 0) return match(0.85, wiring.slice(0, 4));
      const concat = explicitConcatSkips(cls);
      if (concat.length > 0) return match(0.8, concat.slice(0, 4));
      const level = nestedSkipLevel(cls);
      if (level.length > 0) return match(0.7, level);
    }
    const wrapper = wrapsUnetLevels(cls, context);
    if (wrapper.length > 0) return match(0.7, wrapper);
    return null;
  },
};

export default unet;
