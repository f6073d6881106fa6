import type { ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { attentionSites, classifySite, flowOf, genericQkvInputs, projectsQkv, siteEvidence } from './_attention';
import { match } from './_util';

/**
 * Self-attention: the class itself computes attention whose queries and keys/values derive from the
 * same input — a library attention layer called as `attn(x, x, x)` / `nn.SelfAttention()(x)` /
 * `MultiHeadAttention()(x, x)`, a fused kernel (`scaled_dot_product_attention`, flash-attn, HF
 * `attention_interface`, a diffusers attention processor) or hand-written `softmax(q @ kᵀ) @ v`
 * (linear-attention `kᵀv`, windowed and relative-position variants included) fed by its own q/k/v
 * projections of one input. Decided on dataflow: which method inputs q and k derive from.
 * Decisions, on the PATTERNS.md definition of "has":
 * - a block that only calls a user-defined attention submodule does not have it (the attention does);
 *   a block calling a library primitive does;
 * - a bare kernel handed q, k, v (`forward(self, q, k, v)` with no projections: ScaledDotProductAttention,
 *   Attend, QKVAttention(qkv)) does not — the class projecting q/k/v and calling it does;
 * - a generic `forward(self, query, key, value)` that projects each input is self-attention only;
 * - keys only from another stream is cross-attention; modules serving both (`context=None`) have both;
 * - an attention module named *CrossAttention* whose keys share its one input (CrossViT: CLS token
 *   of one branch against the fused tokens) is reported as cross-attention only;
 * - not: SE/CBAM channel or spatial gates, attention pooling by a scoring layer, GAT-style graph
 *   attention (no query/key projections of one sequence), MoE routers.
 */
const selfAttention: PatternDefinition = {
  id: 'self-attention',
  name: 'Self-attention',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const sites = attentionSites(cls, context);
    if (sites.length === 0) return null;
    const flow = flowOf(cls, context);
    const generic = genericQkvInputs(cls);
    // forward(self, q, k, v) with no projections of its own: a bare kernel that knows nothing of where
    // q, k, v come from (ScaledDotProductAttention, Attend). The class that projects them has the pattern.
    if (generic && !projectsQkv(cls) && sites.every((s) => s.kind !== 'primitive')) return null;
    // An attention module named for cross-attention (CrossViT's CrossAttention) whose keys share the query input.
    const crossNamed = /Cross_?Att(ention|n)$/i.test(cls.name ?? '');
    const hits: Evidence[] = [];
    let best = 0;
    for (const site of sites) {
      const streams = classifySite(site, flow);
      let confidence = 0;
      if (streams === 'self') confidence = site.kind === 'primitive' ? 0.9 : 0.85;
      else if (streams === 'both') confidence = 0.8;
      else if (streams === 'unknown' && site.kind !== 'additive') confidence = 0.65;
      // forward(self, query, key, value) projecting each: the generic multi-head attention (its callers
      // decide the streams); counted as self-attention, not cross-attention.
      else if (streams === 'cross' && generic && site.kind !== 'primitive' && site.kind !== 'additive') confidence = 0.75;
      if (confidence === 0) continue;
      if (crossNamed && streams !== 'both' && site.kind !== 'primitive') continue;
      best = Math.max(best, confidence);
      hits.push(...siteEvidence(site, streams === 'both' ? 'keys from the same input unless a context is given' : undefined));
    }
    if (hits.length === 0) return null;
    return match(best, hits.slice(0, 4));
  },
};

export default selfAttention;
