import type { Framework } from '../../core/model/types';

/** Where in the file the user is writing. */
export type CompletionPlace = 'init' | 'forward' | 'module';

/**
 * A building block offered as a completion: VS Code snippet text (tab stops `${1:dim}`) for each
 * framework and place. `{{dim}}` stands for the file's own name for the model width.
 */
export interface BuildingBlock {
  label: string;
  pattern: string;
  /** Words the user may type to find it. */
  keywords: string;
  snippets: Partial<Record<Framework, Partial<Record<CompletionPlace, string>>>>;
}

export const BUILDING_BLOCKS: BuildingBlock[] = [
  {
    label: 'Mixture-of-experts layer',
    pattern: 'mixture-of-experts',
    keywords: 'moe mixture experts router topk',
    snippets: {
      pytorch: {
        init: 'self.router = nn.Linear({{dim}}, ${1:num_experts}, bias=False)\nself.experts = nn.ModuleList([\n    nn.Sequential(nn.Linear({{dim}}, ${2:4 * {{dim}}}), nn.GELU(), nn.Linear(${2}, {{dim}}))\n    for _ in range(${1})\n])\nself.top_k = ${3:2}',
        forward:
          'logits = self.router(${1:x})\nweights, chosen = logits.softmax(dim=-1).topk(self.top_k, dim=-1)\nweights = weights / weights.sum(dim=-1, keepdim=True)\n${2:out} = torch.zeros_like(${1})\nfor index, expert in enumerate(self.experts):\n    mask = chosen == index\n    rows = mask.any(dim=-1)\n    if rows.any():\n        ${2}[rows] += (weights * mask)[rows].sum(dim=-1, keepdim=True) * expert(${1}[rows])',
      },
      flax: {
        forward:
          'router_logits = nn.Dense(${1:8}, use_bias=False, name="router")(${2:x})\nweights, chosen = jax.lax.top_k(jax.nn.softmax(router_logits), ${3:2})\nexperts = [nn.Sequential([nn.Dense(4 * {{dim}}), nn.gelu, nn.Dense({{dim}})]) for _ in range(${1})]\nexpert_outputs = jnp.stack([expert(${2}) for expert in experts], axis=-2)\n${4:out} = jnp.einsum("...k,...kd->...d", weights, jnp.take_along_axis(expert_outputs, chosen[..., None], axis=-2))',
      },
      keras: {
        init: 'self.router = layers.Dense(${1:num_experts}, use_bias=False)\nself.experts = [keras.Sequential([layers.Dense(4 * {{dim}}, activation="gelu"), layers.Dense({{dim}})]) for _ in range(${1})]',
        forward:
          'gates = keras.ops.softmax(self.router(${1:x}))\nexpert_outputs = keras.ops.stack([expert(${1}) for expert in self.experts], axis=-2)\n${2:out} = keras.ops.sum(gates[..., None] * expert_outputs, axis=-2)',
      },
    },
  },
  {
    label: 'Cross-attention block',
    pattern: 'cross-attention',
    keywords: 'cross attention context memory fusion',
    snippets: {
      pytorch: {
        init: 'self.norm_context = nn.LayerNorm({{dim}})\nself.cross_attn = nn.MultiheadAttention({{dim}}, ${1:num_heads}, batch_first=True)',
        forward: '${1:x} = ${1} + self.cross_attn(${1}, self.norm_context(${2:context}), self.norm_context(${2}), need_weights=False)[0]',
      },
      flax: { forward: '${1:x} = ${1} + nn.MultiHeadDotProductAttention(num_heads=${2:8})(${1}, ${3:context})' },
      keras: {
        init: 'self.cross_attn = layers.MultiHeadAttention(num_heads=${1:8}, key_dim={{dim}} // ${1})',
        forward: '${1:x} = ${1} + self.cross_attn(query=${1}, value=${2:context}, key=${2})',
      },
    },
  },
  {
    label: 'Self-attention block',
    pattern: 'self-attention',
    keywords: 'self attention multihead transformer',
    snippets: {
      pytorch: {
        init: 'self.norm = nn.LayerNorm({{dim}})\nself.attn = nn.MultiheadAttention({{dim}}, ${1:num_heads}, batch_first=True)',
        forward: 'h = self.norm(${1:x})\n${1} = ${1} + self.attn(h, h, h, need_weights=False)[0]',
      },
      flax: { forward: '${1:x} = ${1} + nn.SelfAttention(num_heads=${2:8})(nn.LayerNorm()(${1}))' },
      keras: {
        init: 'self.attn = layers.MultiHeadAttention(num_heads=${1:8}, key_dim={{dim}} // ${1})',
        forward: '${1:x} = ${1} + self.attn(${1}, ${1})',
      },
    },
  },
  {
    label: 'Patch embedding',
    pattern: 'patch-embedding',
    keywords: 'patch embedding vit tokens image',
    snippets: {
      pytorch: {
        init: 'self.patch_embed = nn.Conv2d(${1:3}, {{dim}}, kernel_size=${2:16}, stride=${2})\nself.cls_token = nn.Parameter(torch.zeros(1, 1, {{dim}}))\nself.pos_embed = nn.Parameter(torch.zeros(1, ${3:197}, {{dim}}))',
        forward: '${1:x} = self.patch_embed(${2:images}).flatten(2).transpose(1, 2)\n${1} = torch.cat([self.cls_token.expand(${1}.shape[0], -1, -1), ${1}], dim=1) + self.pos_embed',
      },
      flax: { forward: '${1:x} = nn.Conv({{dim}}, kernel_size=(${2:16}, ${2}), strides=(${2}, ${2}))(${3:images})\n${1} = ${1}.reshape(${1}.shape[0], -1, ${1}.shape[-1])' },
      keras: {
        init: 'self.patch_embed = layers.Conv2D({{dim}}, kernel_size=${1:16}, strides=${1})',
        forward: '${2:x} = self.patch_embed(${3:images})\n${2} = keras.ops.reshape(${2}, (-1, ${2}.shape[1] * ${2}.shape[2], {{dim}}))',
      },
    },
  },
  {
    label: 'Squeeze-and-excitation gate',
    pattern: 'squeeze-excitation',
    keywords: 'squeeze excitation se channel gate',
    snippets: {
      pytorch: {
        init: 'self.se_reduce = nn.Conv2d(${1:channels}, ${1} // ${2:16}, 1)\nself.se_expand = nn.Conv2d(${1} // ${2}, ${1}, 1)',
        forward: 'scale = F.adaptive_avg_pool2d(${1:x}, 1)\nscale = torch.sigmoid(self.se_expand(F.relu(self.se_reduce(scale))))\n${1} = ${1} * scale',
      },
      keras: {
        forward: 'scale = layers.GlobalAveragePooling2D(keepdims=True)(${1:x})\nscale = layers.Dense(${2:channels} // ${3:16}, activation="relu")(scale)\nscale = layers.Dense(${2}, activation="sigmoid")(scale)\n${1} = ${1} * scale',
      },
      flax: { forward: 'scale = jnp.mean(${1:x}, axis=(1, 2), keepdims=True)\nscale = nn.sigmoid(nn.Dense(${2:channels})(nn.relu(nn.Dense(${2} // ${3:16})(scale))))\n${1} = ${1} * scale' },
    },
  },
  {
    label: 'Depthwise-separable convolution',
    pattern: 'depthwise-separable',
    keywords: 'depthwise separable mobilenet conv pointwise',
    snippets: {
      pytorch: {
        init: 'self.depthwise = nn.Conv2d(${1:channels}, ${1}, ${2:3}, padding=${2} // 2, groups=${1})\nself.pointwise = nn.Conv2d(${1}, ${3:out_channels}, 1)',
        forward: '${1:x} = self.pointwise(self.depthwise(${1}))',
      },
      keras: { init: 'self.depthwise = layers.DepthwiseConv2D(${1:3}, padding="same")\nself.pointwise = layers.Conv2D(${2:filters}, 1)', forward: '${1:x} = self.pointwise(self.depthwise(${1}))' },
      flax: { forward: '${1:x} = nn.Conv(${1}.shape[-1], (${2:3}, ${2}), feature_group_count=${1}.shape[-1])(${1})\n${1} = nn.Conv(${3:features}, (1, 1))(${1})' },
    },
  },
  {
    label: 'Timestep conditioning',
    pattern: 'diffusion-timestep',
    keywords: 'timestep time embedding diffusion sinusoidal',
    snippets: {
      pytorch: {
        init: 'self.time_mlp = nn.Sequential(nn.Linear({{dim}}, 4 * {{dim}}), nn.SiLU(), nn.Linear(4 * {{dim}}, 4 * {{dim}}))\nself.time_proj = nn.Linear(4 * {{dim}}, {{dim}})',
        forward:
          'half = self.time_mlp[0].in_features // 2\nfreqs = torch.exp(-math.log(10000) * torch.arange(half, device=${1:t}.device) / half)\nangles = ${1}[:, None].float() * freqs[None]\ntemb = self.time_mlp(torch.cat([angles.cos(), angles.sin()], dim=-1))\n${2:h} = ${2} + self.time_proj(F.silu(temb))[:, :, None, None]',
      },
    },
  },
  {
    label: 'VAE reparameterization',
    pattern: 'vae',
    keywords: 'vae reparameterize mu logvar latent',
    snippets: {
      pytorch: {
        init: 'self.to_mu = nn.Linear({{dim}}, ${1:latent_dim})\nself.to_logvar = nn.Linear({{dim}}, ${1})',
        forward: 'mu, logvar = self.to_mu(${1:h}), self.to_logvar(${1})\nz = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)\nkl = -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1))',
      },
      flax: { forward: 'mu, logvar = nn.Dense(${1:latents})(${2:h}), nn.Dense(${1})(${2})\nz = mu + jax.random.normal(self.make_rng("noise"), mu.shape) * jnp.exp(0.5 * logvar)' },
      keras: {
        forward:
          'z_mean, z_log_var = layers.Dense(${1:latent_dim})(${2:h}), layers.Dense(${1})(${2})\nz = z_mean + keras.ops.exp(0.5 * z_log_var) * keras.random.normal(keras.ops.shape(z_mean))',
      },
    },
  },
];

