// The benchmark's default corpus: a large tree of realistic Python model code, generated deterministically
// from our own fixtures and examples. Each model file combines several fixtures of one framework with
// classes, functions and common locals renamed; files range from a few dozen lines to 5,000; repositories
// also hold the helper modules real ones have (configs, data loading, training loops, metrics). The tree
// is written once to a cache folder and regenerated only when this generator or its inputs change.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const SYNTHETIC_BYTES = 35 * 2 ** 20;
/** Bump to force regeneration when the output should change without this file changing. */
const FORMAT = 1;

type Framework = 'pytorch' | 'flax' | 'keras' | 'equinox';
const FRAMEWORKS: Framework[] = ['pytorch', 'flax', 'keras', 'equinox'];

interface Source {
  framework: Framework;
  name: string;
  text: string;
}

/** A small deterministic generator (LCG): the same seed gives the same corpus on every machine. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Log-uniform between min and max: many small values, a few large, as file sizes are. */
  logUniform(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
  }
}

function frameworkOf(text: string): Framework {
  if (/^\s*(import equinox|from equinox)/m.test(text)) return 'equinox';
  if (/^\s*(from flax|import flax)/m.test(text)) return 'flax';
  if (/^\s*(import keras|from keras|import tensorflow|from tensorflow)/m.test(text)) return 'keras';
  return 'pytorch';
}

/** The fixtures (without their `# expect` test marks) and the bundled examples, by framework. */
export function loadSources(root: string): Source[] {
  const sources: Source[] = [];
  const add = (path: string, framework: Framework) => {
    const text = readFileSync(path, 'utf8').replace(/[ \t]*# expect(-not)?:.*$/gm, '');
    sources.push({ framework, name: basename(path, '.py'), text });
  };
  for (const framework of FRAMEWORKS) {
    const folder = join(root, 'test', 'fixtures', framework);
    for (const file of readdirSync(folder).sort()) if (file.endsWith('.py')) add(join(folder, file), framework);
  }
  const examples = join(root, 'seeds', 'examples');
  for (const file of readdirSync(examples).sort()) {
    if (file.endsWith('.py')) add(join(examples, file), frameworkOf(readFileSync(join(examples, file), 'utf8')));
  }
  return sources;
}

const CLASS_PREFIXES = ['', 'Vision', 'Text', 'Audio', 'Sparse', 'Fast', 'Light', 'Deep', 'Multi', 'Cond', 'Latent', 'Hybrid', 'Base', 'Tiny', 'Large', 'Gated'];
const CLASS_SUFFIXES = ['', 'V2', 'Block', 'Layer', 'Module', 'Net', 'Stage', 'Unit', 'Impl', 'Core'];
const X_NAMES = ['h', 'feats', 'hidden', 'inputs', 'z', 'act'];
const HIDDEN_NAMES = ['ffn_dim', 'mlp_dim', 'inner_dim', 'expand_dim', 'width'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces a name where it stands alone (not as an attribute `.name`, not inside a longer name). */
function renameAll(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`(?<![.\\w])${escapeRegExp(from)}(?!\\w)`, 'g'), to);
}

/**
 * One fixture as a chunk of a generated file: its top-level classes and functions renamed to names not
 * yet used in the file (recognition is structural, so names must not matter), and the common locals `x`
 * and `hidden_dim` renamed where the new name is free.
 */
