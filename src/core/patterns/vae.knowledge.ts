import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'An autoencoder whose encoder outputs a Gaussian (mean and log-variance) over the latent; a reparameterised sample is decoded, and training maximises the ELBO: reconstruction minus KL to a prior.',
  howItWorks:
    'The encoder maps x to the mean μ and log-variance log σ² of a diagonal Gaussian q(z|x), and the latent is drawn as z = μ + σ·ε with ε from N(0, I), so gradients flow through the sample (the reparameterisation trick). ' +
    'The decoder maps z to the parameters of p(x|z), and the loss adds the reconstruction term to the KL divergence from q(z|x) to the prior N(0, I), which has a closed form for Gaussians. ' +
    'To generate, z is drawn from the prior and decoded; to encode, μ alone is often used as a deterministic code.',
  pros: [
    'One forward pass to sample or encode: fixed, low latency compared with the tens to hundreds of network evaluations of diffusion sampling.',
    'A smooth, continuous latent space with an encoder: supports interpolation, representation learning, compression and ELBO-based anomaly scores.',
    'Stable training from a single likelihood-based objective, with no adversarial game, and a tractable lower bound on log-likelihood.',
    'A good compressor for other generators: latent diffusion denoises in a VAE latent 8× smaller per side, about 64× fewer positions per step.',
  ],
  cons: [
    'Blurry samples: a factorised Gaussian likelihood (MSE) averages over modes, so sample quality trails GANs and diffusion unless perceptual or adversarial losses are added.',
    'Posterior collapse: a strong (autoregressive) decoder can ignore z and drive the KL to zero; KL annealing, free bits or a weaker decoder are needed.',
    'The KL weight β trades reconstruction against latent regularity and must be tuned per data set; the diagonal-Gaussian prior rarely matches the aggregate posterior, leaving holes that decode poorly.',
    'Numerically touchy: an unclamped log-variance can overflow, and an early-dominating KL stalls learning.',
  ],
  alternatives: [
    { pattern: 'diffusion-timestep', name: 'Diffusion model', when: 'sample quality matters more than sampling speed; it is often run inside a VAE latent to cut cost.' },
    { name: 'Vector-quantised or residual-quantised VAE', when: 'discrete tokens are needed for an autoregressive or masked Transformer prior; Mogo\'s RVQ-VAE discretises motion so that one causal Transformer generates it [[mogo-rq-hierarchical-causal-transformer-for-high-quality-3d-human-motion]].' },
    { pattern: 'encoder-decoder', name: 'Deterministic autoencoder', when: 'only compression or features are needed, not sampling from a prior.' },
    { name: 'GAN or VAE-GAN', when: 'sharp one-pass samples matter and adversarial training instability is acceptable.' },
  ],
  papers: {
    queries: ['variational autoencoder', 'reparameterization trick latent', 'evidence lower bound KL divergence', 'latent variable generative model'],
    pins: [],
    blocks: ['mogo-rq-hierarchical-causal-transformer-for-high-quality-3d-human-motion'],
  },
};

export default card;
