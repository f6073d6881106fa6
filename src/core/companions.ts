import type { Framework, ModuleClass } from './model/types';

/**
 * The piece commonly paired with a pattern, and how to tell that a class lacks it. Offered as a
 * completion inside a class already recognized as the pattern.
 */
export interface Companion {
  pattern: string;
  label: string;
  /** Why it matters, one sentence. */
  reason: string;
  /** A corpus paper that explains it, when the corpus has one. */
  paper?: string;
  missing(cls: ModuleClass): boolean;
  /** Forward-method snippet per framework (VS Code snippet syntax). */
  snippets: Partial<Record<Framework, string>>;
}

function words(cls: ModuleClass, pattern: RegExp): boolean {
  for (const w of cls.words) if (pattern.test(w)) return true;
  return false;
}

export const COMPANIONS: Companion[] = [
  {
    pattern: 'mixture-of-experts',
    label: 'Load-balancing loss for the router',
    reason: 'Without an auxiliary balancing loss the router tends to collapse onto a few experts, wasting the others.',
    paper: 'moduleformer-learning-modular-large-language-models-from-uncurated-data',
    missing: (cls) => !words(cls, /aux|balanc|load_loss|lb_loss|z_loss|importance|load/i),
    snippets: {
      pytorch: 'probs = ${1:logits}.softmax(dim=-1)\ndensity = F.one_hot(probs.argmax(dim=-1), probs.shape[-1]).float().mean(dim=0)\nself.aux_loss = probs.shape[-1] * (density * probs.mean(dim=0)).sum()',
      flax: 'probs = jax.nn.softmax(${1:logits})\ndensity = jnp.mean(jax.nn.one_hot(jnp.argmax(probs, -1), probs.shape[-1]), axis=0)\nself.sow("intermediates", "aux_loss", probs.shape[-1] * jnp.sum(density * jnp.mean(probs, axis=0)))',
      keras: 'probs = keras.ops.softmax(${1:logits})\ndensity = keras.ops.mean(keras.ops.one_hot(keras.ops.argmax(probs, -1), probs.shape[-1]), axis=0)\nself.add_loss(probs.shape[-1] * keras.ops.sum(density * keras.ops.mean(probs, axis=0)))',
    },
  },
  {
    pattern: 'vae',
    label: 'KL divergence term',
    reason: 'The reparameterized sample only regularizes the latent space when the loss includes KL(q(z|x) ‖ N(0, I)).',
    missing: (cls) => !words(cls, /kl|kld|kullback|divergence/i),
    snippets: {
      pytorch: 'kl = -0.5 * torch.mean(torch.sum(1 + ${1:logvar} - ${2:mu}.pow(2) - ${1}.exp(), dim=-1))',
      flax: 'kl = -0.5 * jnp.mean(jnp.sum(1 + ${1:logvar} - ${2:mu} ** 2 - jnp.exp(${1}), axis=-1))',
      keras: 'self.add_loss(-0.5 * keras.ops.mean(keras.ops.sum(1 + ${1:z_log_var} - keras.ops.square(${2:z_mean}) - keras.ops.exp(${1}), axis=-1)))',
    },
  },
  {
    pattern: 'self-attention',
    label: 'Scale attention scores by 1/√d',
    reason: 'Unscaled dot products grow with the head width and push softmax into saturation, which slows and destabilizes training.',
    missing: (cls) =>
      cls.calls.some((c) => /^(softmax|matmul|einsum|bmm)$/.test(c.name)) &&
      !cls.calls.some((c) => /scaled_dot_product_attention|dot_product_attention/.test(c.name)) &&
      !words(cls, /scale|sqrt|rsqrt|temperature|norm_factor|inv_freq/i),
    snippets: {
      pytorch: '${1:scores} = ${1} / math.sqrt(${2:q}.shape[-1])',
      flax: '${1:scores} = ${1} / jnp.sqrt(${2:q}.shape[-1])',
      keras: '${1:scores} = ${1} / keras.ops.sqrt(keras.ops.cast(${2:q}.shape[-1], "float32"))',
    },
  },
  {
    pattern: 'patch-embedding',
    label: 'Position embedding for the patch tokens',
    reason: 'Patch tokens carry no position by themselves; without a position embedding the model sees the image as a bag of patches.',
    paper: 'what-do-vision-transformers-learn-a-visual-exploration',
    missing: (cls) => !words(cls, /pos|position|rope|rotary/i),
    snippets: {
      pytorch: '${1:x} = ${1} + self.${2:pos_embed}[:, : ${1}.shape[1]]',
      flax: '${1:x} = ${1} + self.param("${2:pos_embedding}", nn.initializers.normal(0.02), (1, ${1}.shape[1], ${1}.shape[2]))',
      keras: '${1:x} = ${1} + self.${2:pos_embed}(keras.ops.arange(${1}.shape[1]))',
    },
  },
  {
    pattern: 'residual-block',
    label: 'Normalization on the residual branch',
    reason: 'Deep residual stacks without normalization let activations grow with depth and train unstably; pre-norm is the usual fix.',
    missing: (cls) => !cls.submodules.some((s) => /Norm|BatchNorm|GroupNorm|RMSNorm|LayerNorm/.test(s.ctorName)) && !cls.calls.some((c) => /norm/i.test(c.name)),
    snippets: {
      pytorch: '${1:x} = ${1} + self.${2:branch}(self.${3:norm}(${1}))',
      flax: '${1:x} = ${1} + ${2:branch}(nn.LayerNorm()(${1}))',
      keras: '${1:x} = ${1} + self.${2:branch}(self.${3:norm}(${1}))',
    },
  },
];

/** The companions missing from a class that has the given patterns. */
export function missingCompanions(cls: ModuleClass, patterns: readonly string[]): Companion[] {
  return COMPANIONS.filter((c) => patterns.includes(c.pattern) && c.missing(cls));
}
