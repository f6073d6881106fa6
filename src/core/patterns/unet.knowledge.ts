import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'An encoder downsamples to coarse, semantic features and a decoder upsamples back to full resolution, joining at each level the encoder feature map of the same resolution.',
  howItWorks:
    'The contracting path applies conv blocks and downsampling (pooling or strided conv) level by level, storing each level\'s output before the resolution halves. ' +
    'The expanding path upsamples (transposed conv, or interpolation then conv) and concatenates or adds the stored map of matching resolution before its own conv block. ' +
    'The long skips return the spatial detail the bottleneck discarded while the bottleneck contributes context from a large receptive field, so the output is a dense map at input resolution.',
  pros: [
    'Dense per-pixel output with both precise localisation and global context: the default for segmentation, image-to-image tasks and convolutional diffusion denoisers.',
    'Data-efficient: trains from hundreds of annotated images with augmentation, which is why it dominates medical imaging.',
    'Fully convolutional: any input size divisible by 2^levels works, and compute grows linearly with pixel count.',
    'The skip design is a tuning knob: nested dense skips with deep supervision (UNet++) gain 3.9 IoU points over U-Net on average [[unet-a-nested-u-net-architecture-for-medical-image-segmentation]], and ResUNet++ outperforms U-Net and ResUNet on polyp segmentation [[resunet-an-advanced-architecture-for-medical-image-segmentation]].',
  ],
  cons: [
    'Activation memory is dominated by the full-resolution levels and skips are held from the way down until the way up: memory grows with pixel count (4× per doubling of side length, worse in 3D), limiting batch size and resolution.',
    'Concatenated skips widen the decoder input and raise its FLOPs, and plain skips join encoder and decoder features separated by a semantic gap [[unet-a-nested-u-net-architecture-for-medical-image-segmentation]].',
    'Input sizes must be divisible by 2^levels or be padded and cropped; mismatched skip shapes are a common bug.',
    'Context is bounded by depth: long-range structure needs more levels or attention at low resolution, whose cost grows quadratically with the tokens there.',
    'Trained with pixel-wise losses it ignores topology and can output anatomically implausible shapes under domain shift or occlusion [[improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid]].',
  ],
  alternatives: [
    { pattern: 'encoder-decoder', name: 'Encoder-decoder without long skips (FCN, SegNet, plain autoencoder)', when: 'pixel-exact boundaries matter less than memory, or the output is not an image.' },
    { pattern: 'patch-embedding', name: 'Transformer backbone (DiT denoiser, ViT segmenter)', when: 'data and compute are large; diffusion denoisers are moving from convolutional U-Nets to Transformers [[qua2sedimo-quantifiable-quantization-sensitivity-of-diffusion-models]].' },
    { name: 'Graph-based decoder (HybridGNet)', when: 'outputs must respect shape or topology; decoding anatomy as a graph from conv features stays plausible where pixel models fail [[improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid]].' },
    { name: 'Feature pyramid heads (FPN)', when: 'detection or panoptic tasks need outputs at several scales rather than one full-resolution map.' },
  ],
  papers: {
    queries: ['U-Net', 'skip pathways encoder decoder segmentation', 'medical image segmentation', 'nested dense skip connections', 'U-Net denoiser'],
    pins: ['unet-a-nested-u-net-architecture-for-medical-image-segmentation', 'resunet-an-advanced-architecture-for-medical-image-segmentation'],
    blocks: [],
  },
};

export default card;
