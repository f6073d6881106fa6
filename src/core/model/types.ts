/** The framework a module class is written for. */
export type Framework = 'pytorch' | 'flax' | 'keras' | 'equinox' | 'unknown';

/** A call expression seen in a method body, with the simple dataflow of its arguments. */
export interface CallFact {
  /** Callee as written, e.g. `self.to_q`, `torch.cat`, `F.scaled_dot_product_attention`, `nn.Dense(4)`. */
  callee: string;
  /** Last dotted name of the callee (`to_q`, `cat`, `scaled_dot_product_attention`); for `a(b)(c)` the inner callee's. */
  name: string;
  /** When the callee is `self.X...` (or a loop variable bound to `self.X`), X. */
  selfAttr?: string;
  /** For method chains like `x.softmax(-1)`, the receiver text (`x`). */
  receiver?: string;
  /** Positional argument texts. */
  args: string[];
  /** Keyword arguments, name to text. */
  kwargs: Record<string, string>;
  /** For each positional argument, the method inputs (parameters) its value derives from. */
  argOrigins: ReadonlySet<string>[];
  /** For each keyword argument, the method inputs its value derives from. */
  kwargOrigins: Record<string, ReadonlySet<string>>;
  /** Names this call's value is assigned to, when it is the right-hand side of an assignment. */
  assignedTo: string[];
  /** 1-based line. */
  line: number;
  /** Name of the method the call is in (null for module-level code of functional models). */
  method: string | null;
  /** For a call whose callee is itself a call (`nn.Dense(8)(x)`, flax/keras inline layers), the inner call's args. */
  innerCall?: { callee: string; name: string; args: string[]; kwargs: Record<string, string> };
}

/** An assignment in a method body. */
export interface AssignFact {
  /** Target texts, one per target (tuples are split): `x`, `self.scale`, `out[mask]`. */
  targets: string[];
  /** `=`, `+=`, `*=` ... */
  operator: string;
  /** Right-hand side text. */
  value: string;
  /** Identifiers read on the right-hand side (locals, parameters and globals; not attribute names). */
  reads: string[];
  /** Method inputs the value derives from. */
  origins: Set<string>;
  line: number;
  method: string | null;
}

/** A submodule (layer) built by a class: `self.gate = nn.Linear(d, n)` or a Flax inline `nn.Dense(4)`. */
export interface SubmoduleFact {
  /** Attribute name (`gate`), or the variable an inline layer's output is assigned to, or '' . */
  name: string;
  /** Constructor as written (`nn.Linear`). Empty for a plain list/tuple literal. */
  ctor: string;
  /** Last dotted name of the constructor (`Linear`, `ModuleList`, `list`). */
  ctorName: string;
  args: string[];
  kwargs: Record<string, string>;
  /** For containers (`ModuleList`, `Sequential`, `ModuleDict`, list literals and comprehensions), the elements. */
  elements: SubmoduleFact[];
  /** True when the elements come from a comprehension (`[Expert() for _ in range(n)]`) — a replicated set. */
  replicated: boolean;
  /** When replicated, the comprehension's iterable text (`range(num_experts)`). */
  replicatedOver?: string;
  /** True for a layer built inline inside a forward method (Flax `@nn.compact`, Keras functional). */
  inline: boolean;
  /** The whole right-hand side text. */
  text: string;
  line: number;
}

/** A parameter or buffer tensor: `nn.Parameter(torch.randn(e, d, h))`, `self.param(...)`, `add_weight`, `register_buffer`. */
export interface ParameterFact {
  name: string;
  kind: 'parameter' | 'buffer';
  /** Shape arguments when they can be read (`['num_experts', 'dim', 'hidden']`). */
  shape: string[];
  text: string;
  line: number;
}

/** A `for` loop in a method body. */
export interface LoopFact {
  target: string;
  iterable: string;
  line: number;
  /** Last line of the loop (the `for` statement's body, or the comprehension). */
  endLine?: number;
  method: string | null;
}

export interface MethodFact {
  name: string;
  params: string[];
  /** Default value texts of parameters that have one (`context` → `None`). */
  defaults?: Record<string, string>;
  decorators: string[];
  line: number;
  endLine: number;
}

/**
 * What ArchLens knows about one module class (or one Keras functional model): what it builds in its
 * constructor and what its forward computation calls, with enough dataflow to tell where values come from.
 */
export interface ModuleClass {
  /** Class name, or null for a Keras functional model built in a function or at module level. */
  name: string | null;
  /** For functional models, the enclosing function name, if any. */
  functionName?: string;
  bases: string[];
  framework: Framework;
  line: number;
  endLine: number;
  methods: MethodFact[];
  /** Class-level annotated fields (Flax / Equinox dataclass attributes): name to default text ('' when none). */
  fields: Record<string, string>;
  submodules: SubmoduleFact[];
  parameters: ParameterFact[];
  /** Calls in constructor methods (`__init__`, `setup`, `build`). */
  initCalls: CallFact[];
  /** Calls in all other methods (forward / __call__ / call and helpers). */
  calls: CallFact[];
  /** Assignments in all other methods. */
  assigns: AssignFact[];
  /** Assignments in constructor methods (including `self.x = ...`). */
  initAssigns: AssignFact[];
  loops: LoopFact[];
  /** Identifiers and attribute names anywhere in the class, for cheap keyword checks. */
  words: Set<string>;
  /** Identity of the class text as read (set for classes read from a class definition), for caches. */
  cacheKey?: string;
}

/** The result of reading one file: its module classes and pragmas. */
export interface FileModel {
  classes: ModuleClass[];
  /** Source lines (0-based index = line - 1), for evidence. */
  lines: string[];
  /** Whether the tree had syntax errors (findings still come from the parts that parse). */
  hasSyntaxErrors: boolean;
  /** Local names bound by the file's imports → dotted paths (`GCNConv` → `torch_geometric.nn.GCNConv`). */
  imports?: Map<string, string>;
}
