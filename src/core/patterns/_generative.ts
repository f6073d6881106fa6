// Shared analysis for the generative-model patterns (encoder-decoder, vae, unet, diffusion-timestep).
// Not a pattern (the registry skips `_` files).
//
// These recognizers ask where a value goes inside one method: does the decoder receive what the encoder
// produced, does a skip feature stored on the way down come back on the way up, does the timestep's
// embedding reach the blocks. The extractor records method inputs as origins; the helpers here follow
// local names through assignments as well.
import type { CallFact, ModuleClass, SubmoduleFact } from '../model/types';
import { allLayers, firstSubmoduleNamed, identifiersIn } from './_util';

const CONSTRUCTORS = new Set(['__init__', 'setup', 'build', '__post_init__']);


/** Whether a method is a constructor (`__init__`, `setup`, `build`). */
export function isConstructor(method: string | null): boolean {
  return method !== null && CONSTRUCTORS.has(method);
}

/**
 * Local names of `method` whose value derives from any of `seeds` (the seeds included), following
 * assignments regardless of order: loops make source order unreliable, and a name that is ever
 * derived from the seed is treated as carrying it.
 */
export function derivedNames(cls: ModuleClass, method: string | null, seeds: Iterable<string>): Set<string> {
  const derived = new Set(seeds);
  const assigns = cls.assigns.filter((a) => a.method === method);
  let changed = derived.size > 0;
  while (changed) {
    changed = false;
    for (const assign of assigns) {
      if (!assign.reads.some((r) => derived.has(r))) continue;
      for (const target of assign.targets) {
        const name = /^\*?(\w+)$/.exec(target)?.[1];
        if (name && !derived.has(name)) {
          derived.add(name);
          changed = true;
        }
      }
    }
  }
  return derived;
}

/** Names (plain identifiers) an assignment of a value matching `value` binds in `method`, plus call results. */
export function namesAssignedFrom(cls: ModuleClass, method: string | null, value: RegExp, calls: CallFact[] = []): Set<string> {
  const names = new Set<string>();
  for (const assign of cls.assigns) {
    if (assign.method !== method || !value.test(assign.value)) continue;
    for (const t of assign.targets) if (/^\w+$/.test(t)) names.add(t);
  }
  for (const call of calls) {
    if (call.method !== method) continue;
    for (const t of call.assignedTo) if (/^\w+$/.test(t)) names.add(t);
  }
  return names;
}

/** Every identifier a call reads through its arguments (positional and keyword). */
export function callArgumentNames(call: CallFact): string[] {
  return [...call.args, ...Object.values(call.kwargs)].flatMap(identifiersIn);
}

/** The layer built as `self.<name>` (containers included), if the class builds one. */
export function submoduleNamed(cls: ModuleClass, name: string): SubmoduleFact | undefined {
  return firstSubmoduleNamed(cls, name);
}

/** Names of the class's methods, for resolving `self.encode(...)`-style helper calls. */
export function methodNames(cls: ModuleClass): Set<string> {
  return new Set(cls.methods.map((m) => m.name));
}

/** Constructor names of every layer the class builds (containers' elements included) and of layers its constructor calls. */
export function builtLayerNames(cls: ModuleClass): string[] {
  return [...allLayers(cls).map((l) => l.ctorName), ...cls.initCalls.map((c) => c.name)];
}

const viewCache = new WeakMap<ModuleClass, ModuleClass>();

/**
 * The class as its computation sees it. keras-hub backbones build their functional graph inside
 * `__init__` (`keras.Input(...)`, layers called on tensors, `super().__init__(inputs, outputs)`): for
 * those, the constructor's calls and assignments are the forward computation too.
 */
export function computationView(cls: ModuleClass): ModuleClass {
  let view = viewCache.get(cls);
  if (view) return view;
  view = cls;
  const builtGraph = cls.framework === 'keras' && cls.initCalls.some((c) => c.name === 'Input');
  if (builtGraph) {
    const method = '<functional graph>';
    view = {
      ...cls,
      calls: [...cls.calls, ...cls.initCalls.map((c) => ({ ...c, method }))],
      assigns: [...cls.assigns, ...cls.initAssigns.filter((a) => !a.targets.some((t) => t.startsWith('self.'))).map((a) => ({ ...a, method }))],
    };
  }
  viewCache.set(cls, view);
  return view;
}
