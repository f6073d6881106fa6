import type { CallFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { escapeRegExp, evidence, identifiersIn, match } from './_util';
import {
  callArgumentNames,
  computationView,
  derivedNames,
  isConstructor,
  methodNames,
  namesAssignedFrom,
  submoduleNamed,
} from './_generative';

/**
 * Encoder-decoder: the class holds an encoder part and a decoder part and feeds what the encoder
 * produced into the decoder (seq2seq Transformers, T5/BART/Whisper models, RNN seq2seq, autoencoders).
 *
 * Decided on dataflow inside one method: a call of an encoder part (`self.encoder`, `self.enc_layers`,
 * a local `encoder = nn.RNN(...)`, an inline `TransformerEncoder(...)(x)`, or a helper method such as
 * `self.encode` that calls one) produces a value that reaches an argument of a decoder part's call
 * (`memory`, `encoder_hidden_states=encoder_outputs[0]`, `self.decode(z)`). Also: `nn.Transformer` built
 * and called with source and target; a recurrent layer whose final state becomes another recurrent
 * layer's `initial_state`.
 *
 * Not encoder-decoder: a class named Encoder (a stack), a decoder stack that merely receives the encoder
 * output as an input, an encoder plus a head, two encoders (CLIP), and "encoder"/"decoder" attributes
 * that are single primitive layers (the word-LM `encoder = nn.Embedding`, `decoder = nn.Linear`, an
 * encoder-only `nn.Transformer` subclass that overrides `decoder` with a Linear head).
 */

/** Attribute/local names that denote an encoder part: `encoder`, `enc`, `encoder_layers`, `text_encoder`. */
const ENCODER_NAME = /(^|_)(enc|encoder|encoders)(_|\d|$)|encoder$/i;
const DECODER_NAME = /(^|_)(dec|decoder|decoders)(_|\d|$)|decoder$/i;
/** Position/time/label "encoders" are embeddings, not encoder parts. */
const NOT_A_PART_NAME = /pos|position|time|label|class|token|onehot|one_hot|freq|fourier|rotary|mask|norm|drop|emb|pack|pad|preprocess|encoder_?decoder|enc_?dec/i;
/** A single primitive layer is not an encoder/decoder part (Embedding "encoder", Linear "decoder" head). */
const PRIMITIVE_LAYER =
  /^(Linear|LazyLinear|Dense|DenseGeneral|Embedding|Embed|EmbeddingBag|Dropout|LayerNorm|LayerNormalization|RMSNorm|GroupNorm|BatchNorm\w*|BatchNormalization|Add|Concatenate|Identity|Flatten|Reshape|Activation|ReLU|GELU|SiLU|Softmax|LogSoftmax|Conv\dd|Conv|Conv\dD|ConvTranspose\dd|Conv\dDTranspose|ConvTranspose|Bilinear|Parameter|\w*Positional\w*|\w*PosEmb\w*|\w*Embedding)$/;
/** Inline layers (Flax `@nn.compact`, Keras functional) whose class name says which part they are. */
const ENCODER_CLASS = /Encoder$/;
const DECODER_CLASS = /Decoder$/;
const RECURRENT_CLASS = /^(LSTM|GRU|RNN|SimpleRNN|OptimizedLSTMCell|LSTMCell|GRUCell|Bidirectional)$/;
/** Helper methods that are the parts themselves (`encode` of the pytorch/examples VAE runs plain fc layers). */
const ENCODE_METHOD = /^_?encode$/;
const DECODE_METHOD = /^_?decode$/;

/** Numbered stages (`encoder1`, `dec2`) are levels of one U-Net path, not an encoder or decoder part. */
const NUMBERED_STAGE = /\d$/;

/** Submodules that play the encoder without the name: MAE's `self.vit`, a segmentation `self.backbone`. */
const ENCODER_ALIAS = /^(vit|backbone|bert|roberta|resnet|cnn|convnet|feature_extractor|vision_model|vision_tower|image_model|audio_model)$/;

type Role = 'encoder' | 'decoder';

interface PartCall {
  call: CallFact;
  /** Text that starts this call in source (`self.encoder(`), to spot it nested in another expression. */
  calleeText: string;
}

function lastName(dotted: string): string {
  return dotted.split('.').pop() ?? '';
}

/** Constructor name a local was assigned from in `method` (`encoder = nn.RNN(...)` gives `RNN`). */
function localConstructor(cls: ModuleClass, method: string | null, name: string): string | undefined {
  for (const assign of cls.assigns) {
    if (assign.method !== method || !assign.targets.includes(name)) continue;
    const ctor = /^([\w.]+)\s*\(/.exec(assign.value)?.[1];
    if (ctor) return lastName(ctor);
  }
  return undefined;
}

function namesRole(name: string, role: Role): boolean {
  if (role === 'encoder' && ENCODER_ALIAS.test(name)) return true;
  const pattern = role === 'encoder' ? ENCODER_NAME : DECODER_NAME;
  return pattern.test(name) && !NOT_A_PART_NAME.test(name) && !NUMBERED_STAGE.test(name);
}

/** A `self.<attr>` that is a part of this role: named so, and not a single primitive layer. */
function isPartAttribute(cls: ModuleClass, attr: string, role: Role): boolean {
  if (!namesRole(attr, role)) return false;
  const layer = submoduleNamed(cls, attr);
  return !(layer && layer.ctor && PRIMITIVE_LAYER.test(layer.ctorName));
}

/** Whether a call runs a part of `role` directly (not through a helper method). */
function isDirectPartCall(cls: ModuleClass, call: CallFact, role: Role): boolean {
  const attr = call.selfAttr;
  if (attr !== undefined) {
    if (isPartAttribute(cls, attr, role)) {
      // `self.encoder.encode(x)` is still the encoder; `self.encoder_proj` is checked as its own attribute.
      return true;
    }
    // `self.transformer.encoder(src)`: the part belongs to a held module.
    const heldPrefix = `self.${attr}.`;
    const nested = call.callee.startsWith(heldPrefix) ? /^\w+/.exec(call.callee.slice(heldPrefix.length))?.[0] : undefined;
    if (nested && namesRole(nested, role) && !/^(encode|decode)$/.test(nested)) return true;
    return false;
  }
  if (call.innerCall) {
    const pattern = role === 'encoder' ? ENCODER_CLASS : DECODER_CLASS;
    return pattern.test(call.innerCall.name) && !NOT_A_PART_NAME.test(call.innerCall.name);
  }
  // A local layer: `encoder = nn.RNN(nn.LSTMCell(h), name='encoder'); encoder(inputs)`.
  if (/^\w+$/.test(call.callee) && namesRole(call.callee, role)) {
    const ctor = localConstructor(cls, call.method, call.callee);
    return ctor === undefined || !PRIMITIVE_LAYER.test(ctor);
  }
  return false;
}

/** Methods of the class that run a part of `role`, directly or through other helper methods. */
function partMethods(cls: ModuleClass, role: Role): Set<string> {
  const methods = methodNames(cls);
  const found = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const method of methods) {
      if (found.has(method) || isConstructor(method)) continue;
      const runsPart = cls.calls.some(
        (c) => c.method === method && (isDirectPartCall(cls, c, role) || (c.selfAttr !== undefined && c.callee === `self.${c.selfAttr}` && found.has(c.selfAttr))),
      );
      if (runsPart) {
        found.add(method);
        changed = true;
      }
    }
  }
  return found;
}

