import { Edit, type Tree } from 'web-tree-sitter';
import { extractFileModel, mayHoldModel, type EditReuse, type ClassModelCache } from './model/extract';
import type { FileModel, ModuleClass } from './model/types';
import { PythonParser, type GrammarSource } from './parser';
import type { Evidence, FileFact, PatternDefinition, PatternMatch, RecognizeContext } from './patterns/_types';
import { readPragmas, type Pragma, type PragmaProblem } from './pragmas';
import { PATTERNS } from './patterns/index.generated';

/** A recognized pattern in a file: the public shape of `archlens scan --json` findings. */
export interface PatternFinding {
  pattern: string;
  /** Enclosing class, or null for a functional model outside any class. */
  class: string | null;
  /** 1-based first and last line of the class (or functional model). */
  line: number;
  endLine: number;
  confidence: number;
  /** `L42: self.gate = nn.Linear(dim, num_experts)`: the source facts that decided it. */
  evidence: string[];
}

export interface AnalyzeOptions {
  /** Only these pattern ids (default: all). */
  patterns?: readonly string[];
  /** Findings below this confidence are dropped (default 0.5). */
  minConfidence?: number;
  /**
   * `Analyzer.analyze` only: a file that cannot hold a model (see `mayHoldModel`) and has no pragma is not
   * parsed; its analysis is empty (its model has no lines and does not tell syntax errors).
   */
  skipNonModelFiles?: boolean;
}

export interface FileAnalysis {
  findings: PatternFinding[];
  model: FileModel;
  /** Recognizers that failed on this file (the others still ran). */
  errors: string[];
  /** Pragmas that could not be honoured (unknown id, ignore without reason, outside a class). */
  pragmaProblems: PragmaProblem[];
  /** What this analysis had to redo (an incremental update reuses the rest). */
  work: AnalysisWork;
}

export interface AnalysisWork {
  /** Module-level statements read (the others were taken over from the last analysis, moved by the edit). */
  statementsRead: number;
  /** Classes whose bodies were read (not taken from the cache). */
  classesRead: number;
  /** Recognizer runs (pattern × class) that were not taken from the cache. */
  recognitionsRun: number;
}

export const DEFAULT_MIN_CONFIDENCE = 0.5;
const MAX_EVIDENCE = 6;
const MAX_EVIDENCE_CHARS = 160;

/** All pattern definitions, in id order. */
export function allPatterns(): readonly PatternDefinition[] {
  return PATTERNS;
}

export function patternById(id: string): PatternDefinition | undefined {
  return PATTERNS.find((p) => p.id === id);
}

/** Each pattern id's place in `localeCompare` order, so sorting findings does not call the collator. */
const PATTERN_ORDER = new Map([...PATTERNS.map((p) => p.id)].sort((a, b) => a.localeCompare(b)).map((id, index) => [id, index]));

/** Findings by line, then pattern id (in `localeCompare` order). */
function byLineThenPattern(a: PatternFinding, b: PatternFinding): number {
  if (a.line !== b.line) return a.line - b.line;
  const first = PATTERN_ORDER.get(a.pattern);
  const second = PATTERN_ORDER.get(b.pattern);
  return first !== undefined && second !== undefined ? first - second : a.pattern.localeCompare(b.pattern);
}

/**
 * Runs the recognizers over a file model.
 *
 * @example
 *   recognizePatterns(model, { patterns: ['mixture-of-experts'] })
 *   // [{ pattern: 'mixture-of-experts', class: 'SparseMoE', line: 12, endLine: 80, confidence: 0.93, evidence: [...] }]
 */
