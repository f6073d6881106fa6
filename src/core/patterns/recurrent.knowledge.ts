import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A cell (LSTM, GRU, vanilla RNN) is applied step by step over time, carrying a hidden state that summarises everything seen so far.',
  howItWorks:
    'At each time step the cell combines the current input with the previous hidden state through learned matrices and a nonlinearity, producing the new hidden state and an output. ' +
    'Gated cells (LSTM, GRU) use sigmoid gates to decide what to forget, write and expose, which keeps gradients alive over longer spans than a plain tanh RNN. ' +
    'Layers are stacked, optionally run in both directions (bidirectional) for non-streaming tasks, and trained with backpropagation through time, often truncated to a fixed window.',
  pros: [
    'Constant memory and compute per step at inference, independent of how long the stream has run: natural for streaming, online and on-device use with low latency.',
    'Handles variable-length sequences without padding to a maximum length or positional encodings; the order bias is built in.',
    'Compact, and often competitive on small and medium datasets where a Transformer would overfit.',
    'Still a strong choice for frame-level labelling of long signals: recurrent layers over learned SincNet filters beat the established LENA system by a large margin on day-long child-centred recordings [[an-open-source-voice-type-classifier-for-child-centered-daylong-recordings]].',
    'The cell design still matters: a searched recurrent cell beat the LSTM on Penn Treebank language modelling [[neural-architecture-search-with-reinforcement-learning]].',
  ],
  cons: [
    'Sequential in time: training cannot be parallelised across time steps, so GPU utilisation is poor and wall-clock time grows linearly with sequence length even with cuDNN kernels.',
    'Vanishing and exploding gradients limit effective memory to hundreds of steps at best; needs gating, gradient clipping and careful initialisation, and truncated BPTT cuts dependencies longer than the window.',
    'The fixed-size hidden state bottlenecks long-range information; attention-based models overtake RNNs as data and model size grow.',
    'Not always worth its cost: for forex forecasting, a specialised feed-forward network was reported to beat LSTM variants while using less time and memory [[off-the-shelf-neural-network-architectures-for-forex-time-series-prediction]].',
  ],
  alternatives: [
    { pattern: 'state-space', name: 'State-space model', when: 'you want recurrent, constant-memory inference but parallel training over long sequences.' },
    { pattern: 'self-attention', name: 'Transformer', when: 'data and compute are plentiful, sequences fit in the quadratic budget, and long-range accuracy matters more than streaming cost.' },
    { name: 'Temporal convolution (TCN)', when: 'a bounded receptive field is enough and parallel training matters.' },
    { pattern: 'causal-decoder', name: 'Decoder-only Transformer', when: 'the task is autoregressive generation at scale.' },
  ],
  papers: {
    queries: ['LSTM', 'recurrent neural network', 'recurrent layers', 'recurrent cell', 'time series'],
    pins: [
      'off-the-shelf-neural-network-architectures-for-forex-time-series-prediction',
      'an-open-source-voice-type-classifier-for-child-centered-daylong-recordings',
      'neural-architecture-search-with-reinforcement-learning',
    ],
    blocks: [
      'graphnas-graph-neural-architecture-search-with-reinforcement-learning',
      'understanding-neural-architecture-search-techniques',
    ],
  },
};

export default card;
