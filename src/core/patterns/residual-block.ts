import type { ModuleClass } from '../model/types';
import type { PatternDefinition } from './_types';
import { evidence, match } from './_util';

/**
 * Residual block: the forward adds its input (or a shortcut of it) back to a computed branch.
 * Decided on dataflow: the sum's operands include a value that derives from the block's input and a
 * value produced by one of the block's own layers.
 */
const residualBlock: PatternDefinition = {
  id: 'residual-block',
  name: 'Residual block',
  recognize(cls: ModuleClass) {
    const hits = [];
    for (const assign of cls.assigns) {
      const additive = assign.operator === '+=' || /(^|[^*])\+(?!\+)/.test(assign.value);
      if (!additive) continue;
      // `x = x + self.attn(self.norm(x))`, `out += identity`, `return x + self.mlp(x)` as an assignment
      const target = assign.targets[0] ?? '';
      const readsTarget = assign.operator === '+=' ? true : assign.reads.includes(target);
      const usesLayer = /self\.\w+\s*\(|\b(identity|shortcut|residual|skip)\b/.test(assign.value) || assign.operator === '+=';
      if (readsTarget && usesLayer && assign.origins.size > 0) hits.push(evidence(assign.line, 'input added back'));
    }
    if (hits.length === 0) return null;
    return match(0.7, hits, hits.length > 1 ? 0.15 : 0);
  },
};

export default residualBlock;
