import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A learned linear dynamical system carries a fixed-size hidden state along the sequence (S4, Mamba), giving linear-time training and constant-memory inference.',
  howItWorks:
    'Each channel follows a continuous state equation h′ = A·h + B·x, y = C·h (+ D·x) that is discretised with a learned step size Δ, with A typically parameterised through log values (A_log) to stay stable. ' +
    'With fixed A, B, C (S4) the recurrence unrolls into a long convolution computed by FFT, while selective models (Mamba) make Δ, B and C depend on the input and compute the recurrence with a hardware-aware parallel scan. ' +
    'The SSM is wrapped in a block with an input projection, a short causal conv1d, a gating branch and an output projection, stacked with residual connections like a Transformer layer.',
  pros: [
    'Training cost grows linearly with sequence length (scan or FFT convolution) instead of quadratically as in attention, and stays parallel across the sequence unlike an RNN.',
    'Inference keeps a fixed-size state per layer, so memory and time per generated token do not grow with context: no KV cache, higher throughput for long generation and streaming.',
    'Lower computational complexity than Transformers with language-modelling quality close to them [[densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large]] [[cross-architecture-transfer-learning-for-linear-cost-inference-transformers]]; feeding shallow-layer hidden states into deeper layers keeps training parallel and inference efficient, and lifted RetNet by up to 5% accuracy [[densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large]].',
    'Suited to very long, continuous signals (audio, genomics, time series) where attention over all positions is unaffordable.',
  ],
  cons: [
    'The whole history is compressed into a fixed-size state, so exact recall, copying and in-context retrieval over long contexts are weaker than with attention; hybrids with a few attention layers are common.',
    'Quality has yet to fully rival Transformers of the same size [[densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large]], and switching from attention normally means pretraining from scratch; transferring the shared norms, MLPs and embeddings from a pretrained Transformer cut training time by up to 2.5× [[cross-architecture-transfer-learning-for-linear-cost-inference-transformers]].',
    'Speed depends on custom kernels (selective scan, FFT convolution); without them training is slow, and tooling, quantisation and serving support are less mature than for Transformers.',
    'Numerically delicate: discretisation, Δ initialisation and the parameterisation of A need care, and many fewer published recipes exist.',
  ],
  alternatives: [
    { pattern: 'self-attention', name: 'Self-attention', when: 'contexts are moderate, exact retrieval from the context matters, or you want to reuse the large ecosystem of pretrained Transformers.' },
    { pattern: 'recurrent', name: 'LSTM / GRU', when: 'the model is small, sequences are short and a nonlinear recurrence is enough; training is sequential though.' },
    { name: 'Linear attention / RetNet-style retention', when: 'you want recurrent inference with a formulation closer to attention.' },
    { name: 'Hybrid SSM + attention stack', when: 'you need long-context efficiency but also precise recall.' },
  ],
  papers: {
    queries: ['state space model', 'Mamba', 'selective scan', 'linear-cost inference', 'SSM'],
    pins: [
      'densemamba-state-space-models-with-dense-hidden-connection-for-efficient-large',
      'cross-architecture-transfer-learning-for-linear-cost-inference-transformers',
    ],
    blocks: [],
  },
};

export default card;
