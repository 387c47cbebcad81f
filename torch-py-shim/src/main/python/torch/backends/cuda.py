"""torch.backends.cuda: accepted flags (jtorch's cuBLAS calls use full float32 whatever they say)."""
import types as _types

matmul = _types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built():
    return True
