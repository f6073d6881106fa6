"""A small Vision Transformer in Flax linen, written with @nn.compact.

An example for ArchLens: open it in VS Code, or run `archlens scan seeds/examples`.
"""
import flax.linen as nn
import jax.numpy as jnp


class PatchEmbed(nn.Module):
    patch: int = 16
    dim: int = 384

    @nn.compact
    def __call__(self, images):
        x = nn.Conv(self.dim, kernel_size=(self.patch, self.patch), strides=(self.patch, self.patch))(images)
        b, h, w, c = x.shape
        x = x.reshape(b, h * w, c)
        cls = self.param("cls", nn.initializers.zeros, (1, 1, c))
        x = jnp.concatenate([jnp.tile(cls, (b, 1, 1)), x], axis=1)
        pos = self.param("pos_embedding", nn.initializers.normal(0.02), (1, x.shape[1], c))
        return x + pos


class EncoderBlock(nn.Module):
    dim: int = 384
    heads: int = 6
    mlp_ratio: int = 4

    @nn.compact
    def __call__(self, x):
        y = nn.LayerNorm()(x)
        y = nn.SelfAttention(num_heads=self.heads)(y)
        x = x + y
        y = nn.LayerNorm()(x)
        y = nn.Dense(self.dim * self.mlp_ratio)(y)
        y = nn.Dense(self.dim)(nn.gelu(y))
        return x + y


class ViT(nn.Module):
    num_classes: int = 1000
    depth: int = 12

    @nn.compact
    def __call__(self, images):
        x = PatchEmbed()(images)
        for _ in range(self.depth):
            x = EncoderBlock()(x)
        x = nn.LayerNorm()(x[:, 0])
        return nn.Dense(self.num_classes)(x)