export function recognizePatterns(
  model: FileModel,
  options: AnalyzeOptions = {},
  cache?: RecognitionCache,
  work?: AnalysisWork,
  /** The tree's rows are `model.lines` (no lone `\r`, which splits a line but not a row). */
  rowsAreLines = false,
): { findings: PatternFinding[]; errors: string[] } {
  const wanted = options.patterns ? PATTERNS.filter((p) => options.patterns!.includes(p.id)) : PATTERNS;
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const classesByName = new Map<string, ModuleClass>();
  for (const cls of model.classes) if (cls.name) classesByName.set(cls.name, cls);
  // Imports decide how names resolve, so results are only reused under the same imports.
  const importsKey = cache ? [...(model.imports ?? [])].map(([k, v]) => `${k}=${v}`).join(';') : '';
  const generation = cache ? ++cache.generation : 0;
  const changedNames = cache ? cache.classKeysChangedIn(classesByName) : undefined;
  const findings: PatternFinding[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  // Without a cache nothing is reused, so what a recognizer reads need not be recorded: one plain
  // context serves every class (and lets recognizers share per-file work through it).
  const facts = new FileFacts(model, classesByName);
  const plainContext: RecognizeContext | undefined = cache ? undefined : { file: model, classesByName, fileFact: (fact) => facts.value(fact) };
  for (const cls of model.classes) {
    // Keyed by the class's own key string, reused with the class model, so a lookup does not hash its text again.
    let results: Map<string, RecognitionEntry> | undefined;
    if (cache && cls.cacheKey) {
      let perClass = cache.byClass.get(cls.cacheKey);
      if (!perClass || perClass.imports !== importsKey) cache.byClass.set(cls.cacheKey, (perClass = { imports: importsKey, byPattern: new Map() }));
      results = perClass.byPattern;
      seen.add(cls.cacheKey);
    }
    for (const pattern of wanted) {
      let entry = results?.get(pattern.id);
      if (entry && !dependenciesHold(entry, cls, classesByName, model.lines, facts, generation, changedNames!)) entry = undefined;
      if (!entry) {
        const recorder = plainContext ? undefined : new DependencyRecorder(model, classesByName, cls, facts, rowsAreLines);
        if (work) work.recognitionsRun++;
        let match: PatternMatch | null = null;
        let error: string | undefined;
        try {
          match = pattern.recognize(cls, recorder?.context ?? plainContext!);
        } catch (failure) {
          error = `${pattern.id} on ${cls.name ?? cls.functionName ?? 'module'}: ${(failure as Error).message}`;
        }
        entry = { line: cls.line, match, error, checkedIn: generation, ...(recorder?.dependencies() ?? NO_DEPENDENCIES) };
        results?.set(pattern.id, entry);
      }
      if (entry.error) errors.push(entry.error);
      const match = entry.match;
      if (!match || match.confidence < minConfidence) continue;
      const delta = cls.line - entry.line;
      findings.push({
        pattern: pattern.id,
        class: cls.name,
        line: cls.line,
        endLine: cls.endLine,
        confidence: Math.round(Math.min(1, Math.max(0, match.confidence)) * 100) / 100,
        evidence: formatEvidence(delta === 0 ? match.evidence : match.evidence.map((e) => ({ ...e, line: e.line + delta })), model.lines),
      });
    }
  }
  if (cache) {
    for (const key of cache.byClass.keys()) if (!seen.has(key)) cache.byClass.delete(key);
    cache.rememberClassKeys(classesByName);
  }
  findings.sort(byLineThenPattern);
  return { findings, errors };
}

/** One pattern's result on one class, with what the recognizer read besides the class's own text. */
interface RecognitionEntry {
  /** The class's line when recognized (evidence moves with the class). */
  line: number;
  match: PatternMatch | null;
  error?: string;
  /** The last analysis (`RecognitionCache.generation`) that made or checked this entry. */
  checkedIn: number;
  /** Read the whole file (joined its lines, iterated over all classes): valid only for the same text. */
  wholeFile: boolean;
  // Arrays, not maps: every entry is checked on every edit, and iterating arrays allocates nothing.
  /** Other classes looked up by name, with their cache key then (undefined: absent then). */
  classes: Array<[name: string, cacheKey: string | undefined]>;
  /** Source lines read, by offset from the class's first line, with their text then. */
  lines: Array<[offset: number, text: string]>;
  /** File facts asked, with the digest of their answer then. */
  facts: Array<[fact: FileFact<unknown>, digest: string]>;
}

/**
 * Recognition results per class text (its cache key) and pattern id, reused while the class, the file's
 * imports and everything the recognizer looked at are unchanged: an edit re-runs recognition only where it
 * could change the answer.
 */
export class RecognitionCache {
  readonly byClass = new Map<string, { imports: string; byPattern: Map<string, RecognitionEntry> }>();
  /** Analyses run with this cache so far. */
  generation = 0;
  /** Each class name's cache key in the last analysis. */
  private classKeys = new Map<string, string | undefined>();

  /**
   * Names whose class (by cache key) differs from the last analysis: an entry checked in that analysis
   * still holds its class look-ups unless it looked up one of these.
   */
  classKeysChangedIn(classesByName: ReadonlyMap<string, ModuleClass>): Set<string> {
    const changed = new Set<string>();
    for (const [name, cls] of classesByName) if (this.classKeys.get(name) !== cls.cacheKey) changed.add(name);
    for (const name of this.classKeys.keys()) if (!classesByName.has(name)) changed.add(name);
    return changed;
  }

  rememberClassKeys(classesByName: ReadonlyMap<string, ModuleClass>): void {
    this.classKeys = new Map([...classesByName].map(([name, cls]) => [name, cls.cacheKey]));
  }

  clear(): void {
    this.byClass.clear();
    this.classKeys.clear();
  }
}

type Dependencies = Pick<RecognitionEntry, 'wholeFile' | 'classes' | 'lines' | 'facts'>;
const NO_DEPENDENCIES: Dependencies = { wholeFile: true, classes: [], lines: [], facts: [] };

/** Whether what the entry's recognizer read is as it was; marks the entry checked in this analysis if so. */
function dependenciesHold(
  entry: RecognitionEntry,
  cls: ModuleClass,
  classesByName: Map<string, ModuleClass>,
  lines: string[],
  facts: FileFacts,
  generation: number,
  changedNames: ReadonlySet<string>,
): boolean {
  if (entry.wholeFile) return false;
  if (entry.checkedIn === generation - 1) {
    // Its look-ups matched the last analysis's classes: only names whose class changed since can differ.
    if (changedNames.size > 0) for (let i = 0; i < entry.classes.length; i++) if (changedNames.has(entry.classes[i][0])) return false;
  } else {
    for (let i = 0; i < entry.classes.length; i++) if (classesByName.get(entry.classes[i][0])?.cacheKey !== entry.classes[i][1]) return false;
  }
  for (let i = 0; i < entry.lines.length; i++) if (lines[cls.line - 1 + entry.lines[i][0]] !== entry.lines[i][1]) return false;
  for (let i = 0; i < entry.facts.length; i++) if (facts.answer(entry.facts[i][0]).digest !== entry.facts[i][1]) return false;
  entry.checkedIn = generation;
  return true;
}

/**
 * One analysis's answers to file facts: each computed on first use, then shared by every class. A fact
 * that fails has no digest (no earlier result depends on it holding) and fails each recognizer asking it.
 */
class FileFacts {
  private readonly answers = new Map<FileFact<unknown>, FactAnswer<unknown>>();

  constructor(
    private readonly model: FileModel,
    private readonly classesByName: ReadonlyMap<string, ModuleClass>,
  ) {}

  answer<T>(fact: FileFact<T>): FactAnswer<T> {
    let answer = this.answers.get(fact as FileFact<unknown>) as FactAnswer<T> | undefined;
    if (!answer) {
      try {
        const value = fact.compute(this.model, this.classesByName);
        answer = { value, digest: fact.digest ? fact.digest(value) : JSON.stringify(value) };
      } catch (failure) {
        answer = { failure };
      }
      this.answers.set(fact as FileFact<unknown>, answer);
    }
    return answer;
  }

  /** The answer, or the fact's failure thrown (to the recognizer that asked). */
  value<T>(fact: FileFact<T>): T {
    const answer = this.answer(fact);
    if ('failure' in answer) throw answer.failure;
    return answer.value;
  }
}

type FactAnswer<T> = { value: T; digest: string } | { failure: unknown; digest?: undefined };

/**
 * Hands a recognizer a context that notes what it reads: a class looked up by name, a source line read by
 * index (kept relative to the class), a file fact's answer, or — for anything broader, such as joining all
 * lines or iterating over every class — the whole file.
 */
class DependencyRecorder {
  private readonly classes = new Map<string, string | undefined>();
  private readonly lines = new Map<number, string>();
  private readonly facts = new Map<FileFact<unknown>, string>();
  private wholeFile = false;
  readonly context: RecognizeContext;

  constructor(model: FileModel, classesByName: Map<string, ModuleClass>, cls: ModuleClass, facts: FileFacts, rowsAreLines: boolean) {
    const classLine = cls.line;
    // Lines strictly inside a class read from its definition are part of its text, which its cache key
    // already holds: only lines from its first and last on need recording.
    const ownFrom = rowsAreLines && cls.cacheKey ? classLine : Infinity;
    const ownTo = cls.endLine - 2;
    const lookups = new RecordingLookups(
      classesByName,
      (name) => this.classes.set(name, classesByName.get(name)?.cacheKey),
      () => (this.wholeFile = true),
    );
    const lines = new Proxy(model.lines, {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && /^\d+$/.test(property)) {
          const index = Number(property);
          if (index < ownFrom || index > ownTo) this.lines.set(index - (classLine - 1), target[index]);
          return target[index];
        }
        if (property !== 'length') this.wholeFile = true; // join, some, slice, iteration…
        return Reflect.get(target, property, receiver);
      },
    });
    const file = new Proxy(model, {
      get: (target, property, receiver) => {
        if (property === 'lines') return lines;
        if (property === 'classes') this.wholeFile = true;
        return Reflect.get(target, property, receiver);
      },
    });
    const fileFact = <T>(fact: FileFact<T>): T => {
      const value = facts.value(fact);
      this.facts.set(fact as FileFact<unknown>, facts.answer(fact).digest as string);
      return value;
    };
    this.context = { file, classesByName: lookups, fileFact };
  }

  dependencies(): Dependencies {
    return { wholeFile: this.wholeFile, classes: [...this.classes], lines: [...this.lines], facts: [...this.facts] };
  }
}

