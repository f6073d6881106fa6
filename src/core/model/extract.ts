import type { Tree } from 'web-tree-sitter';
import { importBindings, resolveDotted, type ImportMap } from './imports';
import { SyntaxTree, type SyntaxNode } from './syntax';
import type {
  AssignFact,
  CallFact,
  FileModel,
  Framework,
  LoopFact,
  MethodFact,
  ModuleClass,
  SubmoduleFact,
} from './types';

/** Methods that build a module's layers and weights, per framework. */
const CONSTRUCTOR_METHODS = new Set(['__init__', 'setup', 'build', '__post_init__']);
/** Methods that run a module's computation. */
const FORWARD_METHODS = new Set(['forward', '__call__', 'call']);
/** Containers whose elements are the submodules. */
const CONTAINERS = new Set(['ModuleList', 'Sequential', 'ModuleDict', 'ParameterList', 'ParameterDict', 'list', 'tuple', 'dict']);

/** Resolved base-class prefixes that make a class a module, and the framework each means. */
const MODULE_BASE_PREFIXES: Array<[string, Framework]> = [
  ['torch.nn.', 'pytorch'],
  ['flax.linen.', 'flax'],
  ['flax.nnx.', 'flax'],
  ['equinox.', 'equinox'],
  ['tensorflow.keras.', 'keras'],
  ['tf.keras.', 'keras'],
  ['keras.', 'keras'],
  ['torch_geometric.nn.', 'pytorch'],
  ['pytorch_lightning.', 'pytorch'],
  ['lightning.', 'pytorch'],
];

/** Base names from libraries that wrap a framework's module class (seen without their import path). */
const WRAPPER_BASE_NAME = /(Module|Layer|Model|Net|Network|MessagePassing|Mixin|Block|Cell|Conv|Attention|Encoder|Decoder|MoE|Moe|Backbone)$/;

/**
 * Builds the module-class model of a parsed Python file.
 *
 * @example
 *   const model = extractFileModel(tree, text);
 *   model.classes.map((c) => c.name); // ['SparseMoE', 'Expert']
 */
/**
 * Module classes already read, by class text (and the framework it was read for), so an edited file
 * re-reads only the classes whose text changed. Entries remember the line they were read at.
 */
export type ClassModelCache = Map<string, { model: ModuleClass | null; line: number }>;

/**
 * False only when no class of `text` can be a module class and no functional model can be read, so the
 * file need not be parsed for findings. Every way `extractFileModel` finds a model needs one of these words
 * in the text: a framework import (the import map's paths are texts of the file), a framework base written
 * out (`torch.nn.Module`, `tf.keras.Model`, `eqx.Module`), or a bare `nn.Module` base; same-file
 * subclasses need one of those at the root.
 */
export function mayHoldModel(text: string): boolean {
  return /torch|flax|equinox|eqx|keras|tensorflow|lightning|nn\.Module|\btf\b/.test(text);
}

/**
 * What an analysis takes over from the previous one across the one edit since: the previous classes' cache
 * keys by start offset (a class wholly before or after the edit has the text it had, so its key is taken
 * over without slicing and hashing its text again) and its module-level statements. `next` and
 * `nextStatements` receive this analysis's.
 */
export interface EditReuse {
  previous?: ReadonlyMap<number, ClassKeyRecord>;
  edit?: {
    startIndex: number;
    oldEndIndex: number;
    newEndIndex: number;
    oldEndPosition?: { row: number; column: number };
    newEndPosition?: { row: number; column: number };
  };
  next?: Map<number, ClassKeyRecord>;
  /** The previous analysis's module-level statements (see `TopLevelStatement`), taken over where the edit left them. */
  previousStatements?: readonly TopLevelStatement[];
  /** Where the new tree's syntax differs from the old one's (`Tree.getChangedRanges`), in new offsets. */
  changedRanges?: ReadonlyArray<{ startIndex: number; endIndex: number }>;
  nextStatements?: TopLevelStatement[];
}

interface ClassKeyRecord {
  endIndex: number;
  /** The framework part of the key. */
  prefix: string;
  key: string;
}

export function extractFileModel(
  tree: Tree,
  text: string,
  cache?: ClassModelCache,
  work?: { statementsRead: number; classesRead: number },
  reuse?: EditReuse,
  /** `splitLines(text)`, when the caller already has it. */
  lines?: string[],
): FileModel {
  // Every node property read goes through one read-once view of the tree (see SyntaxNode).
  const syntax = new SyntaxTree();
  const root = syntax.wrap(tree.rootNode);
  const nodes = new Map<ClassHeader, SyntaxNode>();
  const read = (statement: SyntaxNode): TopLevelStatement => {
    if (work) work.statementsRead++;
    return readStatement(statement, nodes);
  };
  const statements = topLevelStatements(tree, syntax, root, read, reuse);
  if (reuse) reuse.nextStatements = statements;
  const imports = importMapOf(statements);
  const fileFramework = frameworkOfImports(imports);
  const headers = statements.flatMap((statement) => statement.classes);

  // A class is a module when a base resolves into a framework, or is a module class of this file.
  const moduleClassNames = new Map<string, Framework>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const header of headers) {
      if (moduleClassNames.has(header.name)) continue;
      const framework = frameworkOfBases(header.bases, imports, moduleClassNames, fileFramework);
      if (framework) {
        moduleClassNames.set(header.name, framework);
        changed = true;
      }
    }
  }

  const classes: ModuleClass[] = [];
  const seenKeys = new Set<string>();
  const nextKeys = reuse ? (reuse.next = new Map()) : undefined;
  for (const header of headers) {
    let framework = moduleClassNames.get(header.name);
    // Reading a class body is the costly part: only for module classes, and for classes of a file that
    // imports a framework and define a forward method (their base may come from another file).
    if (!framework && (fileFramework === 'unknown' || !header.definesForward)) continue;
    const prefix = framework ?? `?${fileFramework}`;
    const { startIndex, endIndex } = header;
    const key = reusedKey(reuse, startIndex, endIndex, prefix) ?? `${prefix}\u0000${text.slice(startIndex, endIndex)}`;
    nextKeys?.set(startIndex, { endIndex, prefix, key });
    seenKeys.add(key);
    const cached = cache?.get(key);
    if (cached) {
      if (cached.model) {
        const at = header.row + 1;
        const model = shiftLines(cached.model, at - cached.line);
        // The moved copy replaces the entry, so later edits reuse it as is instead of copying the class again.
        if (model !== cached.model) cache!.set(key, { model, line: at });
        classes.push(model);
      }
      continue;
    }
    const model = buildClass(nodes.get(header) ?? classNodeOf(root, header), header.name, header.bases, framework ?? fileFramework, imports);
    if (work) work.classesRead++;
    // Classes with an unknown base (imported from elsewhere) count when they look like modules:
    // a forward method plus layers built in the constructor.
    if (!framework && looksLikeModule(model)) framework = fileFramework;
    if (framework) {
      model.framework = framework;
      model.cacheKey = key;
      classes.push(model);
    }
    cache?.set(key, { model: framework ? model : null, line: model.line });
  }
  if (cache) for (const key of cache.keys()) if (!seenKeys.has(key)) cache.delete(key);
  classes.push(...extractFunctionalModels(root, imports, fileFramework));
  // PyTorch builder functions (see builderOf).
  if (fileFramework === 'pytorch') for (const statement of statements) if (statement.builder) classes.push(statement.builder);
  return { classes, lines: lines ?? splitLines(text), hasSyntaxErrors: root.hasError, imports };
}

