import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Analyzer } from '../src/core/analyze';
import { nodeGrammarSource } from '../src/node/grammar';

let shared: Promise<Analyzer> | undefined;

/** One analyzer for the whole test run (the wasm runtime loads once per process anyway). */
export function sharedAnalyzer(): Promise<Analyzer> {
  shared ??= Analyzer.create(nodeGrammarSource(join(__dirname, '..', 'dist')));
  return shared;
}

export const FIXTURES = join(__dirname, 'fixtures');

/** Every `.py` file under a folder, sorted, as paths relative to it. */
export function pythonFiles(folder: string): string[] {
  const out: string[] = [];
  const stack = [folder];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) stack.push(path);
      else if (name.endsWith('.py')) out.push(relative(folder, path));
    }
  }
  return out.sort();
}

/** A mark in a fixture: `class SparseMoE(nn.Module):  # expect: mixture-of-experts` (or `expect-not:`). */
export interface FixtureMark {
  line: number;
  /** The class (or functional-model function) named on the marked line. */
  name: string | null;
  expect: string[];
  expectNot: string[];
}

/**
 * Reads the marks of a fixture. A mark sits in a comment on a `class` line, or on a `def` line for a
 * Keras functional model (whose findings have class null).
 */
export function readMarks(text: string): FixtureMark[] {
  const marks: FixtureMark[] = [];
  text.split('\n').forEach((source, index) => {
    const comment = /#\s*(expect(?:-not)?:.*)$/.exec(source);
    if (!comment) return;
    const header = /^\s*(class|def)\s+(\w+)/.exec(source);
    const mark: FixtureMark = { line: index + 1, name: header && header[1] === 'class' ? header[2] : null, expect: [], expectNot: [] };
    for (const part of comment[1].split(/\s+(?=expect(?:-not)?:)/)) {
      const m = /^(expect|expect-not):\s*(.*)$/.exec(part.trim());
      if (!m) continue;
      const ids = m[2].split(',').map((s) => s.trim()).filter(Boolean);
      (m[1] === 'expect' ? mark.expect : mark.expectNot).push(...ids);
    }
    marks.push(mark);
  });
  return marks;
}

export function readFixture(relativePath: string): string {
  return readFileSync(join(FIXTURES, relativePath), 'utf8');
}
