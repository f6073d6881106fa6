import { OFF_TOPIC, type Paper } from './types';

/**
 * Keyword rules that tag the bundled papers. Reviewed by reading every paper's tags (see
 * seeds/papers.json); what the rules get wrong is fixed in seeds/tag-corrections.txt, not here, so each
 * correction stays visible with its reason.
 */
interface TagRule {
  tag: string;
  /** Matched against the title and abstract. */
  text: RegExp;
  /** Also required to match, in the title only (for terms whose abstract mentions are incidental). */
  title?: RegExp;
}

const RULES: TagRule[] = [
  // Patterns (ids from shared/guides/PATTERNS.md).
  { tag: 'pattern:mixture-of-experts', text: /mixture[- ]of[- ]experts|\bMoE\b|sparsely[- ]activated|expert (modules?|layers?|networks?)|modular (large )?language models?/i },
  { tag: 'pattern:nas-mixed-op', text: /differentiable (neural )?architecture search|\bDARTS\b|continuous relaxation|mixed operations?|architecture (weights|parameters) .*(softmax|gradient)|partial channel connections/i },
  { tag: 'pattern:self-attention', text: /self-attention|multi-head attention|vision transformers?|\bViTs?\b|transformer (architecture|blocks?|layers?|encoder)s?/i },
  { tag: 'pattern:cross-attention', text: /cross-attention|cross attention|fusion in the backbone|attend(s|ing)? to (the )?(inputs?|latent)|latent (array|bottleneck)|fuses? multimodal inputs within/i },
  { tag: 'pattern:encoder-decoder', text: /encoder-decoder|encoder and (a )?decoder|sequence-to-sequence|seq2seq|autoencoder|\bT5\b|\bBART\b/i },
  { tag: 'pattern:causal-decoder', text: /decoder-only|autoregressive|causal (language model|transformer|decoder)|\bGPT\b|generative pre-trained|next[- ]token/i },
  { tag: 'pattern:patch-embedding', text: /vision transformers?|\bViTs?\b|image patches|patch (embedding|tokens?)|masked image modeling/i },
  { tag: 'pattern:mlp-mixer', text: /MLP-Mixer|all-MLP|token-mixing|mixing (per-location features|spatial information)/i },
  { tag: 'pattern:residual-block', text: /residual (blocks?|units?|connections?|learning|networks?)|\bResNets?\b|ResUNet|skip connections?|dense hidden connection/i },
  { tag: 'pattern:unet', text: /U-Net|\bUNet/i },
  { tag: 'pattern:inception', text: /\bInception\b/ },
  { tag: 'pattern:depthwise-separable', text: /depthwise|separable convolution|MobileNet|MnasNet|EfficientNet|inverted (residual|bottleneck)/i },
  { tag: 'pattern:squeeze-excitation', text: /squeeze[- ]and[- ]excitation|squeeze-excitation|channel attention/i },
  { tag: 'pattern:recurrent', text: /\bLSTMs?\b|\bGRUs?\b|recurrent neural|\bRNNs?\b|recurrent (network|model|unit)s?/i },
  { tag: 'pattern:state-space', text: /state[- ]space models?|\bSSMs?\b|\bMamba\b|\bS4\b|selective scan/i },
  { tag: 'pattern:message-passing', text: /graph neural networks?|\bGNNs?\b|message[- ]passing|graph convolution/i },
  { tag: 'pattern:vae', text: /variational auto-?encoders?|\bVAEs?\b|reparameteri[sz]ation/i },
  { tag: 'pattern:diffusion-timestep', text: /diffusion models?|denoising diffusion|diffusion transformers?|text-to-image diffusion|score-based generative/i },

  // Topics an ML engineer searches by.
  { tag: 'topic:nas', text: /architecture search|\bNAS\b|supernets?|search space/i },
  { tag: 'topic:transformer', text: /transformers?\b/i },
  { tag: 'topic:multimodal', text: /multi-?modal|vision-language|any-to-any|text-to-image/i },
  { tag: 'topic:efficiency', text: /efficien(t|cy)|latency|memory[- ]efficient|hardware-aware|pruning|quantization|on-device|microcontrollers?/i },
  { tag: 'topic:llm', text: /large language models?|\bLLMs?\b/i },
  { tag: 'topic:survey', text: /\bsurvey\b|we review|literature review/i },
  { tag: 'topic:distillation', text: /distillation|teacher-student|student architecture/i },
  { tag: 'topic:hypernetwork', text: /hypernetworks?/i },
  { tag: 'topic:gan', text: /generative adversarial|\bGANs?\b/i },

  // Tasks.
  { tag: 'task:classification', text: /classification|classifier/i },
  { tag: 'task:segmentation', text: /segmentation/i },
  { tag: 'task:detection', text: /object detect|detector/i },
  { tag: 'task:generation', text: /generation|generative|synthesis/i },
  { tag: 'task:retrieval', text: /retrieval/i },
  { tag: 'task:forecasting', text: /forecasting/i },
  { tag: 'task:speech-recognition', text: /speech recognition|speech-to-text|\bASR\b/i },
  { tag: 'task:question-answering', text: /question answering/i },
  { tag: 'task:continual-learning', text: /continual learning|class incremental|lifelong/i },

  // Modalities.
  { tag: 'modality:vision', text: /\bimages?\b|vision|visual|convolutional|\bCNNs?\b|pixels?/i },
  { tag: 'modality:video', text: /\bvideos?\b/i },
  { tag: 'modality:text', text: /language models?|\btexts?\b|\bNLP\b|natural language|tokens?\b/i },
  { tag: 'modality:audio', text: /speech|audio|acoustic|speaker|keyword spotting|voice/i },
  { tag: 'modality:graph', text: /\bgraphs?\b|GNN/i },
  { tag: 'modality:tabular', text: /tabular|tables?\b/i },
  { tag: 'modality:time-series', text: /time[- ]series/i },
  { tag: 'modality:molecular', text: /molecul|protein|drug|PROTAC/i },
  { tag: 'modality:3d', text: /\b3D\b|point clouds?|meshes|scene flow/i },

  // Not about model code: never offered as evidence for a code pattern.
  { tag: OFF_TOPIC, text: /building information modeling|landscape architecture|floorplan|clinical notes|quantum networks|building (meshes|generation)|architectural models/i, title: /building|landscape|floorplan|clinical|quantum|architectural models/i },
];