/** Source lines as editors count them (`\r\n`, `\r` and `\n` end a line). */
export function splitLines(text: string): string[] {
  // Most files have no `\r`: splitting on a string is several times faster than on a pattern.
  return text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
}

/**
 * What the file-level walk reads from one statement at module level: its imports (also inside `if`/`try`
 * blocks), the headers of the classes in it (nested ones too) and the PyTorch builder function it defines.
 * None of it depends on the rest of the file, so after an edit a statement the edit did not touch is taken
 * over from the last analysis, moved, instead of being read again.
 */
export interface TopLevelStatement {
  startIndex: number;
  endIndex: number;
  /** Import statements in source order, each with the names it binds, in order. */
  imports: Array<Array<[local: string, path: string]>>;
  /** Class definitions in source order. */
  classes: ClassHeader[];
  /** The model of the builder function this statement defines, if it is one (see `builderOf`). */
  builder: ModuleClass | undefined;
}

/** A class definition's header: where it is, its name and bases, and whether it defines a forward method. */
interface ClassHeader {
  startIndex: number;
  endIndex: number;
  /** 0-based row of its first line. */
  row: number;
  name: string;
  bases: string[];
  definesForward: boolean;
}

/**
 * The module's statements, read or taken over. After one edit, tree-sitter's changed ranges and the edit
 * bound the region whose text or syntax may differ: statements wholly before it are the last analysis's,
 * statements wholly after it are the last analysis's moved by the edit, and only the statements in between
 * are read (found with a tree cursor, so the untouched ones are not even made into nodes).
 */
function topLevelStatements(tree: Tree, syntax: SyntaxTree, root: SyntaxNode, read: (statement: SyntaxNode) => TopLevelStatement, reuse?: EditReuse): TopLevelStatement[] {
  const edit = reuse?.edit;
  const changedRanges = reuse?.changedRanges;
  const previous = reuse?.previousStatements;
  const readAll = () => root.namedChildren.map(read);
  if (!edit?.oldEndPosition || !edit.newEndPosition || !changedRanges || !previous) return readAll();
  const delta = edit.newEndIndex - edit.oldEndIndex;
  const rows = edit.newEndPosition.row - edit.oldEndPosition.row;
  let dirtyFrom = edit.startIndex;
  let dirtyTo = edit.newEndIndex;
  for (const range of changedRanges) {
    dirtyFrom = Math.min(dirtyFrom, range.startIndex);
    dirtyTo = Math.max(dirtyTo, range.endIndex);
  }
  const statements: TopLevelStatement[] = [];
  // Touching counts as overlapping: a statement that ends where the edit starts may have grown.
  let old = 0;
  while (old < previous.length && previous[old].endIndex < dirtyFrom) statements.push(previous[old++]);
  const cursor = tree.rootNode.walk();
  try {
    if (!(dirtyFrom > 0 ? cursor.gotoFirstChildForIndex(dirtyFrom - 1) : cursor.gotoFirstChild())) return statements.length === previous.length ? statements : readAll();
    do {
      if (!cursor.nodeIsNamed) continue;
      const startIndex = cursor.startIndex;
      const endIndex = cursor.endIndex;
      if (endIndex < dirtyFrom) continue;
      if (startIndex > dirtyTo) {
        // Past the region: from the first statement the last analysis had here, the rest is as it was.
        while (old < previous.length && previous[old].startIndex + delta < startIndex) old++;
        if (old < previous.length && previous[old].startIndex + delta === startIndex && previous[old].endIndex + delta === endIndex) {
          for (; old < previous.length; old++) statements.push(movedStatement(previous[old], delta, rows));
          return statements;
        }
      }
      statements.push(read(syntax.wrap(cursor.currentNode, root)));
    } while (cursor.gotoNextSibling());
    return statements;
  } finally {
    cursor.delete();
  }
}

function movedStatement(statement: TopLevelStatement, delta: number, rows: number): TopLevelStatement {
  if (delta === 0 && rows === 0) return statement;
  return {
    startIndex: statement.startIndex + delta,
    endIndex: statement.endIndex + delta,
    imports: statement.imports,
    classes: statement.classes.map((h) => ({ ...h, startIndex: h.startIndex + delta, endIndex: h.endIndex + delta, row: h.row + rows })),
    builder: statement.builder && shiftLines(statement.builder, rows),
  };
}

function readStatement(statement: SyntaxNode, nodes: Map<ClassHeader, SyntaxNode>): TopLevelStatement {
  const classes = collectClassNodesIn(statement).map((node) => {
    const header: ClassHeader = {
      startIndex: node.startIndex,
      endIndex: node.endIndex,
      row: node.startPosition.row,
      name: node.childForFieldName('name')?.text ?? '',
      bases: baseTexts(node),
      definesForward: definesForwardMethod(node),
    };
    nodes.set(header, node);
    return header;
  });
  return { startIndex: statement.startIndex, endIndex: statement.endIndex, imports: importStatementsIn(statement), classes, builder: builderOf(statement) };
}

/** A class node by its header, for a taken-over class that must be read again (its model was not cached). */
function classNodeOf(root: SyntaxNode, header: ClassHeader): SyntaxNode {
  for (const child of root.namedChildren) {
    if (child.endIndex < header.startIndex || child.startIndex > header.endIndex) continue;
    const node = collectClassNodesIn(child).find((n) => n.startIndex === header.startIndex && n.endIndex === header.endIndex);
    if (node) return node;
  }
  throw new Error(`class ${header.name} not found at offset ${header.startIndex}`);
}

/**
 * The file's imports from its statements' import statements, as reading them last to first gives: a name
 * bound by two statements keeps the first statement's binding, and the map lists names last-bound first.
 */
function importMapOf(statements: readonly TopLevelStatement[]): ImportMap {
  const imports: ImportMap = new Map();
  for (let s = statements.length - 1; s >= 0; s--) {
    const list = statements[s].imports;
    for (let i = list.length - 1; i >= 0; i--) for (const [local, path] of list[i]) imports.set(local, path);
  }
  return imports;
}

