import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A learned router sends each token to a few of many expert networks, so parameters grow without growing per-token compute.',
  howItWorks:
    'A router (usually one linear layer) scores every expert for each token and keeps the top-k (k = 1 or 2). ' +
    'The chosen experts, typically feed-forward blocks, process only the tokens dispatched to them, and their outputs are summed weighted by the router scores. ' +
    'An auxiliary load-balancing loss keeps tokens spread across experts so none is starved or overloaded.',
  pros: [
    'Per-token FLOPs scale with k, not with the number of experts: capacity grows ~E/k times at roughly the cost of a dense layer of one expert.',
    'Higher throughput than a dense model of equal quality; ModuleFormer reports more than 2× [[moduleformer-learning-modular-large-language-models-from-uncurated-data]].',
    'Experts can be added, specialised by fine-tuning or pruned for deployment, which also eases continual learning [[moduleformer-learning-modular-large-language-models-from-uncurated-data]] [[domain-agnostic-neural-architecture-for-class-incremental-continual-learning-in]].',
  ],
  cons: [
    'Memory holds all E experts: parameter memory grows linearly with E even though compute does not.',
    'Routing is unstable without care: expert collapse and load imbalance need a balancing loss, capacity limits and often router z-loss or fp32 routers.',
    'Token dispatch costs all-to-all communication under expert parallelism; small batches waste capacity and latency varies with routing.',
    'Needs large, diverse data for experts to specialise; on small data a dense layer of equal FLOPs is usually as good.',
  ],
  alternatives: [
    { name: 'Dense feed-forward (or SwiGLU)', when: 'the model is small, the batch is small, or serving memory is the constraint.' },
    { pattern: 'nas-mixed-op', name: 'Differentiable architecture search', when: 'the choice between operations is fixed once after search rather than made per token.' },
    { name: 'Parameter-efficient adapters', when: 'the goal is task specialisation of a frozen model rather than more capacity.' },
  ],
  papers: {
    queries: ['mixture of experts', 'sparse experts routing', 'sparsely activated modules', 'load balancing experts'],
    pins: ['moduleformer-learning-modular-large-language-models-from-uncurated-data', 'domain-agnostic-neural-architecture-for-class-incremental-continual-learning-in'],
    blocks: ['balanced-mixture-of-supernets-for-learning-the-cnn-pooling-architecture'],
  },
};

export default card;
