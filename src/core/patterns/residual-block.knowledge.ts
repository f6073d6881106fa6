import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'An identity shortcut adds a block\'s input to its output (y = x + F(x)), so very deep stacks train because signal and gradient pass through unchanged.',
  howItWorks:
    'The block computes a body F (two or three convolutions, an MLP, attention or an SSM layer) and adds its input back, y = x + F(x), with a 1x1 convolution or linear projection on the shortcut where stride or width changes. ' +
    'Because the identity path carries activations and gradients through untouched, each block only learns a correction, and a block whose F is near zero behaves like the identity. ' +
    'Post-norm variants normalise or activate after the addition (original ResNet and Transformer), while pre-norm variants put the normalisation inside F and leave the residual stream clean, the usual choice for deep Transformers.',
  pros: [
    'Makes depth trainable: stacks of 100+ conv layers or dozens of Transformer layers converge where plain stacks of the same depth degrade.',
    'Nearly free: one elementwise addition per activation; parameters and FLOPs are those of the body, plus a 1x1 projection only where shapes change.',
    'Identity at initialisation (zero-init the last norm scale of F, ReZero, LayerScale) gives stable early training and tolerates larger learning rates.',
    'Body-agnostic and modular: works around conv, MLP, attention or SSM bodies, and blocks can be dropped (stochastic depth, layer pruning) or have adapters inserted on the residual stream.',
  ],
  cons: [
    'The shortcut tensor must stay alive until the addition: extra activation memory per block, and the branch limits operator fusion, which costs latency on memory-bound mobile and edge hardware.',
    'Shapes must match: downsampling or width changes need a projection shortcut (extra parameters and FLOPs), so the identity is broken at every stage boundary.',
    'Residual-stream variance grows with the number of blocks: post-norm deep stacks need warmup or careful init, while pre-norm stacks can leave late layers contributing little.',
    'Depth stays sequential: inference latency grows linearly with the number of blocks; residuals make depth trainable, not cheap.',
  ],
  alternatives: [
    { name: 'Dense connections (DenseNet-style, DenseSSM)', when: 'fine-grained features from shallow layers must reach deep ones; DenseSSM feeds shallow hidden states into deeper SSM layers, reports up to 5% accuracy over RetNet at similar size and keeps parallel training [[densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large]].' },
    { pattern: 'unet', name: 'U-Net long skips', when: 'the task is dense prediction and features of the same resolution on the way down must reach the way up (concatenation across the network rather than addition within a block).' },
    { name: 'Plain stack or re-parameterised block (RepVGG)', when: 'the network is shallow or latency on branch-unfriendly hardware dominates; re-parameterisation trains with residual branches and folds them into one conv for inference.' },
  ],
  papers: {
    queries: ['residual connection', 'skip connection identity shortcut', 'ResNet block', 'dense connections between layers', 'residual units'],
    pins: ['densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large', 'resunet-an-advanced-architecture-for-medical-image-segmentation'],
    blocks: [
      'graph-metanetworks-for-processing-diverse-neural-architectures',
      'balanced-mixture-of-supernets-for-learning-the-cnn-pooling-architecture',
      'improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid',
      'd-darts-distributed-differentiable-architecture-search',
      'smash-one-shot-model-architecture-search-through-hypernetworks',
    ],
  },
};

export default card;