/** Import statements in a module-level statement (and in the `if`/`try` blocks it opens), in source order. */
function importStatementsIn(statement: SyntaxNode): Array<Array<[string, string]>> {
  const found: Array<Array<[string, string]>> = [];
  const pending: SyntaxNode[] = [statement];
  while (pending.length > 0) {
    const node = pending.pop()!;
    switch (node.type) {
      case 'import_statement':
      case 'import_from_statement':
        found.push(importBindings(node));
        break;
      case 'if_statement':
      case 'try_statement':
      case 'block':
      case 'else_clause':
      case 'except_clause':
      case 'finally_clause': {
        const children = node.namedChildren;
        for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
        break;
      }
      default:
        break;
    }
  }
  return found;
}

/** The previous key of the class at `[startIndex, endIndex)` when the edit left its text as it was. */
function reusedKey(reuse: EditReuse | undefined, startIndex: number, endIndex: number, prefix: string): string | undefined {
  const edit = reuse?.edit;
  if (!edit || !reuse.previous) return undefined;
  const delta = edit.newEndIndex - edit.oldEndIndex;
  let record: ClassKeyRecord | undefined;
  if (endIndex <= edit.startIndex) record = reuse.previous.get(startIndex);
  else if (startIndex >= edit.newEndIndex) record = reuse.previous.get(startIndex - delta);
  else return undefined;
  const oldEndIndex = endIndex <= edit.startIndex ? endIndex : endIndex - delta;
  return record && record.endIndex === oldEndIndex && record.prefix === prefix ? record.key : undefined;
}

/**
 * A copy of a cached class model with every `line`/`endLine` moved by `delta` (the class moved in the file).
 * Only the facts and the objects that hold lines are copied; texts, maps and sets are shared (models are not
 * changed after they are read).
 */
function shiftLines(model: ModuleClass, delta: number): ModuleClass {
  if (delta === 0) return model;
  const at = <T extends { line: number }>(fact: T): T => ({ ...fact, line: fact.line + delta });
  const span = <T extends { line: number; endLine?: number }>(fact: T): T =>
    fact.endLine === undefined ? at(fact) : { ...fact, line: fact.line + delta, endLine: fact.endLine + delta };
  const submodule = (fact: SubmoduleFact): SubmoduleFact => ({ ...fact, line: fact.line + delta, elements: fact.elements.map(submodule) });
  return {
    ...model,
    line: model.line + delta,
    endLine: model.endLine + delta,
    methods: model.methods.map(span),
    submodules: model.submodules.map(submodule),
    parameters: model.parameters.map(at),
    initCalls: model.initCalls.map(at),
    calls: model.calls.map(at),
    assigns: model.assigns.map(at),
    initAssigns: model.initAssigns.map(at),
    loops: model.loops.map(span),
  };
}

function frameworkOfImports(imports: ImportMap): Framework {
  const paths = [...imports.values()];
  if (paths.some((p) => p.startsWith('torch'))) return 'pytorch';
  if (paths.some((p) => p.startsWith('flax'))) return 'flax';
  if (paths.some((p) => p.startsWith('equinox'))) return 'equinox';
  if (paths.some((p) => p.startsWith('keras') || p.startsWith('tensorflow') || p === 'tf')) return 'keras';
  return 'unknown';
}

function frameworkOfBases(
  bases: string[],
  imports: ImportMap,
  moduleClasses: Map<string, Framework>,
  fileFramework: Framework,
): Framework | undefined {
  for (const base of bases) {
    const known = moduleClasses.get(base);
    if (known) return known;
    const resolved = resolveDotted(base, imports);
    for (const [prefix, framework] of MODULE_BASE_PREFIXES) {
      if (resolved.startsWith(prefix)) return framework;
    }
    if (/^(eqx|equinox)\.Module$/.test(resolved)) return 'equinox';
    if (fileFramework !== 'unknown' && WRAPPER_BASE_NAME.test(base.split('.').pop() ?? '')) return fileFramework;
    // A file that only star-imports its torch names (`from .unet_parts import *`): Flax files import flax.
    if (fileFramework === 'unknown' && /^(nn|torch\.nn)\.Module$/.test(base)) return 'pytorch';
  }
  return undefined;
}

function definesForwardMethod(classNode: SyntaxNode): boolean {
  const body = classNode.childForFieldName('body');
  if (!body) return false;
  for (const statement of body.namedChildren) {
    const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (definition?.type === 'function_definition' && FORWARD_METHODS.has(definition.childForFieldName('name')?.text ?? '')) return true;
  }
  return false;
}

function looksLikeModule(model: ModuleClass): boolean {
  const hasForward = model.methods.some((m) => FORWARD_METHODS.has(m.name));
  return hasForward && (model.submodules.length > 0 || model.parameters.length > 0);
}

/**
 * Class definitions in a module-level statement: the statement itself, classes inside the `if`/`try`/`with`
 * blocks it opens, and classes nested in classes; in source order.
 */
