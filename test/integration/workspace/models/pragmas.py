from torch import nn


class Fusion(nn.Module):
    # archlens: cross-attention
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.proj(x)  # archlens: ignore residual-block


class Other(nn.Module):
    # archlens: mixture-of-expert
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        return self.proj(x)