/**
 * The file's classes by name, seen through a recorder: a lookup notes the name, anything that sees every
 * class (size, iteration) notes the whole file. Reads go to the shared map (nothing is copied per class).
 */
class RecordingLookups extends Map<string, ModuleClass> {
  constructor(
    private readonly classesByName: Map<string, ModuleClass>,
    private readonly onLookup: (name: string) => void,
    private readonly onWholeFile: () => void,
  ) {
    super();
  }

  override get(name: string): ModuleClass | undefined {
    this.onLookup(name);
    return this.classesByName.get(name);
  }

  override has(name: string): boolean {
    this.onLookup(name);
    return this.classesByName.has(name);
  }

  override get size(): number {
    this.onWholeFile();
    return this.classesByName.size;
  }

  override keys(): MapIterator<string> {
    this.onWholeFile();
    return this.classesByName.keys();
  }

  override values(): MapIterator<ModuleClass> {
    this.onWholeFile();
    return this.classesByName.values();
  }

  override entries(): MapIterator<[string, ModuleClass]> {
    this.onWholeFile();
    return this.classesByName.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, ModuleClass]> {
    return this.entries();
  }

  override forEach(callback: (value: ModuleClass, key: string, map: Map<string, ModuleClass>) => void, thisArg?: unknown): void {
    this.onWholeFile();
    this.classesByName.forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  override set(): this {
    throw new Error('recognizers do not change the file\'s classes');
  }

  override delete(): boolean {
    throw new Error('recognizers do not change the file\'s classes');
  }

  override clear(): void {
    throw new Error('recognizers do not change the file\'s classes');
  }
}

/**
 * Honours pragmas in place: an assert adds (or confirms, at confidence 1) a finding on the innermost
 * class around the comment; an ignore removes it. Returns the pragmas that sit outside any model class.
 */
export function applyPragmas(findings: PatternFinding[], pragmas: Pragma[], model: FileModel, options: AnalyzeOptions = {}): PragmaProblem[] {
  const problems: PragmaProblem[] = [];
  for (const pragma of pragmas) {
    const owner = model.classes
      .filter((c) => c.line <= pragma.line && pragma.line <= c.endLine)
      .sort((a, b) => b.line - a.line)[0];
    if (!owner) {
      const text = model.lines[pragma.line - 1] ?? '';
      const column = Math.max(0, text.indexOf('#'));
      problems.push({ code: 'outside-class', message: 'archlens pragma is not inside a model class, so it applies to nothing', line: pragma.line, column, endColumn: text.length });
      continue;
    }
    for (const id of pragma.ids) {
      if (options.patterns && !options.patterns.includes(id)) continue;
      const index = findings.findIndex((f) => f.pattern === id && f.line === owner.line);
      if (pragma.kind === 'ignore') {
        if (index >= 0) findings.splice(index, 1);
        continue;
      }
      const evidence = formatEvidence([{ line: pragma.line }], model.lines)[0];
      if (index >= 0) {
        findings[index].confidence = 1;
        findings[index].evidence = [evidence, ...findings[index].evidence.filter((e) => e !== evidence)].slice(0, MAX_EVIDENCE);
      } else {
        findings.push({ pattern: id, class: owner.name, line: owner.line, endLine: owner.endLine, confidence: 1, evidence: [evidence] });
      }
    }
  }
  findings.sort(byLineThenPattern);
  return problems;
}

function formatEvidence(evidence: Evidence[], lines: string[]): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const item of [...evidence].sort((a, b) => a.line - b.line)) {
    if (seen.has(item.line) || out.length >= MAX_EVIDENCE) continue;
    seen.add(item.line);
    let text = (lines[item.line - 1] ?? '').trim();
    if (text.length > MAX_EVIDENCE_CHARS) text = text.slice(0, MAX_EVIDENCE_CHARS - 1) + '…';
    out.push(`L${item.line}: ${text}`);
  }
  return out;
}

