import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A differentiable architecture-search edge: every candidate operation runs on the input and their outputs are summed with softmax weights over learnable architecture parameters, and the strongest operation is kept after search.',
  howItWorks:
    'Each edge of a cell holds candidate operations (convolutions of several kernel sizes, pooling, skip, zero) and a vector of architecture parameters α, and outputs Σ softmax(α)_i · op_i(x). ' +
    'Network weights and α are trained together, usually by alternating steps on training and validation splits, a bilevel problem approximated with first- or second-order gradients. ' +
    'After search each mixed operation is discretised to its highest-weighted operation, and the derived cell is stacked deeper and retrained from scratch.',
  pros: [
    'Search costs about one supernet training (GPU-days) instead of the ~10^4 GPU-hours of conventional NAS [[proxylessnas-direct-neural-architecture-search-on-target-task-and-hardware]]; PC-DARTS searches CIFAR-10 in 0.1 GPU-days [[pc-darts-partial-channel-connections-for-memory-efficient-architecture-search]].',
    'Hardware cost enters the loss directly: a differentiable latency term cut latency by 20% at equal accuracy [[latency-aware-differentiable-neural-architecture-search]], and latency look-up tables keep searched models within microcontroller latency and peak-memory limits [[micronas-memory-and-latency-constrained-hardware-aware-neural-architecture]].',
    'Plain to implement: the search space is an ordinary module and α are ordinary parameters, so the same scheme has been used for CNN cells, Transformers and keyword spotting [[memory-efficient-differentiable-transformer-architecture-search]] [[neural-architecture-search-for-keyword-spotting]].',
  ],
  cons: [
    'Memory and compute grow linearly with the number of candidates, since every operation runs and keeps activations on every edge [[proxylessnas-direct-neural-architecture-search-on-target-task-and-hardware]]; remedies sample channels or paths or use reversible networks [[pc-darts-partial-channel-connections-for-memory-efficient-architecture-search]] [[memory-efficient-differentiable-transformer-architecture-search]].',
    'Unstable: long searches collapse towards parameter-free operations, skip-connections above all [[darts-improved-differentiable-architecture-search-with-early-stopping]], and solutions in regions of high validation-loss curvature generalise poorly [[understanding-and-robustifying-differentiable-architecture-search]]; early stopping or regularisation is needed.',
    'Discretisation gap: the weighted-sum supernet and the one-operation network differ, and the size of α need not reflect how much an operation contributes [[rethinking-architecture-selection-in-differentiable-nas]] [[small-temperature-is-all-you-need-for-differentiable-architecture-search]].',
    'Weight-sharing bias: operations co-adapt and the ones with fewer parameters learn first and win [[dropnas-grouped-operation-dropout-for-differentiable-architecture-search]]; shared weights distort the ranking of candidates, and on average searches do about as well as random selection [[evaluating-the-search-phase-of-neural-architecture-search]].',
    'A training-time scaffold: a mixed operation left in a deployed model costs the sum of all candidates at inference.',
  ],
  alternatives: [
    { pattern: 'mixture-of-experts', name: 'Mixture of experts', when: 'the choice between sub-networks should be made per token at inference rather than fixed once after search.' },
    { name: 'Single-path or sampled supernets (ProxylessNAS, BigNAS)', when: 'the candidate set is large or memory is tight: sampling paths keeps memory at the level of regular training [[proxylessnas-direct-neural-architecture-search-on-target-task-and-hardware]], and BigNAS trains shared weights whose child models need no retraining [[bignas-scaling-up-neural-architecture-search-with-big-single-stage-models]].' },
    { name: 'Predictor-based or evolutionary search', when: 'the space does not relax well into a weighted sum; a learned accuracy predictor is over 20× more sample-efficient than regularized evolution on NASBench-101 [[neural-predictor-for-neural-architecture-search]].' },
    { name: 'Hand-designed blocks with scaling rules', when: 'search compute is unavailable or the search space would only rediscover known blocks.' },
  ],
  papers: {
    queries: ['differentiable architecture search', 'DARTS', 'continuous relaxation architecture parameters', 'supernet weight sharing', 'candidate operations search cell'],
    pins: [
      'understanding-and-robustifying-differentiable-architecture-search',
      'rethinking-architecture-selection-in-differentiable-nas',
      'pc-darts-partial-channel-connections-for-memory-efficient-architecture-search',
      'proxylessnas-direct-neural-architecture-search-on-target-task-and-hardware',
    ],
    blocks: ['neural-architecture-search-via-combinatorial-multi-armed-bandit'],
  },
};

export default card;