/** The file's name for the model width, taken from the class's constructor parameters or fields. */
export function widthName(names: readonly string[]): string {
  for (const candidate of ['dim', 'd_model', 'hidden_size', 'embed_dim', 'hidden_dim', 'features', 'model_dim', 'width', 'channels']) {
    if (names.includes(candidate)) return candidate;
  }
  return 'dim';
}

/** A snippet with its tab stops replaced by their default text (`${1:dim}` and `${1}` → `dim`). */
export function withDefaults(snippet: string): string {
  const defaults = new Map<string, string>();
  for (const m of snippet.matchAll(/\$\{(\d+):([^}]*)\}/g)) if (!defaults.has(m[1])) defaults.set(m[1], m[2]);
  return snippet.replace(/\$\{(\d+)(?::([^}]*))?\}/g, (_m, n: string, d?: string) => d ?? defaults.get(n) ?? '');
}

/** The variable a forward snippet leaves its result in: the last assignment's target. */
function resultName(forward: string): string {
  const targets = [...withDefaults(forward).matchAll(/^(\w+)(?:\[[^\]]*\])? *[+]?= /gm)].map((m) => m[1]);
  return targets[targets.length - 1] ?? 'x';
}

/**
 * The snippet for a block in a framework and place, with the width name filled in. At module level it
 * is a whole class (constructor and forward parts with their defaults, the class name as the tab stop).
 * Null when the block has nothing for that framework and place.
 */
