import type { Tree } from 'web-tree-sitter';
import { extractFileModel } from './model/extract';
import type { FileModel, ModuleClass } from './model/types';
import { PythonParser, type GrammarSource } from './parser';
import type { Evidence, PatternDefinition } from './patterns/_types';
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
}

export interface FileAnalysis {
  findings: PatternFinding[];
  model: FileModel;
  /** Recognizers that failed on this file (the others still ran). */
  errors: string[];
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

/**
 * Runs the recognizers over a file model.
 *
 * @example
 *   recognizePatterns(model, { patterns: ['mixture-of-experts'] })
 *   // [{ pattern: 'mixture-of-experts', class: 'SparseMoE', line: 12, endLine: 80, confidence: 0.93, evidence: [...] }]
 */
export function recognizePatterns(model: FileModel, options: AnalyzeOptions = {}): { findings: PatternFinding[]; errors: string[] } {
  const wanted = options.patterns ? PATTERNS.filter((p) => options.patterns!.includes(p.id)) : PATTERNS;
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const classesByName = new Map<string, ModuleClass>();
  for (const cls of model.classes) if (cls.name) classesByName.set(cls.name, cls);
  const context = { file: model, classesByName };
  const findings: PatternFinding[] = [];
  const errors: string[] = [];
  for (const cls of model.classes) {
    for (const pattern of wanted) {
      let match;
      try {
        match = pattern.recognize(cls, context);
      } catch (error) {
        errors.push(`${pattern.id} on ${cls.name ?? cls.functionName ?? 'module'}: ${(error as Error).message}`);
        continue;
      }
      if (!match || match.confidence < minConfidence) continue;
      findings.push({
        pattern: pattern.id,
        class: cls.name,
        line: cls.line,
        endLine: cls.endLine,
        confidence: Math.round(Math.min(1, Math.max(0, match.confidence)) * 100) / 100,
        evidence: formatEvidence(match.evidence, model.lines),
      });
    }
  }
  findings.sort((a, b) => a.line - b.line || a.pattern.localeCompare(b.pattern));
  return { findings, errors };
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
    const tree: Tree = this.parser.parse(text, options.budgetMs);
    try {
      const model = extractFileModel(tree, text);
      const { findings, errors } = recognizePatterns(model, options);
      return { findings, model, errors };
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    this.parser.dispose();
  }
}
