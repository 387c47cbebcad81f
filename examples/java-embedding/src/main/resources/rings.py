"""The model of the example: an ordinary PyTorch module, loaded by the Java application from its resources."""
import torch
from torch import nn


class RingClassifier(nn.Module):
    """Tells whether a 2-D point lies inside the unit-ish ring (class 0) or outside it (class 1)."""

    def __init__(self, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2))

    def forward(self, x):
        return self.net(x)


def accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()
