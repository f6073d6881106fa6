import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'Every position of a sequence attends to every other position of the same sequence, mixing information globally with content-dependent weights.',
  howItWorks:
    'One input is projected into queries, keys and values, split into heads of width d/h. ' +
    'Each head takes softmax(QKᵀ/√d_head) over all positions (optionally masked) and uses it to average the values, so every output is a data-dependent mix of the whole sequence. ' +
    'The heads are concatenated and projected back, and the block sits in a residual stream with normalisation and a position-wise MLP; order comes only from positional encodings.',
  pros: [
    'Any two positions interact in one layer, so long-range dependencies need no depth; the mixing weights depend on content rather than being fixed like a convolution or MLP-Mixer.',
    'Training is fully parallel over the sequence (a few large matmuls), which uses accelerators well and scales to very large models and datasets.',
    'Modality-agnostic: text tokens, image patches, audio frames and graph nodes all become tokens, so one block serves many inputs and extra modalities are extra tokens.',
    'Well understood and easy to extend: heads can be specialised, for example with extra heads that carry relational rather than object-level information [[disentangling-and-integrating-relational-and-sensory-information-in-transformer]].',
  ],
  cons: [
    'Compute grows as O(n²·d) with sequence length n; fused kernels (FlashAttention) bring score memory from O(n²) to O(n) but the quadratic compute remains, which dominates at long context and high image resolution.',
    'At inference the key/value cache grows linearly with context length, layers and batch, and decoding is bound by memory bandwidth rather than FLOPs.',
    'Weak inductive bias (no locality, no order without positional encodings) means more data or augmentation than a CNN or RNN to reach the same accuracy on small datasets.',
    'Spending global attention on local patterns is wasteful: GroupBERT adds a convolution module beside self-attention for local interactions and, with grouped feed-forward layers, beats BERT at fewer FLOPs and less time-to-train [[groupbert-enhanced-transformer-architecture-with-efficient-grouped-structures]].',
    'Efficient (linear or sparse) attention cuts the quadratic cost but tends to lose accuracy; mixing softmax and efficient attention in a searched architecture recovers much of it [[neural-architecture-search-on-efficient-transformers-and-beyond]].',
    'Deep attention stacks need care to train stably: pre-norm, learning-rate warm-up, and sometimes QK normalisation against attention-logit growth.',
  ],
  alternatives: [
    { pattern: 'state-space', name: 'State-space model', when: 'sequences are long and inference memory or latency must stay constant per token; the norms, MLPs and embeddings of a pretrained Transformer can be transferred to it instead of pretraining from scratch [[cross-architecture-transfer-learning-for-linear-cost-inference-transformers]].' },
    { pattern: 'cross-attention', name: 'Cross-attention to a small latent or query set', when: 'the input is very large and only a fixed-size summary or specific outputs are needed (Perceiver-style).' },
    { pattern: 'depthwise-separable', name: 'Convolution', when: 'interactions are mostly local, data is limited, or resolution is high; often combined with attention.' },
    { pattern: 'mlp-mixer', name: 'MLP-Mixer', when: 'the token count is fixed and static, hardware-friendly mixing is enough.' },
    { pattern: 'recurrent', name: 'Recurrent layers', when: 'a small streaming model with constant memory per step is more important than parallel training.' },
    { pattern: 'message-passing', name: 'Graph message passing', when: 'the interaction structure is a known sparse graph rather than all pairs.' },
  ],
  papers: {
    queries: ['self-attention', 'multi-head attention', 'softmax attention quadratic complexity', 'efficient transformer', 'attention heads'],
    pins: [
      'neural-architecture-search-on-efficient-transformers-and-beyond',
      'disentangling-and-integrating-relational-and-sensory-information-in-transformer',
      'groupbert-enhanced-transformer-architecture-with-efficient-grouped-structures',
      'cross-architecture-transfer-learning-for-linear-cost-inference-transformers',
    ],
    blocks: [
      'deepmad-mathematical-architecture-design-for-deep-convolutional-neural-network',
      'qua2sedimo-quantifiable-quantization-sensitivity-of-diffusion-models',
      'graph-metanetworks-for-processing-diverse-neural-architectures',
      'memory-efficient-differentiable-transformer-architecture-search',
    ],
  },
};

export default card;
