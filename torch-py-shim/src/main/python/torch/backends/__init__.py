"""torch.backends: the flags scripts set (cudnn.benchmark, cuda.matmul.allow_tf32, ...). jtorch has no cuDNN;
the flags are accepted and change nothing (its CUDA kernels are its own; cuBLAS runs in full float32)."""
from . import cudnn, cuda, mps  # noqa: F401