function partCalls(cls: ModuleClass, role: Role, helpers: Set<string>): PartCall[] {
  const namePattern = role === 'encoder' ? ENCODE_METHOD : DECODE_METHOD;
  const out: PartCall[] = [];
  for (const call of cls.calls) {
    if (isConstructor(call.method)) continue;
    const viaHelper =
      call.selfAttr !== undefined &&
      call.callee === `self.${call.selfAttr}` &&
      (helpers.has(call.selfAttr) || namePattern.test(call.selfAttr));
    if (viaHelper || isDirectPartCall(cls, call, role)) {
      out.push({ call, calleeText: call.innerCall ? `${call.innerCall.callee}(` : `${call.callee}(` });
    }
  }
  return out;
}

/** A decoder call in the same method as an encoder call, receiving a value derived from the encoder's output. */
function encoderFeedsDecoder(cls: ModuleClass, encoders: PartCall[], decoders: PartCall[]): { enc: PartCall; dec: PartCall } | null {
  const byMethod = new Map<string | null, PartCall[]>();
  for (const enc of encoders) {
    const list = byMethod.get(enc.call.method) ?? [];
    list.push(enc);
    byMethod.set(enc.call.method, list);
  }
  for (const dec of decoders) {
    const sameMethod = (byMethod.get(dec.call.method) ?? []).filter((e) => e.call !== dec.call);
    if (sameMethod.length === 0) continue;
    const argTexts = [...dec.call.args, ...Object.values(dec.call.kwargs)];
    // Nested: `self.decoder(self.encoder(x))`, `self.decode(self.encode(x))`.
    const nested = sameMethod.find((e) => argTexts.some((t) => t.includes(e.calleeText)));
    if (nested) return { enc: nested, dec };
    const calleeTexts = new RegExp(sameMethod.map((e) => escapeRegExp(e.calleeText)).join('|'));
    const seeds = namesAssignedFrom(cls, dec.call.method, calleeTexts, sameMethod.map((e) => e.call));
    const derived = derivedNames(cls, dec.call.method, seeds);
    const reads = callArgumentNames(dec.call);
    if (reads.some((r) => derived.has(r))) {
      const enc = sameMethod.find((e) => e.call.line <= dec.call.line) ?? sameMethod[0];
      return { enc, dec };
    }
  }
  return null;
}

