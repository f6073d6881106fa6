import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'An image is cut into fixed-size patches and each patch is linearly projected to a token, so sequence models (ViT, MLP-Mixer) can process images.',
  howItWorks:
    'A convolution with kernel size and stride equal to the patch size P (equivalently, reshaping into P×P×C blocks and applying one linear layer) maps each non-overlapping patch to a d-dimensional vector. ' +
    'The H/P × W/P grid is flattened into a sequence of N = HW/P² tokens, a learned or fixed position embedding is added, and often a class token is prepended. ' +
    'The token sequence then goes through a generic token model (self-attention, token-mixing MLPs, state-space layers), which never sees pixels directly.',
  pros: [
    'Cheap and generic: one strided linear map turns images into tokens for any sequence architecture, and the same tokens can sit next to text tokens in one model.',
    'The patch size sets the cost of everything after it: N = HW/P² tokens, so doubling P cuts tokens 4× and quadratic attention cost about 16×.',
    'Patch tokens make masking natural: masked image modelling (dropping or masking patches and reconstructing them) is a strong self-supervised pretraining recipe, and its benefit has been traced to learning middle-order interactions among patches [[architecture-agnostic-masked-image-modeling-from-vit-back-to-cnn]].',
    'The resulting ViTs keep spatial information in all layers except the last, and depend far less on high-frequency image content than CNNs [[what-do-vision-transformers-learn-a-visual-exploration]].',
  ],
  cons: [
    'Token count grows linearly with pixel count (quadratically with side length), so high resolution or small patches make a quadratic-attention backbone expensive; dense prediction usually needs hierarchical or windowed variants.',
    'Little inductive bias (no locality or translation equivariance beyond the patch), so plain patch-embedding models need large pretraining sets or heavy augmentation and distillation to match CNNs on small data.',
    'Detail inside a patch is compressed into one vector; large patches hurt small objects and fine boundaries.',
    'Position embeddings are tied to the training grid: a new resolution needs interpolated embeddings and usually fine-tuning, and a fixed channel count (RGB) breaks on inputs with varying channels, which ChAda-ViT handles with inter-channel attention [[chada-vit-channel-adaptive-attention-for-joint-representation-learning-of]].',
    'Needs a regular grid; irregular meshes and point clouds call for an encoder that avoids patching [[aroma-preserving-spatial-structure-for-latent-pde-modeling-with-local-neural]].',
  ],
  alternatives: [
    { name: 'Convolutional stem (a few stride-2 convolutions)', when: 'training data is modest or optimisation is unstable; overlapping receptive fields add locality and usually stabilise ViT training.' },
    { pattern: 'depthwise-separable', name: 'CNN backbone', when: 'data is limited, the task is dense, or edge latency matters more than scaling.' },
    { pattern: 'cross-attention', name: 'Perceiver-style latents', when: 'inputs are very large or not on a regular grid and a fixed-size latent set should read them.' },
    { name: 'Discrete image tokenizer (VQ-VAE/VQGAN)', when: 'the model must also generate images as tokens in one vocabulary with text (Type D).' },
  ],
  multimodal:
    'A patch embedding that feeds image tokens straight into the same transformer as text is early fusion at the input [[the-evolution-of-multimodal-model-architectures]]: with continuous patch vectors (a linear projection or a ViT encoder plus projector) it is the non-tokenizing Type C, ' +
    'and when the patches are quantized by a discrete tokenizer into vocabulary ids it is Type D. A ViT whose output is read by a language model through cross-attention layers belongs instead to Type A.',
  papers: {
    queries: ['vision transformer', 'image patches tokens', 'ViT', 'masked image modeling', 'patch embedding'],
    pins: [
      'what-do-vision-transformers-learn-a-visual-exploration',
      'architecture-agnostic-masked-image-modeling-from-vit-back-to-cnn',
      'chada-vit-channel-adaptive-attention-for-joint-representation-learning-of',
      'mlp-mixer-an-all-mlp-architecture-for-vision',
    ],
    blocks: [
      'deepmad-mathematical-architecture-design-for-deep-convolutional-neural-network',
      'universal-image-restoration-pre-training-via-degradation-classification',
    ],
  },
};

export default card;
