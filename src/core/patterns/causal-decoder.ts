import type { CallFact, ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, FileFact, PatternDefinition, PatternMatch, RecognizeContext } from './_types';
import { identifiersIn } from './_util';
import { allLayers, evidence, match } from './_util';

/**
 * Causal decoder: a decoder-only autoregressive model — a stack of blocks run under a causal mask and/or
 * read out by a language-model head, with no encoder. Decided on structure:
 * - a stack: a replicated container of blocks, a loop calling blocks of a `self` container, blocks
 *   built inline in a loop (Flax/Keras), or a library `nn.TransformerEncoder` run under a mask;
 * - causality: the class builds a causal mask (`tril`, `triu(-inf)`, `make_causal_mask`,
 *   `create_causal_mask`, `is_causal=True`, `use_causal_mask=True`, `generate_square_subsequent_mask`),
 *   or its stacked blocks are decoder blocks called without an encoder stream, or the same file masks
 *   causally;
 * - a read-out: a vocabulary head (`lm_head`, Linear/Dense to the vocabulary, logits tied to the token
 *   embedding), or a token embedding in a file whose language model has one (LlamaModel next to
 *   LlamaForCausalLM);
 * - or it wraps such a model of the same file (`self.model = LlamaModel(...)` plus `lm_head`,
 *   OPTModel around OPTDecoder), or configures a same-file stack with `super().__init__(causal=True)`.
 * Decisions: the model classes have it, not the attention or block classes applying the mask
 * (nanoGPT's CausalSelfAttention has self-attention, its GPT has causal-decoder); *ForCausalLM /
 * *LMHeadModel wrappers have it even over a seq2seq file's decoder (BartForCausalLM); an LM head over a
 * stack with no mask in sight counts when the class reads autoregressive (`lm_head`, a cache input, a
 * `generate` method: Mamba LMs). Not: decoders fed an encoder's output (BART/T5/Whisper decoders, the
 * Decoder of a seq2seq file), models holding an encoder and a decoder, masked-LM/bidirectional encoders,
 * classifiers over a decoder backbone, causal text encoders with no LM (CLIP), causal convolutions.
 */

/** Calls that build a causal mask, or library masks that are causal. */
const CAUSAL_CALL =
  /^_*(tril|tril_|triu|triu_|band_part|make_causal_mask|create_causal_mask|_make_causal_mask|_prepare_4d_causal_attention_mask\w*|_update_causal_mask|_prepare_4d_causal\w*|generate_square_subsequent_mask|get_causal_attention_mask|causal_attention_mask|compute_causal_mask|create_sliding_window_causal_mask|_build_causal_attention_mask|build_causal_attention_mask|_get_causal_mask|get_causal_mask|subsequent_mask|BlockDiagonalCausalMask\w*|LowerTriangularMask\w*)$/;
const CAUSAL_KWARG = /^(is_causal|causal|use_causal_mask|autoregressive|unidirectional)$/;
const CAUSAL_WORD = /^(causal_mask|causal_attention_mask|LowerTriangularMask|BlockDiagonalCausalMask|subsequent_mask|make_causal_mask|create_causal_mask)$/;
/** Arguments that size a vocabulary. */
const VOCAB = /vocab|^(num_tokens|n_tokens|ntokens?|total_tokens|num_text_tokens|num_image_tokens|num_embed|num_embeddings|token_size|n_token|codebook_size|num_codes)$/i;
/** Forward inputs that carry an encoder's output. */
const ENCODER_INPUT =
  /^(encoder_hidden_states|encoder_outputs?|encoder_out|enc_out\w*|enc_output\w*|memory|xa|encoded|audio_features|encoder_sequence|encoder_states|enc|enc_hidden|src_enc|cross_attention_states|context)$/;
