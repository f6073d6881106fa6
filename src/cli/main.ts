import { relative, isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { allPatterns, Analyzer, DEFAULT_MIN_CONFIDENCE, patternById, type PatternFinding } from '../core/analyze';
import type { RankedPaper } from '../core/knowledge/paper-index';
import { PaperLibrary } from '../core/knowledge/library';
import { DEFAULT_PAPER_LIMIT } from '../core/knowledge/papers-for';
import { formatCard } from '../core/knowledge/render';
import { nodeKnowledgeSource, packageRoot, readUserCorpus } from '../node/knowledge';
import { nodeGrammarSource } from '../node/grammar';
import { listPythonFiles, readSourceFile } from '../node/files';
import { scanFiles, type FileResult } from '../node/scan';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;

declare const ARCHLENS_ENGINE: string;
/** Identifies the recognition engine (set at build time from the core's sources): part of every cache key. */
const ENGINE = typeof ARCHLENS_ENGINE === 'string' ? ARCHLENS_ENGINE : 'source';

const HELP = `archlens — recognize architecture patterns in Python model code

Usage:
  archlens scan <file-or-dir>... [--json] [--pattern <id>]... [--max-file-size <bytes>]
                [--min-confidence <0..1>] [--corpus <file>]... [--jobs <n>] [--cache | --cache-dir <dir>]
      Walk the given files and folders (skipping .git, node_modules, virtualenvs and what .gitignore
      ignores), read the .py files and print the patterns found, grouped by file and class.
      --json               print {"files":[{"path","findings":[...]}]} on stdout
      --pattern <id>       only this pattern (repeatable)
      --max-file-size <n>  skip files larger than n bytes (default ${DEFAULT_MAX_FILE_SIZE})
      --min-confidence <c> drop findings below c (default ${DEFAULT_MIN_CONFIDENCE})
      --jobs <n>           worker threads (default: one per core; 1 scans on the main thread)
      --cache              reuse results for unchanged files (content hash) from ~/.cache/archlens
      --cache-dir <dir>    the same, with the cache in <dir>
      With --json each finding lists its top papers' ids in "papers".
  archlens papers <pattern-id> [--json] [--limit N] [--corpus <file>]...
      The corpus papers to read first for a pattern, best first:
      {"pattern":"<id>","papers":[{"id","title","score"}]}
  archlens search "<query>" [--json] [--limit N] [--corpus <file>]...
      Free-text paper search (prefix and typo tolerant): {"papers":[{"id","title","score"}]}
  archlens explain <pattern-id> [--corpus <file>]...
      The pattern's knowledge card (how it works, trade-offs, alternatives) with its papers.
  archlens inspect <file>
      Print what ArchLens read from each module class of a file (layers, weights, calls), as JSON.
  archlens patterns
      List the pattern ids.
  archlens --help | --version

--corpus <file> adds your own papers from a JSONL file (one {"title","abstract"[,"id","urls","tags"]}
object per line) or a BibTeX file whose entries have abstracts; bad records are reported with file and
line on stderr and skipped. Files that cannot be read, are binary, are not UTF-8 or are over the size
limit are reported on stderr and skipped. Exit status: 0 when the command ran, 2 for bad arguments.`;

export interface CliIO {
  /** Writes a line (the text and a newline). */
  out: (text: string) => void;
  /** Writes text as is; when given, long output is written in pieces as it is produced. */
  write?: (text: string) => void;
  err: (text: string) => void;
}

class UsageError extends Error {}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIO, version = '0.0.0'): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP);
      return command ? 0 : 2;
    }
    if (command === '--version') {
      io.out(version);
      return 0;
    }
    switch (command) {
      case 'scan':
        return await scanCommand(rest, io);
      case 'inspect':
        return await inspectCommand(rest, io);
      case 'papers':
        return await papersCommand(rest, io);
      case 'search':
        return await searchCommand(rest, io);
      case 'explain':
        return await explainCommand(rest, io);
      case 'patterns':
        for (const p of allPatterns()) io.out(`${p.id.padEnd(22)} ${p.name}`);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (try: archlens --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`archlens: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}

function positiveNumber(text: string | undefined, flag: string, fallback: number, max = Infinity): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max) throw new UsageError(`${flag} takes a number${max === 1 ? ' from 0 to 1' : ' ≥ 0'}, not '${text}'`);
  return value;
}

async function scanCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      pattern: { type: 'string', multiple: true },
      'max-file-size': { type: 'string' },
      'min-confidence': { type: 'string' },
      corpus: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      cache: { type: 'boolean' },
      'cache-dir': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw new UsageError(`--jobs takes a whole number from 1 to 64, not '${values.jobs}'`);
  const cacheDir = values['cache-dir'] ?? (values.cache ? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'archlens') : undefined);
  const known = new Set(allPatterns().map((p) => p.id));
  const patterns = values.pattern;
  for (const id of patterns ?? []) {
    if (!known.has(id)) throw new UsageError(`unknown pattern '${id}' (archlens patterns lists them)`);
  }
  const maxFileSize = positiveNumber(values['max-file-size'], '--max-file-size', DEFAULT_MAX_FILE_SIZE);
  const minConfidence = positiveNumber(values['min-confidence'], '--min-confidence', DEFAULT_MIN_CONFIDENCE, 1);

  const files = listPythonFiles(positionals, (path, message) => io.err(`archlens: ${displayPath(path)}: ${message}`));
  // Workers run the bundled scan-worker.js beside the CLI; from source (tests) the scan stays in-process.
  const workerScript = join(__dirname, 'scan-worker.js');
  let analyzer: Analyzer | undefined;
  const inProcess = async () => (analyzer ??= await Analyzer.create(nodeGrammarSource()));
  const wanted = patterns ? new Set(patterns) : undefined;
  // JSON goes out file by file, in input order, as soon as a file and all before it are scanned, so the
  // findings of a large tree are never all held at once; the table needs totals and keeps its rows.
  // Without user corpora the bundled build's table answers each pattern's top papers; the index (tens of
  // MB once loaded) is read only when user papers may change them.
  const table = values.json && !values.corpus?.length ? bundledPatternPapers() : undefined;
  const library = values.json && !table ? await loadLibrary(values.corpus, io) : undefined;
  const topPapers = new Map<string, string[]>();
  const papersOf = (id: string): string[] => {
    if (!topPapers.has(id)) topPapers.set(id, table ? (table[id] ?? []) : library!.papersFor(patternById(id)!, DEFAULT_PAPER_LIMIT).papers.map((p) => p.paper.id));
    return topPapers.get(id)!;
  };
  const buffered: string[] = [];
  const write = io.write ?? ((text: string) => buffered.push(text));
  let written = 0;
  const rows: Array<{ path: string; findings: PatternFinding[] }> = [];
  const take = (result: FileResult) => {
    if ('skipped' in result) {
      io.err(`archlens: ${displayPath(result.path)}: skipped: ${result.skipped}`);
      return;
    }
    for (const problem of result.errors) io.err(`archlens: ${displayPath(result.path)}: recognizer failed: ${problem}`);
    for (const problem of result.pragmaProblems) io.err(`archlens: ${displayPath(result.path)}:${problem.line}: ${problem.message}`);
    const findings = result.findings.filter((f) => f.confidence >= minConfidence && (!wanted || wanted.has(f.pattern)));
    const row = { path: displayPath(result.path), findings };
    if (!values.json) {
      rows.push(row);
      return;
    }
    const file = { ...row, findings: findings.map((f) => ({ ...f, papers: papersOf(f.pattern) })) };
    write(`${written++ === 0 ? '{"files":[' : ','}${JSON.stringify(file)}`);
  };
  // Results arrive in completion order; each is held only until the files before it are done.
  const waiting = new Map<number, FileResult>();
  let nextIndex = 0;
  const onResult = (result: FileResult, index: number) => {
    waiting.set(index, result);
    for (let ready = waiting.get(nextIndex); ready !== undefined; ready = waiting.get(nextIndex)) {
      waiting.delete(nextIndex++);
      take(ready);
    }
  };
  try {
    await scanFiles(
      files,
      { maxFileSize, cacheDir, engine: ENGINE },
      { workers: existsSync(workerScript) ? jobs : 1, workerScript, onProblem: (message) => io.err(`archlens: ${message}`), onResult, keepResults: false },
      inProcess,
    );
  } finally {
    analyzer?.dispose();
  }
  // Every file reports a result, so nothing is left waiting; this keeps any stragglers' order regardless.
  for (const index of [...waiting.keys()].sort((a, b) => a - b)) take(waiting.get(index)!);
  if (values.json) {
    if (io.write) write(`${written === 0 ? '{"files":[' : ''}]}\n`);
    else io.out(`${buffered.join('')}${written === 0 ? '{"files":[' : ''}]}`);
  } else {
    io.out(formatTable(rows, files.length));
  }
  return 0;
}

/**
 * Each pattern's top paper ids in the bundled corpus, from `pattern-papers.json` beside the bundle (written
 * by the build with the index); undefined when running from source or when the file is not the table.
 */
export function bundledPatternPapers(path = join(__dirname, 'pattern-papers.json')): Record<string, string[]> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { limit?: unknown; papers?: unknown };
    if (parsed.limit !== DEFAULT_PAPER_LIMIT || typeof parsed.papers !== 'object' || parsed.papers === null) return undefined;
    return parsed.papers as Record<string, string[]>;
  } catch {
    return undefined;
  }
}

/** The bundled corpus plus the user corpora named by --corpus; their problems go to stderr. */
async function loadLibrary(corpusFiles: string[] | undefined, io: CliIO): Promise<PaperLibrary> {
  const texts = [];
  for (const path of corpusFiles ?? []) {
    const read = await readUserCorpus(path);
    if ('error' in read) io.err(`archlens: ${displayPath(path)}: ${read.error}`);
    else texts.push(read);
  }
  const { library, problems } = await PaperLibrary.load(nodeKnowledgeSource(packageRoot()), texts);
  for (const p of problems) io.err(`archlens: ${displayPath(p.file)}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  return library;
}

