"""PairwiseDistance, CosineSimilarity (PyTorch 2.x semantics)."""
from .module import Module
from .. import functional as F

__all__ = ['PairwiseDistance', 'CosineSimilarity']


class PairwiseDistance(Module):
    r"""Computes the pairwise distance between input vectors: ||x1 - x2 + eps||_p."""

    __constants__ = ['norm', 'eps', 'keepdim']

    def __init__(self, p=2., eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    r"""Returns cosine similarity between x1 and x2, computed along dim."""

    __constants__ = ['dim', 'eps']

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