/** Names that say a model is a causal language model. */
const LM_NAME = /(ForCausalLM|LMHeadModel|CausalLM|DoubleHeadsModel|^GPT\w*|TransformerLM|LanguageModel)$/;
const NOT_LM_NAME = /(MaskedLM|ForMLM|Classification|QuestionAnswering|MultipleChoice|NextSentence|PreTraining|Encoder)$/;

function isLibraryLeaf(ctorName: string): boolean {
  return /^(Linear|Dense|Conv\w*|Embedding|Embed|Dropout|LayerNorm|RMSNorm|BatchNorm\w*|GroupNorm|ReLU|GELU|SiLU|Identity|Parameter|ModuleList|Sequential|ModuleDict|list|dict|tuple)$/.test(ctorName);
}

/** Whether a constructor builds a block worth stacking (a same-file class or a transformer-like layer). */
function isBlock(layer: SubmoduleFact, context: RecognizeContext): boolean {
  if (isLibraryLeaf(layer.ctorName)) return layer.elements.some((e) => isBlock(e, context));
  return context.classesByName.has(layer.ctorName) || /(Block|Layer|Decoder|Transformer|Residual|Mixer|Attention|Cell)\w*$/.test(layer.ctorName);
}

interface Stack {
  line: number;
  /** Constructor names of the stacked blocks, when known. */
  blocks: string[];
  /** Calls running the blocks, when seen. */
  calls: CallFact[];
}