/** `self.transformer = nn.Transformer(...)` called with a source and a target. */
function libraryTransformer(cls: ModuleClass, context: RecognizeContext): Evidence[] {
  for (const layer of cls.submodules) {
    // A bare `Transformer(...)` is the library one only when the file does not define its own.
    if (!/^(nn\.|torch\.nn\.)?Transformer$/.test(layer.ctor) || (layer.ctor === 'Transformer' && context.classesByName.has('Transformer'))) continue;
    const call = cls.calls.find((c) => c.selfAttr === layer.name && c.callee === `self.${layer.name}` && c.args.length + Object.keys(c.kwargs).filter((k) => /^(src|tgt)$/.test(k)).length >= 2);
    if (call) return [evidence(layer.line, 'nn.Transformer (encoder and decoder stacks)'), evidence(call.line, 'called with source and target')];
  }
  return [];
}

/** A recurrent layer whose returned state initializes another recurrent layer (Keras/Flax seq2seq without names). */
function stateHandOff(cls: ModuleClass): Evidence[] {
  const isRecurrent = (call: CallFact): boolean => {
    if (call.innerCall) return RECURRENT_CLASS.test(call.innerCall.name);
    if (call.selfAttr !== undefined) {
      const layer = submoduleNamed(cls, call.selfAttr);
      return !!layer && RECURRENT_CLASS.test(layer.ctorName);
    }
    if (/^\w+$/.test(call.callee)) return RECURRENT_CLASS.test(localConstructor(cls, call.method, call.callee) ?? '');
    return false;
  };
  const recurrent = cls.calls.filter((c) => !isConstructor(c.method) && isRecurrent(c));
  for (const dec of recurrent) {
    const stateKey = Object.keys(dec.kwargs).find((k) => /^(initial_state|initial_carry)$/.test(k));
    if (!stateKey) continue;
    for (const enc of recurrent) {
      if (enc === dec || enc.callee === dec.callee || enc.method !== dec.method || enc.line >= dec.line) continue;
      const derived = derivedNames(cls, enc.method, enc.assignedTo.filter((t) => /^\w+$/.test(t)));
      if (identifiersIn(dec.kwargs[stateKey] ?? '').some((r) => derived.has(r))) {
        return [evidence(enc.line, 'encoder RNN returns its state'), evidence(dec.line, 'decoder RNN starts from the encoder state')];
      }
    }
  }
  return [];
}

