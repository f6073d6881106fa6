import type { KnowledgeCard } from './_types';

const card: KnowledgeCard = {
  summary: 'An encoder reads the whole input into a representation and a separate decoder produces the output from it (T5, BART, Whisper, seq2seq RNNs, autoencoders).',
  howItWorks:
    'The encoder processes the full input with bidirectional (unmasked) layers into a sequence of hidden states, or into a bottleneck vector for autoencoders. ' +
    'The decoder generates the output, usually autoregressively with causal self-attention, and reads the encoder states through cross-attention in every layer (or through the initial state in RNN seq2seq, or skip connections in convolutional encoder-decoders). ' +
    'Both parts are trained end to end on paired input and output, and at inference the input is encoded once while only the decoder runs per output step.',
  pros: [
    'The input is encoded once, bidirectionally; per output step only the decoder runs, so long inputs with short outputs (summarisation, speech or video to text) are cheap to decode.',
    'Input and output can differ in modality, length and vocabulary: the encoder and decoder are detachable modules, which eases multilingual and multimodal conditioning [[diffusia-a-spiral-interaction-architecture-for-encoder-decoder-text-diffusion]]; one shared encoder-decoder can serve many video tasks by emitting text, time and box tokens [[omnivid-a-generative-framework-for-universal-video-understanding]].',
    'The encoder can be a strong pretrained model for its modality (ViT, audio encoder, CNN), and the decoder can impose structure on the output, for example a graph decoder that yields anatomically plausible shapes [[improving-anatomical-plausibility-in-medical-image-segmentation-via-hybrid]].',
    'With masked-LM pretraining and multitask finetuning, models that see the input non-causally (encoder-decoders among them) gave the best zero-shot results in a large controlled comparison [[what-language-model-architecture-and-pretraining-objective-work-best-for-zero]].',
  ],
  cons: [
    'Two stacks with cross-attention: more parameters and code than a decoder-only model, and the parameter budget must be split between encoder and decoder.',
    'Needs paired input-output data; adding text-only data or reusing a pretrained decoder-only LLM is awkward, while a decoder-only ASR model took text-only data as plain LM training, was cheaper than a comparable encoder-decoder and beat it on LibriSpeech-100h and Switchboard [[decoder-only-architecture-for-speech-recognition-with-ctc-prompts-and-text-data]].',
    'After purely unsupervised pretraining, causal decoder-only models generalised better zero-shot than encoder-decoders [[what-language-model-architecture-and-pretraining-objective-work-best-for-zero]].',
    'Cross-attention keys/values over the encoder output are cached per decoder layer, so memory grows with input length × decoder depth; decoding is still sequential in output length.',
    'An information bottleneck (single vector or low-resolution latent) loses detail unless skip connections or attention over all encoder states are added.',
  ],
  alternatives: [
    { pattern: 'causal-decoder', name: 'Decoder-only model', when: 'you want one stack trained on unpaired text, open-ended generation, or to start from a pretrained LLM; other inputs become prefix tokens.' },
    { pattern: 'unet', name: 'U-Net', when: 'the output is a dense map at the input resolution (segmentation, denoising) and fine detail must flow through skip connections.' },
    { pattern: 'vae', name: 'Variational autoencoder', when: 'the encoder-decoder is an autoencoder and you need a sampleable latent space.' },
    { pattern: 'cross-attention', name: 'Cross-attention into an existing backbone', when: 'the "encoder" is another modality and you want to keep a pretrained language model intact (Type A fusion).' },
  ],
  multimodal:
    'When the encoder reads another modality (audio, image, video) and the text decoder reads it through standard cross-attention in every layer, the model fuses deeply and is Type A [[the-evolution-of-multimodal-model-architectures]]; ' +
    'if the encoder output is instead projected into tokens placed in front of the decoder input, it is early fusion with a modality-specific encoder, Type C.',
  papers: {
    queries: ['encoder-decoder', 'sequence-to-sequence', 'encoder and decoder modules', 'text-to-text', 'autoencoder'],
    pins: [
      'what-language-model-architecture-and-pretraining-objective-work-best-for-zero',
      'diffusia-a-spiral-interaction-architecture-for-encoder-decoder-text-diffusion',
      'omnivid-a-generative-framework-for-universal-video-understanding',
      'decoder-only-architecture-for-speech-recognition-with-ctc-prompts-and-text-data',
    ],
    blocks: ['memory-efficient-differentiable-transformer-architecture-search'],
  },
};

export default card;
