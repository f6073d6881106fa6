import { resolveDotted } from '../model/imports';
import type { CallFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { evidence, firstSubmoduleNamed, match } from './_util';

/**
 * Graph message passing: node states aggregated over graph neighbours. Decided by any of
 * - a PyG `MessagePassing` subclass, or a `self.propagate(edge_index, ...)` call;
 * - a scatter / segment-sum / `index_add_` aggregation over edge indices (`senders`, `receivers`,
 *   `edge_index[1]`, `row`/`col`), as in hand-written MPNNs, jraph and Keras GNNs;
 * - a product of an adjacency matrix with node features (`torch.spmm(adj, support)`, `adj @ x`,
 *   attention masked by `adj` then `matmul`), as in Kipf's GCN and pyGAT;
 * - DGL message functions (`g.update_all`, `apply_edges`);
 * - a graph layer from a GNN library (PyG/DGL convs, `jraph.GraphNetwork`) built and run on the graph —
 *   like a block calling `nn.MultiheadAttention` performs attention.
 *
 * Hard negatives: sequence attention (no adjacency), `index_add_` combining MoE expert outputs,
 * `scatter_` into one-hot tensors, graph-level readout over `batch`, image convs, and a model that
 * only stacks user-defined graph layers of its own project (the layers have the pattern).
 */

const MESSAGE_PASSING_BASE = /(^|\.)MessagePassing$/;
const AGGREGATION_CALL = /^(scatter|scatter_add_?|scatter_sum|scatter_mean|scatter_max|scatter_min|scatter_softmax|scatter_reduce_?|segment_sum|segment_mean|segment_max|segment_min|segment_softmax|segment_coo|segment_csr|unsorted_segment_sum|unsorted_segment_mean|unsorted_segment_max|unsorted_segment_min|index_add_?|index_reduce_?|spmm|spmv|sparse_dense_matmul|special_spmm|propagate|aggregate|gspmm|gsddmm|edge_softmax)$/;
const MATMUL_CALL = /^(mm|matmul|bmm|spmm|sparse_dense_matmul|einsum|dot|special_spmm|SparseMM|apply)$/;
const DGL_CALL = /^(update_all|apply_edges|send_and_recv|pull|push|multi_update_all)$/;
/** Names of graph structure: edge lists and adjacency. */
const EDGE_NAME = /^(edge_index\w*|edge_indices|edges?|edge_list|senders|receivers|sender\w*|receiver\w*|row|col|src|dst|src_idx|dst_idx|source_idx|target_idx|pair_indices|neighbou?r_indices|neighbou?rs|node_indices|adj\w*|adjacency\w*|a_hat|norm_adj|laplacian|lap|edge_weight|edge_attr|edge_mask)$/i;
const ADJACENCY_NAME = /^(adj\w*|adjacency\w*|a_hat|a_norm|norm_adj|laplacian|lap|graph_adj|support_adj)$/i;
/** Names that may appear in an edge-index expression besides the indices themselves. */
const INDEX_HELPER = /^(torch|tf|jnp|np|jax|utils|num_nodes|N|n|size|dim|device|dtype|mask|i|j|k|idx|long|int|len|self|g|graph|data|batch_size)$/;
/** Library graph layers. */
const LIBRARY_GNN_PATH = /^(torch_geometric|dgl|jraph|spektral|tensorflow_gnn|tfgnn|torch_scatter|torch_sparse|graphnets|graph_nets|stellargraph|ogb)\b/;
const GNN_LAYER_NAME = /(Conv|GAT|GIN|SAGE|GCN|GraphNetwork|GraphConvolution|GraphNet|InteractionNetwork|DeepSets|RelationNetwork|MessagePassing|GNN|EdgeCNN|PNA|APPNP)/;
/** MoE and tokens: `index_add_` there combines expert outputs. */
const NOT_GRAPH_WORD = /^(experts?|router|num_experts|top_k|topk|expert_\w+)$/;

const messagePassing: PatternDefinition = {
  id: 'message-passing',
  name: 'Graph message passing',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const found: Evidence[] = [];
    const messageBase = cls.bases.find((b) => MESSAGE_PASSING_BASE.test(b));
    if (messageBase) found.push(evidence(cls.line, 'MessagePassing subclass'));
    const propagate = cls.calls.find((c) => c.callee === 'self.propagate' || c.callee === 'self.edge_updater');
    if (propagate) found.push(evidence(propagate.line, 'propagate over edges'));
    if (found.length > 0) return match(0.9, found);

    const graphWords = ![...cls.words].some((w) => NOT_GRAPH_WORD.test(w));
    const derived = graphDerivedNames(cls);

    // Scatter / segment aggregation indexed by edges.
    if (graphWords) {
      const aggregation = cls.calls.find((c) => AGGREGATION_CALL.test(c.name) && readsGraph(c, derived));
      if (aggregation) return match(0.85, [evidence(aggregation.line, `${aggregation.name} over edges`)]);
    }

    // Adjacency × node features.
    const product = adjacencyProduct(cls, derived);
    if (product) return match(0.85, [evidence(product, 'adjacency times node features')]);

    // DGL: `g.update_all(fn.copy_u('h', 'm'), fn.sum('m', 'h'))`.
    const dgl = cls.calls.find((c) => DGL_CALL.test(c.name) && c.receiver !== undefined && /^(g|graph|block|self\.g|self\.graph|\w*graph\w*)$/.test(c.receiver));
    if (dgl) return match(0.85, [evidence(dgl.line, `DGL ${dgl.name}`)]);

    // Library graph layers built and run on the graph.
    const library = libraryGraphLayer(cls, context);
    if (library) return match(0.75, library);
    return null;
  },
};