/** Recognition over an already parsed tree, with optional per-class caches (see DocumentAnalysis). */
export function analyzeTree(
  tree: Tree,
  text: string,
  options: AnalyzeOptions = {},
  caches?: { models: ClassModelCache; recognition: RecognitionCache },
  reuse?: EditReuse,
  /** `splitLines(text)`, when the caller has it already. */
  lines?: string[],
): FileAnalysis {
  const work: AnalysisWork = { statementsRead: 0, classesRead: 0, recognitionsRun: 0 };
  const model = extractFileModel(tree, text, caches?.models, work, reuse, lines);
  const rowsAreLines = caches !== undefined && (!text.includes('\r') || !/\r(?!\n)/.test(text));
  const { findings, errors } = recognizePatterns(model, options, caches?.recognition, work, rowsAreLines);
  const { pragmas, problems } = readPragmas(tree, text, PATTERNS.map((p) => p.id));
  const pragmaProblems = [...problems, ...applyPragmas(findings, pragmas, model, options)];
  return { findings, model, errors, pragmaProblems, work };
}

/**
 * The lines of `text`, made from the lines before one edit (of a text without `\r`): the lines before and
 * after the edited rows are the same strings, only the edited rows are split again. Undefined when the edit
 * does not fit the old lines (the caller then splits the whole text).
 */
