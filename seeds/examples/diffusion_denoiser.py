"""A denoising network for a diffusion model: residual blocks conditioned on the timestep embedding.

An example for ArchLens: open it in VS Code, or run `archlens scan seeds/examples`.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def timestep_embedding(t, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, in_ch, out_ch, time_dim):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.time_proj = nn.Linear(time_dim, out_ch)
        self.norm2 = nn.GroupNorm(8, out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.shortcut = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.shortcut(x)


class Denoiser(nn.Module):
    def __init__(self, channels=3, base=64, mults=(1, 2, 4)):
        super().__init__()
        self.base = base
        time_dim = base * 4
        self.time_mlp = nn.Sequential(nn.Linear(base, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
        self.stem = nn.Conv2d(channels, base, 3, padding=1)
        widths = [base * m for m in mults]
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        ch = base
        for w in widths:
            self.down.append(nn.ModuleList([ResBlock(ch, w, time_dim), nn.Conv2d(w, w, 3, stride=2, padding=1)]))
            ch = w
        self.mid = ResBlock(ch, ch, time_dim)
        for w in reversed(widths):
            self.up.append(nn.ModuleList([nn.ConvTranspose2d(ch, w, 4, stride=2, padding=1), ResBlock(w * 2, w, time_dim)]))
            ch = w
        self.out = nn.Conv2d(ch, channels, 3, padding=1)

    def forward(self, x, t):
        temb = self.time_mlp(timestep_embedding(t, self.base))
        h = self.stem(x)
        skips = []
        for block, downsample in self.down:
            h = block(h, temb)
            skips.append(h)
            h = downsample(h)
        h = self.mid(h, temb)
        for upsample, block in self.up:
            h = upsample(h)
            h = block(torch.cat([h, skips.pop()], dim=1), temb)
        return self.out(h)
