import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'Queries from one stream attend to keys and values from another, so a model reads a context (encoder output, image features, latents) without merging the two sequences.',
  howItWorks:
    'The target stream is projected to queries and the context stream to keys and values, often with separate widths projected to a shared head dimension. ' +
    'Softmax over query-key scores weights the context values, so each target position gathers what it needs from the context; masks only hide context padding, never future target positions. ' +
    'The result is added back to the target stream through a residual (sometimes behind a learned tanh gate initialised at zero, as in Flamingo), alongside self-attention and a feed-forward block.',
  pros: [
    'Cost is O(n_q · n_kv · d): linear in context length for a fixed number of queries, so a small query set (latents, learned queries) can read very long or high-resolution inputs; Perceiver IO scales linearly with input and output size this way [[perceiver-io-a-general-architecture-for-structured-inputs-outputs]].',
    'The context keys and values are computed once per context and reused at every decoding step, so each generated token adds only one query against the cached context.',
    'Keeps modality-specific encoders and a pretrained language model intact: the new layers can be inserted and trained while the backbones stay frozen, and a new modality needs only its encoder plus its own cross-attention layers.',
    'Fusing by cross-attention inside the backbones, rather than in extra fusion layers on top, gave FIBER gains in memory and accuracy across VQA, captioning, retrieval and grounding [[coarse-to-fine-vision-language-pre-training-with-fusion-in-the-backbone]].',
  ],
  cons: [
    'Adds a second attention (four more projection matrices) to every block that has it, and the cached context keys/values grow with context length × number of cross-attention layers.',
    'Information flows one way: the context is not updated by the target stream unless cross-attention is added in both directions, so a frozen context encoder bounds what the model can read.',
    'Newly inserted layers into a frozen model are fragile at the start of training; zero-initialised gates or careful learning rates are needed so the pretrained model is not disrupted.',
    'The new layers need paired multimodal data to train, and each added modality brings its own set of layers; for any-to-any models early fusion (Types C and D) is currently favoured over this deep fusion [[the-evolution-of-multimodal-model-architectures]].',
  ],
  alternatives: [
    { pattern: 'self-attention', name: 'Joint self-attention over concatenated tokens (early fusion)', when: 'both streams are short enough to concatenate and every token should attend to every other; simplest to build, quadratic in the combined length.' },
    { pattern: 'patch-embedding', name: 'Project the other modality into the input token space', when: 'you want one unified decoder that treats image patches or audio frames as tokens (Type C or D) and can generate them too.' },
    { pattern: 'encoder-decoder', name: 'Encoder-decoder', when: 'the context is itself a source sequence to be transformed (translation, speech recognition); cross-attention is then the link between encoder and decoder.' },
    { name: 'Custom fusion layers (adapters, gated or expert fusion)', when: 'plain cross-attention underfits or is too expensive and you can afford a bespoke layer (Type B).' },
  ],
  multimodal:
    'Cross-attention whose keys and values come from another modality inside the layers of the main model is deep fusion with standard cross-attention, Type A [[the-evolution-of-multimodal-model-architectures]] (Flamingo-style gated cross-attention into a language model, FIBER inserting cross-attention into its image and text backbones [[coarse-to-fine-vision-language-pre-training-with-fusion-in-the-backbone]]). ' +
    'If the fusion block is a bespoke layer rather than standard attention (modality-specific experts, adapters with custom gating), the code is Type B. ' +
    'Cross-attention used only once at the input, as a resampler or Perceiver-style latents that turn encoder features into tokens fed to the model, is early fusion with a modality-specific encoder, Type C; Type D would replace that encoder by a discrete tokenizer.',
  papers: {
    queries: ['cross-attention', 'multimodal fusion', 'deep fusion backbone', 'latent querying arbitrary inputs outputs', 'vision-language'],
    pins: [
      'the-evolution-of-multimodal-model-architectures',
      'perceiver-io-a-general-architecture-for-structured-inputs-outputs',
      'coarse-to-fine-vision-language-pre-training-with-fusion-in-the-backbone',
    ],
    blocks: ['cross-architecture-knowledge-distillation'],
  },
};

export default card;