export function linesAfterEdit(previous: readonly string[], text: string, edit: TextChange): string[] | undefined {
  const first = edit.startPosition.row;
  const oldLast = edit.oldEndPosition.row;
  const newLast = edit.newEndPosition.row;
  if (first > oldLast || first > newLast || oldLast >= previous.length) return undefined;
  const from = edit.startIndex === 0 ? 0 : text.lastIndexOf('\n', edit.startIndex - 1) + 1;
  let to = text.indexOf('\n', edit.newEndIndex);
  if (to < 0) to = text.length;
  const middle = text.slice(from, to).split('\n');
  if (middle.length !== newLast - first + 1) return undefined;
  // The rows before the edit must end where its first row starts, and all rows must add up to the text.
  let offset = 0;
  for (let i = 0; i < first; i++) offset += previous[i].length + 1;
  if (offset !== from) return undefined;
  const lines = previous.slice(0, first).concat(middle, previous.slice(oldLast + 1));
  let length = lines.length - 1;
  for (const line of lines) length += line.length;
  return length === text.length ? lines : undefined;
}

/** A position change, in the UTF-16 offsets and 0-based rows/columns that editors and tree-sitter share. */
export interface TextChange {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

/** What one analysis of a document leaves for the next (see EditReuse). */
interface CarriedOver {
  classKeys: EditReuse['next'];
  statements: EditReuse['nextStatements'];
  /** The lines, when the text had no `\r` (then rows and lines agree, and an edit can patch them). */
  lines: string[] | undefined;
}

/**
 * One open document: keeps its syntax tree and per-class caches, so that after an edit it re-parses
 * incrementally (`tree.edit` + reparse), re-reads only classes whose text changed and re-runs recognition
 * only where a class or what it depends on changed. `dispose()` frees the tree.
 *
 * @example
 *   const doc = analyzer.openDocument();
 *   doc.update(text);                      // full parse
 *   doc.update(newText, [change]);         // incremental
 *   doc.dispose();
 */
export class DocumentAnalysis {
  private tree: Tree | undefined;
  private readonly caches = { models: new Map() as ClassModelCache, recognition: new RecognitionCache() };
  /** What the last analysis leaves for the next one to take over (see EditReuse); dropped while an update runs. */
  private last: CarriedOver | undefined;
  private disposed = false;

