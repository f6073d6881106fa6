import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'Parallel branches with different receptive fields (1x1, 3x3, 5x5, pooling) see the same input and are concatenated on channels, giving multi-scale features in one block.',
  howItWorks:
    'Each branch applies a different receptive field to the same input: a 1x1 conv, a 1x1 then 3x3, a 1x1 then 5x5 (or two stacked 3x3), and a 3x3 pooling followed by a 1x1. ' +
    'The 1x1 convolutions first reduce channels, so the large kernels run on a thin tensor and the block costs far less than one wide large-kernel convolution. ' +
    'The branch outputs keep the same spatial size and are concatenated along channels, letting the next layer combine scales.',
  pros: [
    'Multi-scale features at a single depth, useful when object sizes vary widely within the data.',
    'High accuracy per FLOP when built with 1x1 bottlenecks and factorised convolutions (5x5 as two 3x3, n×n as 1×n then n×1): Inception-v3 reaches 21.2% top-1 error on ImageNet at 5 billion multiply-adds with under 25M parameters [[rethinking-the-inception-architecture-for-computer-vision]].',
    'Width is split per branch, so the budget per scale can be re-balanced without changing the block\'s interface.',
  ],
  cons: [
    'Fragmented: many small convolutions, a pooling branch and a concat per block mean several kernel launches and low arithmetic intensity, so GPU latency is worse than the FLOP count suggests.',
    'Many hand-set hyperparameters (branch widths, kernel sizes, grid-reduction blocks per stage), which makes uniform scaling of depth and width awkward.',
    'The concat output width is the sum of branch widths; the next layer\'s input and the concat buffer grow with every branch added.',
    'Needs heavy regularisation to train well at scale; Inception-v3 pairs factorisation with aggressive regularisation [[rethinking-the-inception-architecture-for-computer-vision]] (label smoothing, auxiliary classifier).',
  ],
  alternatives: [
    { pattern: 'residual-block', name: 'Residual or ResNeXt block', when: 'a uniform, easily scaled block is preferred; ResNeXt keeps split-transform-merge with identical grouped branches, and Inception-ResNet adds shortcuts for faster convergence.' },
    { pattern: 'depthwise-separable', name: 'Depthwise-separable / mixed-kernel depthwise (MixConv)', when: 'the target is mobile FLOPs and parameters; several kernel sizes in one depthwise layer give multi-scale receptive fields cheaply.' },
    { pattern: 'nas-mixed-op', name: 'Searched multi-branch cell', when: 'the set of branches should be chosen from data rather than by hand.' },
    { name: 'Dilated pyramid (ASPP) or feature pyramid', when: 'dense prediction needs multi-scale context without extra downsampling.' },
  ],
  papers: {
    queries: ['inception module', 'factorized convolutions', 'multi-branch convolution', 'parallel kernels concatenated', 'multi-scale convolution'],
    pins: ['rethinking-the-inception-architecture-for-computer-vision'],
    blocks: ['eagan-efficient-two-stage-evolutionary-architecture-search-for-gans'],
  },
};

export default card;