const PAPER_OPTIONS = {
  json: { type: 'boolean' },
  limit: { type: 'string' },
  corpus: { type: 'string', multiple: true },
} as const;

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAPER_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--limit takes a whole number from 1 to 1000, not '${text}'`);
  return n;
}

function paperJson(r: RankedPaper) {
  return { id: r.paper.id, title: r.paper.title, score: Math.round(r.score * 100) / 100 };
}

function paperLines(papers: RankedPaper[]): string[] {
  return papers.map((r, i) => `${String(i + 1).padStart(2)}. ${r.paper.title}\n    ${r.paper.id}  (score ${r.score.toFixed(2)})`);
}

function knownPattern(id: string | undefined, command: string) {
  if (!id) throw new UsageError(`${command} needs a pattern id (archlens patterns lists them)`);
  const pattern = patternById(id);
  if (!pattern) throw new UsageError(`unknown pattern '${id}' (archlens patterns lists them)`);
  return pattern;
}

async function papersCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: PAPER_OPTIONS });
  if (positionals.length > 1) throw new UsageError('papers takes one pattern id');
  const pattern = knownPattern(positionals[0], 'papers');
  const limit = limitOf(values.limit);
  const library = await loadLibrary(values.corpus, io);
  const result = library.papersFor(pattern, limit);
  if (values.json) {
    io.out(JSON.stringify({ pattern: pattern.id, papers: result.papers.map(paperJson), ...(result.note ? { note: result.note } : {}) }));
  } else {
    io.out([`Papers for ${pattern.name} (${pattern.id}):`, ...paperLines(result.papers), ...(result.note ? [result.note] : [])].join('\n'));
  }
  return 0;
}

async function searchCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: PAPER_OPTIONS });
  const query = positionals.join(' ').trim();
  if (!query) throw new UsageError('search needs a query, e.g. archlens search "mixture of experts"');
  const limit = limitOf(values.limit);
  const library = await loadLibrary(values.corpus, io);
  const papers = library.search(query, { limit });
  if (values.json) io.out(JSON.stringify({ papers: papers.map(paperJson) }));
  else io.out(papers.length > 0 ? paperLines(papers).join('\n') : `No paper matches "${query}".`);
  return 0;
}

async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { corpus: PAPER_OPTIONS.corpus } });
  if (positionals.length > 1) throw new UsageError('explain takes one pattern id');
  const pattern = knownPattern(positionals[0], 'explain');
  const library = await loadLibrary(values.corpus, io);
  io.out(formatCard(pattern, library));
  return 0;
}

function formatTable(results: Array<{ path: string; findings: PatternFinding[] }>, scanned: number): string {
  const lines: string[] = [];
  let total = 0;
  for (const file of results) {
    if (file.findings.length === 0) continue;
    lines.push(file.path);
    const byClass = new Map<string, PatternFinding[]>();
    for (const f of file.findings) {
      const key = `${f.class ?? '(functional model)'} (L${f.line}-${f.endLine})`;
      byClass.set(key, [...(byClass.get(key) ?? []), f]);
    }
    for (const [cls, findings] of byClass) {
      lines.push(`  ${cls}`);
      for (const f of findings) {
        total++;
        lines.push(`    ${f.pattern.padEnd(20)} ${f.confidence.toFixed(2)}  ${f.evidence[0] ?? ''}`);
        for (const e of f.evidence.slice(1)) lines.push(`    ${''.padEnd(20)}       ${e}`);
      }
    }
    lines.push('');
  }
  lines.push(`${total} finding${total === 1 ? '' : 's'} in ${results.filter((r) => r.findings.length > 0).length} of ${scanned} file${scanned === 1 ? '' : 's'}`);
  return lines.join('\n');
}

async function inspectCommand(args: string[], io: CliIO): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('inspect takes exactly one file');
  const read = readSourceFile(positionals[0], DEFAULT_MAX_FILE_SIZE);
  if (!read.ok) {
    io.err(`archlens: ${positionals[0]}: ${read.reason}`);
    return 1;
  }
  const analyzer = await Analyzer.create(nodeGrammarSource());
  try {
    const { model } = analyzer.analyze(read.text);
    const replacer = (_key: string, value: unknown) => (value instanceof Set ? [...value] : value);
    io.out(JSON.stringify(model.classes, replacer, 2));
  } finally {
    analyzer.dispose();
  }
  return 0;
}
