import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'Alternating MLPs mix information across tokens (applied along the sequence axis) and across channels (applied per token), with no attention or convolution.',
  howItWorks:
    'The input is a fixed-length token table of shape N × C, in vision the patch embeddings of an image. ' +
    'A token-mixing MLP is applied to each channel column after transposing (sharing weights across channels) so every token sees every other, then a channel-mixing MLP is applied to each token row. ' +
    'Both sit in residual branches with layer normalisation, and a stack of such layers ends in global average pooling and a classifier head.',
  pros: [
    'Only dense matmuls, transposes and normalisation: simple to implement and well supported by every accelerator and compiler.',
    'Token mixing costs O(N · D_S · C) for a token-MLP width D_S, linear in the number of tokens rather than quadratic like attention over a comparable global receptive field.',
    'Competitive image classification with pre-training and inference cost comparable to state-of-the-art models when trained on large datasets or with modern regularisation [[mlp-mixer-an-all-mlp-architecture-for-vision]].',
  ],
  cons: [
    'The token-mixing weights have shape N × D_S, so the number of tokens (image resolution and patch size) is fixed; another resolution needs resizing the weights and retraining or fine-tuning, and variable-length or causal sequences do not fit without changes.',
    'Mixing weights are static, not content-dependent, and the model has little inductive bias; it needs large data or strong regularisation to match CNNs and ViTs [[mlp-mixer-an-all-mlp-architecture-for-vision]].',
    'Token-mixing parameters grow with N, and a single global layer gives no multi-scale features, so dense prediction (detection, segmentation) needs extra design.',
    'Much less tooling, pretrained checkpoints and follow-up work than ViTs or CNNs.',
  ],
  alternatives: [
    { pattern: 'self-attention', name: 'Vision Transformer', when: 'inputs vary in length or resolution, or content-dependent mixing is worth the quadratic cost.' },
    { pattern: 'depthwise-separable', name: 'Convolutional network (ConvMixer, MobileNet)', when: 'data is modest, resolution varies, or local inductive bias helps.' },
    { pattern: 'state-space', name: 'State-space model', when: 'the sequence is long or variable and linear cost in length is needed.' },
  ],
  papers: {
    queries: ['MLP-Mixer', 'all-MLP architecture', 'token-mixing', 'channel-mixing MLP'],
    pins: ['mlp-mixer-an-all-mlp-architecture-for-vision'],
    blocks: ['neural-scene-flow-prior'],
  },
};

export default card;
