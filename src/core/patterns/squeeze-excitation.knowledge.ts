import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A cheap channel-attention gate: global pooling squeezes each channel to one number, a bottleneck MLP with a sigmoid turns these into per-channel weights, and the feature map is rescaled by them.',
  howItWorks:
    'Squeeze: global average pooling reduces a C×H×W feature map to a C-vector of channel statistics. ' +
    'Excitation: two small fully connected (or 1x1 conv) layers with a reduction ratio r (typically 4–16) and a ReLU or SiLU between them, followed by a sigmoid, produce one weight in (0, 1) per channel. ' +
    'The input is multiplied channel-wise by these weights, usually on the residual branch before the addition, so every channel is reweighted using context from the whole image.',
  pros: [
    'Small cost for a steady gain: on ResNet-50 it adds about 10% parameters and well under 1% FLOPs for roughly 1.5 points of ImageNet top-1 (original SE results).',
    'Global context at every stage, which local convolutions lack.',
    'Drop-in: keeps tensor shapes, so it fits residual, Inception and inverted-residual blocks; it is standard inside MBConv (MnasNet, EfficientNet).',
    'The gate MLP\'s parameters and FLOPs do not depend on resolution; only the pooling scales with H×W.',
  ],
  cons: [
    'Adds latency beyond its FLOPs: the pooling needs the whole feature map before the rescale can start, and pool, MLP and multiply are memory-bound small ops; MobileNetV3 keeps SE only in some stages and uses a hard-sigmoid for this reason.',
    'Parameters grow as 2C²/r, so the late, wide stages account for most of the added parameters; r trades that against accuracy.',
    'Channel-only: averaging discards where a feature fired, so spatial attention needs another module (CBAM, coordinate attention).',
    'The gate is tied to a fixed channel count and order, so inputs whose channels vary in number or meaning need a different mechanism.',
  ],
  alternatives: [
    { name: 'ECA (1-D conv over pooled channels)', when: 'the bottleneck MLP\'s parameters matter; ECA keeps the gate with a k-sized 1-D convolution and no dimensionality reduction.' },
    { name: 'CBAM or coordinate attention', when: 'where a feature fires matters as well as which channel.' },
    { pattern: 'self-attention', name: 'Inter-channel attention over channel tokens', when: 'channels differ in number, order or meaning across inputs; ChAda-ViT attends across per-channel tokens of microscopy images with 1 to 10 channels [[chada-vit-channel-adaptive-attention-for-joint-representation-learning-of]].' },
    { pattern: 'depthwise-separable', name: 'Plain MBConv without SE', when: 'mobile or GPU latency matters more than the last accuracy point.' },
  ],
  papers: {
    queries: ['squeeze and excitation', 'channel attention', 'channel-wise gating', 'feature recalibration'],
    pins: [],
    blocks: ['chada-vit-channel-adaptive-attention-for-joint-representation-learning-of'],
  },
};

export default card;