/** The stack of blocks the class builds and runs itself. */
function stackOf(cls: ModuleClass, context: RecognizeContext): Stack | null {
  // `class TransformerModel(nn.Transformer)` (PyTorch word_language_model): the library stack is the base.
  const libraryBase = cls.bases.find((b) => /^(nn\.|torch\.nn\.)?(Transformer|TransformerEncoder|TransformerDecoder)$/.test(b) && !context.classesByName.has(b));
  if (libraryBase && cls.framework === 'pytorch') return { line: cls.line, blocks: ['TransformerEncoder'], calls: [] };
  for (const layer of allLayers(cls)) {
    if (/^(TransformerEncoder|TransformerDecoder)$/.test(layer.ctorName) && /^(nn|torch\.nn)\./.test(layer.ctor)) {
      return { line: layer.line, blocks: [layer.ctorName], calls: cls.calls.filter((c) => c.selfAttr === layer.name) };
    }
    if (layer.replicated && layer.elements.some((e) => isBlock(e, context))) {
      return { line: layer.line, blocks: layer.elements.map((e) => blockName(e)), calls: cls.calls.filter((c) => c.selfAttr === layer.name) };
    }
  }
  // `for block in self.transformer.h: x = block(x)`
  for (const loop of cls.loops) {
    if (!loop.method) continue;
    const targets = identifiersIn(loop.target);
    if (!/\bself\.\w+/.test(loop.iterable)) {
      // `blocks = [Block(...) for i in range(depth)]` built in the call, then `for block in blocks: x = block(x)`.
      const local = /^(\w+)$/.exec(loop.iterable.trim())?.[1];
      const built = local ? cls.assigns.find((a) => a.method === loop.method && a.targets.includes(local) && /^\[[\s\S]*\bfor\b[\s\S]*\bin\b[\s\S]*\]$/.test(a.value.trim()) && /\b[A-Z_]\w*\(|block/i.test(a.value)) : undefined;
      const end = loop.endLine ?? loop.line + 40;
      const runs = cls.calls.filter((c) => c.method === loop.method && c.line >= loop.line && c.line <= end && targets.includes(c.callee));
      if (built && runs.length > 0) return { line: built.line, blocks: [], calls: runs };
      continue;
    }
    const end = loop.endLine ?? loop.line + 40;
    // Keras backbones run their functional graph in the constructor, so constructor calls count too.
    const runs = [...cls.calls, ...cls.initCalls].filter((c) => c.method === loop.method && c.line >= loop.line && c.line <= end && targets.includes(c.callee));
    if (runs.length === 0) continue;
    // `zip(self.layer_types, self.layers)`: the first `self.` container that is a submodule.
    const container = [...loop.iterable.matchAll(/self\.([\w.]+)/g)].map((m) => m[1]).find((c) => cls.submodules.some((s) => s.name === c.split('.')[0])) ?? '';
    if (!container) continue;
    const layer = cls.submodules.find((s) => s.name === container.split('.').pop()) ?? findNested(cls, container.split('.').pop() ?? '');
    return { line: loop.line, blocks: layer ? layer.elements.map((e) => blockName(e)) : [], calls: runs };
  }
  // `for ..., (norm, block, residual) in enumerate(zip(*layer_variables))` over a `self.layers` container.
  const layersContainer = cls.submodules.find((s) => /^(layers|blocks|h|resblocks|transformer_blocks|decoder_layers)$/.test(s.name) && /^(ModuleList|Sequential|list|List)$/.test(s.ctorName));
  if (layersContainer) {
    for (const loop of cls.loops) {
      if (!loop.method || loop.method === '__init__') continue;
      const targets = identifiersIn(loop.target);
      const end = loop.endLine ?? loop.line + 40;
      const runs = cls.calls.filter((c) => c.method === loop.method && c.line >= loop.line && c.line <= end && targets.includes(c.callee) && /block|layer/i.test(c.callee));
      if (runs.length > 0) return { line: layersContainer.line, blocks: layersContainer.elements.map(blockName), calls: runs };
    }
  }
  // Flax `@nn.compact` / Keras: `for i in range(n): y = Block(...)(y)` (constructor-side too).
  for (const call of [...cls.calls, ...cls.initCalls]) {
    if (!call.innerCall || !/^[A-Z]/.test(call.innerCall.name) || isLibraryLeaf(call.innerCall.name)) continue;
    if (!context.classesByName.has(call.innerCall.name) && !/(Block|Layer|Decoder|Transformer)\w*$/.test(call.innerCall.name)) continue;
    const inLoop = cls.loops.some((l) => l.method === call.method && call.line > l.line && call.line <= (l.endLine ?? l.line + 20));
    if (inLoop) return { line: call.line, blocks: [call.innerCall.name], calls: [call] };
  }
  return null;
}

function blockName(layer: SubmoduleFact): string {
  if (isLibraryLeaf(layer.ctorName) && layer.elements.length > 0) return layer.elements.map(blockName).join(',');
  return layer.ctorName;
}

function findNested(cls: ModuleClass, name: string): SubmoduleFact | undefined {
  if (!name) return undefined;
  for (const layer of allLayers(cls)) {
    if (layer.name === name) return layer;
    for (const [key, value] of Object.entries(layer.kwargs)) if (key === name && /ModuleList|Sequential/.test(value)) return layer;
  }
  return undefined;
}

/** Where the class builds or requests a causal mask. */
function causalEvidence(cls: ModuleClass): Evidence | null {
  for (const call of [...cls.calls, ...cls.initCalls]) {
    if (CAUSAL_CALL.test(call.name)) {
      // `triu` builds the mask above the diagonal; any tril/triu in a model class is a mask here.
      return evidence(call.line, `causal mask (${call.name})`);
    }
    for (const [key, value] of Object.entries(call.kwargs)) {
      if (CAUSAL_KWARG.test(key) && /^(True|"causal"|'causal')$/.test(value.trim())) return evidence(call.line, `${key}=${value}`);
    }
  }
  for (const a of cls.initAssigns) {
    if (a.targets.some((t) => /(is_)?causal$/.test(t)) && a.value.trim() === 'True') return evidence(a.line, 'causal attention');
  }
  for (const a of cls.assigns) {
    if (a.targets.some((t) => /causal_mask|^mask$|attn_mask|attention_mask/.test(t)) && /tril|triu|causal/i.test(a.value)) return evidence(a.line, 'causal mask');
  }
  for (const w of cls.words) if (CAUSAL_WORD.test(w)) return evidence(cls.line, `uses ${w}`);
  return null;
}

/** A head projecting to the vocabulary (or logits tied to the token embedding). */
function lmHead(cls: ModuleClass): Evidence | null {
  for (const layer of allLayers(cls)) {
    const linear = /^(Linear|Dense|DenseGeneral|ColumnParallelLinear|Conv1D)$/.test(layer.ctorName);
    if (layer.name === 'lm_head' && !/^(None|Identity)/.test(layer.ctorName)) return evidence(layer.line, 'language-model head');
    if (linear && VOCAB.test(lastIdentifier(outputSize(layer)))) return evidence(layer.line, 'projection to the vocabulary');
  }
  for (const call of cls.calls) {
    if (/^(attend|decode)$/.test(call.name) && /emb|embed/i.test(call.callee)) return evidence(call.line, 'logits tied to the embedding');
    if (/^(linear|matmul|einsum)$/.test(call.name) && call.args.some((a) => /(wte|emb\w*|embed\w*|tok\w*)\.weight/.test(a))) return evidence(call.line, 'logits tied to the embedding');
  }
  for (const a of cls.assigns) {
    if (/logits|return/.test(a.targets.join(' ')) && /@\s*(self\.)?[\w.]*(emb|embed|wte|tok)\w*\.weight/.test(a.value)) return evidence(a.line, 'logits tied to the embedding');
  }
  return null;
}

/** The output size argument of a Linear (`Linear(in, out)`) or Dense (`Dense(units)`) layer. */
function outputSize(layer: SubmoduleFact): string {
  const kw = layer.kwargs.out_features ?? layer.kwargs.units ?? layer.kwargs.features ?? layer.kwargs.out_dim ?? layer.kwargs.out_size;
  if (kw !== undefined) return kw;
  if (/^(Dense|DenseGeneral)$/.test(layer.ctorName)) return layer.args[0] ?? '';
  return layer.args[1] ?? '';
}

/** `config.vocab_size` → `vocab_size`; `self.num_tokens * 2` → `num_tokens`. */
function lastIdentifier(text: string): string {
  const names = identifiersIn(text.replace(/\.(\w+)/g, ' $1'));
  return names.find((n) => VOCAB.test(n)) ?? names[names.length - 1] ?? '';
}

function tokenEmbedding(cls: ModuleClass): Evidence | null {
  // Flax: `embed = nn.Embed(num_embeddings=vocab_size, ...)` built in the call and applied later.
  for (const call of cls.calls) {
    if (/^(Embed|Embedding)$/.test(call.name) && [...call.args, ...Object.values(call.kwargs)].some((a) => VOCAB.test(lastIdentifier(a)))) return evidence(call.line, 'token embedding');
  }
  for (const layer of allLayers(cls)) {
    if (!/(Embedding|Embed|Embeddings)$/.test(layer.ctorName)) continue;
    const sizes = [...layer.args, ...Object.values(layer.kwargs)];
    if (sizes.some((a) => VOCAB.test(lastIdentifier(a))) || /^(tok|word|wte|embed_tokens|token|tok_emb|tok_embeddings|token_emb|token_embedding|embedding|embed|embedder|word_embeddings?)$/.test(layer.name)) {
      return evidence(layer.line, 'token embedding');
    }
  }
  return null;
}

/**
 * `test(cls)` remembered per class model: while typing, the other classes keep their model objects, so a
 * file fact recomputed after each edit re-reads only the edited class.
 */
function perClass(test: (cls: ModuleClass) => boolean): (cls: ModuleClass) => boolean {
  const known = new WeakMap<ModuleClass, boolean>();
  return (cls) => {
    let answer = known.get(cls);
    if (answer === undefined) known.set(cls, (answer = test(cls)));
    return answer;
  };
}

const masksCausally = perClass((cls) => causalEvidence(cls) !== null);
const readsOutToVocabulary = perClass((cls) => lmHead(cls) !== null && cls.submodules.some((s) => s.name === 'lm_head'));

/** A class (or a helper function) of the same file masks causally. */
const FILE_HAS_CAUSAL_MASK: FileFact<boolean> = {
  compute(file, classesByName) {
    if ([...classesByName.values()].some(masksCausally)) return true;
    // Module-level helpers: `def make_causal_attn_mask(...)`, `mask = torch.tril(...)` in a function.
    return file.lines.some((l) => /\b(make_causal\w*|causal_mask|_?causal_attention_mask|is_causal\s*=\s*True|torch\.tril|jnp\.tril|band_part)\b/.test(l) && !/^\s*#/.test(l));
  },
};

interface EncoderDecoderParts {
  /** Constructor name of an `encoder` or `decoder` part → names of the classes holding exactly those two parts. */
  partOf: Map<string, string[]>;
  /** Class names that name an encoder. */
  encoderNames: Set<string>;
}

/** Per file: who builds which class as the encoder or decoder of an encoder-decoder, and the encoder classes. */
const ENCODER_DECODER_PARTS: FileFact<EncoderDecoderParts> = {
  compute(_file, classesByName) {
    const found: EncoderDecoderParts = { partOf: new Map(), encoderNames: new Set() };
    for (const [name, other] of classesByName) {
      const parts = other.submodules.filter((s) => /^(encoder|decoder)$/.test(s.name));
      if (parts.length === 2) for (const ctor of new Set(parts.map((s) => s.ctorName))) found.partOf.set(ctor, [...(found.partOf.get(ctor) ?? []), name]);
      if (/Encoder(Layer|Block|Stack)?$/.test(name) && !/Positional|Position|Embedding/.test(name)) found.encoderNames.add(name);
    }
    return found;
  },
  digest: (parts) => JSON.stringify([[...parts.partOf], [...parts.encoderNames]]),
};

/** Names of the classes that read out to the vocabulary through an `lm_head` or are named as a causal LM. */
const LANGUAGE_MODEL_CLASSES: FileFact<string[]> = {
  compute(_file, classesByName) {
    return [...classesByName].filter(([name, other]) => LM_NAME.test(name) || readsOutToVocabulary(other)).map(([name]) => name);
  },
};

/**
 * Whether a class of the file named in `names` (as `classesByName` holds it) is another class than `cls`:
 * only a class sharing `cls`'s name needs a lookup (an earlier class of the same name is not the one mapped).
 */
function anotherClassAmong(names: Iterable<string>, cls: ModuleClass, context: RecognizeContext): boolean {
  for (const name of names) if (name !== cls.name || context.classesByName.get(name) !== cls) return true;
  return false;
}

/** Encoder-side inputs or parts: a decoder of an encoder-decoder, or the encoder-decoder itself. */
function encoderSide(cls: ModuleClass, context: RecognizeContext): boolean {
  const names = new Set(cls.submodules.map((s) => s.name));
  const hasEncoder = [...names].some((n) => /^(encoder|enc|\w+_encoder)$/.test(n) && !/^(img|image|vision|visual|pos|position)_?encoder$/.test(n));
  if (hasEncoder && [...names].some((n) => /decoder|dec$/.test(n))) return true;
  if (names.has('encoder') && !cls.submodules.some((s) => s.name === 'encoder' && /Embedding|Rotary|Positional/.test(s.ctorName))) return true;
  // Built as the encoder or decoder of a same-file encoder-decoder (T5Stack, BartDecoder, TextDecoder).
  const file = context.fileFact(ENCODER_DECODER_PARTS);
  const holders = cls.name !== null ? file.partOf.get(cls.name) : undefined;
  if (holders && anotherClassAmong(holders, cls, context)) return true;
  const forward = cls.methods.find((m) => m.name === 'forward' || m.name === '__call__' || m.name === 'call');
  if (!forward) return false;
  const fileHasEncoder = file.encoderNames.size - (cls.name !== null && file.encoderNames.has(cls.name) ? 1 : 0) > 0;
  for (const param of forward.params) {
    if (!ENCODER_INPUT.test(param)) continue;
    const used = cls.calls.some((c) => c.method === forward.name && [...c.argOrigins, ...Object.values(c.kwargOrigins)].some((o) => o.has(param)));
    if (!used) continue;
    const required = forward.defaults?.[param] === undefined;
    if (required || fileHasEncoder) return true;
  }
  return false;
}

/** Blocks named as decoder blocks, run without an encoder stream: a decoder-only stack. */
function decoderOnlyBlocks(stack: Stack): boolean {
  if (!stack.blocks.some((b) => /Decoder/.test(b))) return false;
  return !stack.calls.some((c) => Object.keys(c.kwargs).some((k) => ENCODER_INPUT.test(k) || /^encoder_(?!.*mask)/.test(k)) || c.args.slice(1).some((a) => ENCODER_INPUT.test(a)));
}

/** Same-file model classes this class wraps (`self.model = LlamaModel(config)`, inline `Decoder(...)(x)`). */
function wrapped(cls: ModuleClass, context: RecognizeContext): ModuleClass[] {
  const out: ModuleClass[] = [];
  for (const layer of cls.submodules) {
    const inner = context.classesByName.get(layer.ctorName);
    if (inner && inner !== cls) out.push(inner);
  }
  return out;
}

function recognizeAt(cls: ModuleClass, context: RecognizeContext, depth: number): PatternMatch | null {
  const name = cls.name ?? cls.functionName ?? '';
  if (NOT_LM_NAME.test(name)) return null;
  const lmNamed = LM_NAME.test(name);
  if (encoderSide(cls, context) && !lmNamed) return null;
  const stack = stackOf(cls, context);
  const head = lmHead(cls);
  const causal = causalEvidence(cls);
  const embedding = tokenEmbedding(cls);
  const found: Evidence[] = [];

  if (stack) {
    const decoderOnly = decoderOnlyBlocks(stack);
    found.push(evidence(stack.line, 'stack of blocks'));
    // Without a head of its own, the backbone of a language model of the same file (LlamaModel next to
    // LlamaForCausalLM); a causal text encoder with no LM anywhere (CLIP's) is not a decoder.
    const readOut = head || lmNamed || (embedding && fileHasLmHead(cls, context));
    if ((causal || decoderOnly) && readOut) {
      found.push(causal ?? evidence(stack.line, 'decoder blocks without an encoder'), ...(head ? [head] : embedding ? [embedding] : []));
      return match(0.85, found);
    }
    // Encoder blocks or a masked-LM head with no causal mask of its own: a bidirectional encoder.
    const encoderLike = stack.blocks.some((b) => /Encoder/.test(b)) || /masked|mlm|bert/i.test([...cls.words].join(' ') + name);
    if (encoderLike) return null;
    if (head && (context.fileFact(FILE_HAS_CAUSAL_MASK) || lmNamed)) {
      found.push(head);
      return match(0.85, found);
    }
    if (head && embedding && generates(cls)) {
      // An LM head over a stack with no mask in sight (SSM language models, masks built elsewhere),
      // when the class reads as autoregressive: an `lm_head`, a KV/state cache, a generate method.
      found.push(head, embedding);
      return match(0.7, found);
    }
    return null;
  }
  // `class Decoder(AttentionLayers): super().__init__(causal=True, **kwargs)`: configures a same-file stack as causal.
  const superCall = cls.initCalls.find((c) => /^super\(.*\)\.__init__$/.test(c.callee) && /^True$/.test((c.kwargs.causal ?? c.kwargs.is_causal ?? '').trim()));
  const stackBase = cls.bases.map((b) => context.classesByName.get(b)).find((b) => b !== undefined && b !== cls && stackOf(b, context) !== null);
  if (superCall && stackBase) {
    found.push(evidence(superCall.line, `causal ${stackBase.name ?? ''} stack`));
    return match(0.75, found);
  }
  if (depth > 2) return null;
  // A wrapper: `self.model = XModel(config)` plus a head, or an inline Flax `Decoder(...)(x)`.
  const inner = [...wrapped(cls, context), ...inlineWrapped(cls, context)];
  for (const model of inner) {
    const innerMatch = recognizeAt(model, context, depth + 1);
    // OPTModel wrapping OPTDecoder is the same decoder-only model; a classifier over it is not.
    if (innerMatch && (head || causal || lmNamed || /Model$/.test(name))) {
      found.push(evidence(cls.submodules.find((s) => s.ctorName === model.name)?.line ?? cls.line, `wraps ${model.name ?? 'a'} decoder`));
      if (head) found.push(head);
      if (causal) found.push(causal);
      return match(0.8, found);
    }
  }
  // DALLE: `self.transformer = Transformer(..., causal=True)` from another file, read out to the vocabulary.
  const importedStack = cls.submodules.find((l) => !context.classesByName.has(l.ctorName) && /^(Transformer|Decoder|AttentionLayers|TransformerDecoder|GPT\w*)$/.test(l.ctorName));
  if (importedStack && causal && head) {
    found.push(evidence(importedStack.line, 'transformer stack'), causal, head);
    return match(0.8, found);
  }
  const anyHead = head ?? headInside(cls, context);
  if (lmNamed && anyHead && inner.length > 0) {
    found.push(anyHead);
    return match(0.7, found);
  }
  return null;
}

/** Signs of autoregressive use: an `lm_head`, a cache input, a generation method. */
function generates(cls: ModuleClass): boolean {
  if (cls.submodules.some((s) => s.name === 'lm_head')) return true;
  if (cls.methods.some((m) => /^(generate|sample|greedy\w*|prefill|decode_step)$/.test(m.name))) return true;
  const forward = cls.methods.find((m) => m.name === 'forward' || m.name === '__call__' || m.name === 'call');
  return forward?.params.some((p) => /^(cache|kv_cache|past_key_values?|inference_params|use_cache|mems|state|cache_params)$/.test(p)) ?? false;
}

/** Another class of the file reads out to the vocabulary (or is named as a causal LM). */
function fileHasLmHead(cls: ModuleClass, context: RecognizeContext): boolean {
  return anotherClassAmong(context.fileFact(LANGUAGE_MODEL_CLASSES), cls, context);
}

/** A vocabulary head built by a same-file head class (`self.cls = BertOnlyMLMHead(config)`), two levels deep. */
function headInside(cls: ModuleClass, context: RecognizeContext, depth = 0): Evidence | null {
  if (depth > 2) return null;
  for (const layer of cls.submodules) {
    const inner = context.classesByName.get(layer.ctorName);
    if (!inner || inner === cls || !/head|cls|pred|lm|output|logits/i.test(layer.name + layer.ctorName)) continue;
    if (lmHead(inner) || headInside(inner, context, depth + 1)) return evidence(layer.line, 'language-model head');
  }
  return null;
}

function inlineWrapped(cls: ModuleClass, context: RecognizeContext): ModuleClass[] {
  const out: ModuleClass[] = [];
  for (const call of cls.calls) {
    const inner = call.innerCall ? context.classesByName.get(call.innerCall.name) : undefined;
    if (inner && inner !== cls) out.push(inner);
  }
  return out;
}

const causalDecoder: PatternDefinition = {
  id: 'causal-decoder',
  name: 'Causal decoder (decoder-only)',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    return recognizeAt(cls, context, 0);
  },
};

export default causalDecoder;
