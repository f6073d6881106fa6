import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Folders never worth walking: VCS metadata, dependencies, virtualenvs, caches and build output. */
const SKIPPED_FOLDERS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', 'env', '.env', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.ipynb_checkpoints']);

/** True for a folder that holds a virtualenv (it has `pyvenv.cfg`), whatever its name. */
function isVirtualenv(folder: string): boolean {
  return existsSync(join(folder, 'pyvenv.cfg'));
}

/**
 * Lists the `.py` files under the given files and folders, in a stable order. Directories are walked
 * iteratively, skipping VCS folders, dependencies, virtualenvs and whatever each folder's `.gitignore`
 * ignores. Named files are always kept, whatever their extension.
 */
export function listPythonFiles(targets: string[], onProblem: (path: string, message: string) => void): string[] {
  const out: string[] = [];
  for (const target of targets) {
    let stats;
    try {
      stats = statSync(target);
    } catch (error) {
      onProblem(target, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message);
      continue;
    }
    if (!stats.isDirectory()) {
      out.push(target);
      continue;
    }
    const stack: Array<{ dir: string; rules: Array<{ base: string; ig: Ignore }> }> = [{ dir: target, rules: [] }];
    const found: string[] = [];
    while (stack.length > 0) {
      const { dir, rules: inherited } = stack.pop()!;
      let rules = inherited;
      const gitignore = join(dir, '.gitignore');
      if (existsSync(gitignore)) {
        try {
          rules = [...inherited, { base: dir, ig: ignore().add(readFileSync(gitignore, 'utf8')) }];
        } catch (error) {
          onProblem(gitignore, `could not read: ${(error as Error).message}`);
        }
      }
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        onProblem(dir, `could not list: ${(error as Error).message}`);
        continue;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        const isDir = entry.isDirectory();
        if (isDir && (SKIPPED_FOLDERS.has(entry.name) || isVirtualenv(path))) continue;
        if (!isDir && !(entry.isFile() && entry.name.endsWith('.py'))) continue;
        const ignored = rules.some(({ base, ig }) => {
          const rel = relative(base, path).split(sep).join('/');
          return rel !== '' && ig.ignores(isDir ? `${rel}/` : rel);
        });
        if (ignored) continue;
        if (isDir) stack.push({ dir: path, rules });
        else found.push(path);
      }
    }
    out.push(...found.sort());
  }
  return out;
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

/** Reads a source file, refusing what is over the size limit, binary, or not UTF-8. */
export function readSourceFile(path: string, maxBytes: number): ReadResult {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) return { ok: false, reason: `larger than the ${maxBytes}-byte limit (${size} bytes)` };
    bytes = readFileSync(path);
  } catch (error) {
    return { ok: false, reason: `could not read: ${(error as Error).message}` };
  }
  return decodeSource(bytes);
}

/** Decodes file bytes as UTF-8 source text, refusing binary content and invalid UTF-8. */
export function decodeSource(bytes: Uint8Array): ReadResult {
  if (bytes.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}