function collectClassNodesIn(statement: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const pending: SyntaxNode[] = [];
  const visit = (child: SyntaxNode) => {
    const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (!definition) return;
    if (definition.type === 'class_definition') {
      found.push(definition);
      const body = definition.childForFieldName('body');
      if (body) pending.push(body);
    } else if (CLASS_CONTAINERS.has(definition.type)) {
      pending.push(definition);
    }
  };
  visit(statement);
  while (pending.length > 0) for (const child of pending.pop()!.namedChildren) visit(child);
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

/** Statements whose blocks may hold class definitions the file-level walk reads. */
const CLASS_CONTAINERS = new Set(['if_statement', 'try_statement', 'block', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'with_statement']);

function baseTexts(classNode: SyntaxNode): string[] {
  const list = classNode.childForFieldName('superclasses');
  if (!list) return [];
  return list.namedChildren
    
    .filter((n) => n.type !== 'keyword_argument')
    .map((n) => n.text.replace(/\[.*$/s, ''));
}

function line(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

function endLine(node: SyntaxNode): number {
  return node.endPosition.row + 1;
}

function emptyClass(name: string | null, bases: string[], framework: Framework, node: SyntaxNode): ModuleClass {
  return {
    name,
    bases,
    framework,
    line: line(node),
    endLine: endLine(node),
    methods: [],
    fields: {},
    submodules: [],
    parameters: [],
    initCalls: [],
    calls: [],
    assigns: [],
    initAssigns: [],
    loops: [],
    words: new Set(),
  };
}

function buildClass(node: SyntaxNode, name: string, bases: string[], framework: Framework, imports: ImportMap): ModuleClass {
  const model = emptyClass(name, bases, framework, node);
  const body = node.childForFieldName('body');
  if (!body) return model;
  for (const statement of body.namedChildren) {
    if (!statement) continue;
    let definition: SyntaxNode | null = statement;
    const decorators: string[] = [];
    if (statement.type === 'decorated_definition') {
      for (const child of statement.namedChildren) {
        if (child?.type === 'decorator') decorators.push(child.text.replace(/^@/, ''));
      }
      definition = statement.childForFieldName('definition');
    }
    if (!definition) continue;
    if (definition.type === 'function_definition') {
      readMethod(definition, decorators, model, imports);
    } else if (definition.type === 'expression_statement') {
      readField(definition, model);
    }
  }
  return model;
}

/** A dataclass-style field: `num_experts: int = 8` (Flax, Equinox). */
function readField(statement: SyntaxNode, model: ModuleClass): void {
  const assignment = statement.namedChild(0);
  if (assignment?.type !== 'assignment') return;
  const left = assignment.childForFieldName('left');
  if (left?.type !== 'identifier') return;
  const right = assignment.childForFieldName('right');
  model.fields[left.text] = right?.text ?? '';
  model.words.add(left.text);
  if (right?.type === 'call') {
    const facts = new MethodWalker(model, null, true, new Map());
    facts.walk(right);
  }
}

function readMethod(definition: SyntaxNode, decorators: string[], model: ModuleClass, _imports: ImportMap): void {
  const name = definition.childForFieldName('name')?.text ?? '';
  const params = parameterNames(definition.childForFieldName('parameters'));
  const method: MethodFact = { name, params, decorators, line: line(definition), endLine: endLine(definition) };
  const defaults = parameterDefaults(definition.childForFieldName('parameters'));
  if (Object.keys(defaults).length > 0) method.defaults = defaults;
  model.methods.push(method);
  const isConstructor = CONSTRUCTOR_METHODS.has(name);
  const origins = new Map<string, Set<string>>();
  for (const param of params) {
    if (param !== 'self' && param !== 'cls') origins.set(param, new Set([param]));
  }
  const body = definition.childForFieldName('body');
  if (!body) return;
  const walker = new MethodWalker(model, name, isConstructor, origins);
  walker.walk(body);
  walker.finish();
}

function parameterNames(parameters: SyntaxNode | null): string[] {
  if (!parameters) return [];
  const names: string[] = [];
  for (const param of parameters.namedChildren) {
    if (!param) continue;
    if (param.type === 'identifier') names.push(param.text);
    else {
      const nameNode = param.childForFieldName('name') ?? param.namedChildren.find((c) => c?.type === 'identifier') ?? null;
      if (nameNode) names.push(nameNode.text);
    }
  }
  return names;
}

/** Default value texts of parameters that have one: `def forward(self, x, context=None)` → `{ context: 'None' }`. */
function parameterDefaults(parameters: SyntaxNode | null): Record<string, string> {
  const defaults: Record<string, string> = {};
  if (!parameters) return defaults;
  for (const param of parameters.namedChildren) {
    if (param?.type !== 'default_parameter' && param?.type !== 'typed_default_parameter') continue;
    const name = param.childForFieldName('name')?.text;
    const value = param.childForFieldName('value')?.text;
    if (name && value !== undefined) defaults[name] = value;
  }
  return defaults;
}

/** How deeply nested containers of layers are read (`nn.Sequential(nn.Sequential(...))`). */
const MAX_CONTAINER_DEPTH = 32;

/** How deeply calls nested in calls' arguments are recorded as calls of their own (`f(g(h(x)))` is three deep). */
const MAX_CALL_NESTING = 32;

const COMPREHENSIONS = new Set(['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension']);

/**
 * Walks one method body in source order, recording calls, assignments, loops, layers and weights,
 * and tracking which method inputs each local value derives from.
 */
class MethodWalker {
  /** Loop and comprehension variables bound to `self.X` containers (`for expert in self.experts`). */
  private readonly boundToSelf = new Map<string, string>();
  /** Local lists of layers built with `.append(...)` in a constructor, for `nn.ModuleList(layers)`. */
  private readonly localLayerLists = new Map<string, { elements: SubmoduleFact[]; replicated: boolean }>();
  private loopDepth = 0;
  /** Calls around the node being read (see MAX_CALL_NESTING). */
  private callDepth = 0;
  /** See `originsWithin`. */
  private readonly originsMemo = new Map<SyntaxNode, ReadonlySet<string>>();

  constructor(
    private readonly model: ModuleClass,
    private readonly method: string | null,
    private readonly isConstructor: boolean,
    private readonly origins: Map<string, Set<string>>,
  ) {}

  walk(start: SyntaxNode): void {
    // Explicit stack: real files nest deeply enough to overflow a recursive walk.
    type Frame = { node: SyntaxNode } | { exit: () => void };
    const stack: Frame[] = [{ node: start }];
    while (stack.length > 0) {
      const frame = stack.pop()!;
      if ('exit' in frame) {
        frame.exit();
        continue;
      }
      const node = frame.node;
      switch (node.type) {
        case 'class_definition':
          continue; // nested classes are read on their own
        case 'identifier':
          this.model.words.add(node.text);
          continue;
        case 'string':
        case 'comment':
        case 'integer':
        case 'float':
          continue;
        case 'assignment':
        case 'augmented_assignment': {
          const right = node.childForFieldName('right');
          const left = node.childForFieldName('left');
          stack.push({ exit: () => this.recordAssignment(node, left, right) });
          if (left) this.addWords(left);
          if (right) stack.push({ node: right });
          continue;
        }
        case 'call':
          // Calls nested in calls deeper than real code nests them are read as text only: each call's facts
          // hold its argument texts, so recording all of a deep nest would hold (and scan) quadratic text.
          if (this.callDepth < MAX_CALL_NESTING) this.recordCall(node);
          this.callDepth++;
          stack.push({ exit: () => this.callDepth-- });
          break;
        case 'return_statement': {
          // A returned expression is read like an assignment to `return` (residual sums, gated outputs).
          const value = node.namedChild(0);
          if (value) {
            stack.push({ exit: () => this.recordAssignment(node, null, value) });
            stack.push({ node: value });
          }
          continue;
        }
        case 'for_statement': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          const body = node.childForFieldName('body');
          const alternative = node.childForFieldName('alternative');
          if (left && right) this.recordLoop(left, right, node);
          this.loopDepth++;
          stack.push({ exit: () => this.loopDepth-- });
          if (alternative) stack.push({ node: alternative });
          if (body) stack.push({ node: body });
          if (right) stack.push({ node: right });
          continue;
        }
        case 'while_statement': {
          this.loopDepth++;
          stack.push({ exit: () => this.loopDepth-- });
          break;
        }
        case 'for_in_clause': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left && right) this.recordLoop(left, right, node.parent ?? node);
          if (right) stack.push({ node: right });
          continue;
        }
        default:
          break;
      }
      const children = node.namedChildren;
      if (COMPREHENSIONS.has(node.type)) {
        // Bind the comprehension's loop variables before reading its body.
        const clauses = children.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
        const rest = children.filter((c) => c.type !== 'for_in_clause' && c.type !== 'if_clause');
        this.loopDepth++;
        stack.push({ exit: () => this.loopDepth-- });
        for (let i = rest.length - 1; i >= 0; i--) stack.push({ node: rest[i] });
        for (let i = clauses.length - 1; i >= 0; i--) stack.push({ node: clauses[i] });
        continue;
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] });
    }
  }

  /** Constructor-built local layer lists that were never stored on `self` are dropped. */
  finish(): void {
    this.localLayerLists.clear();
  }

  private addWords(node: SyntaxNode): void {
    for (const id of node.descendantsOfType('identifier')) if (id) this.model.words.add(id.text);
  }

  /** Method inputs an expression derives from (in the order `readIdentifiers` meets the names). */
  private originsOf(node: SyntaxNode | null): Set<string> {
    return node ? new Set(this.originsWithin(node)) : new Set();
  }

  /**
   * `originsOf` per node, kept until the next change to the origins: every call of a nested call
   * expression asks for the origins of its arguments, so reading each argument afresh would be quadratic.
   * Iterative (post-order) for deep expressions; the sets are shared and must not be modified.
   */
  private originsWithin(start: SyntaxNode): ReadonlySet<string> {
    const memo = this.originsMemo;
    const pending: Array<{ node: SyntaxNode; parts?: SyntaxNode[] }> = [{ node: start }];
    while (pending.length > 0) {
      const top = pending[pending.length - 1];
      if (memo.has(top.node)) {
        pending.pop();
        continue;
      }
      if (!top.parts) {
        top.parts = identifierParts(top.node);
        for (const part of top.parts) if (!memo.has(part)) pending.push({ node: part });
        continue;
      }
      pending.pop();
      const node = top.node;
      if (node.type === 'identifier') {
        memo.set(node, this.origins.get(node.text) ?? NO_ORIGINS);
      } else if (top.parts.length === 1) {
        memo.set(node, memo.get(top.parts[0])!);
      } else {
        // `readIdentifiers` meets the last part's names first.
        const result = new Set<string>();
        for (let i = top.parts.length - 1; i >= 0; i--) for (const o of memo.get(top.parts[i])!) result.add(o);
        memo.set(node, result.size > 0 ? result : NO_ORIGINS);
      }
    }
    return memo.get(start)!;
  }

  private setOrigins(name: string, origins: Set<string>): void {
    this.origins.set(name, origins);
    this.originsMemo.clear();
  }

  private recordLoop(left: SyntaxNode, right: SyntaxNode, scope: SyntaxNode): void {
    const fact: LoopFact = { target: left.text, iterable: right.text, line: line(left), endLine: endLine(scope), method: this.method };
    this.model.loops.push(fact);
    const from = this.originsOf(right);
    const targets = targetNames(left);
    for (const target of targets) this.setOrigins(target, from);
    // `for expert in self.experts`, `for i, blk in enumerate(self.blocks)`, `for w, op in zip(ws, self._ops)`
    const selfAttrs = [...right.text.matchAll(/self\.(\w+)/g)].map((m) => m[1]);
    if (selfAttrs.length === 1 && targets.length >= 1) {
      this.boundToSelf.set(targets[targets.length - 1], selfAttrs[0]);
    } else if (selfAttrs.length > 1 && /^zip\(/.test(right.text)) {
      // zip(self.a, self.b): bind positionally where the target is a tuple of the same length.
      const zipped = targets.length === selfAttrs.length ? targets : [];
      zipped.forEach((t, i) => this.boundToSelf.set(t, selfAttrs[i]));
    }
    if (/^zip\(/.test(right.text)) {
      const argNodes = right.childForFieldName('arguments')?.namedChildren ?? [];
      if (argNodes.length === targets.length) {
        argNodes.forEach((arg, i) => {
          const m = /^self\.(\w+)$/.exec(arg.text);
          if (m) this.boundToSelf.set(targets[i], m[1]);
        });
      }
    }
  }

  private recordAssignment(node: SyntaxNode, left: SyntaxNode | null, right: SyntaxNode | null): void {
    const operator = node.type === 'augmented_assignment' ? (node.childForFieldName('operator')?.text ?? '+=') : '=';
    const targets = left ? targetTexts(left) : node.type === 'return_statement' ? ['return'] : [];
    if (!right) return; // annotation without value
    const origins = this.originsOf(right);
    const fact: AssignFact = {
      targets,
      operator,
      value: right.text,
      reads: readIdentifiers(right),
      origins,
      line: line(node),
      method: this.method,
    };
    if (this.isConstructor) this.model.initAssigns.push(fact);
    else this.model.assigns.push(fact);

    // A model input (`inputs = keras.Input(...)`) is its own origin, like a method parameter.
    const isInput = right.type === 'call' && lastName(right.childForFieldName('function')?.text ?? '') === 'Input';
    for (const target of left ? targetNames(left) : []) {
      if (isInput) this.setOrigins(target, new Set([target]));
      else if (fact.operator === '=') this.setOrigins(target, origins);
      else {
        const merged = new Set(this.origins.get(target) ?? []);
        for (const o of origins) merged.add(o);
        this.setOrigins(target, merged);
      }
    }
    // Values stay bound to the `self.X` container they were read from: `experts = self.experts`.
    if (left?.type === 'identifier') {
      const m = /^self\.(\w+)$/.exec(right.text);
      if (m) this.boundToSelf.set(left.text, m[1]);
    }

    if (left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self') {
      const attr = left.childForFieldName('attribute')?.text ?? '';
      this.recordSelfAttribute(attr, right);
    } else if (left?.type === 'identifier' && this.isConstructor && (right.type === 'list' || right.type === 'list_comprehension')) {
      const layer = this.layerOf(left.text, right);
      if (layer) this.localLayerLists.set(left.text, { elements: layer.elements, replicated: layer.replicated });
    }
  }

  /** `self.X = <value>` in any method: a layer, a weight, or a plain value. */
  private recordSelfAttribute(attr: string, value: SyntaxNode): void {
    let expr: SyntaxNode = value;
    // `self.inc = (DoubleConv(n_channels, 64))` (milesial U-Net): the parentheses are only grouping.
    while (expr.type === 'parenthesized_expression' && expr.namedChild(0)) expr = expr.namedChild(0)!;
    if (expr.type === 'conditional_expression') expr = expr.namedChild(0) ?? expr;
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      const fnText = fn?.text ?? '';
      const fnName = lastName(fnText);
      const args = argumentNodes(expr);
      if (fnName === 'Parameter' || fnText === 'self.param' || fnText === 'self.add_weight' || fnText === 'self.variable') {
        this.model.parameters.push({
          name: attr,
          kind: fnText === 'self.variable' ? 'buffer' : 'parameter',
          shape: shapeOf(expr, fnText),
          text: value.text,
          line: line(value),
        });
        return;
      }
      if (/^(torch|jnp|np|tf)\.\w+$/.test(fnText) && !/^(torch\.nn|tf\.keras)/.test(fnText) && !/[A-Z]/.test(fnName[0] ?? '')) {
        // A plain tensor kept on the module (Equinox weights, constants): a weight when it has a shape.
        this.model.parameters.push({ name: attr, kind: 'parameter', shape: args.positional.map((a) => a.text), text: value.text, line: line(value) });
        return;
      }
    }
    let layer = this.layerOf(attr, expr);
    if (!layer && expr.type === 'call') {
      // Factories and defaults wrap the constructor: `default(experts, lambda: Experts(dim))`, `copy.deepcopy(Block())`.
      const inner = expr.descendantsOfType('call').find((c) => c && c.id !== expr.id && /^[A-Z]/.test(lastName(c.childForFieldName('function')?.text ?? '')));
      if (inner) {
        layer = this.layerOf(attr, inner);
        if (layer) layer.text = expr.text;
      }
    }
    if (layer) this.model.submodules.push(layer);
  }

  /** Records the layer an expression builds (a builder function's `return nn.Sequential(...)`) as a submodule. */
  recordBuiltLayer(expr: SyntaxNode): void {
    const layer = this.layerOf('', expr);
    if (layer) this.model.submodules.push(layer);
  }

  /** Reads a layer or a container of layers from an expression, or null when it is not one. */
  private layerOf(name: string, expr: SyntaxNode, depth = 0): SubmoduleFact | null {
    // Containers nest a few levels in real code; deeper nesting is not read (it would overflow the stack).
    if (depth > MAX_CONTAINER_DEPTH) return null;
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      if (!fn || fn.type === 'call') return null;
      const ctor = fn.text;
      const ctorName = lastName(ctor);
      // Layers are classes: CamelCase, or lowercase container factories of frameworks.
      if (!/^[A-Z_]/.test(ctorName) && !CONTAINERS.has(ctorName)) return null;
      const { positional, keywords } = argumentNodes(expr);
      const fact: SubmoduleFact = {
        name,
        ctor,
        ctorName,
        args: positional.map((a) => a.text),
        kwargs: Object.fromEntries(Object.entries(keywords).map(([k, v]) => [k, v.text])),
        elements: [],
        replicated: false,
        inline: false,
        text: expr.text,
        line: line(expr),
      };
      if (CONTAINERS.has(ctorName)) {
        for (const arg of positional) this.addElements(fact, arg, depth + 1);
        // `nn.ModuleDict(dict(wte=nn.Embedding(...), h=nn.ModuleList([...])))`: keyword values are elements too.
        if (ctorName === 'dict') for (const value of Object.values(keywords)) this.addElements(fact, value, depth + 1);
      }
      return fact;
    }
    if (expr.type === 'list' || expr.type === 'tuple' || expr.type === 'list_comprehension' || expr.type === 'dictionary' || expr.type === 'dictionary_comprehension') {
      const fact: SubmoduleFact = {
        name,
        ctor: '',
        ctorName: 'list',
        args: [],
        kwargs: {},
        elements: [],
        replicated: false,
        inline: false,
        text: expr.text,
        line: line(expr),
      };
      this.addElements(fact, expr, depth + 1);
      return fact.elements.length > 0 ? fact : null;
    }
    return null;
  }

  private addElements(container: SubmoduleFact, arg: SyntaxNode, depth: number): void {
    let node = arg;
    if (node.type === 'list_splat') node = node.namedChild(0) ?? node;
    if (node.type === 'list_comprehension' || node.type === 'generator_expression' || node.type === 'dictionary_comprehension') {
      const body = node.childForFieldName('body');
      const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause');
      container.replicated = true;
      container.replicatedOver = clause?.childForFieldName('right')?.text;
      const element = body ? this.layerOf('', body.type === 'pair' ? (body.childForFieldName('value') ?? body) : body, depth) : null;
      if (element) container.elements.push(element);
      return;
    }
    if (node.type === 'list' || node.type === 'tuple' || node.type === 'dictionary') {
      for (const item of node.namedChildren) {
        if (!item) continue;
        const value = item.type === 'pair' ? item.childForFieldName('value') : item;
        const element = value ? this.layerOf('', value, depth) : null;
        if (element) container.elements.push(element);
      }
      return;
    }
    if (node.type === 'identifier') {
      const local = this.localLayerLists.get(node.text);
      if (local) {
        container.elements.push(...local.elements);
        container.replicated ||= local.replicated;
      }
      return;
    }
    const element = this.layerOf('', node, depth);
    if (element) container.elements.push(element);
  }

  private recordCall(node: SyntaxNode): void {
    const fn = node.childForFieldName('function');
    if (!fn) return;
    const { positional, keywords } = argumentNodes(node);
    const callee = fn.text;
    let name: string;
    let receiver: string | undefined;
    let innerCall: CallFact['innerCall'];
    if (fn.type === 'attribute') {
      name = fn.childForFieldName('attribute')?.text ?? '';
      receiver = fn.childForFieldName('object')?.text;
    } else if (fn.type === 'call') {
      const innerFn = fn.childForFieldName('function');
      const inner = argumentNodes(fn);
      name = lastName(innerFn?.text ?? '');
      innerCall = {
        callee: innerFn?.text ?? '',
        name,
        args: inner.positional.map((a) => a.text),
        kwargs: Object.fromEntries(Object.entries(inner.keywords).map(([k, v]) => [k, v.text])),
      };
    } else if (fn.type === 'subscript') {
      name = lastName(fn.childForFieldName('value')?.text ?? '');
    } else {
      name = fn.text;
    }
    let selfAttr: string | undefined = /^self\.(\w+)/.exec(callee)?.[1];
    if (!selfAttr) {
      const head = /^(\w+)/.exec(callee)?.[1];
      if (head) selfAttr = this.boundToSelf.get(head);
    }
    const parent = node.parent;
    let assignedTo: string[] = [];
    if (parent && (parent.type === 'assignment' || parent.type === 'augmented_assignment') && parent.childForFieldName('right')?.id === node.id) {
      const left = parent.childForFieldName('left');
      if (left) assignedTo = targetTexts(left);
    }
    if (innerCall && !this.isConstructor) {
      // Flax @nn.compact / Keras functional: `h = nn.Dense(4)(x)` builds a layer inline.
      const layer = this.layerOf(assignedTo[0] ?? '', fn);
      if (layer) {
        layer.inline = true;
        this.model.submodules.push(layer);
      }
    }
    const fact: CallFact = {
      callee,
      name,
      selfAttr,
      receiver,
      args: positional.map((a) => a.text),
      kwargs: Object.fromEntries(Object.entries(keywords).map(([k, v]) => [k, v.text])),
      // The walker's memoized sets, shared (facts are read, never changed).
      argOrigins: positional.map((a) => this.originsWithin(a)),
      kwargOrigins: Object.fromEntries(Object.entries(keywords).map(([k, v]) => [k, this.originsWithin(v)])),
      assignedTo,
      line: line(node),
      method: this.method,
      innerCall,
    };
    if (this.isConstructor) {
      this.model.initCalls.push(fact);
      this.recordConstructorCall(fact, node, positional);
    } else {
      this.model.calls.push(fact);
    }
  }

  /** Layers and weights registered by calls: `register_buffer`, `add_module`, `setattr`, `layers.append(...)`. */
  private recordConstructorCall(fact: CallFact, node: SyntaxNode, positional: SyntaxNode[]): void {
    if (fact.callee === 'self.register_buffer' || fact.callee === 'self.register_parameter') {
      const name = (fact.args[0] ?? '').replace(/^[rfb]?['"]|['"]$/g, '');
      const valueNode = positional[1];
      this.model.parameters.push({
        name,
        kind: fact.callee === 'self.register_buffer' ? 'buffer' : 'parameter',
        shape: valueNode?.type === 'call' ? shapeOf(valueNode, valueNode.childForFieldName('function')?.text ?? '') : [],
        text: node.text,
        line: fact.line,
      });
    } else if ((fact.callee === 'self.add_module' || fact.callee === 'setattr') && positional.length >= 2) {
      const nameArg = fact.callee === 'setattr' ? positional[1] : positional[0];
      const valueArg = fact.callee === 'setattr' ? positional[2] : positional[1];
      if (fact.callee === 'setattr' && positional[0]?.text !== 'self') return;
      if (nameArg && valueArg) {
        const layer = this.layerOf(nameArg.text.replace(/^[rfb]?['"]|['"]$/g, ''), valueArg);
        if (layer) {
          layer.replicated ||= this.loopDepth > 0;
          this.model.submodules.push(layer);
        }
      }
    } else if (fact.name === 'extend' && fact.receiver && positional[0] && /^(list|tuple)$/.test(positional[0].type)) {
      // `layers.extend([dw_conv, pw_conv])` (torchvision): each element as if appended.
      const receiver = fact.receiver;
      for (const item of positional[0].namedChildren) {
        this.recordConstructorCall({ ...fact, name: 'append', receiver }, node, [item]);
      }
    } else if (fact.name === 'append' && fact.receiver && positional[0]) {
      const layer = this.layerOf('', positional[0]);
      if (!layer) return;
      const selfList = /^self\.(\w+)$/.exec(fact.receiver)?.[1];
      if (selfList) {
        const existing = this.model.submodules.find((s) => s.name === selfList);
        if (existing) {
          existing.elements.push(layer);
          existing.replicated ||= this.loopDepth > 0;
        } else {
          // `self.layers = []` then `self.layers.append(Block())`: the empty list becomes the container.
          this.model.submodules.push({
            name: selfList,
            ctor: '',
            ctorName: 'list',
            args: [],
            kwargs: {},
            elements: [layer],
            replicated: this.loopDepth > 0,
            inline: false,
            text: fact.receiver,
            line: fact.line,
          });
        }
        return;
      }
      const list = this.localLayerLists.get(fact.receiver) ?? { elements: [], replicated: false };
      list.elements.push(layer);
      list.replicated ||= this.loopDepth > 0;
      this.localLayerLists.set(fact.receiver, list);
    }
  }
}

/** Shape arguments of a weight: `nn.Parameter(torch.randn(e, d))`, `self.param('w', init, (e, d))`, `add_weight(shape=(e, d))`. */
function shapeOf(call: SyntaxNode, fnText: string): string[] {
  const { positional, keywords } = argumentNodes(call);
  let shapeNode: SyntaxNode | undefined;
  if (fnText === 'self.param') shapeNode = positional[2] ?? keywords['shape'];
  else if (fnText === 'self.add_weight') shapeNode = keywords['shape'] ?? positional[1];
  else if (fnText === 'self.variable') shapeNode = positional[3];
  else {
    const inner = positional[0];
    if (inner?.type === 'call') {
      const innerArgs = argumentNodes(inner);
      if (innerArgs.positional.length === 1 && /^(tuple|list|parenthesized_expression)$/.test(innerArgs.positional[0].type)) {
        shapeNode = innerArgs.positional[0];
      } else {
        return innerArgs.positional.filter((a) => a.type !== 'keyword_argument').map((a) => a.text);
      }
    } else if (inner) {
      shapeNode = undefined;
    }
    if (!shapeNode) return positional.map((a) => a.text);
  }
  if (!shapeNode) return [];
  if (shapeNode.type === 'tuple' || shapeNode.type === 'list') return shapeNode.namedChildren.map((n) => n.text);
  if (shapeNode.type === 'parenthesized_expression') return [shapeNode.namedChild(0)?.text ?? ''];
  return [shapeNode.text];
}

function argumentNodes(call: SyntaxNode): { positional: SyntaxNode[]; keywords: Record<string, SyntaxNode> } {
  const positional: SyntaxNode[] = [];
  const keywords: Record<string, SyntaxNode> = {};
  const args = call.childForFieldName('arguments');
  if (!args) return { positional, keywords };
  if (args.type === 'generator_expression') return { positional: [args], keywords };
  for (const arg of args.namedChildren) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) keywords[name] = value;
    } else if (arg.type !== 'dictionary_splat') {
      positional.push(arg);
    }
  }
  return { positional, keywords };
}

const NO_ORIGINS: ReadonlySet<string> = new Set();

/** The parts of an expression whose identifiers `readIdentifiers` reads (none for an identifier itself). */
function identifierParts(node: SyntaxNode): SyntaxNode[] {
  switch (node.type) {
    case 'identifier':
    case 'string':
    case 'lambda_parameters':
      return [];
    case 'attribute': {
      const object = node.childForFieldName('object');
      return object ? [object] : [];
    }
    case 'keyword_argument': {
      const value = node.childForFieldName('value');
      return value ? [value] : [];
    }
    default:
      return node.namedChildren;
  }
}

/** Identifiers read by an expression: not attribute names, keyword names or callee names of plain calls. */
function readIdentifiers(node: SyntaxNode): string[] {
  const names: string[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    switch (current.type) {
      case 'identifier':
        names.push(current.text);
        continue;
      case 'attribute': {
        const object = current.childForFieldName('object');
        if (object) stack.push(object);
        continue;
      }
      case 'keyword_argument': {
        const value = current.childForFieldName('value');
        if (value) stack.push(value);
        continue;
      }
      case 'string':
      case 'lambda_parameters':
        continue;
      default:
        for (const child of current.namedChildren) if (child) stack.push(child);
    }
  }
  return names;
}

/** Texts of assignment targets, with tuples split: `a, (b, c)` → `a`, `b`, `c`. */
function targetTexts(left: SyntaxNode): string[] {
  // Iterative: a target can nest as deep as the file likes (`[[[[a]]]] = x`).
  const out: string[] = [];
  const stack: SyntaxNode[] = [left];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (/^(pattern_list|tuple_pattern|list_pattern|tuple|expression_list|list|parenthesized_expression|list_splat_pattern)$/.test(node.type)) {
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    } else {
      out.push(node.text);
    }
  }
  return out;
}

