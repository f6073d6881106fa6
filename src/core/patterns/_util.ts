// Shared queries over a ModuleClass for the recognizers. Not a pattern (the registry skips `_` files).
import type { AssignFact, CallFact, ModuleClass, SubmoduleFact } from '../model/types';
import type { Evidence, PatternMatch } from './_types';

export function evidence(line: number, note?: string): Evidence {
  return note ? { line, note } : { line };
}

/** A match whose confidence starts at `base` and moves by each adjustment, clamped to [0, 1]. */
export function match(base: number, evidenceItems: Evidence[], ...adjustments: number[]): PatternMatch {
  const confidence = adjustments.reduce((c, a) => c + a, base);
  return { confidence: Math.min(1, Math.max(0, confidence)), evidence: evidenceItems };
}

/** Every layer the class builds, containers' elements included (depth-first). */
export function allLayers(cls: ModuleClass): SubmoduleFact[] {
  const out: SubmoduleFact[] = [];
  const stack = [...cls.submodules].reverse();
  while (stack.length > 0) {
    const layer = stack.pop()!;
    out.push(layer);
    for (let i = layer.elements.length - 1; i >= 0; i--) stack.push(layer.elements[i]);
  }
  return out;
}

/** Every layer nested inside a container layer (its elements, their elements, ...). */
export function nestedLayers(layer: SubmoduleFact): SubmoduleFact[] {
  const out: SubmoduleFact[] = [];
  const stack = [...layer.elements];
  while (stack.length > 0) {
    const inner = stack.pop()!;
    out.push(inner);
    stack.push(...inner.elements);
  }
  return out;
}

/** The top-level layer stored as `self.<name>`. */
export function layerNamed(cls: ModuleClass, name: string): SubmoduleFact | undefined {
  return firstSubmoduleNamed(cls, name);
}

const submodulesByName = new WeakMap<SubmoduleFact[], Map<string, SubmoduleFact>>();

/** `cls.submodules.find((s) => s.name === name)`, indexed once per class (classes can build thousands). */
export function firstSubmoduleNamed(cls: ModuleClass, name: string | undefined): SubmoduleFact | undefined {
  let byName = submodulesByName.get(cls.submodules);
  if (!byName) {
    byName = new Map();
    for (const s of cls.submodules) if (!byName.has(s.name)) byName.set(s.name, s);
    submodulesByName.set(cls.submodules, byName);
  }
  return name === undefined ? undefined : byName.get(name);
}

/** Layers whose constructor name matches. */
export function layersBuiltWith(cls: ModuleClass, ctorName: RegExp): SubmoduleFact[] {
  return allLayers(cls).filter((l) => ctorName.test(l.ctorName));
}

/** Forward-side calls whose last dotted name matches. */
export function callsNamed(cls: ModuleClass, name: RegExp): CallFact[] {
  return cls.calls.filter((c) => name.test(c.name));
}

/** Forward-side calls of `self.<attr>` (or a loop variable bound to it) where attr matches. */
export function callsOfSelf(cls: ModuleClass, attr: RegExp): CallFact[] {
  return cls.calls.filter((c) => c.selfAttr !== undefined && attr.test(c.selfAttr));
}

/** Forward-side assignments whose value text matches. */
export function assignsMatching(cls: ModuleClass, value: RegExp): AssignFact[] {
  return cls.assigns.filter((a) => value.test(a.value));
}

/** Whether any identifier or attribute name in the class matches. */
export function hasWord(cls: ModuleClass, word: RegExp): boolean {
  for (const w of cls.words) if (word.test(w)) return true;
  return false;
}

/** The class's forward method name for its framework, if it defines one. */
export function forwardMethod(cls: ModuleClass): string | undefined {
  return cls.methods.find((m) => m.name === 'forward' || m.name === '__call__' || m.name === 'call')?.name;
}

/** True when no element of `a` is in `b`. */
export function disjoint(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

/** Elements of `a` not in `b`. */
export function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x));
}

/**
 * Remembers a pure function of a string (bounded, dropped whole when full): recognizers ask the same
 * questions of the same expression texts many times per class and across recognizers.
 */
export function memoizeText<T>(compute: (text: string) => T, capacity = 8192): (text: string) => T {
  const results = new Map<string, T>();
  return (text: string): T => {
    let result = results.get(text);
    if (result === undefined && !results.has(text)) {
      if (results.size >= capacity) results.clear();
      result = compute(text);
      results.set(text, result);
    }
    return result as T;
  };
}

/** A RegExp built from a source once and reused (sources built per name and per call are compiled once). */
export const regExpFor: (source: string) => RegExp = memoizeText((source) => new RegExp(source));

/** Input names that conventionally carry a second stream (encoder output, context, condition). */
export const CONTEXT_INPUT = /^(context|ctx|memory|mem|encoder_hidden_states|encoder_outputs?|enc_out\w*|enc\w*|key_value_states|kv|kv_input|cond\w*|y|media|image_embeds|img\w*|text\w*|latents?|source|src\w*|other|xa|audio_features|visual\w*|vision\w*|x_kv|k_v|keys?|values?|mem\w*)$/i;

/** Words Python reserves, never names of values. */
const PYTHON_KEYWORDS = new Set(['None', 'True', 'False', 'and', 'or', 'not', 'in', 'is', 'if', 'else', 'for', 'lambda', 'self', 'await', 'yield']);

/** Identifiers read by an expression text (not attribute names, keyword-argument names, or strings). Shared: do not modify. */
export const identifiersIn: (text: string) => readonly string[] = memoizeText((text) => {
  const stripped = text.replace(/(['"])(?:\\.|(?!\1).)*\1/g, '""');
  const names: string[] = [];
  const re = /(?<![.\w])([A-Za-z_]\w*)(?!\s*=(?!=))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(stripped)) !== null) if (!PYTHON_KEYWORDS.has(m[1])) names.push(m[1]);
  return names;
});

/** Text as a literal inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The last entry whose `key` is below `bound`, in entries sorted by `key` (binary search: a long method
 * has thousands of entries per name).
 */
export function lastBefore<T>(entries: readonly T[], key: (entry: T) => number, bound: number): T | undefined {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(entries[mid]) < bound) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? entries[low - 1] : undefined;
}
