"""Plain helpers: no model classes here, so ArchLens shows nothing."""
import json


class Config:
    def __init__(self, path):
        with open(path) as f:
            self.values = json.load(f)

    def get(self, key, default=None):
        return self.values.get(key, default)


def moving_average(values, window=10):
    total = 0.0
    out = []
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out