function variant(source: Source, random: Random, used: Set<string>): string {
  let text = source.text;
  const defined = [...text.matchAll(/^(?:class|def)\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]);
  for (const name of new Set(defined)) {
    const isClass = /^[A-Z]/.test(name);
    let renamed = name;
    for (let attempt = 0; used.has(renamed) || (attempt === 0 && random.next() < 0.8); attempt++) {
      renamed = isClass ? `${random.pick(CLASS_PREFIXES)}${name}${random.pick(CLASS_SUFFIXES)}${attempt > 2 ? attempt : ''}` : `${name}_${random.pick(['v2', 'impl', 'fn', 'op', 'fast'])}${attempt > 2 ? attempt : ''}`;
      if (attempt > 20) renamed = `${name}_${used.size}`;
    }
    used.add(renamed);
    if (renamed !== name) text = renameAll(text, name, renamed);
  }
  const x = random.pick(X_NAMES);
  if (!new RegExp(`\\b${x}\\b`).test(text)) text = renameAll(text, 'x', x);
  const hidden = random.pick(HIDDEN_NAMES);
  if (!new RegExp(`\\b${hidden}\\b`).test(text)) text = renameAll(text, 'hidden_dim', hidden);
  return text;
}

/** A model file of about `lines` lines: fixtures of one framework, varied and combined. */
export function modelFile(sources: readonly Source[], framework: Framework, lines: number, random: Random): string {
  const pool = sources.filter((s) => s.framework === framework);
  const used = new Set<string>();
  const parts: string[] = [];
  let count = 0;
  while (count < lines) {
    const chunk = variant(random.pick(pool), random, used);
    parts.push(chunk);
    count += chunk.split('\n').length + 1;
  }
  return parts.join('\n\n');
}

const IDENTS = ['train', 'eval', 'data', 'sample', 'batch', 'token', 'image', 'audio', 'graph', 'feature', 'label', 'metric', 'model', 'checkpoint', 'schedule', 'loss', 'step', 'epoch', 'split', 'shard'];

function ident(random: Random): string {
  return `${random.pick(IDENTS)}_${random.pick(IDENTS)}`;
}

