import type { CallFact, MethodFact, ModuleClass } from '../model/types';
import type { Evidence, FileFact, PatternDefinition, RecognizeContext } from './_types';
import { escapeRegExp, evidence, identifiersIn, match } from './_util';
import { computationView, derivedNames, isConstructor, namesAssignedFrom, submoduleNamed } from './_generative';

/**
 * Diffusion timestep conditioning: a denoiser embeds the diffusion timestep (or noise level) and
 * injects the embedding into its computation.
 *
 * Which classes have it:
 * - the denoiser that embeds the timestep: its forward takes the data and `t`/`time`/`timesteps` and runs
 *   the timestep through an embedding (`self.time_mlp(time)`, `self.time_embed(timestep_embedding(t, d))`,
 *   `self.t_embedder(t)`, `self.time_proj(timesteps)`, Keras `TimeEmbedding(...)(time_input)`);
 * - every block that consumes the embedding in its own forward: it projects it with its own layer and
 *   adds it to, or scales/shifts, its feature map (`h + self.time_emb_proj(temb)[:, :, None, None]`,
 *   `self.mlp(time_emb).chunk(2)` → scale/shift, DiT `self.adaLN_modulation(c).chunk(6)`), or hands it to a
 *   conditioning norm (`AdaGroupNorm(h, temb)`).
 *
 * Not: a standalone timestep embedding (`SinusoidalPosEmb`, `TimestepEmbedder`: no data to denoise), a
 * block or stack that only passes `temb` on to its sub-blocks, the diffusion process wrapper that samples
 * `t` and calls the model, token positional encodings, RNN time loops, time-series inputs.
 */

/** Inputs that carry the diffusion time or noise level. */
const TIME_INPUT = /^(\w+_)?(time|times|timestep|timesteps|time_steps?)$|^(t|ts|t_in|time_input|timestep_input|t_input|noise_levels?|noise_variances?|noise_rates?|sigmas?|log_snr|logsnr|c_noise|noise_labels?|diffusion_steps?|diffusion_time|time_cond)$/;
/** Inputs that carry the already-embedded timestep into a block. */
const TIME_EMBEDDING_INPUT = /^(temb|time_emb|t_emb|time_embedding|time_embeddings|timestep_emb|timestep_embedding|time_embed|emb_t|t_embed|time_features|noise_emb|noise_embedding|time_cond_emb|t|time|timestep|timesteps)$/;
/** Generic conditioning inputs: a timestep embedding only in a file that embeds timesteps. */
const GENERIC_EMBEDDING_INPUT = /^(emb|embedding|c|cond|conditioning|cond_emb|scale_shift_emb)$/;
/** Layers and functions that embed a timestep. */
const TIME_EMBEDDER = /(time|temb|t_emb|timestep|t_embed|noise_level|noise_emb|sigma_emb|fourier|sinu|step_emb|t_mlp|t_proj|time_proj)/i;
const EMBEDDING_FUNCTION = /^(timestep_embedding|get_timestep_embedding|sinusoidal_embedding|sinusoidal_time_embedding|SinusoidalPosEmb\w*|TimeEmbedding|TimestepEmbedding|TimestepEmbedder|Timesteps|GaussianFourierProjection|FourierFeatures|LearnedSinusoidalPosEmb|RandomOrLearnedSinusoidalPosEmb|PositionalEmbedding|get_time_embed)$/;
/** A class that is itself an embedding, not a denoiser. */
const EMBEDDING_CLASS = /(Embed|Embedding|Embeddings|Embedder|PosEmb|Timesteps|Projection|Fourier\w*)$/;
/** File-level evidence that the file is about diffusion timesteps. */
const DIFFUSION_FILE = /timestep|time_emb|temb\b|t_embedder|SinusoidalPosEmb|time_mlp|noise_level|diffusion/;
/** Layers that take a conditioning vector with the feature map (adaptive norms, FiLM). */
const CONDITIONING_LAYER = /^(Ada\w*|\w*AdaGroupNorm|\w*AdaLayerNorm\w*|SpatialNorm|\w*CondNorm\w*|FiLM\w*|\w*Modulation|AdaptiveGroupNorm|AdaIN\w*)$/;

/** Whether the file text is about diffusion timesteps. */
// No alternative spans a line break, so testing line by line answers as testing the joined text would.
const IS_DIFFUSION_FILE: FileFact<boolean> = { compute: (file) => file.lines.some((line) => DIFFUSION_FILE.test(line)) };

function allOrigins(call: CallFact): Set<string> {
  const origins = new Set<string>();
  for (const set of call.argOrigins) for (const o of set) origins.add(o);
  for (const set of Object.values(call.kwargOrigins)) for (const o of set) origins.add(o);
  return origins;
}

/** A call of a layer the class builds (`self.time_emb_proj(...)`, an inline `nn.Dense(d)(...)`), not of a method or a stored function. */
function isOwnLayerCall(cls: ModuleClass, call: CallFact): boolean {
  if (call.innerCall !== undefined) return true;
  return call.selfAttr !== undefined && submoduleNamed(cls, call.selfAttr) !== undefined;
}