  constructor(
    private readonly parser: PythonParser,
    private readonly options: AnalyzeOptions & { budgetMs?: number },
  ) {}

  /** Analyzes the document's new text; `changes` (in order) let the previous tree be reused. */
  update(text: string, changes?: readonly TextChange[]): FileAnalysis {
    if (this.disposed) throw new Error('DocumentAnalysis used after dispose()');
    let oldTree: Tree | undefined;
    if (this.tree && changes && changes.length > 0) {
      for (const change of changes) this.tree.edit(new Edit(change));
      oldTree = this.tree;
    } else {
      this.tree?.delete();
    }
    this.tree = undefined;
    // What the last analysis left carries over across one edit only (offsets of several edits would have to be composed).
    const last = changes?.length === 1 ? this.last : undefined;
    this.last = undefined;
    let changedRanges: EditReuse['changedRanges'];
    try {
      this.tree = this.parser.parse(text, this.options.budgetMs, oldTree);
      if (last) changedRanges = oldTree!.getChangedRanges(this.tree);
    } finally {
      oldTree?.delete();
    }
    const reuse: EditReuse = last ? { previous: last.classKeys, edit: changes![0], previousStatements: last.statements, changedRanges } : {};
    const hasCarriageReturn = text.includes('\r');
    const lines = last?.lines && !hasCarriageReturn ? linesAfterEdit(last.lines, text, changes![0]) : undefined;
    const analysis = analyzeTree(this.tree, text, this.options, this.caches, reuse, lines);
    this.last = { classKeys: reuse.next, statements: reuse.nextStatements, lines: hasCarriageReturn ? undefined : analysis.model.lines };
    return analysis;
  }

  dispose(): void {
    this.disposed = true;
    this.tree?.delete();
    this.tree = undefined;
    this.caches.models.clear();
    this.caches.recognition.clear();
    this.last = undefined;
  }
}

/**
 * Parses Python source and recognizes patterns in it. Owns a parser; `dispose()` when done.
 *
 * @example
 *   const analyzer = await Analyzer.create(source);
 *   const { findings } = analyzer.analyze(text);
 */
export class Analyzer {
  private constructor(private readonly parser: PythonParser) {}

  static async create(source: GrammarSource): Promise<Analyzer> {
    return new Analyzer(await PythonParser.create(source));
  }

  /** Parses only (no recognition): the baseline the benchmark compares a full scan with. */
  parseOnly(text: string, budgetMs?: number): void {
    this.parser.parse(text, budgetMs).delete();
  }

  analyze(text: string, options: AnalyzeOptions & { budgetMs?: number } = {}): FileAnalysis {
    if (options.skipNonModelFiles && !mayHoldModel(text) && !text.includes('archlens:')) {
      return { findings: [], model: { classes: [], lines: [], hasSyntaxErrors: false }, errors: [], pragmaProblems: [], work: { statementsRead: 0, classesRead: 0, recognitionsRun: 0 } };
    }
    const tree: Tree = this.parser.parse(text, options.budgetMs);
    try {
      return analyzeTree(tree, text, options);
    } finally {
      tree.delete();
    }
  }

  /** An analysis that follows one document through its edits, re-reading only what changed. */
  openDocument(options: AnalyzeOptions & { budgetMs?: number } = {}): DocumentAnalysis {
    return new DocumentAnalysis(this.parser, options);
  }

  dispose(): void {
    this.parser.dispose();
  }
}
