import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'Each node of a graph updates its features from messages aggregated over its neighbours (GCN, GAT, GIN, MPNN), so structure is used directly and cost follows the edge count.',
  howItWorks:
    'For every edge a message is computed from the sender features (and possibly receiver and edge features), for example a linear map, an attention-weighted value or an MLP. ' +
    'Messages are combined at each receiver with a permutation-invariant aggregation (sum, mean, max, or attention-weighted sum) implemented as a scatter or a sparse adjacency product. ' +
    'An update function merges the aggregate with the node state, and k stacked layers let information travel k hops before a node-, edge- or graph-level readout.',
  pros: [
    'Cost per layer is O(|E|·d + |V|·d²): linear in the number of edges, so sparse graphs with millions of nodes are tractable, unlike all-pairs attention.',
    'Permutation equivariant by construction and independent of graph size, so one model transfers to unseen graphs and node orderings.',
    'Encodes known relational structure or constraints directly; a graph decoder on top of a CNN encoder produced anatomically plausible segmentations where pixel models failed [[improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid]].',
    'Randomly initialised GNNs already carry expressive structure, which lets architecture choices be made without training, in linear time [[do-not-train-it-a-linear-neural-architecture-search-of-graph-neural-networks]].',
  ],
  cons: [
    'Depth is limited: repeated averaging over-smooths node features after a few layers and distant information is over-squashed through bottleneck nodes; the right message-passing depth has to be found per task [[rethinking-graph-neural-architecture-search-from-message-passing]].',
    'Standard message passing can distinguish no more graphs than the 1-WL test; higher expressiveness needs structural features, subgraph or higher-order models at extra cost.',
    'Sensitive to design choices: aggregation function and hidden size change accuracy markedly, and weight sharing across candidate GNNs can be unstable [[auto-gnn-neural-architecture-search-of-graph-neural-networks]].',
    'Irregular gather/scatter memory access uses accelerators poorly; mini-batching large graphs needs neighbour sampling or partitioning because receptive fields grow exponentially with depth.',
  ],
  alternatives: [
    { pattern: 'self-attention', name: 'Transformer / graph transformer', when: 'graphs are small, long-range interactions matter, or the graph is unknown; attention is message passing over the complete graph [[disentangling-and-integrating-relational-and-sensory-information-in-transformer]], at quadratic cost.' },
    { name: 'MLP on node features (plus precomputed propagated features)', when: 'the graph adds little beyond node features, or latency rules out neighbour gathering.' },
    { pattern: 'recurrent', name: 'Recurrent or sequence models', when: 'the "graph" is really a chain or sequence.' },
  ],
  papers: {
    queries: ['graph neural network', 'message passing', 'neighbor aggregation', 'GNN architecture', 'graph convolution'],
    pins: [
      'rethinking-graph-neural-architecture-search-from-message-passing',
      'auto-gnn-neural-architecture-search-of-graph-neural-networks',
      'a-survey-of-graph-neural-networks-for-social-recommender-systems',
      'improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid',
    ],
    blocks: [],
  },
};

export default card;
