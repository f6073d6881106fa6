import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A denoising network conditioned on the diffusion timestep (noise level) through an embedding, sinusoidal features then an MLP, that is injected into every block.',
  howItWorks:
    'The scalar timestep t (or noise level σ) is mapped to sinusoidal features, as in Transformer position encodings, and a small MLP turns them into a vector temb. ' +
    'Each block receives temb, either projected and added to its hidden features (DDPM-style U-Nets) or used to predict a scale and shift for its normalisation (AdaGN, or adaLN in DiT), usually alongside text or class conditioning. ' +
    'The network predicts the noise, the clean sample or the velocity at that level, and sampling calls it once per step from high noise to low.',
  pros: [
    'One set of weights serves every noise level; the embedding tells each block how much noise to expect.',
    'Stable training with a regression loss at random timesteps, no adversarial game and good mode coverage; a diffusion formulation also stabilises long rollouts in latent PDE modelling compared with MSE training [[aroma-preserving-spatial-structure-for-latent-pde-modeling-with-local-neural]].',
    'Conditioning reuses the same injection path: class, text or camera pose embeddings join or sit beside temb, and plug-in modules can add a condition to a pretrained DiT while keeping its parameters [[cpa-camera-pose-awareness-diffusion-transformer-for-video-generation]].',
    'Backbone- and modality-agnostic: U-Net or Transformer denoisers for images and video, and encoder-decoder denoisers for text [[diffusia-a-spiral-interaction-architecture-for-encoder-decoder-text-diffusion]].',
  ],
  cons: [
    'Inference cost multiplies by the number of sampling steps (tens to hundreds of full network evaluations, doubled by classifier-free guidance); low latency needs few-step samplers or distillation.',
    'Denoisers are large and compress unevenly: quantisation sensitivity differs across layers, operations and block types, so low-bit deployment needs mixed precision (3.4 to 3.9-bit weights on PixArt, Hunyuan-DiT and SDXL) [[qua2sedimo-quantifiable-quantization-sensitivity-of-diffusion-models]]; activation ranges also shift with the timestep.',
    'Pixel-space cost grows with resolution (quadratically in side length for convolutions, faster for attention), so high-resolution models run in a VAE latent.',
    'Sensitive to the noise schedule, the prediction target (noise, clean sample, velocity) and the timestep weighting; a training and sampling schedule mismatch degrades samples.',
    'A new spatial condition usually needs an auxiliary module trained for each condition type, architecture and checkpoint (ControlNet), unless training-free guidance is used [[freecontrol-training-free-spatial-control-of-any-text-to-image-diffusion-model]].',
  ],
  alternatives: [
    { pattern: 'vae', name: 'VAE or GAN', when: 'one-pass sampling latency matters more than sample quality.' },
    { pattern: 'causal-decoder', name: 'Autoregressive Transformer over discrete tokens', when: 'streaming output or a shared language-model backbone is wanted; continuous data then needs a tokenizer such as an RVQ-VAE [[mogo-rq-hierarchical-causal-transformer-for-high-quality-3d-human-motion]].' },
    { name: 'Flow matching or consistency models', when: 'fewer sampling steps are needed; the same time-conditioned backbone is trained on straighter paths or distilled to one to a few steps.' },
  ],
  papers: {
    queries: ['diffusion model denoiser', 'timestep embedding', 'denoising diffusion', 'diffusion transformer', 'noise schedule sampling steps'],
    pins: ['qua2sedimo-quantifiable-quantization-sensitivity-of-diffusion-models', 'cpa-camera-pose-awareness-diffusion-transformer-for-video-generation'],
    blocks: [],
  },
};

export default card;