export function blockSnippet(block: BuildingBlock, framework: Framework, place: CompletionPlace, width: string): string | null {
  const parts = block.snippets[framework === 'unknown' || framework === 'equinox' ? 'pytorch' : framework];
  if (!parts) return null;
  // In Flax the width is a dataclass field of the module: `self.dim`.
  const fill = (s: string) => s.replace(/\{\{dim\}\}/g, framework === 'flax' ? `self.${width}` : width);
  if (place !== 'module') {
    const text = parts[place];
    return text ? fill(text) : null;
  }
  if (!parts.forward) return null;
  const className = block.label.split(/[^A-Za-z]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  const indent = (s: string) => s.split('\n').map((l) => `        ${l}`).join('\n');
  const forward = withDefaults(fill(parts.forward));
  const ctor = parts.init ? withDefaults(fill(parts.init)) : null;
  const result = resultName(parts.forward);
  const input = /\bimages\b/.test(forward) ? 'images' : /\bh\b/.test(forward) && !/\bx\b/.test(forward) ? 'h' : 'x';
  const extra = /\bcontext\b/.test(forward) ? ', context' : /\bt\b/.test(forward) && block.pattern === 'diffusion-timestep' ? ', t' : '';
  if (framework === 'flax') {
    return `class \${1:${className}}(nn.Module):\n    ${width}: int\n\n    @nn.compact\n    def __call__(self, ${input}${extra}):\n${indent(forward)}\n        return ${result}\n$0`;
  }
  if (framework === 'keras') {
    return `class \${1:${className}}(layers.Layer):\n    def __init__(self, ${width}, **kwargs):\n        super().__init__(**kwargs)\n${ctor ? indent(ctor) : '        self.' + width + ' = ' + width}\n\n    def call(self, ${input}${extra}):\n${indent(forward)}\n        return ${result}\n$0`;
  }
  if (!ctor) return null;
  return `class \${1:${className}}(nn.Module):\n    def __init__(self, ${width}):\n        super().__init__()\n${indent(ctor)}\n\n    def forward(self, ${input}${extra}):\n${indent(forward)}\n        return ${result}\n$0`;
}
