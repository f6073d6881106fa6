import type { AssignFact, CallFact, ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { evidence, hasWord, identifiersIn, match } from './_util';
import { isConstructor } from './_generative';
import encoderDecoder from './encoder-decoder';

/**
 * Variational autoencoder: a latent is sampled with the reparameterization trick from a mean and a
 * (log-)variance the encoder produced: `eps * std + mu`, `z_mean + exp(0.5 * z_log_var) * epsilon`,
 * `Normal(mu, std).rsample()`, `DiagonalGaussianDistribution(moments).sample()`.
 *
 * Which classes have it: the class whose own methods compute the reparameterized sample (a VAE model with
 * `reparameterize`, an encoder that samples its own latent, a Keras `Sampling` layer), the class that calls
 * a reparameterize/sampling function or layer on a mean and a log-variance (Flax `reparameterize(rng, mean,
 * logvar)`, Keras `Sampling()([z_mean, z_log_var])`), and the VAE model that wires an encoder returning
 * mean and log-variance into a decoder.
 *
 * Not a VAE: a plain or Wasserstein autoencoder (no sampling), a VQ-VAE (quantization), an encoder that
 * only returns mean and log-variance, the diffusion posterior step `model_mean + exp(0.5 * log_var) * noise`
 * (a class with a noise schedule), noise injection and dropout.
 */

/** A name holding a Gaussian's mean. */
const MEAN_NAME = /^(mu|mus|mean|means|loc|z_?mean|z_?mu|q_?mu|q_?mean|post_?mean|latents?_mean|mean_\w+|mu_\w+|\w+_mu|\w+_mean|z\d_mu)$/i;
/** A name holding its spread: standard deviation, variance, or their logs. */
const SPREAD_NAME = /(std|sigma|scale|log_?var|logvar|logv|log_?sigma|log_?std|variance|^var$|_var$|^var_)/i;
/** A noise sample. */
const NOISE_NAME = /^(eps|epsilon|noise|e|z_?noise|normal_?noise|std_?normal|rand_?normal)$/i;
const NOISE_CALL = /\b(randn_like|randn|random_normal|standard_normal|normal_like|rand_like|normal)\s*\(|\brandom\.normal\s*\(|\.normal_\s*\(/;
/** Names of functions and layers that draw the reparameterized sample. */
const SAMPLER_NAME = /^_?(reparameteri[sz]e\w*|reparametri[sz]e\w*|reparam\w*|sample_z|sample_latents?|sampling|Sampling|sample_gaussian|gaussian_sample|SampleLayer|SamplingLayer)$/;
/** Distribution objects whose `sample`/`rsample` is a reparameterized draw. */
const GAUSSIAN_CTOR = /(DiagonalGaussian\w*|^Normal$|MultivariateNormal\w*|Independent|GaussianDistribution|MultivariateNormalDiag)$/;
/** A noise schedule: the class is a diffusion process, whose posterior step looks like reparameterization. */
const DIFFUSION_WORD = /^(alphas_cumprod|alphas_cumprod_prev|num_timesteps|timesteps|q_sample|p_sample|sqrt_alphas_cumprod|posterior_log_variance_clipped|noise_schedule|noise_scheduler|log_snr|alpha_bar|alphas_bar|marginal_prob|sde)$/;
/** Words that say the sample is an autoencoder's latent (not an RL policy's action or a score model's perturbation). */
const LATENT_CONTEXT = /^(latents?|latent_\w+|\w*_latents?|z_mean|z_mu|z_log_var|z_logvar|posterior|kl|kld|kl_\w+|\w*_kl|\w*_kld|kl_div\w*|decoder|decode|encoder|encode|prior)$/i;
/** The sampled value itself named as a latent: `z = ...`, `latents = ...`. */
const LATENT_TARGET = /^(z|z\d|z_\w+|latents?|latent_\w+|code)$/i;

function noiseNames(cls: ModuleClass, method: string | null): Set<string> {
  const names = new Set<string>();
  for (const assign of cls.assigns) {
    if (assign.method === method && NOISE_CALL.test(assign.value)) for (const t of assign.targets) names.add(t);
  }
  return names;
}

/** Locals holding `exp(0.5 * logvar)`-style spreads. */
function spreadNames(cls: ModuleClass, method: string | null): Set<string> {
  const names = new Set<string>();
  for (const assign of cls.assigns) {
    if (assign.method !== method) continue;
    if (assign.reads.some((r) => SPREAD_NAME.test(r)) || /\bexp\b|softplus|sqrt/.test(assign.value)) {
      for (const t of assign.targets) if (SPREAD_NAME.test(t)) names.add(t);
    }
  }
  return names;
}

/** `eps * std + mu` and its spellings: a mean plus a spread times noise. */
function reparameterizedSamples(cls: ModuleClass): AssignFact[] {
  const hits: AssignFact[] = [];
  const noiseByMethod = new Map<string | null, Set<string>>();
  const spreadByMethod = new Map<string | null, Set<string>>();
  for (const assign of cls.assigns) {
    if (isConstructor(assign.method)) continue;
    const additive = /[^+]\+[^+=]|\.add_?\(|addcmul/.test(` ${assign.value}`);
    const multiplies = /\*|\.mul_?\(|addcmul/.test(assign.value);
    if (!additive || !multiplies) continue;
    const ids = identifiersIn(assign.value);
    if (!ids.some((n) => MEAN_NAME.test(n))) continue;
    if (!noiseByMethod.has(assign.method)) noiseByMethod.set(assign.method, noiseNames(cls, assign.method));
    if (!spreadByMethod.has(assign.method)) spreadByMethod.set(assign.method, spreadNames(cls, assign.method));
    const noise = noiseByMethod.get(assign.method)!;
    const spreads = spreadByMethod.get(assign.method)!;
    const hasNoise = NOISE_CALL.test(assign.value) || ids.some((n) => noise.has(n) || NOISE_NAME.test(n));
    const hasSpread = ids.some((n) => SPREAD_NAME.test(n) || spreads.has(n)) || /\bexp\b/.test(assign.value);
    if (hasNoise && hasSpread) hits.push(assign);
  }
  return hits;
}

/** A call drawing the sample from a mean and a spread: `self.reparameterize(mu, logvar)`, `Sampling()([z_mean, z_log_var])`. */
function samplerCalls(cls: ModuleClass): CallFact[] {
  return cls.calls.filter((call) => {
    if (isConstructor(call.method)) return false;
    const innerArgs = call.innerCall ? [...call.innerCall.args, ...Object.values(call.innerCall.kwargs)] : [];
    const named = SAMPLER_NAME.test(call.name) || innerArgs.some((a) => SAMPLER_NAME.test(a));
    if (!named) return false;
    const ids = [...call.args, ...Object.values(call.kwargs)].flatMap(identifiersIn);
    return ids.some((n) => MEAN_NAME.test(n)) && ids.some((n) => SPREAD_NAME.test(n));
  });
}

/** `DiagonalGaussianDistribution(moments)` or `Normal(mu, std)` and a draw from it (`sample`/`rsample`). */
function distributionDraws(cls: ModuleClass): Evidence[] {
  const builds = cls.calls.find((c) => !isConstructor(c.method) && GAUSSIAN_CTOR.test(c.name) && /^[A-Z]/.test(c.name));
  const draw = cls.calls.find((c) => !isConstructor(c.method) && (c.name === 'rsample' || (c.name === 'sample' && /posterior|dist|latent|normal|gauss|q_z|qz/i.test(c.receiver ?? ''))));
  if (draw && (builds || /latent_dist|posterior/.test(draw.receiver ?? ''))) {
    const items = [evidence(draw.line, 'reparameterized draw from the posterior')];
    if (builds) items.unshift(evidence(builds.line, 'Gaussian posterior from the encoder output'));
    return items;
  }
  return [];
}

/** `-0.5 * sum(1 + logvar - mu**2 - exp(logvar))`: the Gaussian KL term. */
function klTerm(cls: ModuleClass): AssignFact | undefined {
  return cls.assigns.find((a) => {
    const ids = identifiersIn(a.value);
    return ids.some((n) => MEAN_NAME.test(n)) && ids.some((n) => SPREAD_NAME.test(n)) && /exp|\*\*\s*2|square|pow\(/.test(a.value) && /(^|[^\w.])1\s*\+|\+\s*1\b|-\s*1\b|kl/i.test(a.value + ' ' + a.targets.join(' '));
  });
}

const vae: PatternDefinition = {
  id: 'vae',
  name: 'Variational autoencoder',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    if (hasWord(cls, DIFFUSION_WORD)) return null;
    const latentContext = hasWord(cls, LATENT_CONTEXT) || /vae|variational|sampl|latent|posterior/i.test(cls.name ?? '');

    // A reparameterized sample counts when the class is about latents, or the sample is named as one
    // (`z = mu + eps * std` in a helper; `return z_mean + ... * epsilon` in a Keras Sampling layer).
    const samples = reparameterizedSamples(cls).filter(
      (a) => latentContext || a.targets.some((t) => LATENT_TARGET.test(t)) || identifiersIn(a.value).some((n) => /^(z_|latent)/i.test(n)) || SAMPLER_NAME.test(a.method ?? ''),
    );
    if (samples.length > 0) {
      const kl = klTerm(cls);
      const items = samples.slice(0, 3).map((a) => evidence(a.line, 'reparameterized sample: mean + std * noise'));
      if (kl) items.push(evidence(kl.line, 'KL term'));
      return match(0.85, items, kl ? 0.1 : 0);
    }

    const calls = samplerCalls(cls);
    if (calls.length > 0) {
      return match(0.8, calls.slice(0, 3).map((c) => evidence(c.line, 'latent sampled from mean and log-variance')), klTerm(cls) ? 0.1 : 0);
    }

    const draws = distributionDraws(cls);
    if (draws.length > 0 && latentContext) return match(0.75, draws, klTerm(cls) ? 0.1 : 0);

    // A VAE model whose encoder hands back mean, log-variance (and the sample) to a decoder.
    const wiring = encoderDecoder.recognize(cls, context);
    if (wiring) {
      const encoderOutputs = cls.calls.find((c) => c.assignedTo.some((t) => MEAN_NAME.test(t)) && c.assignedTo.some((t) => SPREAD_NAME.test(t)));
      const kl = klTerm(cls);
      if (encoderOutputs && kl) {
        return match(0.8, [evidence(encoderOutputs.line, 'encoder returns mean and log-variance'), evidence(kl.line, 'KL term'), ...wiring.evidence.slice(0, 2)]);
      }
      if (encoderOutputs && encoderOutputs.assignedTo.some((t) => /^z\w*$|latent/.test(t) && !MEAN_NAME.test(t) && !SPREAD_NAME.test(t))) {
        return match(0.7, [evidence(encoderOutputs.line, 'encoder returns mean, log-variance and the sample'), ...wiring.evidence.slice(0, 2)]);
      }
      // The encoder is a class of this file that draws the reparameterized sample itself.
      const sampler = samplingEncoder(cls, context);
      if (sampler) return match(0.75, [evidence(sampler.line, `${sampler.ctorName} samples the latent`), ...wiring.evidence.slice(0, 2)]);
    }
    return null;
  },
};

const visiting = new Set<ModuleClass>();
/** How many encoders deep a sampling encoder is looked for (a chain of thousands would be quadratic). */
const MAX_ENCODER_DEPTH = 8;

/** An encoder submodule built from a class of this file that itself has the VAE sampling step. */
function samplingEncoder(cls: ModuleClass, context: RecognizeContext): SubmoduleFact | undefined {
  if (visiting.has(cls) || visiting.size >= MAX_ENCODER_DEPTH) return undefined;
  visiting.add(cls);
  try {
    return cls.submodules.find((s) => {
      if (!/enc/i.test(s.name)) return false;
      const defined = context.classesByName.get(s.ctorName);
      return !!defined && defined !== cls && !!vae.recognize(defined, context);
    });
  } finally {
    visiting.delete(cls);
  }
}

export default vae;