/** Plain local names among assignment targets. */
function targetNames(left: SyntaxNode): string[] {
  return targetTexts(left).filter((t) => /^\w+$/.test(t));
}

function lastName(dotted: string): string {
  const parts = dotted.split('.');
  return parts[parts.length - 1] ?? '';
}

/**
 * Keras functional models: `inputs = keras.Input(...)`, layers called on tensors, then
 * `keras.Model(inputs, outputs)`. Each function (or the module level) holding one becomes a model.
 */
function extractFunctionalModels(root: SyntaxNode, imports: ImportMap, fileFramework: Framework): ModuleClass[] {
  if (fileFramework !== 'keras') return [];
  const models: ModuleClass[] = [];
  const scopes: Array<{ node: SyntaxNode; body: SyntaxNode; name?: string; params: string[]; statements?: SyntaxNode[] }> = [];
  for (const child of root.namedChildren) {
    if (!child) continue;
    const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type === 'function_definition') {
      const body = definition.childForFieldName('body');
      if (body) {
        scopes.push({
          node: definition,
          body,
          name: definition.childForFieldName('name')?.text,
          params: parameterNames(definition.childForFieldName('parameters')),
        });
      }
    }
  }
  // Module-level models (keras-io examples build their encoder/decoder models at the top of the file):
  // the top-level statements outside functions and classes form one more scope.
  const topLevel = root.namedChildren
    
    .filter((c) => !/^(function_definition|class_definition|decorated_definition|import_statement|import_from_statement)$/.test(c.type));
  if (topLevel.some((s) => /\b(Model|Sequential|Functional)\s*\(/.test(s.text))) scopes.push({ node: root, body: root, params: [], statements: topLevel });
  // `Functional(inputs, x)` is how keras.applications builds its models.
  const buildsModel = (scope: { body: SyntaxNode }): boolean => /\b(Model|Sequential|Functional)\s*\(/.test(scope.body.text);
  // Layer-building helper functions (`conv_block(x, filters)`, `def ResidualBlock(width): def apply(x): ...`)
  // are part of the functional models that call them: their facts are read into the model (as methods
  // named after the helper). A model calling a function it was passed (`stack_fn(x)`) may use any of them.
  const helpers = scopes.filter((s) => !buildsModel(s) && /\b[A-Z]\w*\([^\n]*\)\s*\(/.test(s.body.text));
  const calledNames = (body: SyntaxNode): Set<string> => new Set([...body.text.matchAll(/(?<![\w.])([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]));
  const helpersOf = (scope: { body: SyntaxNode; params: string[] }): typeof helpers => {
    const called = calledNames(scope.body);
    if (scope.params.some((p) => called.has(p))) return helpers;
    const reached = new Set<string>();
    const pending = [...called];
    while (pending.length > 0) {
      const name = pending.pop()!;
      const helper = helpers.find((h) => h.name === name);
      if (!helper || reached.has(name)) continue;
      reached.add(name);
      pending.push(...calledNames(helper.body));
    }
    return helpers.filter((h) => h.name !== undefined && reached.has(h.name));
  };
  for (const scope of scopes) {
    if (!buildsModel(scope)) continue;
    const model = emptyClass(null, [], 'keras', scope.node);
    model.functionName = scope.name;
    const origins = new Map<string, Set<string>>();
    for (const p of scope.params) origins.set(p, new Set([p]));
    const walker = new MethodWalker(model, scope.name ?? null, false, origins);
    for (const statement of scope.statements ?? [scope.body]) walker.walk(statement);
    // Inputs created with keras.Input are the model's inputs for dataflow purposes.
    const hasModelCall = model.calls.some((c) => {
      const resolved = resolveDotted(c.callee, imports);
      return /(^|\.)(Model|Sequential|Functional)$/.test(resolved) && /keras|^Model$|^Sequential$|^Functional$/.test(resolved);
    });
    if (hasModelCall) {
      for (const helper of helpersOf(scope)) {
        const helperOrigins = new Map<string, Set<string>>();
        for (const p of helper.params) helperOrigins.set(p, new Set([p]));
        new MethodWalker(model, helper.name ?? null, false, helperOrigins).walk(helper.body);
      }
    }
    // Layers may be built into locals first and called later (`encoder = layers.LSTM(...)`, keras-io lstm_seq2seq).
    const buildsLayerLocals = model.assigns.some((a) => /^(tf\.)?(keras\.)?layers\.[A-Z]\w*\(/.test(a.value));
    if (hasModelCall && (model.submodules.length > 0 || buildsLayerLocals)) models.push(model);
  }
  return models;
}

/**
 * PyTorch builder functions (lucidrains `MLPMixer`, `ResMLP`, `ConvMixer`): a CamelCase function that
 * returns an `nn.Sequential(...)` of layers is a model without a class. Like Keras functional models, it
 * becomes a model with class null; its layers are the returned Sequential's. Counted in PyTorch files only.
 */
function builderOf(child: SyntaxNode): ModuleClass | undefined {
  const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
  if (definition?.type !== 'function_definition') return undefined;
  const name = definition.childForFieldName('name')?.text ?? '';
  const body = definition.childForFieldName('body');
  if (!body || !/^[A-Z]/.test(name)) return undefined;
  const isSequential = (v: SyntaxNode | null | undefined): v is SyntaxNode => v?.type === 'call' && /(^|\.)Sequential$/.test(v.childForFieldName('function')?.text ?? '');
  const statements = body.namedChildren;
  const values = statements.filter((s) => s.type === 'return_statement').map((s) => s.namedChild(0));
  // `return nn.Sequential(...)`, or `net = nn.Sequential(...)` ... `return net` (PaLM-style weight tying in between).
  let returned = values.find(isSequential);
  const returnedName = values.find((v) => v?.type === 'identifier')?.text;
  if (!returned && returnedName) {
    returned = statements
      .map((s) => (s.type === 'expression_statement' ? s.namedChild(0) : null))
      .filter((a): a is SyntaxNode => a?.type === 'assignment' && a.childForFieldName('left')?.text === returnedName)
      .map((a) => a.childForFieldName('right'))
      .find(isSequential);
  }
  if (!returned) return undefined;
  const model = emptyClass(null, [], 'pytorch', definition);
  model.functionName = name;
  // Read from the definition alone, so its text identifies it (recognition results are reused by it).
  model.cacheKey = `sequential builder\u0000${definition.text}`;
  const origins = new Map<string, Set<string>>();
  for (const p of parameterNames(definition.childForFieldName('parameters'))) origins.set(p, new Set([p]));
  const walker = new MethodWalker(model, name, false, origins);
  walker.walk(body);
  walker.recordBuiltLayer(returned);
  return model.submodules.some((s) => s.elements.length > 0) ? model : undefined;
}
