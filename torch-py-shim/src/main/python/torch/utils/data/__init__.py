"""torch.utils.data: datasets, samplers and the DataLoader (PyTorch's semantics; workers are threads)."""
from .dataset import Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split
from .sampler import Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler, WeightedRandomSampler
from .dataloader import DataLoader, default_collate, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler", "WeightedRandomSampler",
           "DataLoader", "default_collate", "get_worker_info"]
