import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A per-channel (depthwise) spatial convolution followed by a 1x1 (pointwise) convolution replaces a full convolution at a fraction of its cost; the inverted residual (MBConv) wraps it in an expand, depthwise, project block.',
  howItWorks:
    'A depthwise convolution (groups = channels) filters each channel spatially on its own, and a 1x1 pointwise convolution then mixes the channels. ' +
    'For a k×k convolution from C to C\' channels this cuts multiply-adds per pixel from k²·C·C\' to k²·C + C·C\', roughly a k²-fold saving (8–9× for 3x3) when C\' is large. ' +
    'Inverted residuals (MobileNetV2, MnasNet, EfficientNet) first expand channels with a 1x1 conv (typically 4–6×), run the depthwise conv in that wide space, project back with a linear 1x1 and add a shortcut, often with squeeze-and-excitation inside.',
  pros: [
    'Parameters and FLOPs drop by about k² against a full convolution of the same width, which is what lets ImageNet-class models run on phones and microcontrollers.',
    'Large kernels become cheap: depthwise cost grows with k² but only linearly in channels, so 5x5 or 7x7 kernels add receptive field at little cost.',
    'The standard building block of hardware-aware NAS, whose searched models beat hand-designed MobileNetV2 at equal or better accuracy: MnasNet is 1.8× faster with 0.5% higher top-1 on a Pixel phone [[mnasnet-platform-aware-neural-architecture-search-for-mobile]], FBNet-B 1.5× faster and 2.4× smaller [[fbnet-hardware-aware-efficient-convnet-design-via-differentiable-neural]].',
  ],
  cons: [
    'FLOPs overstate the speed-up: depthwise layers have low arithmetic intensity and are memory-bound, and FLOP count does not reliably reflect latency [[fbnet-hardware-aware-efficient-convnet-design-via-differentiable-neural]] [[mnasnet-platform-aware-neural-architecture-search-for-mobile]]; on GPUs a design built for the hardware is reported up to 6.4× faster than EfficientNet [[neural-architecture-design-for-gpu-efficient-networks]].',
    'Inverted residuals expand channels 4–6×, so activation memory (and peak memory on microcontrollers) is high relative to FLOPs and parameters.',
    'Less capacity per layer: networks compensate with more width, depth or expansion, and compact models are recipe-sensitive; searching the training recipe jointly lets FBNetV3 match EfficientNet with up to 2× fewer FLOPs [[fbnetv3-joint-architecture-recipe-search-using-predictor-pretraining]].',
    'Depthwise weights have widely varying per-channel ranges, so int8 deployment needs per-channel quantisation or quantisation-aware training.',
  ],
  alternatives: [
    { name: 'Full convolution or fused MBConv', when: 'running on GPUs or TPUs, or in early high-resolution stages, where a dense 3x3 convolution is faster in wall-clock time despite more FLOPs.' },
    { name: 'Grouped convolution (ResNeXt, ShuffleNet)', when: 'a middle ground is wanted: better hardware utilisation than groups = channels while still cutting FLOPs; grouped transforms also cut the cost of dense feed-forward layers in Transformers [[groupbert-enhanced-transformer-architecture-with-efficient-grouped-structures]].' },
    { pattern: 'squeeze-excitation', name: 'MBConv with squeeze-and-excitation', when: 'accuracy per FLOP matters more than latency; the gate adds channel attention for a small fraction of the block\'s FLOPs.' },
    { pattern: 'patch-embedding', name: 'Efficient vision Transformer', when: 'data and compute are large; TurboViT reports 3.4× fewer FLOPs than MobileViT2-2.0 at 0.9% higher accuracy [[turbovit-generating-fast-vision-transformers-via-generative-architecture-search]].' },
  ],
  papers: {
    queries: ['depthwise separable convolution', 'mobile efficient convnet', 'inverted residual MobileNet', 'hardware-aware latency mobile', 'efficient CNN architecture design'],
    pins: [
      'mnasnet-platform-aware-neural-architecture-search-for-mobile',
      'fbnet-hardware-aware-efficient-convnet-design-via-differentiable-neural',
      'proxylessnas-direct-neural-architecture-search-on-target-task-and-hardware',
      'neural-architecture-design-for-gpu-efficient-networks',
    ],
    blocks: [],
  },
};

export default card;