/** Keyword inputs through which a decoder reads the encoded stream. */
const CONTEXT_KEYWORD = /^(context|memory|mem|encoder_hidden_states|encoder_outputs?|encoder_out|enc_out\w*|encoded|encoder_states|xa|latents|source|src|cross_states)$/;

/** Inputs that already hold an encoding made elsewhere. */
const HANDED_IN_ENCODING = /enc|memory|context|encoded|encodings|hidden_states|features/i;
/** Own layers that prepare a stream without encoding it. */
const HELPER_LAYER = /mask|norm|drop|pos|emb|proj|act|pool/i;

/**
 * PerceiverIO-style: a decoder part reads, as its context, a stream the class itself encoded with other
 * (non-primitive) layers: `x = cross_attn(x, context=data) ...; self.decoder_cross_attn(queries, context=x)`.
 */
function decoderReadsEncodedContext(cls: ModuleClass): Evidence[] {
  for (const dec of cls.calls) {
    if (isConstructor(dec.method) || dec.selfAttr === undefined || !isPartAttribute(cls, dec.selfAttr, 'decoder')) continue;
    const key = Object.keys(dec.kwargs).find((k) => CONTEXT_KEYWORD.test(k));
    if (!key) continue;
    // Layers of the class (`self.blocks`, or a local unpacked from `self.cross_attend_blocks`) run before the decoder.
    const boundToSelf = new Set(cls.assigns.filter((a) => a.method === dec.method && /^self\.\w+$/.test(a.value)).flatMap((a) => a.targets));
    // The encoded stream must be computed here, not handed in already encoded (`encodings`, `memory`).
    const contextOrigins = dec.kwargOrigins[key] ?? new Set<string>();
    if ([...contextOrigins].some((o) => HANDED_IN_ENCODING.test(o))) continue;
    const encoding = cls.calls.filter((c) => {
      if (c.method !== dec.method || c.line >= dec.line) return false;
      if (c.selfAttr === undefined) return /^\w+$/.test(c.callee) && boundToSelf.has(c.callee);
      if (namesRole(c.selfAttr, 'decoder') || HELPER_LAYER.test(c.selfAttr)) return false;
      const layer = submoduleNamed(cls, c.selfAttr);
      return !layer || !PRIMITIVE_LAYER.test(layer.ctorName);
    });
    if (encoding.length === 0) continue;
    const callees = new RegExp(encoding.map((c) => `(^|[^.\\w])${escapeRegExp(c.callee)}\\s*\\(`).join('|'));
    const derived = derivedNames(cls, dec.method, namesAssignedFrom(cls, dec.method, callees, encoding));
    if (identifiersIn(dec.kwargs[key]).some((n) => derived.has(n))) {
      return [evidence(encoding[0].line, 'input encoded by the class'), evidence(dec.line, `decoder reads the encoded stream as ${key}`)];
    }
  }
  return [];
}

/** HF generation wrappers: `self.model = BartModel(config)` (an encoder-decoder of this file) plus an LM head. */
const GENERATION_WRAPPER = /For(ConditionalGeneration|SpeechSeq2Seq|Seq2SeqLM|Translation|Summarization)|Seq2Seq/;
const LM_HEAD = /^(lm_head|proj_out|output_projection|generator|final_logits|to_logits|logits)$/;