function pascal(snake: string): string {
  return snake.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/** Helper code as real repositories hold it beside their models: one snippet per call, names varied. */
const HELPERS: Array<(random: Random, n: number) => string> = [
  (random, n) => {
    const name = pascal(ident(random));
    const fields = Array.from({ length: random.int(6, 20) }, (_, i) => `    ${ident(random)}_${i}: ${random.pick(['int', 'float', 'str', 'bool'])} = ${random.pick(['0', '1e-4', '"default"', 'False', '128', '0.1'])}`);
    return `@dataclass\nclass ${name}Config${n}:\n    """Settings for ${name.toLowerCase()} runs."""\n\n${fields.join('\n')}\n\n    def to_dict(self):\n        return dataclasses.asdict(self)\n\n    @classmethod\n    def from_dict(cls, values):\n        known = {f.name for f in dataclasses.fields(cls)}\n        return cls(**{k: v for k, v in values.items() if k in known})\n`;
  },
  (random, n) => {
    const name = pascal(ident(random));
    return `class ${name}Dataset${n}(torch.utils.data.Dataset):\n    def __init__(self, root, split="train", transform=None):\n        self.root = root\n        self.split = split\n        self.transform = transform\n        with open(os.path.join(root, f"{split}.jsonl")) as handle:\n            self.records = [json.loads(line) for line in handle if line.strip()]\n\n    def __len__(self):\n        return len(self.records)\n\n    def __getitem__(self, index):\n        record = self.records[index]\n        item = {"input": record["${ident(random)}"], "target": record.get("label", -1)}\n        if self.transform is not None:\n            item = self.transform(item)\n        return item\n\n\ndef collate_${ident(random)}_${n}(batch, pad_id=0):\n    longest = max(len(item["input"]) for item in batch)\n    inputs = [item["input"] + [pad_id] * (longest - len(item["input"])) for item in batch]\n    targets = [item["target"] for item in batch]\n    return torch.tensor(inputs), torch.tensor(targets)\n`;
  },
  (random, n) => {
    const name = ident(random);
    return `class AverageMeter${n}:\n    """Keeps a running average of ${name.replace('_', ' ')}."""\n\n    def __init__(self):\n        self.reset()\n\n    def reset(self):\n        self.total = 0.0\n        self.count = 0\n\n    def update(self, value, n=1):\n        self.total += float(value) * n\n        self.count += n\n\n    @property\n    def average(self):\n        return self.total / max(1, self.count)\n\n\ndef set_seed_${n}(seed):\n    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n\n\ndef save_${name}_${n}(model, optimizer, path, step):\n    os.makedirs(os.path.dirname(path), exist_ok=True)\n    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path)\n\n\ndef load_${name}_${n}(model, optimizer, path):\n    state = torch.load(path, map_location="cpu")\n    model.load_state_dict(state["model"])\n    if optimizer is not None:\n        optimizer.load_state_dict(state["optimizer"])\n    return state.get("step", 0)\n`;
  },
  (random, n) => {
    const name = ident(random);
    return `def train_${name}_${n}(model, loader, optimizer, scheduler, device, log_every=${random.int(10, 200)}):\n    model.train()\n    meter = {"loss": 0.0, "steps": 0}\n    for step, (inputs, targets) in enumerate(loader):\n        inputs, targets = inputs.to(device), targets.to(device)\n        optimizer.zero_grad(set_to_none=True)\n        logits = model(inputs)\n        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))\n        loss.backward()\n        torch.nn.utils.clip_grad_norm_(model.parameters(), ${random.pick(['1.0', '0.5', '5.0'])})\n        optimizer.step()\n        scheduler.step()\n        meter["loss"] += loss.item()\n        meter["steps"] += 1\n        if step % log_every == 0:\n            logger.info("step %d loss %.4f lr %.2e", step, loss.item(), scheduler.get_last_lr()[0])\n    return meter["loss"] / max(1, meter["steps"])\n\n\n@torch.no_grad()\ndef evaluate_${name}_${n}(model, loader, device):\n    model.eval()\n    correct = total = 0\n    for inputs, targets in loader:\n        predictions = model(inputs.to(device)).argmax(dim=-1)\n        correct += (predictions == targets.to(device)).sum().item()\n        total += targets.numel()\n    return correct / max(1, total)\n`;
  },
  (random, n) => {
    const name = ident(random);
    return `def ${name}_accuracy_${n}(predictions, labels):\n    matches = [int(p == l) for p, l in zip(predictions, labels)]\n    return sum(matches) / max(1, len(matches))\n\n\ndef ${name}_f1_${n}(predictions, labels, positive=1):\n    tp = sum(1 for p, l in zip(predictions, labels) if p == positive and l == positive)\n    fp = sum(1 for p, l in zip(predictions, labels) if p == positive and l != positive)\n    fn = sum(1 for p, l in zip(predictions, labels) if p != positive and l == positive)\n    precision = tp / (tp + fp) if tp + fp else 0.0\n    recall = tp / (tp + fn) if tp + fn else 0.0\n    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0\n\n\ndef warmup_cosine_${n}(step, warmup=${random.int(100, 4000)}, total=${random.int(10, 500) * 1000}):\n    if step < warmup:\n        return step / warmup\n    progress = (step - warmup) / max(1, total - warmup)\n    return 0.5 * (1.0 + math.cos(math.pi * progress))\n`;
  },
  (random, n) => {
    const flags = Array.from({ length: random.int(5, 15) }, () => `    parser.add_argument("--${ident(random).replace(/_/g, '-')}", type=${random.pick(['int', 'float', 'str'])}, default=${random.pick(['None', '0', '"auto"', '3e-4'])})`);
    return `def parse_args_${n}(argv=None):\n    parser = argparse.ArgumentParser(description="${ident(random).replace('_', ' ')} experiment")\n${flags.join('\n')}\n    return parser.parse_args(argv)\n\n\ndef main_${n}(argv=None):\n    args = parse_args_${n}(argv)\n    logging.basicConfig(level=logging.INFO)\n    logger.info("arguments: %s", vars(args))\n    return 0\n`;
  },
];

const HELPER_HEADER = `import argparse\nimport dataclasses\nimport json\nimport logging\nimport math\nimport os\nimport random\nfrom dataclasses import dataclass\n\nimport numpy as np\nimport torch\nimport torch.nn.functional as F\n\nlogger = logging.getLogger(__name__)\n`;

function helperFile(lines: number, random: Random): string {
  const parts = [HELPER_HEADER];
  let count = HELPER_HEADER.split('\n').length;
  for (let n = 0; count < lines; n++) {
    const part = random.pick(HELPERS)(random, n);
    parts.push(part);
    count += part.split('\n').length + 1;
  }
  return parts.join('\n\n');
}

function digest(root: string, sources: readonly Source[]): string {
  const hash = createHash('sha256').update(`format ${FORMAT} bytes ${SYNTHETIC_BYTES}\n`);
  const self = join(root, 'bench', 'synthetic.ts');
  if (existsSync(self)) hash.update(readFileSync(self));
  for (const s of sources) hash.update(s.name).update(s.text);
  return hash.digest('hex').slice(0, 16);
}

export interface SyntheticCorpus {
  folder: string;
  files: number;
  bytes: number;
  modelFiles: number;
  helperFiles: number;
  largestLines: number;
  regenerated: boolean;
  generationMs: number;
}

/**
 * The synthetic tree under `cacheFolder/corpus`, generated if missing or made by another version of the
 * generator. Repositories are named repo-NN, each leaning to one framework, with models/, data/,
 * utils/ and scripts/ folders.
 */
export function ensureSyntheticCorpus(root: string, cacheFolder: string): SyntheticCorpus {
  const sources = loadSources(root);
  const folder = join(cacheFolder, 'corpus');
  const stampPath = join(cacheFolder, 'corpus.stamp.json');
  const stamp = digest(root, sources);
  if (existsSync(stampPath) && existsSync(folder)) {
    try {
      const previous = JSON.parse(readFileSync(stampPath, 'utf8')) as SyntheticCorpus & { stamp: string };
      if (previous.stamp === stamp) return { ...previous, folder, regenerated: false };
    } catch {
      // unreadable stamp: regenerate
    }
  }
  const started = performance.now();
  rmSync(folder, { recursive: true, force: true });
  const random = new Random(20261127);
  let bytes = 0;
  let files = 0;
  let modelFiles = 0;
  let helperFiles = 0;
  let largestLines = 0;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
    files++;
    largestLines = Math.max(largestLines, text.split('\n').length);
  };
  for (let repo = 0; bytes < SYNTHETIC_BYTES; repo++) {
    const main = random.pick(FRAMEWORKS);
    const pkg = join(folder, `repo-${String(repo).padStart(2, '0')}`, random.pick(['src', 'lib', '.']), `${random.pick(IDENTS)}lab`);
    const fileCount = random.int(25, 60);
    for (let i = 0; i < fileCount && bytes < SYNTHETIC_BYTES; i++) {
      if (random.next() < 0.6) {
        // A few model files per repository are long (up to 5,000 lines), most are short.
        const lines = random.next() < 0.04 ? random.int(4000, 5000) : random.logUniform(40, 3000);
        const framework = random.next() < 0.85 ? main : random.pick(FRAMEWORKS);
        write(join(pkg, 'models', `${ident(random)}_${i}.py`), modelFile(sources, framework, lines, random));
        modelFiles++;
      } else {
        const where = random.pick(['data', 'utils', 'scripts', 'training', 'metrics']);
        write(join(pkg, where, `${ident(random)}_${i}.py`), helperFile(random.logUniform(20, 1500), random));
        helperFiles++;
      }
    }
  }
  const corpus = { folder, files, bytes, modelFiles, helperFiles, largestLines, regenerated: true, generationMs: performance.now() - started };
  writeFileSync(stampPath, JSON.stringify({ ...corpus, stamp }));
  return corpus;
}

/**
 * A PyTorch model file of at least `lines` lines (the typing and first-findings benchmarks), from the same
 * generator: deterministic, so every run types into the same class.
 */
export function largeModelFile(root: string, lines: number, seed = 5000): string {
  return `${modelFile(loadSources(root), 'pytorch', lines, new Random(seed))}\n`;
}
