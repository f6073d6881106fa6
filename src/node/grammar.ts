import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GrammarSource } from '../core/parser';

/**
 * Reads the wasm files from the first folder that has them: the bundle's own folder (`dist/`, where the
 * build copies them), else the installed npm packages (tests and scripts run from source).
 */
export function nodeGrammarSource(folder: string = __dirname): GrammarSource {
  const locate = (file: string, packageName: string): string => {
    const beside = join(folder, file);
    if (existsSync(beside)) return beside;
    return require.resolve(`${packageName}/${file}`, { paths: [folder, process.cwd()] });
  };
  return {
    runtimeWasm: () => readFile(locate('web-tree-sitter.wasm', 'web-tree-sitter')),
    pythonWasm: () => readFile(locate('tree-sitter-python.wasm', 'tree-sitter-python')),
  };
}
