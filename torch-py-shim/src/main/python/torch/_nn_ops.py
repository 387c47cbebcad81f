"""Convolution and pooling entry points (torch.conv2d, torch.max_pool2d, ...); the math is in org.jtorch.autograd.NnOps."""
import java

from ._tensor import Tensor, _w

_N = java.type("org.jtorch.autograd.NnOps")


def _pair(x, name="value"):
    if isinstance(x, int) or x is None:
        return x, x
    x = tuple(x)
    if len(x) == 1:
        return x[0], x[0]
    return (None if x[0] is None else int(x[0])), (None if x[1] is None else int(x[1]))


def _batched(input, ndim_unbatched, name):
    if input.dim() == ndim_unbatched:
        return input.unsqueeze(0), True
    if input.dim() != ndim_unbatched + 1:
        raise RuntimeError("Expected %dD (unbatched) or %dD (batched) input to %s, but got input of size: %s"
                           % (ndim_unbatched, ndim_unbatched + 1, name, list(input.shape)))
    return input, False


def _same_padding(input_hw, kernel, dilation):
    pads = []
    for size, k, d in zip(input_hw, kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    x, unbatched = _batched(input, 3, "conv2d")
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    if isinstance(padding, str):
        if padding == "valid":
            ph = pw = 0
        elif padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            (pt, pb), (pl, pr) = _same_padding(x.shape[2:], weight.shape[2:], (dh, dw))
            if pt != pb or pl != pr:
                from .nn import functional as F
                x = F.pad(x, (pl, pr, pt, pb))
                ph = pw = 0
            else:
                ph, pw = pt, pl
        else:
            raise ValueError("Invalid padding string '%s', should be one of {'valid', 'same'}" % padding)
    else:
        ph, pw = _pair(padding)
    r = _w(_N.conv2d(x._v, weight._v, None if bias is None else bias._v, sh, sw, ph, pw, dh, dw, int(groups)))
    return r.squeeze(0) if unbatched else r


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    x, unbatched = _batched(input, 2, "conv1d")
    s = stride if isinstance(stride, int) else stride[0]
    d = dilation if isinstance(dilation, int) else dilation[0]
    p = padding if isinstance(padding, (int, str)) else padding[0]
    r = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), p if isinstance(p, str) else (0, p), (1, d), groups)
    r = r.squeeze(2)
    return r.squeeze(0) if unbatched else r


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    x, unbatched = _batched(input, 3, "conv_transpose2d")
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    oph, opw = _pair(output_padding)
    dh, dw = _pair(dilation)
    r = _w(_N.convTranspose2d(x._v, weight._v, None if bias is None else bias._v, sh, sw, ph, pw, oph, opw, dh, dw, int(groups)))
    return r.squeeze(0) if unbatched else r


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    x, unbatched = _batched(input, 2, "conv_transpose1d")
    one = lambda v: v if isinstance(v, int) else v[0]
    r = conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, one(stride)), (0, one(padding)),
                         (0, one(output_padding)), groups, (1, one(dilation))).squeeze(2)
    return r.squeeze(0) if unbatched else r


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    x, unbatched = _batched(input, 3, "max_pool2d")
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride) if stride not in (None, []) else (kh, kw)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    out, idx = _N.maxPool2d(x._v, kh, kw, sh, sw, ph, pw, dh, dw, bool(ceil_mode))
    out, idx = _w(out), _w(idx)
    if unbatched:
        return out.squeeze(0), idx.squeeze(0)
    return out, idx


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    out, idx = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    one = lambda v: v if isinstance(v, int) else v[0]
    k = one(kernel_size)
    s = k if stride in (None, []) else one(stride)
    out, idx = max_pool2d_with_indices(input.unsqueeze(-2), (1, k), (1, s), (0, one(padding)), (1, one(dilation)), ceil_mode)
    out, idx = out.squeeze(-2), idx.squeeze(-2)
    return (out, idx) if return_indices else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    x, unbatched = _batched(input, 3, "avg_pool2d")
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride) if stride not in (None, []) else (kh, kw)
    ph, pw = _pair(padding)
    r = _w(_N.avgPool2d(x._v, kh, kw, sh, sw, ph, pw, bool(ceil_mode), bool(count_include_pad), int(divisor_override or 0)))
    return r.squeeze(0) if unbatched else r


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    one = lambda v: v if isinstance(v, int) else v[0]
    k = one(kernel_size)
    s = k if stride in (None, []) else one(stride)
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, one(padding)), ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    x, unbatched = _batched(input, 3, "adaptive_avg_pool2d")
    oh, ow = _pair(output_size)
    oh = x.shape[2] if oh is None else oh
    ow = x.shape[3] if ow is None else ow
    r = _w(_N.adaptiveAvgPool2d(x._v, int(oh), int(ow)))
    return r.squeeze(0) if unbatched else r


def adaptive_avg_pool1d(input, output_size):
    o = output_size if isinstance(output_size, int) or output_size is None else output_size[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)
