import { Language, Parser, Tree } from 'web-tree-sitter';

/**
 * Where the tree-sitter runtime and the Python grammar come from. The core never touches the file
 * system itself: the CLI reads the bytes from `dist/`, the extension from its install folder.
 */
export interface GrammarSource {
  /** Bytes of `web-tree-sitter.wasm` (the runtime). */
  runtimeWasm(): Promise<Uint8Array>;
  /** Bytes of `tree-sitter-python.wasm` (the grammar). */
  pythonWasm(): Promise<Uint8Array>;
}

/** Thrown when a file takes longer to parse than its budget allows. */
export class ParseBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`parsing took longer than the ${budgetMs} ms budget; the file was skipped`);
    this.name = 'ParseBudgetExceeded';
  }
}

let pythonLanguage: Promise<Language> | undefined;

/**
 * Initializes the wasm runtime and loads the grammar once per process, on first use.
 * A failed load is not cached, so a later call can retry (for example after a corrupt file is fixed).
 */
export function loadPython(source: GrammarSource): Promise<Language> {
  if (!pythonLanguage) {
    pythonLanguage = (async () => {
      const runtime = await source.runtimeWasm();
      await Parser.init({ wasmBinary: runtime });
      return Language.load(await source.pythonWasm());
    })();
    pythonLanguage.catch(() => {
      pythonLanguage = undefined;
    });
  }
  return pythonLanguage;
}

/**
 * A parser bound to the Python grammar. Owns one tree-sitter `Parser`; call `dispose()` when done.
 *
 * @example
 *   const parser = await PythonParser.create(source);
 *   const tree = parser.parse('class A: pass');
 *   try { ... } finally { tree.delete(); parser.dispose(); }
 */
export class PythonParser {
  private constructor(private readonly parser: Parser) {}

  static async create(source: GrammarSource): Promise<PythonParser> {
    const language = await loadPython(source);
    const parser = new Parser();
    parser.setLanguage(language);
    return new PythonParser(parser);
  }

  /**
   * Parses `text`, optionally reusing an edited `oldTree`. Syntax errors are tolerated (the tree holds
   * ERROR nodes); only a parse that exceeds `budgetMs` fails, with `ParseBudgetExceeded`.
   */
  parse(text: string, budgetMs = 5000, oldTree?: Tree): Tree {
    const deadline = performance.now() + budgetMs;
    const tree = this.parser.parse(text, oldTree ?? null, {
      progressCallback: () => performance.now() > deadline,
    });
    if (!tree) {
      // A cancelled parse leaves state behind that the next parse would otherwise resume from.
      this.parser.reset();
      throw new ParseBudgetExceeded(budgetMs);
    }
    return tree;
  }

  dispose(): void {
    this.parser.delete();
  }
}