/** Tags for a paper from the rules, sorted. */
export function tagsFor(paper: Pick<Paper, 'title' | 'abstract'>): string[] {
  const text = `${paper.title}\n${paper.abstract}`;
  const tags = new Set<string>();
  for (const rule of RULES) {
    if (rule.text.test(text) && (!rule.title || rule.title.test(paper.title))) tags.add(rule.tag);
  }
  return [...tags].sort();
}

/** One hand correction: `<paper-id> +tag -tag ... # reason`. */
export interface TagCorrection {
  id: string;
  add: string[];
  remove: string[];
  line: number;
}

/**
 * Reads seeds/tag-corrections.txt: one paper per line, `+tag` adds, `-tag` removes, `#` starts a
 * comment. Lines that do not parse are returned as problems.
 */
export function parseCorrections(text: string): { corrections: TagCorrection[]; problems: string[] } {
  const corrections: TagCorrection[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.replace(/#.*$/, '').trim();
    if (!content) return;
    const [id, ...edits] = content.split(/\s+/);
    const correction: TagCorrection = { id, add: [], remove: [], line: index + 1 };
    for (const edit of edits) {
      if (/^\+[a-z:0-9-]+$/.test(edit)) correction.add.push(edit.slice(1));
      else if (/^-[a-z:0-9-]+$/.test(edit)) correction.remove.push(edit.slice(1));
      else problems.push(`line ${index + 1}: '${edit}' is neither +tag nor -tag`);
    }
    if (edits.length === 0) problems.push(`line ${index + 1}: '${id}' has no +tag or -tag`);
    corrections.push(correction);
  });
  return { corrections, problems };
}

/** Applies corrections to tagged papers; a correction naming no known paper is a problem. */
export function applyCorrections(papers: Paper[], corrections: TagCorrection[]): string[] {
  const problems: string[] = [];
  const byId = new Map(papers.map((p) => [p.id, p]));
  for (const c of corrections) {
    const paper = byId.get(c.id);
    if (!paper) {
      problems.push(`line ${c.line}: no paper with id '${c.id}'`);
      continue;
    }
    const tags = new Set(paper.tags);
    for (const t of c.remove) {
      if (!tags.delete(t)) problems.push(`line ${c.line}: ${c.id} has no tag '${t}' to remove`);
    }
    for (const t of c.add) {
      if (tags.has(t)) problems.push(`line ${c.line}: ${c.id} already has '${t}'`);
      tags.add(t);
    }
    paper.tags = [...tags].sort();
  }
  return problems;
}
