import type { ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { attentionSites, classifySite, crossWiring, flowOf, genericQkvInputs, siteEvidence } from './_attention';
import { evidence, match } from './_util';

/**
 * Cross-attention: queries from one stream, keys/values from another. Decided on dataflow, two ways:
 * 1. the class computes attention (library layer, fused kernel, attention processor or
 *    softmax(q·kᵀ)·v) whose keys/values derive from a method input other than the queries' —
 *    including modules serving both (`context = default(context, x)`, HF `key_value_states`,
 *    `encoder_hidden_states=None`), Perceiver latents attending to `cat(data, latents)`, and
 *    Bahdanau/Luong attention of a decoder state over encoder outputs;
 * 2. it wires cross-attention: calls its own attention submodule with another stream for the
 *    keys/values (`self.encoder_attn(h, key_value_states=enc)`, `self.cross_attn(x, context)`,
 *    `self.multihead_attn(x, memory, memory)`, a Perceiver's `cross_attn(latents, context=data)`).
 * Decisions: a stack merely forwarding an optional `context` to its single attention, or passing
 * `encoder_hidden_states` on to its layers, does not have it; a generic `forward(self, query, key,
 * value)` attention does not (its callers decide the streams); attention pooling with a learned query
 * (timm AttentionPoolLatent, MAP heads) does — a learned latent attending to the input, as in Perceiver
 * — at lower confidence; masks, positions, caches and sizes are not streams.
 */
const crossAttention: PatternDefinition = {
  id: 'cross-attention',
  name: 'Cross-attention',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const flow = flowOf(cls, context);
    const hits: Evidence[] = [];
    let best = 0;
    const crossNamed = /Cross_?Att(ention|n)$/i.test(cls.name ?? '');
    const sites = attentionSites(cls, context);
    for (const site of sites) {
      const streams = classifySite(site, flow);
      let confidence = 0;
      let note = '';
      if (streams === 'cross') {
        const learnedQuery = [...site.query].every((q) => q.startsWith('self.'));
        confidence = site.kind === 'additive' ? 0.7 : learnedQuery ? 0.7 : 0.85;
        note = learnedQuery ? 'learned queries attend to the input' : `keys/values from ${[...site.keyValue].join(', ')}`;
        // forward(self, query, key, value): a generic attention (or a bare kernel); its callers decide
        // whether keys come from another stream, so the caller wiring it has cross-attention.
        if (genericQkvInputs(cls) && site.kind !== 'primitive' && site.kind !== 'additive') confidence = 0;
      } else if (streams === 'both') {
        confidence = 0.8;
        note = 'keys/values from an optional second stream';
      } else if (crossNamed && site.kind !== 'primitive' && (streams === 'self' || streams === 'unknown')) {
        // CrossViT: the CLS token of one branch attends to the other branch's tokens, fused in one input.
        confidence = 0.6;
        note = 'named cross-attention; queries are a slice of the fused input';
      }
      if (confidence === 0) continue;
      best = Math.max(best, confidence);
      hits.push(...siteEvidence(site, note));
    }
    for (const wire of crossWiring(cls, context)) {
      best = Math.max(best, 0.8);
      hits.push(evidence(wire.line, wire.note));
    }
    if (hits.length === 0) return null;
    return match(best, hits.slice(0, 4));
  },
};

export default crossAttention;