/** Locals and parameters that hold graph structure, including values derived from it in each method. */
function graphDerivedNames(cls: ModuleClass): Map<string, Set<string>> {
  const byMethod = new Map<string, Set<string>>();
  for (const method of cls.methods) {
    const names = new Set(method.params.filter((p) => EDGE_NAME.test(p)));
    const assigns = cls.assigns.filter((a) => a.method === method.name).sort((a, b) => a.line - b.line);
    for (const assign of assigns) {
      // Index bookkeeping only (`row, col = edge_index`, `src = edge_index[0]`, `edge = adj.nonzero().t()`):
      // node features computed by layers on the graph are not edge indices.
      const isIndex = (r: string) => names.has(r) || EDGE_NAME.test(r);
      const fromGraph = assign.reads.some(isIndex) && !/self\.\w+\s*\(/.test(assign.value) &&
        assign.reads.every((r) => isIndex(r) || INDEX_HELPER.test(r));
      for (const target of assign.targets) {
        if (!/^\w+$/.test(target)) continue;
        // `row, col = edge_index`, `senders = graph.senders`, `edge = adj.nonzero().t()`
        if (fromGraph || EDGE_NAME.test(target)) names.add(target);
      }
    }
    byMethod.set(method.name, names);
  }
  return byMethod;
}

function argIdentifiers(call: CallFact): string[] {
  return [...call.args, ...Object.values(call.kwargs), call.receiver ?? ''].flatMap((a) => a.match(/[A-Za-z_]\w*/g) ?? []);
}

function readsGraph(call: CallFact, derived: Map<string, Set<string>>): boolean {
  const names = derived.get(call.method ?? '') ?? new Set<string>();
  return argIdentifiers(call).some((w) => names.has(w) || EDGE_NAME.test(w));
}

/** Line of a matmul whose operand is (derived from) an adjacency matrix, or undefined. */
function adjacencyProduct(cls: ModuleClass, derived: Map<string, Set<string>>): number | undefined {
  const adjacencyDerived = new Map<string, Set<string>>();
  for (const method of cls.methods) {
    const names = new Set(method.params.filter((p) => ADJACENCY_NAME.test(p)));
    for (const assign of cls.assigns.filter((a) => a.method === method.name).sort((a, b) => a.line - b.line)) {
      if (assign.reads.some((r) => names.has(r) || ADJACENCY_NAME.test(r))) for (const t of assign.targets) if (/^\w+$/.test(t)) names.add(t);
    }
    adjacencyDerived.set(method.name, names);
  }
  const isAdjacency = (method: string | null, word: string) => ADJACENCY_NAME.test(word) || (adjacencyDerived.get(method ?? '')?.has(word) ?? false);
  for (const call of cls.calls) {
    if (!MATMUL_CALL.test(call.name)) continue;
    const operands = call.args.flatMap((a) => a.match(/[A-Za-z_]\w*/g) ?? []);
    if (call.receiver) operands.push(...(call.receiver.match(/[A-Za-z_]\w*/g) ?? []));
    // `self.special_spmm(edge, values, shape, h)`: a sparse product over the edge list.
    const edgeOperand = /spmm|sparse/i.test(call.name) && operands.some((w) => derived.get(call.method ?? '')?.has(w));
    if (operands.some((w) => isAdjacency(call.method, w)) || edgeOperand) return call.line;
  }
  for (const assign of cls.assigns) {
    if (!/[^@]@[^@=]/.test(assign.value)) continue;
    const operands = assign.value.split('@').flatMap((side) => side.match(/[A-Za-z_]\w*/g) ?? []);
    if (operands.some((w) => isAdjacency(assign.method, w))) return assign.line;
  }
  return undefined;
}

/** Graph layers of a GNN library built by the class and run on the graph structure. */
function libraryGraphLayer(cls: ModuleClass, context: RecognizeContext): Evidence[] | null {
  const imports = context.file.imports ?? new Map<string, string>();
  const isLibrary = (callee: string, name: string) =>
    !context.classesByName.has(name) && (LIBRARY_GNN_PATH.test(resolveDotted(callee, imports)) || /^(pyg_nn|gnn|geom_nn|dglnn|jraph|tfgnn)\./.test(callee));
  // Built anywhere (constructor, `init_conv` factory methods, Flax compact bodies).
  // `Conv = GATv2Conv if v2 else GATConv` then `Conv(in_channels, out_channels)` (PyG BasicGNN GAT).
  const libraryAliases = new Set(
    [...cls.assigns, ...cls.initAssigns]
      .filter((a) => a.targets.length === 1 && /^\w+$/.test(a.targets[0]) && a.reads.some((r) => GNN_LAYER_NAME.test(r) && isLibrary(r, r)))
      .map((a) => a.targets[0]),
  );
  const built = [...cls.initCalls, ...cls.calls].find(
    (c) => GNN_LAYER_NAME.test(c.name) && /^[A-Z]/.test(c.name) && (isLibrary(c.callee, c.name) || libraryAliases.has(c.callee)),
  );
  if (built) return [evidence(built.line, `${built.name} graph layer`)];
  // Injected or factory-built layers run on edge_index / adjacency (PyG BasicGNN, GPSConv).
  const userLayers = new Set(cls.submodules.filter((s) => context.classesByName.has(s.ctorName) || isUserImport(s.ctor, imports)).map((s) => s.name));
  // `block = InteractionBlock(...); self.interactions.append(block)`: a list of this project's layers.
  const userLocals = new Set(cls.initCalls.filter((c) => context.classesByName.has(c.name) || isUserImport(c.callee, imports)).flatMap((c) => c.assignedTo));
  for (const call of cls.initCalls) {
    const list = /^self\.(\w+)$/.exec(call.receiver ?? '')?.[1];
    if (call.name === 'append' && list && userLocals.has(call.args[0] ?? '')) userLayers.add(list);
  }
  const methods = new Set(cls.methods.map((m) => m.name));
  const run = cls.calls.find((c) => {
    if (c.selfAttr === undefined || userLayers.has(c.selfAttr) || methods.has(c.selfAttr)) return false;
    const layer = firstSubmoduleNamed(cls, c.selfAttr);
    if (layer && layer.elements.some((e) => context.classesByName.has(e.ctorName) || isUserImport(e.ctor, imports))) return false;
    if (layer && !/^(ModuleList|Sequential|ModuleDict|list)$/.test(layer.ctorName) && !GNN_LAYER_NAME.test(layer.ctorName)) return false;
    return c.args.slice(1).some((a) => /^(edge_index\w*|adj_t)$/.test(a.trim())) || Object.keys(c.kwargs).some((k) => /^edge_index$/.test(k));
  });
  if (run) return [evidence(run.line, 'graph layer run on edge_index')];
  return null;
}

/** A constructor imported from this project (relative or non-library module), not from a GNN library. */
function isUserImport(ctor: string, imports: Map<string, string>): boolean {
  const head = ctor.split('.')[0] ?? '';
  const path = imports.get(head);
  return path !== undefined && !LIBRARY_GNN_PATH.test(path) && !/^(torch|tensorflow|keras|flax|jax)\b/.test(path);
}

export default messagePassing;
