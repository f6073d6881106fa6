"""A translation model whose decoder feed-forward layers are sparse mixtures of experts.

An example for ArchLens: open it in VS Code, or run `archlens scan seeds/examples`.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    """Multi-head attention; attends to `context` when one is given, else to `x` itself."""

    def __init__(self, dim: int, heads: int = 8):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_kv = nn.Linear(dim, dim * 2, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context=None, causal=False):
        kv_input = x if context is None else context
        q = self.to_q(x)
        k, v = self.to_kv(kv_input).chunk(2, dim=-1)
        b, n, d = q.shape
        q, k, v = (t.view(b, -1, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * self.scale
        if causal:
            mask = torch.ones(n, k.shape[-2], dtype=torch.bool, device=x.device).tril()
            scores = scores.masked_fill(~mask, float("-inf"))
        out = scores.softmax(dim=-1) @ v
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


class Expert(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc_in = nn.Linear(dim, hidden)
        self.fc_out = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc_out(F.gelu(self.fc_in(x)))


class SparseMoE(nn.Module):
    """Top-k routed experts with the Switch-style load-balancing loss."""

    def __init__(self, dim: int, num_experts: int = 8, top_k: int = 2, hidden: int = 2048):
        super().__init__()
        self.top_k = top_k
        self.num_experts = num_experts
        self.router = nn.Linear(dim, num_experts, bias=False)
        self.experts = nn.ModuleList([Expert(dim, hidden) for _ in range(num_experts)])

    def forward(self, x):
        tokens = x.reshape(-1, x.shape[-1])
        logits = self.router(tokens)
        probs = logits.softmax(dim=-1)
        weights, chosen = probs.topk(self.top_k, dim=-1)
        weights = weights / weights.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(tokens)
        for index, expert in enumerate(self.experts):
            token_ids, slot = torch.where(chosen == index)
            if token_ids.numel():
                out.index_add_(0, token_ids, weights[token_ids, slot, None] * expert(tokens[token_ids]))
        load = F.one_hot(chosen[:, 0], self.num_experts).float().mean(dim=0)
        self.aux_loss = self.num_experts * (load * probs.mean(dim=0)).sum()
        return out.view_as(x)


class EncoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = Expert(dim, dim * 4)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ff(self.norm2(x))


class DecoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int, num_experts: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.cross_attn = Attention(dim, heads)
        self.norm3 = nn.LayerNorm(dim)
        self.moe = SparseMoE(dim, num_experts)

    def forward(self, x, memory):
        x = x + self.self_attn(self.norm1(x), causal=True)
        x = x + self.cross_attn(self.norm2(x), context=memory)
        return x + self.moe(self.norm3(x))


class Translator(nn.Module):
    def __init__(self, vocab: int, dim: int = 512, heads: int = 8, depth: int = 6, num_experts: int = 8):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(1, 1024, dim) / math.sqrt(dim))
        self.encoder = nn.ModuleList([EncoderLayer(dim, heads) for _ in range(depth)])
        self.decoder = nn.ModuleList([DecoderLayer(dim, heads, num_experts) for _ in range(depth)])
        self.to_logits = nn.Linear(dim, vocab)

    def encode(self, src):
        x = self.embed(src) + self.pos[:, : src.shape[1]]
        for layer in self.encoder:
            x = layer(x)
        return x

    def forward(self, src, tgt):
        memory = self.encode(src)
        y = self.embed(tgt) + self.pos[:, : tgt.shape[1]]
        for layer in self.decoder:
            y = layer(y, memory)
        return self.to_logits(y)