function wrapsEncoderDecoder(cls: ModuleClass, context: RecognizeContext): Evidence[] {
  const hasHead = GENERATION_WRAPPER.test(cls.name ?? '') || cls.submodules.some((s) => LM_HEAD.test(s.name));
  if (!hasHead) return [];
  for (const layer of cls.submodules) {
    const defined = context.classesByName.get(layer.ctorName);
    if (!defined || defined === cls || visiting.has(defined) || visiting.size >= MAX_WRAPPER_DEPTH) continue;
    const runs = cls.calls.filter((c) => c.selfAttr === layer.name && !isConstructor(c.method));
    const called = runs.find((c) => c.method === 'forward' || c.method === '__call__' || c.method === 'call') ?? runs[0];
    if (!called) continue;
    visiting.add(cls);
    try {
      if (encoderDecoder.recognize(defined, context)) return [evidence(layer.line, `${layer.ctorName} is an encoder-decoder`), evidence(called.line, 'generation wrapper runs it')];
    } finally {
      visiting.delete(cls);
    }
  }
  return [];
}

const visiting = new Set<ModuleClass>();
/** How many wrappers deep an encoder-decoder is looked for (a chain of thousands would be quadratic). */
const MAX_WRAPPER_DEPTH = 8;

const encoderDecoder: PatternDefinition = {
  id: 'encoder-decoder',
  name: 'Encoder-decoder',
  recognize(original: ModuleClass, context: RecognizeContext) {
    const cls = computationView(original);
    const library = libraryTransformer(cls, context);
    if (library.length > 0) return match(0.85, library);

    const encoders = partCalls(cls, 'encoder', partMethods(cls, 'encoder'));
    const decoders = partCalls(cls, 'decoder', partMethods(cls, 'decoder'));
    const flow = encoders.length > 0 && decoders.length > 0 ? encoderFeedsDecoder(cls, encoders, decoders) : null;
    if (flow) {
      const items = [evidence(flow.enc.call.line, 'encoder part'), evidence(flow.dec.call.line, 'decoder consumes the encoder output')];
      const builtParts = cls.submodules.filter((s) => (namesRole(s.name, 'encoder') || namesRole(s.name, 'decoder')) && !PRIMITIVE_LAYER.test(s.ctorName));
      for (const part of builtParts.slice(0, 2)) items.push(evidence(part.line, `${namesRole(part.name, 'encoder') ? 'encoder' : 'decoder'} built here`));
      const assignedParts = cls.initAssigns.filter((a) => a.targets.some((t) => /^self\.\w*(enc|dec)/i.test(t)));
      // Parts that are neither built nor handed in (inherited, or only reached through helpers) are less certain.
      const localParts = flow.enc.call.selfAttr === undefined && flow.dec.call.selfAttr === undefined;
      const known = builtParts.length + assignedParts.length > 0 || localParts;
      return match(0.8, items, known ? 0.1 : -0.05);
    }

    // An autoencoder API without a forward that chains the parts (PyG `GAE`): encoder and decoder parts
    // held by the class, each run by its own `encode` / `decode` method.
    const methods = methodNames(cls);
    if (methods.has('encode') && methods.has('decode')) {
      const encodes = encoders.find((e) => e.call.method === 'encode' && e.call.selfAttr !== undefined && isPartAttribute(cls, e.call.selfAttr, 'encoder'));
      const decodes = decoders.find((d) => d.call.method === 'decode' && d.call.selfAttr !== undefined && isPartAttribute(cls, d.call.selfAttr, 'decoder'));
      if (encodes && decodes) return match(0.6, [evidence(encodes.call.line, 'encode runs the encoder'), evidence(decodes.call.line, 'decode runs the decoder')]);
    }

    const handOff = stateHandOff(cls);
    if (handOff.length > 0) return match(0.75, handOff);
    const encodedContext = decoderReadsEncodedContext(cls);
    if (encodedContext.length > 0) return match(0.65, encodedContext);
    const wrapper = wrapsEncoderDecoder(cls, context);
    if (wrapper.length > 0) return match(0.7, wrapper);
    return null;
  },
};

export default encoderDecoder;
