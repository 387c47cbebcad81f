"""torch.save / torch.load. The PyTorch zip format is separate work; for now only errors are PyTorch's."""
import os


def load(f, map_location=None, weights_only=None):
    if isinstance(f, (str, os.PathLike)) and not os.path.exists(f):
        raise FileNotFoundError(2, "No such file or directory", str(f))
    raise NotImplementedError("torch.load of PyTorch checkpoint files is not implemented in jtorch yet")


def save(obj, f):
    raise NotImplementedError("torch.save is not implemented in jtorch yet")
