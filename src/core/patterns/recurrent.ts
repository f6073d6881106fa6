import { resolveDotted } from '../model/imports';
import type { CallFact, ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { evidence, match } from './_util';

/**
 * Recurrent layers over time: the class builds a library recurrent layer (`nn.LSTM`, `nn.GRU`,
 * Keras `LSTM`/`GRU`/`SimpleRNN`/`Bidirectional`, Flax `nn.RNN`, `nn.scan` over a cell) or a
 * library cell (`LSTMCell`, `GRUCell`), steps a cell over the time axis in a loop threading its
 * state, or is itself a hand-written cell: its forward takes an input and a hidden state, mixes
 * them, applies tanh (and usually sigmoid gates) and returns the new state.
 *
 * Also: a subclass of a library recurrent layer, a recurrent class picked by configuration
 * (`getattr(nn, rnn_type)(...)`), and a class wiring forward and backward passes of this file's
 * recurrent modules over a reversed sequence (bidirectional wrapper).
 *
 * Decisions:
 * - A hand-written cell computing one step counts ("LSTM, GRU, RNN cells"); so does a library cell
 *   used for node updates in a gated graph network (it is a GRU over propagation steps).
 * - A class holding a user-defined recurrent module (`self.encoder = EncoderRNN(...)`) does not.
 * - State-space models (Mamba selective scan, S4 recurrence), RWKV / linear-attention recurrences,
 *   transformer loops over layers and diffusion sampling loops are not recurrent layers.
 */

/** Library recurrent layers over a whole sequence. */
const SEQUENCE_LAYER = /^(LSTM|GRU|RNN|SimpleRNN|Bidirectional|ConvLSTM[123]D|CuDNNLSTM|CuDNNGRU|QRNN|SRU|IndRNN|TimeDistributedLSTM)$/;
/** Library single-step cells. */
const CELL_LAYER = /^(LSTMCell|GRUCell|RNNCell|SimpleRNNCell|OptimizedLSTMCell|ConvLSTMCell|MGUCell|SimpleCell|StackedRNNCells|SRUCell)$/;
const LIBRARY_PATH = /^(torch|tensorflow|tf|keras|flax|equinox|eqx|jax|haiku|hk|mxnet|paddle|torch_geometric|dgl)(\.|$)/;
/** Names of hidden-state inputs and outputs (`hidden_states` is the HF name of a layer's input, not a state). */
const STATE_NAME = /^(h|hx|hc|cx|c|h_\w{1,6}|h\d|c\d|c_\w{1,6}|h_?(prev|cur|tm1|last|old)\w*|prev_?h\w*|hidden|hiddens|hidden_state|hid|states?|\w+_state|carry|cell|cell_state|memory|mem|s_prev|hc_\w+)$/;
/** SSM vocabulary: their recurrent step is a state-space recurrence, not an RNN cell. */
const SSM_WORD = /^(A_log|dt_proj|x_proj|log_dt|selective_scan\w*|ssm_state|dA|deltaA|Lambda_bar|B_bar|inv_dt|dt_bias)$/;
const ATTENTION_CALL = /attention|attn|softmax/i;
/** Iterables that walk the time axis. */
const TIME_ITERABLE = [
  /\brange\(\s*(\d+\s*,\s*)?(\w+\.)?(size\(\s*-?[0-2]?\s*\)|shape\[\s*-?[0-2]\s*\])/,
  /\brange\(\s*(\d+\s*,\s*)?(seq_?len\w*|T|L|t|t_?max|max_?len\w*|time_?steps?|n_?steps|num_?steps|steps|trg_len|tgt_len|target_len\w*|length|len\(\s*\w+\s*\)|seq_?length|sequence_length|max_?length|n_?frames|num_?frames|max_seq_len|horizon|future|n_?future)\s*\)/,
  /\.unbind\(|\bunbind\(|\.split\(\s*1\b|\.chunk\(|^zip\(\s*\*|^reversed\(\s*range/,
];

const recurrent: PatternDefinition = {
  id: 'recurrent',
  name: 'Recurrent layers',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const imports = context.file.imports ?? new Map<string, string>();
    const constructorCalls = [...cls.initCalls, ...cls.calls];

    // 0. A subclass of a library recurrent layer (`class TorchGRU(nn.GRU)`, `class LSTM(RNN)` in Keras).
    const libraryBase = cls.bases.find((b) => (SEQUENCE_LAYER.test(b.split('.').pop() ?? '') || CELL_LAYER.test(b.split('.').pop() ?? '')) && !context.classesByName.has(b) && LIBRARY_PATH.test(resolveDotted(b, imports)));
    if (libraryBase) return match(0.85, [evidence(cls.line, `subclass of ${libraryBase}`)]);

    // 1. A library recurrent layer, or Flax nn.scan over a cell.
    const sequenceLayer = constructorCalls.find((c) => SEQUENCE_LAYER.test(c.name) && !c.innerCall && isLibrary(c, context, imports));
    if (sequenceLayer) return match(0.9, [evidence(sequenceLayer.line, `${sequenceLayer.name} layer`)]);
    const scanned = constructorCalls.find((c) => c.name === 'scan' && /Cell\b|LSTM|GRU/.test(c.args[0] ?? ''));
    if (scanned) return match(0.9, [evidence(scanned.line, 'cell scanned over time')]);

    const timeLoops = cls.loops.filter((l) => l.method !== null && !isConstructorName(l.method) && TIME_ITERABLE.some((re) => re.test(l.iterable.trim())));
    const scanMethod = cls.methods.find((m) => m.decorators.some((d) => /\bscan\b/.test(d)));
    const laxScan = cls.calls.find((c) => c.name === 'scan' && /^(jax\.lax|lax|jax|hk|nn)\b/.test(c.callee));

    // `self.rnn = self.rnn_cell(...)` / `getattr(nn, rnn_type)(...)`: a recurrent class chosen by configuration.
    const configured = cls.initCalls.find((c) => /^self\.\w*(rnn|cell)\w*$/i.test(c.callee) || (c.callee.startsWith('getattr(') && /rnn|cell|lstm|gru/i.test(c.callee)));
    if (configured && configured.assignedTo.some((t) => /rnn|lstm|gru|cell/i.test(t))) return match(0.75, [evidence(configured.line, 'recurrent layer class chosen by configuration')]);

    // 2. A library cell (stepped over time when a loop or scan is there).
    const cell = constructorCalls.find((c) => CELL_LAYER.test(c.name) && !c.innerCall && isLibrary(c, context, imports));
    if (cell) {
      const stepped = timeLoops.length > 0 || scanMethod !== undefined || laxScan !== undefined;
      return match(0.8, [evidence(cell.line, `${cell.name}`)], stepped ? 0.1 : 0);
    }

    const ssm = [...cls.words].some((w) => SSM_WORD.test(w)) || cls.parameters.some((p) => SSM_WORD.test(p.name));
    if (ssm) return null;

    // 3. Flax cell whose __call__ is lifted by nn.scan.
    if (scanMethod && /Cell|RNN|LSTM|GRU/.test(cls.name ?? '')) return match(0.8, [evidence(scanMethod.line, 'cell scanned over time')]);

    // 4. A cell (submodule or method) stepped over time with its state passed in at each step.
    const stepped = steppedOverTime(cls, timeLoops);
    if (stepped) return match(stepped.confidence, stepped.evidence);

    // 5. Bidirectional wiring: forward and backward runs of this file's recurrent modules over a reversed sequence.
    const bidirectional = bidirectionalWiring(cls, context);
    if (bidirectional) return bidirectional;

    // 6. A hand-written cell: one step from (input, state).
    const handWritten = handWrittenCell(cls);
    if (handWritten) return handWritten;
    return null;
  },
};

function isConstructorName(method: string): boolean {
  return /^(__init__|setup|build|__post_init__)$/.test(method);
}

/** Whether a constructor call builds a framework layer rather than a class of this project. */
function isLibrary(call: CallFact, context: RecognizeContext, imports: Map<string, string>): boolean {
  if (context.classesByName.has(call.name) && !call.callee.includes('.')) return false;
  const resolved = resolveDotted(call.callee, imports);
  if (LIBRARY_PATH.test(resolved)) return true;
  // Dotted framework aliases seen without their import (`nn.LSTM`, `layers.GRU`, `rnn.LSTMCell`).
  if (/^(nn|layers|keras\.layers|tf\.keras\.layers|eqx\.nn|hk|rnn|L)\./.test(call.callee)) return true;
  return false;
}

function steppedOverTime(cls: ModuleClass, timeLoops: ModuleClass['loops']): { confidence: number; evidence: Evidence[] } | null {
  for (const loop of timeLoops) {
    const end = loop.endLine ?? loop.line;
    for (const call of cls.calls) {
      if (call.method !== loop.method || call.line < loop.line || call.line > end) continue;
      // The stepped thing is a cell: `self.cell(...)`, `self.x.step(...)`, or a method of this class.
      const attr = call.selfAttr ?? '';
      const cellLike = /cell/i.test(attr) || /^self\.\w+\.step$/.test(call.callee) || (/^self\.\w+$/.test(call.callee) && cls.methods.some((m) => m.name === attr));
      if (!cellLike) continue;
      const stateIn = call.args.some((a) => a.split(/[^\w]+/).some((w) => STATE_NAME.test(w)));
      if (!stateIn) continue;
      return {
        confidence: 0.8,
        evidence: [evidence(loop.line, 'loop over time steps'), evidence(call.line, 'state threaded through each step')],
      };
    }
  }
  return null;
}

/** Classes whose parts are being checked (guards mutually nested modules). */
const visiting = new Set<ModuleClass>();

function bidirectionalWiring(cls: ModuleClass, context: RecognizeContext): ReturnType<PatternDefinition['recognize']> {
  const reverses = cls.calls.find((c) => /flip|reverse/i.test(c.name)) ?? cls.assigns.find((a) => /\[\s*::\s*-1\s*\]/.test(a.value));
  if (!reverses) return null;
  if (visiting.has(cls)) return null;
  visiting.add(cls);
  let recurrentParts;
  try {
    recurrentParts = cls.submodules.filter((s) => {
      const part = context.classesByName.get(s.ctorName);
      return part !== undefined && part !== cls && recurrent.recognize(part, context) !== null;
    });
  } finally {
    visiting.delete(cls);
  }
  if (recurrentParts.length < 2) return null;
  return match(0.7, [evidence(recurrentParts[0].line, 'forward and backward recurrent passes'), evidence(reverses.line, 'sequence reversed')]);
}

function handWrittenCell(cls: ModuleClass): ReturnType<PatternDefinition['recognize']> {
  if (cls.calls.some((c) => ATTENTION_CALL.test(c.name))) return null;
  const kerasCell = cls.initAssigns.find((a) => a.targets.includes('self.state_size'));
  if (kerasCell) return match(0.8, [evidence(kerasCell.line, 'RNN cell state size')]);
  for (const method of cls.methods) {
    if (isConstructorName(method.name)) continue;
    const params = method.params.filter((p) => p !== 'self' && p !== 'cls');
    const stateParams = params.filter((p) => STATE_NAME.test(p));
    const inputParams = params.filter((p) => !STATE_NAME.test(p) && !/mask|dropout|training|deterministic|train|kwargs|args/.test(p));
    if (stateParams.length === 0 || inputParams.length === 0) continue;
    const calls = cls.calls.filter((c) => c.method === method.name);
    const assigns = cls.assigns.filter((a) => a.method === method.name);
    const named = /Cell|RNN|LSTM|GRU/i.test(cls.name ?? '');
    // The state update squashes with tanh; a cell class may take its activation from configuration.
    const tanh = calls.find((c) => /^tanh$/.test(c.name)) ?? (named && /Cell$/.test(cls.name ?? '') ? calls.find((c) => c.selfAttr !== undefined && /activ|act$|nonlin/i.test(c.selfAttr)) : undefined);
    if (!tanh) continue;
    const mixes = (origins: ReadonlySet<string>) => stateParams.some((s) => origins.has(s)) && inputParams.some((i) => origins.has(i));
    const mixing = assigns.find((a) => mixes(a.origins)) ?? undefined;
    const mixingCall = mixing ? undefined : calls.find((c) => c.argOrigins.some((o) => mixes(o)) || c.argOrigins.length > 1 && stateParams.some((s) => c.argOrigins.some((o) => o.has(s))) && inputParams.some((i) => c.argOrigins.some((o) => o.has(i))));
    const mixLine = mixing?.line ?? mixingCall?.line;
    if (mixLine === undefined) continue;
    const gates = calls.some((c) => /^(sigmoid|hard_sigmoid)$/.test(c.name));
    return match(0.65, [evidence(mixLine, 'input and previous state combined'), evidence(tanh.line, gates ? 'sigmoid gates, tanh state' : 'tanh state update')], gates ? 0.1 : 0, named ? 0.1 : 0);
  }
  return null;
}

export default recurrent;