function isEmbeddingCall(call: CallFact): boolean {
  if (EMBEDDING_FUNCTION.test(call.name)) return true;
  if (call.innerCall && [...call.innerCall.args, ...Object.values(call.innerCall.kwargs)].some((a) => EMBEDDING_FUNCTION.test(a))) return true;
  return call.selfAttr !== undefined && TIME_EMBEDDER.test(call.callee.replace(/^self\./, ''));
}

/** The denoiser: a time input runs through a timestep embedding, next to a data input. */
function embedsTimestep(cls: ModuleClass): Evidence[] {
  if (EMBEDDING_CLASS.test(cls.name ?? '')) return [];
  for (const call of cls.calls) {
    if (isConstructor(call.method) || !isEmbeddingCall(call)) continue;
    const origins = allOrigins(call);
    const timeInputs = [...origins].filter((o) => TIME_INPUT.test(o));
    if (timeInputs.length === 0) continue;
    const method = cls.methods.find((m) => m.name === call.method);
    // A denoiser also takes the data it denoises (functional models take it through another Input).
    const dataInputs = method ? method.params.filter((p) => p !== 'self' && !TIME_INPUT.test(p) && !/^(kwargs|args)$/.test(p)) : ['<input>'];
    if (dataInputs.length === 0) continue;
    return [evidence(call.line, `timestep ${timeInputs[0]} embedded`)];
  }
  return [];
}

/** Parameters of `method` that carry a timestep embedding; generic names (`emb`, `c`) only in a diffusion file. */
function embeddingParams(method: MethodFact, diffusionFile: () => boolean): string[] {
  return method.params.filter((p) => TIME_EMBEDDING_INPUT.test(p) || (GENERIC_EMBEDDING_INPUT.test(p) && diffusionFile()));
}

/** A block: projects the embedding with its own layer and injects it into its feature map. */
function consumesEmbedding(cls: ModuleClass, diffusionFile: () => boolean): Evidence[] {
  if (EMBEDDING_CLASS.test(cls.name ?? '')) return [];
  for (const method of cls.methods) {
    if (isConstructor(method.name)) continue;
    const embParams = new Set(embeddingParams(method, diffusionFile));
    if (embParams.size === 0) continue;
    const dataParams = method.params.filter((p) => p !== 'self' && !embParams.has(p) && !/^(kwargs|args|mask|attention_mask|training|deterministic)$/.test(p));
    if (dataParams.length === 0) continue;
    const calls = cls.calls.filter((c) => c.method === method.name);
    const mixes = (origins: Set<string>): boolean => [...origins].some((o) => embParams.has(o)) && dataParams.some((d) => origins.has(d));

    // Hands it to an adaptive norm with the feature map: `self.norm1(hidden_states, temb)` (AdaGroupNorm).
    const conditioned = calls.find((c) => c.selfAttr !== undefined && CONDITIONING_LAYER.test(submoduleNamed(cls, c.selfAttr)?.ctorName ?? '') && mixes(allOrigins(c)));
    if (conditioned && [...embParams].some((p) => TIME_EMBEDDING_INPUT.test(p))) return [evidence(conditioned.line, 'timestep embedding conditions the norm')];

    const projection = calls.find((c) => {
      if (!isOwnLayerCall(cls, c)) return false;
      const origins = allOrigins(c);
      return origins.size > 0 && [...origins].every((o) => embParams.has(o));
    });
    if (!projection) continue;
    // The projected embedding meets the feature map: added, scaled/shifted, or passed as scale_shift.
    const projected = derivedNames(cls, method.name, namesAssignedFrom(cls, method.name, new RegExp(`${escapeRegExp(projection.callee)}\\s*\\(`), [projection]));
    const combinations = [
      ...cls.assigns.filter((a) => a.method === method.name && mixes(a.origins) && /[+*]|modulate|scale|shift/.test(a.value)),
      ...calls.filter((c) => c !== projection && (isOwnLayerCall(cls, c) || /modulate|film/i.test(c.name)) && mixes(allOrigins(c)) && (Object.keys(c.kwargs).some((k) => /scale|shift|emb|cond/.test(k)) || /modulate|film/i.test(c.name))),
    ];
    const readsProjection = (fact: { line: number; reads?: string[]; args?: string[]; kwargs?: Record<string, string> }): boolean =>
      (fact.reads ?? [...(fact.args ?? []), ...Object.values(fact.kwargs ?? {})].flatMap(identifiersIn)).some((n) => projected.has(n));
    const combined = combinations.sort((a, b) => a.line - b.line).find(readsProjection) ?? combinations[0];
    if (combined) return [evidence(projection.line, 'projects the timestep embedding'), evidence(combined.line, 'injects it into the feature map')];
  }
  return [];
}

const diffusionTimestep: PatternDefinition = {
  id: 'diffusion-timestep',
  name: 'Diffusion timestep conditioning',
  recognize(original: ModuleClass, context: RecognizeContext) {
    const cls = computationView(original);
    const embeds = embedsTimestep(cls);
    if (embeds.length > 0) return match(0.85, embeds);
    // Asked lazily: only classes with a generic conditioning input depend on the file's answer.
    const consumes = consumesEmbedding(cls, () => context.fileFact(IS_DIFFUSION_FILE));
    if (consumes.length > 0) return match(0.8, consumes);
    return null;
  },
};

export default diffusionTimestep;
