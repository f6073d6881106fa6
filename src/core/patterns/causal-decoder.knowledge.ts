import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'A single stack of masked self-attention blocks predicts each token from the tokens before it (GPT, LLaMA); prompt and output share one sequence.',
  howItWorks:
    'Tokens are embedded and passed through a stack of self-attention and feed-forward blocks in which a causal (lower-triangular) mask lets position t see only positions up to t. ' +
    'A language-model head maps each position to logits for the next token, so one forward pass over a training sequence yields a loss at every position (teacher forcing). ' +
    'At inference the prompt is processed in one parallel prefill, then tokens are sampled one at a time while the keys and values of earlier positions are kept in a KV cache.',
  pros: [
    'Dense, simple training signal: every token is a target, any raw text (or tokenized audio, motion, time series) is training data, and one architecture and objective serve every task as text continuation.',
    'Causal decoder-only models trained with plain autoregressive language modelling show the strongest zero-shot generalisation after purely unsupervised pretraining among the architectures compared at over 5B parameters [[what-language-model-architecture-and-pretraining-objective-work-best-for-zero]].',
    'Streams output token by token, which masked (BERT-type) generators lack [[mogo-rq-hierarchical-causal-transformer-for-high-quality-3d-human-motion]]; the KV cache makes each new token cost O(context) rather than recomputing the prefix.',
    'Other modalities plug in as prefix tokens, and the decoder can keep training on text-only data; used for speech recognition this way it was also cheaper than a comparable encoder-decoder [[decoder-only-architecture-for-speech-recognition-with-ctc-prompts-and-text-data]] [[on-decoder-only-architecture-for-speech-to-text-and-large-language-model]].',
  ],
  cons: [
    'Generation is sequential: latency grows linearly with output length, and decoding is memory-bandwidth-bound, so small batches leave the accelerator idle.',
    'The KV cache grows linearly with context length × layers × batch and often dominates serving memory at long context; attention compute over the context still grows quadratically in prefill.',
    'The prompt is encoded only left-to-right; once multitask finetuning is allowed, models with non-causal visibility of the input, pretrained with masked language modelling, did better [[what-language-model-architecture-and-pretraining-objective-work-best-for-zero]].',
    'Errors compound over long generations (exposure bias), and quality outside the trained context length depends on the positional encoding.',
    'Wants very large corpora and compute to shine; at small scale a task-specific encoder or encoder-decoder often wins.',
  ],
  alternatives: [
    { pattern: 'encoder-decoder', name: 'Encoder-decoder', when: 'input and output are distinct sequences (translation, speech or video to text), the input benefits from bidirectional encoding, or the input is much longer than the output.' },
    { name: 'Non-causal (prefix-LM) decoder', when: 'you want one stack but bidirectional attention over the prompt; a causal decoder can be adapted to it [[what-language-model-architecture-and-pretraining-objective-work-best-for-zero]].' },
    { name: 'Masked / non-autoregressive generation', when: 'output quality or parallel decoding matters more than streaming.' },
    { pattern: 'state-space', name: 'State-space or recurrent decoder', when: 'very long contexts or constant per-token memory at inference matter more than exact recall.' },
  ],
  papers: {
    queries: ['decoder-only', 'causal decoder', 'autoregressive language model', 'GPT', 'next token generation'],
    pins: [
      'what-language-model-architecture-and-pretraining-objective-work-best-for-zero',
      'decoder-only-architecture-for-speech-recognition-with-ctc-prompts-and-text-data',
      'on-decoder-only-architecture-for-speech-to-text-and-large-language-model',
      'mogo-rq-hierarchical-causal-transformer-for-high-quality-3d-human-motion',
    ],
    blocks: [
      'a-prefrontal-cortex-inspired-architecture-for-planning-in-large-language-models',
      'methods-for-detoxification-of-texts-for-the-russian-language',
      'omnivid-a-generative-framework-for-universal-video-understanding',
      'an-autoregressive-text-to-graph-framework-for-joint-entity-and-relation',
    ],
  },
};

export default card;
