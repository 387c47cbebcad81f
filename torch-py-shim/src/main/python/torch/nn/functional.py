"""torch.nn.functional, built from public torch tensor ops (PyTorch 2.x semantics).

Everything here is composed of torch tensor operations, so autograd flows through it;
no Python loop ever runs over tensor elements.
"""
import math
import warnings

import torch

__all__ = [
    'linear', 'bilinear', 'relu', 'relu_', 'relu6', 'elu', 'elu_', 'selu', 'celu', 'leaky_relu', 'leaky_relu_',
    'prelu', 'glu', 'gelu', 'logsigmoid', 'hardshrink', 'tanhshrink', 'softsign', 'softplus', 'softmin',
    'softmax', 'softshrink', 'log_softmax', 'tanh', 'sigmoid', 'hardsigmoid', 'silu', 'mish', 'hardswish',
    'hardtanh', 'hardtanh_', 'threshold', 'threshold_', 'dropout', 'dropout1d', 'dropout2d', 'dropout3d',
    'embedding', 'one_hot', 'pad', 'normalize', 'cosine_similarity', 'pairwise_distance', 'layer_norm',
    'batch_norm', 'group_norm', 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'nll_loss',
    'cross_entropy', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div',
    'poisson_nll_loss', 'gaussian_nll_loss', 'margin_ranking_loss', 'hinge_embedding_loss',
    'soft_margin_loss', 'cosine_embedding_loss', 'triplet_margin_loss', 'multilabel_soft_margin_loss',
    'conv1d', 'conv2d', 'conv_transpose1d', 'conv_transpose2d', 'max_pool1d', 'max_pool2d', 'avg_pool1d',
    'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'scaled_dot_product_attention',
    'multi_head_attention_forward', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear',
]


# --------------------------------------------------------------------------- reductions
def _legacy_get_string(size_average, reduce, emit_warning=True):
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."

    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True

    if size_average and reduce:
        ret = 'mean'
    elif reduce:
        ret = 'sum'
    else:
        ret = 'none'
    if emit_warning:
        warnings.warn(warning.format(ret))
    return ret


def _check_reduction(reduction):
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == 'none':
        return loss
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _resolve_reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    _check_reduction(reduction)
    return reduction


_DTYPE_SCALAR_NAMES = (('float32', 'Float'), ('float64', 'Double'), ('float16', 'Half'),
                       ('bfloat16', 'BFloat16'), ('int64', 'Long'), ('int32', 'Int'),
                       ('int16', 'Short'), ('int8', 'Char'), ('uint8', 'Byte'), ('bool', 'Bool'))


def _scalar_type_name(dtype):
    for attr, name in _DTYPE_SCALAR_NAMES:
        if getattr(torch, attr, None) == dtype:
            return name
    return str(dtype)


def _narrow(t, dim, start, length):
    """t.narrow(dim, start, length) via basic slicing."""
    if dim < 0:
        dim += t.dim()
    return t[(slice(None),) * dim + (slice(start, start + length),)]


# --------------------------------------------------------------------------- linear
def linear(input, weight, bias=None):
    r"""Applies a linear transformation to the incoming data: :math:`y = xA^T + b`."""
    if bias is not None and weight.dim() == 2 and isinstance(input, torch.Tensor) and isinstance(bias, torch.Tensor):
        if input.dim() == 2:
            return torch._tensor._w(torch._jt.T.linear(input._v, weight._v, bias._v))
        if input.dim() > 2 and input.is_contiguous():
            # (..., in) -> (N, in) @ W^T + b -> (..., out), as PyTorch folds the leading dims (grad_fn ViewBackward0)
            lead = input.shape[:-1]
            flat = input.reshape(-1, input.shape[-1])
            return torch._tensor._w(torch._jt.T.linear(flat._v, weight._v, bias._v)).view(*lead, weight.shape[0])
    out = input.matmul(weight.t())
    if bias is not None:
        out = out + bias
    return out


def bilinear(input1, input2, weight, bias=None):
    r"""y = x1^T A x2 + b, with weight of shape (out, in1, in2)."""
    # (..., in1) x (out, in1, in2) x (..., in2) -> (..., out)
    tmp = input1.unsqueeze(-2).unsqueeze(-2).matmul(weight)  # (..., out, 1, in2)
    out = (tmp.squeeze(-2) * input2.unsqueeze(-2)).sum(-1)
    if bias is not None:
        out = out + bias
    return out


# --------------------------------------------------------------------------- activations
def threshold(input, threshold, value, inplace=False):
    r"""y = x if x > threshold else value."""
    result = torch.where(input > threshold, input, input.new_full((), value))
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


threshold_ = lambda input, threshold_value, value: threshold(input, threshold_value, value, True)  # noqa: E731


def relu(input, inplace=False):
    r"""Applies the rectified linear unit function element-wise."""
    if inplace:
        return input.clamp_(min=0)
    return torch.relu(input)


def relu_(input):
    return input.clamp_(min=0)


def hardtanh(input, min_val=-1., max_val=1., inplace=False):
    r"""Applies the HardTanh function element-wise."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return input.clamp_(min_val, max_val)
    return input.clamp(min_val, max_val)


def hardtanh_(input, min_val=-1., max_val=1.):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    r"""Applies min(max(0, x), 6) element-wise."""
    return hardtanh(input, 0., 6., inplace)


def elu(input, alpha=1.0, inplace=False):
    r"""ELU: x if x > 0 else alpha * (exp(x) - 1)."""
    # exp() is taken of min(x, 0) so that the unused branch cannot overflow (inf * 0 = nan in backward).
    result = torch.where(input > 0, input, (input.clamp(max=0).exp() - 1) * alpha)
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    r"""SELU: scale * elu(x, alpha) with the fixed constants of Klambauer et al."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    result = elu(input, alpha) * scale
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def celu(input, alpha=1., inplace=False):
    r"""CELU: max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    result = torch.where(input > 0, input, ((input / alpha).clamp(max=0).exp() - 1) * alpha)
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def leaky_relu(input, negative_slope=0.01, inplace=False):
    r"""LeakyReLU: x if x > 0 else negative_slope * x."""
    result = torch.where(input > 0, input, input * negative_slope)
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):
    r"""PReLU: x if x >= 0 else weight * x (weight broadcast along the channel dim 1)."""
    w = weight
    if weight.numel() != 1 and input.dim() >= 2:
        shape = [1] * input.dim()
        shape[1] = weight.numel()
        w = weight.reshape(shape)
    return torch.where(input > 0, input, input * w)


def glu(input, dim=-1):
    r"""GLU: a * sigmoid(b) where input is split in half along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.size(dim)
    if n % 2 != 0:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim if dim >= 0 else dim + input.dim()} is size {n}")
    half = n // 2
    a = _narrow(input, dim, 0, half)
    b = _narrow(input, dim, half, half)
    return a * torch.sigmoid(b)


def gelu(input, approximate='none'):
    r"""GELU: x * Phi(x); approximate='tanh' uses the tanh approximation."""
    if approximate == 'tanh':
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (torch.tanh(inner) + 1.0)
    if approximate != 'none':
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    if isinstance(input, torch.Tensor) and input.dtype == torch.float32:
        r = torch._jt.T.gelu(input._v)
        if r is not None:
            return torch._tensor._w(r)
    return input * 0.5 * (torch.erf(input * (1.0 / math.sqrt(2.0))) + 1.0)


def logsigmoid(input):
    r"""log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    return input.clamp(max=0) - torch.log1p(torch.exp(-input.abs()))


def hardshrink(input, lambd=0.5):
    r"""x if |x| > lambd else 0."""
    return torch.where(input.abs() > lambd, input, input * 0)


def tanhshrink(input):
    r"""x - tanh(x)."""
    return input - torch.tanh(input)


def softsign(input):
    r"""x / (1 + |x|)."""
    return input / (input.abs() + 1)


def softplus(input, beta=1.0, threshold=20.0):
    r"""1/beta * log(1 + exp(beta * x)); reverts to x where beta * x > threshold."""
    scaled = input * beta
    # clamp before exp so that the branch not taken cannot overflow
    soft = torch.log1p(torch.exp(scaled.clamp(max=threshold))) / beta
    return torch.where(scaled > threshold, input, soft)


def softshrink(input, lambd=0.5):
    r"""x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return torch.where(input > lambd, input - lambd, torch.where(input < -lambd, input + lambd, input * 0))


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    if ndim == 0 or ndim == 1 or ndim == 3:
        ret = 0
    else:
        ret = 1
    return ret


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    r"""softmax(-x) along dim."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""Softmax along dim."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""log(softmax(x)) along dim."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


def tanh(input):
    return torch.tanh(input)


def sigmoid(input):
    return torch.sigmoid(input)


def hardsigmoid(input, inplace=False):
    r"""relu6(x + 3) / 6."""
    result = (input + 3).clamp(0, 6) / 6
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def silu(input, inplace=False):
    r"""x * sigmoid(x)."""
    result = input * torch.sigmoid(input)
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def mish(input, inplace=False):
    r"""x * tanh(softplus(x))."""
    result = input * torch.tanh(softplus(input))
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


def hardswish(input, inplace=False):
    r"""x * relu6(x + 3) / 6."""
    result = input * (input + 3).clamp(0, 6) / 6
    if inplace:
        with torch.no_grad():
            input.copy_(result)
        return input
    return result


# --------------------------------------------------------------------------- dropout
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_with_noise_shape(input, p, noise_shape_like, inplace):
    # PyTorch's CPU _dropout: noise = empty_like(...).bernoulli_(1 - p).div_(1 - p); input * noise
    # (same random stream as PyTorch when bernoulli_ is generator-exact).
    if p == 1.0:
        noise = noise_shape_like.new_zeros(())
    else:
        noise = torch.empty_like(noise_shape_like).bernoulli_(1 - p)
        noise.div_(1 - p)
    if inplace:
        return input.mul_(noise)
    return input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    r"""During training, randomly zeroes elements with probability p and scales the rest by 1/(1-p)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _dropout_with_noise_shape(input, p, input.detach(), inplace)


def _feature_dropout(input, p, training, inplace, batched_dim):
    _check_p(p)
    if not training or p == 0.0:
        return input
    is_batched = input.dim() == batched_dim
    x = input if is_batched else input.unsqueeze(0)
    shape = list(x.shape[:2]) + [1] * (x.dim() - 2)
    like = x.detach().new_zeros(shape)  # only its shape/dtype matter
    out = _dropout_with_noise_shape(x, p, like, inplace and is_batched)
    if not is_batched:
        if inplace:
            with torch.no_grad():
                input.copy_(out.squeeze(0))
            return input
        out = out.squeeze(0)
    return out


def dropout1d(input, p=0.5, training=True, inplace=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
                           "spatial dimension, a channel dimension, and an optional batch dimension "
                           "(i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 4)


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 5)


# --------------------------------------------------------------------------- sparse
def _embedding_renorm_(weight, flat_idx, max_norm, norm_type):
    with torch.no_grad():
        rows = weight.index_select(0, flat_idx)
        norms = (rows.abs() ** norm_type).sum(1, keepdim=True) ** (1.0 / norm_type)
        scale = torch.where(norms > max_norm, max_norm / (norms + 1e-7), torch.ones_like(norms))
        weight[flat_idx] = rows * scale


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    r"""Looks up rows of ``weight`` by the indices in ``input``.

    The entry at ``padding_idx`` does not receive gradient. ``scale_grad_by_freq`` and
    ``sparse`` are accepted for API compatibility (dense gradients are produced).
    """
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    flat = input.reshape(-1)
    if max_norm is not None:
        _embedding_renorm_(weight, flat, max_norm, norm_type)
    out = weight.index_select(0, flat)
    if padding_idx is not None:
        keep = (flat != padding_idx).unsqueeze(-1)
        out = torch.where(keep, out, out.detach())
    return out.reshape(list(input.shape) + [weight.size(1)])


def one_hot(tensor, num_classes=-1):
    r"""Takes a LongTensor of class indices and returns a one-hot LongTensor with one more dim."""
    if tensor.dtype != torch.int64:
        raise RuntimeError("one_hot is only applicable to index tensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if tensor.min().item() < 0:
            raise RuntimeError("Class values must be non-negative.")
        mx = tensor.max().item()
        if num_classes == -1:
            num_classes = mx + 1
        elif mx >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = torch.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# --------------------------------------------------------------------------- padding
def pad(input, pad, mode='constant', value=None):
    r"""Pads tensor. ``pad`` lists (left, right) amounts starting from the last dimension.

    Modes: 'constant' (negative amounts crop), 'reflect', 'replicate', 'circular'.
    """
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > input.dim() * 2:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {input.dim()}")
    if mode not in ('constant', 'reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != 'constant' and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    out = input
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        left, right = int(pad[2 * i]), int(pad[2 * i + 1])
        if left == 0 and right == 0:
            continue
        n = out.size(dim)
        if mode == 'constant':
            if left < 0:
                out = _narrow(out, dim, -left, n + left)
                n += left
                left = 0
            if right < 0:
                out = _narrow(out, dim, 0, n + right)
                n += right
                right = 0
            parts = []
            fill = 0 if value is None else value
            if left > 0:
                shape = list(out.shape)
                shape[dim] = left
                parts.append(out.new_full(shape, fill))
            parts.append(out)
            if right > 0:
                shape = list(out.shape)
                shape[dim] = right
                parts.append(out.new_full(shape, fill))
            out = torch.cat(parts, dim) if len(parts) > 1 else out
        else:
            idx = torch.arange(-left, n + right, device=input.device)
            if mode == 'reflect':
                if left >= n or right >= n:
                    raise RuntimeError(
                        f"Argument #4: Padding size should be less than the corresponding input dimension, "
                        f"but got: padding ({left}, {right}) at dimension {dim} of input {list(input.shape)}")
                idx = (n - 1) - ((n - 1) - idx.abs()).abs()
            elif mode == 'replicate':
                idx = idx.clamp(0, n - 1)
            else:  # circular
                if left > n or right > n:
                    raise RuntimeError("Padding value causes wrapping around more than once.")
                idx = idx % n
            out = out.index_select(dim, idx)
    return out


# --------------------------------------------------------------------------- distances / norms
def _vector_norm(x, p, dim, keepdim):
    return x.norm(p, dim, keepdim=keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""Performs L_p normalization of inputs over the specified dimension: v / max(||v||_p, eps)."""
    denom = _vector_norm(input, p, dim, True).clamp(min=eps)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""sum(x1/max(||x1||, eps) * x2/max(||x2||, eps)) along dim."""
    n1 = _vector_norm(x1, 2, dim, True)
    n2 = _vector_norm(x2, 2, dim, True)
    # clamp without affecting the gradient (PyTorch clamps in-place under no_grad)
    n1 = n1 + (n1.clamp(min=eps) - n1).detach()
    n2 = n2 + (n2.clamp(min=eps) - n2).detach()
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""||x1 - x2 + eps||_p along the last dimension."""
    return _vector_norm(x1 - x2 + eps, p, -1, keepdim)


# --------------------------------------------------------------------------- normalization
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Layer normalization over the last ``len(normalized_shape)`` dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if tuple(input.shape[input.dim() - k:]) != tuple(normalized_shape):
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size{list(input.shape)}")
    if (k == 1 and input.dim() > 0 and input.dtype == torch.float32
            and (weight is None or isinstance(weight, torch.Tensor)) and (bias is None or isinstance(bias, torch.Tensor))):
        r = torch._jt.T.layerNorm(input._v, None if weight is None else weight._v, None if bias is None else bias._v, float(eps))
        if r is not None:
            return torch._tensor._w(r)
    lead = list(input.shape[:input.dim() - k])
    x = input.reshape(lead + [-1])
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc / (var + eps).sqrt()).reshape(input.shape)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    r"""Group normalization over channel groups (channels at dim 1)."""
    n, c = input.size(0), input.size(1)
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups={num_groups}")
    x = input.reshape([n, num_groups, -1])
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc / (var + eps).sqrt()).reshape(input.shape)
    shape = [1, c] + [1] * (input.dim() - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Batch normalization over all dims except the channel dim 1."""
    c = input.size(1)
    shape = [1, c] + [1] * (input.dim() - 2)
    # move channels last and flatten the rest: (C, N*...)
    perm = [1, 0] + list(range(2, input.dim()))
    x = input.permute(perm).reshape([c, -1])
    if training:
        count = x.size(1)
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        mean = x.mean(1)
        xc = x - mean.unsqueeze(1)
        var = (xc * xc).mean(1)
        if running_mean is not None:
            with torch.no_grad():
                running_mean.mul_(1 - momentum).add_(mean.detach() * momentum)
        if running_var is not None:
            with torch.no_grad():
                running_var.mul_(1 - momentum).add_(var.detach() * (momentum * count / (count - 1)))
    else:
        mean = running_mean
        var = running_var
    y = (input - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


# --------------------------------------------------------------------------- losses
def _warn_size(input, target):
    if not (target.size() == input.size()):
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    r"""Mean squared error: (input - target)^2, reduced."""
    _warn_size(input, target)
    reduction = _resolve_reduction(size_average, reduce, reduction)
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    r"""Mean absolute error: |input - target|, reduced."""
    _warn_size(input, target)
    reduction = _resolve_reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    r"""0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta."""
    _warn_size(input, target)
    reduction = _resolve_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    ad = d.abs()
    if beta == 0.0:
        loss = ad
    else:
        loss = torch.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    r"""0.5 d^2 if |d| < delta else delta * (|d| - 0.5 delta)."""
    _warn_size(input, target)
    _check_reduction(reduction)
    d = input - target
    ad = d.abs()
    loss = torch.where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _check_target_long(target):
    if target.is_floating_point() or target.dtype == torch.bool:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_type_name(target.dtype)}")


def _nll(input, target, weight, ignore_index, reduction):
    """nll_loss core: input (C,) / (N, C) / (N, C, d1, ...), target of class indices."""
    dim = input.dim()
    if dim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {dim})")
    if dim != 1 and (target.dim() == 0 or input.size(0) != target.size(0)):
        raise ValueError(
            f"Expected input batch_size ({input.size(0)}) to match target batch_size "
            f"({target.size(0) if target.dim() > 0 else 1}).")
    _check_target_long(target)
    class_dim = 0 if dim == 1 else 1
    n_classes = input.size(class_dim)
    if dim <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if dim == 1 and target.dim() != 0:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
    else:
        expected = [input.size(0)] + list(input.shape[2:])
        if list(target.shape) != expected:
            raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}")

    if weight is None and dim <= 2 and target.dtype == torch.int64 and input.is_floating_point():
        # the engine's fused loss (one pass, NllLossBackward0)
        return torch._tensor._w(torch._jt.T.nllLoss(input._v, target._v, int(ignore_index),
                                                   {'none': 0, 'mean': 1, 'sum': 2}[reduction]))
    ignored = target == ignore_index
    safe_t = target.masked_fill(ignored, 0)
    if safe_t.numel() > 0:
        mx = safe_t.max().item()
        if mx >= n_classes:
            raise IndexError(f"Target {mx} is out of bounds.")
        mn = safe_t.min().item()
        if mn < 0:
            raise IndexError(f"Target {mn} is out of bounds.")

    picked = input.gather(class_dim, safe_t.unsqueeze(class_dim)).squeeze(class_dim)
    keep = (target != ignore_index).to(input.dtype)
    if weight is not None:
        w = weight.index_select(0, safe_t.reshape(-1)).reshape(safe_t.shape) * keep
    else:
        w = keep
    loss = (-picked * w).masked_fill(ignored, 0.0)
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    return loss.sum() / w.sum()


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    r"""The negative log likelihood loss (input holds log-probabilities along dim 1)."""
    reduction = _resolve_reduction(size_average, reduce, reduction)
    return _nll(input, target, weight, ignore_index, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    r"""Cross entropy between input logits and target (class indices or class probabilities)."""
    reduction = _resolve_reduction(size_average, reduce, reduction)
    if label_smoothing < 0.0 or label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = input.log_softmax(class_dim)
    n_classes = input.size(class_dim)

    if tuple(input.shape) == tuple(target.shape):
        # class probabilities
        if not target.is_floating_point():
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got {_scalar_type_name(target.dtype)}")
        if weight is not None and weight.numel() != n_classes:
            raise RuntimeError(
                f"weight tensor should be defined either for all {n_classes} classes or no classes "
                f"but got weight tensor of shape: {list(weight.shape)}")
        if label_smoothing > 0.0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            shape = [1] * input.dim()
            shape[class_dim] = n_classes
            prod = prod * weight.reshape(shape)
        if reduction == 'none':
            return -prod.sum(class_dim)
        if reduction == 'sum':
            return -prod.sum()
        if input.numel() == 0:
            return -prod.sum() * float('nan')
        return -prod.sum() / (input.numel() // n_classes)

    nll = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:
        return nll
    ignore_mask = target == ignore_index
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = n_classes
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == 'mean':
        if weight is not None:
            safe_t = target.masked_fill(ignore_mask, 0).reshape(-1)
            wsum = weight.index_select(0, safe_t).masked_fill(ignore_mask.reshape(-1), 0.0).sum()
            ret = smooth.sum() / wsum
        else:
            ret = smooth.sum() / (target != ignore_index).sum()
    elif reduction == 'sum':
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - label_smoothing) + ret * (label_smoothing / n_classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    r"""-w [y log x + (1 - y) log(1 - x)], logs clamped at -100 as PyTorch does."""
    reduction = _resolve_reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}) is deprecated. "
            "Please ensure they have the same size.")
    if input.numel() > 0:
        if input.min().item() < 0 or input.max().item() > 1:
            raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = torch.log(input).clamp(min=-100)
    log_1mx = torch.log(1 - input).clamp(min=-100)
    loss = (target - 1) * log_1mx - target * log_x
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    r"""Sigmoid + binary cross entropy in the numerically stable log-sum-exp form."""
    reduction = _resolve_reduction(size_average, reduce, reduction)
    if not (target.size() == input.size()):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    log_sigmoid_input = logsigmoid(input)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        log_sigmoid_input = log_sigmoid_input * log_weight
    loss = (1 - target) * input - log_sigmoid_input
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _xlogy_self(t):
    """t * log(t) with 0 where t == 0 (torch.xlogy(t, t))."""
    safe = t.masked_fill(t == 0, 1.0)
    return t * torch.log(safe)


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    r"""Kullback-Leibler divergence; input is log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    else:
        if reduction == 'mean':
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release."
            )
        if reduction not in ('none', 'mean', 'sum', 'batchmean'):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = torch.exp(target) * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == 'batchmean':
        reduced = loss.sum()
        if input.dim() != 0:
            reduced = reduced / input.size(0)
        return reduced
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    r"""Poisson negative log likelihood loss."""
    reduction = _resolve_reduction(size_average, reduce, reduction)
    if log_input:
        loss = torch.exp(input) - target * input
    else:
        loss = input - target * torch.log(input + eps)
    if full:
        safe = target.masked_fill(target <= 1, 1.0)
        stirling = safe * torch.log(safe) - safe + torch.log(safe * (2 * math.pi)) * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    r"""Gaussian negative log likelihood loss."""
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.size()[:-1] == var.size()[:-1] and var.size(-1) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    if var.min().item() < 0:
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    with torch.no_grad():
        var.clamp_(min=eps)
    d = input - target
    loss = (torch.log(var) + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    margin_clamp = (input * -1 + margin).clamp(min=0)
    loss = torch.where(target == 1, input, input * 0) + torch.where(target == -1, margin_clamp, input * 0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    loss = torch.log1p(torch.exp(-target * input))
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.size(class_dim)
    loss = loss.sum(class_dim) / C
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    eps = 1e-12
    d = input1.dim() - 1
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = (input1 * input1).sum(d) + eps
    mag_square2 = (input2 * input2).sum(d) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = cos * 0
    pos = torch.where(target == 1, 1 - cos, zeros)
    neg = torch.where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    reduction = _resolve_reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = torch.where(d_swap < d_neg, d_swap, d_neg)
    loss = (d_pos - d_neg + margin).clamp(min=0)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- convolution / pooling
# The kernels are torch-level ops of the core (torch.conv2d, torch.max_pool2d, ...).
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""1D convolution over an input of shape (N, C_in, L) or (C_in, L)."""
    return torch.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""2D convolution over an input of shape (N, C_in, H, W) or (C_in, H, W)."""
    return torch.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    r"""1D transposed convolution."""
    return torch.conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    r"""2D transposed convolution."""
    return torch.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""1D max pooling (``return_indices=True`` also returns the argmax indices)."""
    if stride is None:
        stride = kernel_size
    if return_indices:
        return torch.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)
    return torch.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""2D max pooling (``return_indices=True`` also returns the argmax indices)."""
    if stride is None:
        stride = kernel_size
    if return_indices:
        return torch.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)
    return torch.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    r"""1D average pooling."""
    if stride is None:
        stride = kernel_size
    return torch.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    r"""2D average pooling."""
    if stride is None:
        stride = kernel_size
    return torch.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool1d(input, output_size):
    r"""1D adaptive average pooling to ``output_size``."""
    return torch.adaptive_avg_pool1d(input, output_size)


def adaptive_avg_pool2d(input, output_size):
    r"""2D adaptive average pooling to ``output_size`` (None keeps that input size)."""
    if isinstance(output_size, (tuple, list)) and None in output_size:
        output_size = tuple(input.size(-2 + i) if s is None else s for i, s in enumerate(output_size))
    return torch.adaptive_avg_pool2d(input, output_size)


# --------------------------------------------------------------------------- attention
_CPP_TYPE_NAMES = (('float32', 'float'), ('float64', 'double'), ('float16', 'c10::Half'),
                   ('bfloat16', 'c10::BFloat16'), ('int64', 'long int'), ('int32', 'int'),
                   ('int16', 'short int'), ('int8', 'signed char'), ('uint8', 'unsigned char'), ('bool', 'bool'))


def _cpp_type_name(dtype):
    """The name PyTorch's C++ checks print for a dtype (caffe2::TypeMeta)."""
    for attr, name in _CPP_TYPE_NAMES:
        if getattr(torch, attr, None) == dtype:
            return name
    return str(dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    r"""softmax(Q K^T * scale + mask) V over the last two dimensions (PyTorch 2.x math backend).

    A boolean ``attn_mask`` marks the positions that take part in attention (``True`` = attend);
    a float mask is added to the scores. ``is_causal`` applies a lower-triangular mask.
    """
    if not (query.dtype == key.dtype and query.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_cpp_type_name(query.dtype)} key.dtype: {_cpp_type_name(key.dtype)} and value.dtype: "
            f"{_cpp_type_name(value.dtype)} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if attn_mask is not None and attn_mask.dtype != torch.bool and attn_mask.dtype != query.dtype:
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or to match query dtype, but got attn_mask.dtype: "
            f"{_cpp_type_name(attn_mask.dtype)} and  query.dtype: {_cpp_type_name(query.dtype)} instead.")
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        attn_mask = torch.zeros(attn_mask.shape, dtype=query.dtype, device=query.device).masked_fill(attn_mask.logical_not(), float('-inf'))
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
        L, S = query.size(-2), key.size(-2)
        causal = torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
        attn_mask = torch.zeros(L, S, dtype=query.dtype, device=query.device).masked_fill(causal.logical_not(), float('-inf'))
    # q and k are both scaled by sqrt(scale) before the product, as the math backend does
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    factor = math.sqrt(abs(scale))
    q = query * (-factor if scale < 0 else factor)
    attn = q.matmul(key.transpose(-2, -1) * factor)
    if attn_mask is not None:
        attn = attn + attn_mask
    attn = attn.softmax(-1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn.matmul(value)


def _none_or_dtype(input):
    if input is None:
        return None
    elif isinstance(input, torch.Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) becomes a float mask of -inf/0; a float mask is kept."""
    if mask is not None:
        _mask_dtype = mask.dtype
        _mask_is_float = mask.is_floating_point()
        if _mask_dtype != torch.bool and not _mask_is_float:
            raise AssertionError(f"only bool and floating types of {mask_name} are supported")
        if check_other and other_type is not None:
            if _mask_dtype != other_type:
                warnings.warn(f"Support for mismatched {mask_name} and {other_name} "
                              "is deprecated. Use same type for both instead.")
        if not _mask_is_float:
            mask = torch.zeros(mask.shape, dtype=target_type).masked_fill(mask, float('-inf'))
    return mask


def _in_projection_packed(q, k, v, w, b=None):
    """Projects q, k, v with the packed (3E, E) weight; returns the three projections."""
    E = q.size(-1)
    if k is v:
        if q is k:
            # self-attention
            return tuple(linear(q, w, b).chunk(3, dim=-1))
        # encoder-decoder attention
        w_q, w_kv = w.split([E, E * 2])
        if b is None:
            b_q = b_kv = None
        else:
            b_q, b_kv = b.split([E, E * 2])
        return (linear(q, w_q, b_q),) + tuple(linear(k, w_kv, b_kv).chunk(2, dim=-1))
    w_q, w_k, w_v = w.chunk(3)
    if b is None:
        b_q = b_k = b_v = None
    else:
        b_q, b_k, b_v = b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """Projects q, k, v with separate weights."""
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    assert w_q.shape == (Eq, Eq), f"expecting query weights shape of {(Eq, Eq)}, but got {w_q.shape}"
    assert w_k.shape == (Eq, Ek), f"expecting key weights shape of {(Eq, Ek)}, but got {w_k.shape}"
    assert w_v.shape == (Eq, Ev), f"expecting value weights shape of {(Eq, Ev)}, but got {w_v.shape}"
    assert b_q is None or b_q.shape == (Eq,), f"expecting query bias shape of {(Eq,)}, but got {b_q.shape}"
    assert b_k is None or b_k.shape == (Eq,), f"expecting key bias shape of {(Eq,)}, but got {b_k.shape}"
    assert b_v is None or b_v.shape == (Eq,), f"expecting value bias shape of {(Eq,)}, but got {b_v.shape}"
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Checks the input shapes; returns whether the input is batched."""
    if query.dim() == 3:
        is_batched = True
        assert key.dim() == 3 and value.dim() == 3, \
            ("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
             f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None:
            assert key_padding_mask.dim() == 2, \
                ("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D"
                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            assert attn_mask.dim() in (2, 3), \
                ("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                 f" but found {attn_mask.dim()}-D tensor instead")
    elif query.dim() == 2:
        is_batched = False
        assert key.dim() == 2 and value.dim() == 2, \
            ("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D"
             f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None:
            assert key_padding_mask.dim() == 1, \
                ("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D"
                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            assert attn_mask.dim() in (2, 3), \
                ("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                 f" but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected_shape = (num_heads, query.shape[0], key.shape[0])
                assert attn_mask.shape == expected_shape, \
                    (f"Expected `attn_mask` shape to be {expected_shape} but got {attn_mask.shape}")
    else:
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor")
    return is_batched


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    r"""Multi-head attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E)/(S, E)).

    Returns ``(attn_output, attn_weights)``; the weights are None unless ``need_weights``.
    Masks: bool (True = not allowed to attend) or float (added to the scores).
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)

    # unbatched input: run with a batch of one and squeeze it again at the end
    if not is_batched:
        query = query.unsqueeze(1)
        key = key.unsqueeze(1)
        value = value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)

    tgt_len, bsz, embed_dim = query.shape
    src_len, _, _ = key.shape

    key_padding_mask = _canonical_mask(mask=key_padding_mask, mask_name="key_padding_mask",
                                       other_type=_none_or_dtype(attn_mask), other_name="attn_mask",
                                       target_type=query.dtype)

    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. "
            "You may use the Transformer module method "
            "`generate_square_subsequent_mask` to create this mask."
        )

    if is_causal and key_padding_mask is None and not need_weights:
        # the is_causal hint alone goes to scaled_dot_product_attention
        attn_mask = None
    else:
        attn_mask = _canonical_mask(mask=attn_mask, mask_name="attn_mask", other_type=None, other_name="",
                                    target_type=query.dtype, check_other=False)
        if key_padding_mask is not None:
            # the merged mask is no longer causal
            is_causal = False

    assert embed_dim == embed_dim_to_check, \
        f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
    head_dim = embed_dim // num_heads
    assert head_dim * num_heads == embed_dim, f"embed_dim {embed_dim} not divisible by num_heads {num_heads}"
    if use_separate_proj_weight:
        # different embedding dimensions are allowed with separate projection weights
        assert key.shape[:2] == value.shape[:2], \
            f"key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}"
    else:
        assert key.shape == value.shape, f"key shape {key.shape} does not match value shape {value.shape}"

    # in-projection
    if not use_separate_proj_weight:
        assert in_proj_weight is not None, "use_separate_proj_weight is False but in_proj_weight is None"
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        assert q_proj_weight is not None, "use_separate_proj_weight is True but q_proj_weight is None"
        assert k_proj_weight is not None, "use_separate_proj_weight is True but k_proj_weight is None"
        assert v_proj_weight is not None, "use_separate_proj_weight is True but v_proj_weight is None"
        if in_proj_bias is None:
            b_q = b_k = b_v = None
        else:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)

    # attention mask as 3-D
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            correct_2d_size = (tgt_len, src_len)
            if attn_mask.shape != correct_2d_size:
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be {correct_2d_size}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            correct_3d_size = (bsz * num_heads, tgt_len, src_len)
            if attn_mask.shape != correct_3d_size:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be {correct_3d_size}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # bias along the batch dimension (currently second)
    if bias_k is not None and bias_v is not None:
        assert static_k is None, "bias cannot be added to static key."
        assert static_v is None, "bias cannot be added to static value."
        k = torch.cat([k, bias_k.repeat(1, bsz, 1)])
        v = torch.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    else:
        assert bias_k is None
        assert bias_v is None

    # (L, N, E) -> (N * num_heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        assert static_k.size(0) == bsz * num_heads, \
            f"expecting static_k.size(0) of {bsz * num_heads}, but got {static_k.size(0)}"
        assert static_k.size(2) == head_dim, \
            f"expecting static_k.size(2) of {head_dim}, but got {static_k.size(2)}"
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        assert static_v.size(0) == bsz * num_heads, \
            f"expecting static_v.size(0) of {bsz * num_heads}, but got {static_v.size(0)}"
        assert static_v.size(2) == head_dim, \
            f"expecting static_v.size(2) of {head_dim}, but got {static_v.size(2)}"
        v = static_v

    # zero attention along the batch dimension (now first)
    if add_zero_attn:
        zero_attn_shape = (bsz * num_heads, 1, head_dim)
        k = torch.cat([k, torch.zeros(zero_attn_shape, dtype=k.dtype, device=k.device)], dim=1)
        v = torch.cat([v, torch.zeros(zero_attn_shape, dtype=v.dtype, device=v.device)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    src_len = k.size(1)

    # merge the key padding mask into the attention mask
    if key_padding_mask is not None:
        assert key_padding_mask.shape == (bsz, src_len), \
            f"expecting key_padding_mask shape of {(bsz, src_len)}, but got {key_padding_mask.shape}"
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len). \
            expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        if attn_mask is None:
            attn_mask = key_padding_mask
        else:
            attn_mask = attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        B, Nt, E = q.shape
        q_scaled = q * math.sqrt(1.0 / float(E))
        assert not (is_causal and attn_mask is None), "FIXME: is_causal not implemented for need_weights"
        attn_output_weights = q_scaled.bmm(k.transpose(-2, -1))
        if attn_mask is not None:
            attn_output_weights = attn_mask + attn_output_weights
        attn_output_weights = softmax(attn_output_weights, dim=-1)
        if dropout_p > 0.0:
            attn_output_weights = dropout(attn_output_weights, p=dropout_p)

        attn_output = attn_output_weights.bmm(v)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.reshape(tgt_len, bsz, attn_output.size(1))

        # optionally average the attention weights over the heads
        attn_output_weights = attn_output_weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_output_weights = attn_output_weights.mean(dim=1)

        if not is_batched:
            attn_output = attn_output.squeeze(1)
            attn_output_weights = attn_output_weights.squeeze(0)
        return attn_output, attn_output_weights
    else:
        # attn_mask is (1, L, S) or (N * num_heads, L, S): make it broadcast to (N, num_heads, L, S)
        if attn_mask is not None:
            if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
                attn_mask = attn_mask.unsqueeze(0)
            else:
                attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)

        q = q.reshape(bsz, num_heads, tgt_len, head_dim)
        k = k.reshape(bsz, num_heads, src_len, head_dim)
        v = v.reshape(bsz, num_heads, src_len, head_dim)

        attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)

        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.reshape(tgt_len, bsz, attn_output.size(1))
        if not is_batched:
            attn_output = attn_output.squeeze(1)
        return attn_output, None


# --------------------------------------------------------------------------- upsampling
# The resampling is separable: the last spatial dimension is resampled first, then the one before it,
# ... (the order of PyTorch's CPU kernels), each with index_select on index tensors and weight tensors
# that are computed with tensor ops in the arithmetic (float32 / input dtype) of those kernels.
def _is_integer(x):
    if isinstance(x, torch.Tensor):
        return not x.is_floating_point() and x.dtype != torch.bool and x.dim() == 0
    return isinstance(x, int) and not isinstance(x, bool)


def _along(x, dim, idx):
    return x.index_select(dim, idx)


def _weight_shape(w, dim, ndim):
    shape = [1] * ndim
    shape[dim] = w.numel()
    return w.reshape(shape)


def _scale_tensor(in_size, out_size, scale, dtype):
    """compute_scales_value: 1 / scale_factor when one is given, else in / out (in ``dtype``)."""
    if scale is not None and scale > 0:
        return torch.tensor(1.0 / scale, dtype=dtype)
    return torch.tensor(float(in_size), dtype=dtype) / out_size


def _nearest_index(in_size, out_size, scale, exact, dtype, channels_last):
    """Source index of every output index for 'nearest' / 'nearest-exact'.

    PyTorch's CPU kernels differ here: the channels-last kernel (nearest_idx) copies when the size
    is unchanged, halves when it doubles, and scales in float32; the generic kernel scales in the
    input's precision (and rounds to float32 before the floor).
    """
    if channels_last:
        if not exact and out_size == in_size:
            return torch.arange(out_size)
        if not exact and out_size == 2 * in_size:
            return torch.arange(out_size) // 2
        s = _scale_tensor(in_size, out_size, scale, torch.float32)
        if exact:
            # floorf((dst + 0.5) * scale): the product is taken in double, then rounded to float
            src = ((torch.arange(out_size, dtype=torch.float64) + 0.5) * s.double()).float()
        else:
            src = torch.arange(out_size, dtype=torch.float32) * s
    else:
        s = _scale_tensor(in_size, out_size, scale, dtype)
        dst = torch.arange(out_size, dtype=dtype)
        if exact:
            src = ((((dst + 0.5) * s - 0.5).clamp(min=0)) + 0.5).float()
        else:
            src = (dst * s).float()
    return src.floor().long().clamp(max=in_size - 1)


def _channels_last_output(input, output_size):
    """Whether PyTorch's CPU nearest kernel takes its channels-last route: the (contiguous) output
    also counts as channels-last contiguous, which in practice means one channel."""
    if input.dim() not in (4, 5):
        return False
    sizes = [input.size(0), input.size(1)] + list(output_size)
    strides = [1] * len(sizes)
    for d in range(len(sizes) - 2, -1, -1):
        strides[d] = strides[d + 1] * sizes[d + 1]
    expected = 1
    for d in [1] + list(range(len(sizes) - 1, 1, -1)) + [0]:
        if sizes[d] != 1:
            if strides[d] != expected:
                return False
            expected *= sizes[d]
    return True


def _source_index(in_size, out_size, align_corners, scale, dtype, cubic):
    """area_pixel_compute_source_index for every output index, in ``dtype``."""
    dst = torch.arange(out_size, dtype=dtype)
    if align_corners:
        if out_size > 1:
            s = torch.tensor(float(in_size - 1), dtype=dtype) / (out_size - 1)
        else:
            s = torch.tensor(0.0, dtype=dtype)
        return dst * s
    s = _scale_tensor(in_size, out_size, scale, dtype)
    src = (dst + 0.5) * s - 0.5
    return src if cubic else src.clamp(min=0)


def _resample_linear(x, dim, out_size, align_corners, scale):
    in_size = x.size(dim)
    if out_size == in_size:
        return x
    dtype = x.dtype if x.is_floating_point() else torch.float32
    src = _source_index(in_size, out_size, align_corners, scale, dtype, False)
    i0 = src.floor().long().clamp(max=in_size - 1)
    lam1 = (src - i0.to(dtype)).clamp(0, 1)
    lam0 = 1 - lam1
    i1 = i0 + (i0 < in_size - 1).long()
    nd = x.dim()
    return (_along(x, dim, i0) * _weight_shape(lam0, dim, nd)
            + _along(x, dim, i1) * _weight_shape(lam1, dim, nd))


def _cubic_coefficients(t):
    A = -0.75

    def conv1(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def conv2(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    x2 = 1.0 - t
    return [conv2(t + 1.0), conv1(t), conv1(x2), conv2(x2 + 1.0)]


def _resample_cubic(x, dim, out_size, align_corners, scale):
    in_size = x.size(dim)
    dtype = x.dtype if x.is_floating_point() else torch.float32
    src = _source_index(in_size, out_size, align_corners, scale, dtype, True)
    i = src.floor()
    coeffs = _cubic_coefficients(src - i)
    i = i.long()
    nd = x.dim()
    out = None
    for j in range(4):
        idx = (i + (j - 1)).clamp(0, in_size - 1)
        term = _along(x, dim, idx) * _weight_shape(coeffs[j], dim, nd)
        out = term if out is None else out + term
    return out


_INTERP_DIM_MODES = {'linear': 3, 'bilinear': 4, 'bicubic': 4, 'trilinear': 5}


def _check_interp_sizes(input, output_size):
    in_sp = list(input.shape[2:])
    if any(s <= 0 for s in in_sp) or any(s <= 0 for s in output_size):
        names = ('D', 'H', 'W')[3 - len(in_sp):]
        ins = ', '.join(f'{n}: {s}' for n, s in zip(names, in_sp))
        outs = ', '.join(f'{n}: {s}' for n, s in zip(names, output_size))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) output ({outs})")


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    r"""Down/up samples the input to the given ``size`` or by the given ``scale_factor``.

    Modes: 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear' and 'bicubic' (4-D), 'trilinear' (5-D),
    'area' (3-D and 4-D). Input is (N, C, [D, [H,]] W).
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the "
                             "interpolating modes: linear | bilinear | bicubic | trilinear")
    else:
        if align_corners is None:
            align_corners = False

    dim = input.dim() - 2  # number of spatial dimensions

    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    elif size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size) for _ in range(dim)]
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(f) for f in scale_factor]
        else:
            scale_factors = [float(scale_factor) for _ in range(dim)]
    else:
        raise ValueError("either size or scale_factor should be defined")

    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")

    # "area" mode always requires an explicit size rather than scale factor.
    if mode == "area" and output_size is None:
        recompute_scale_factor = True

    if recompute_scale_factor is not None and recompute_scale_factor:
        output_size = [math.floor(float(input.size(i + 2)) * scale_factors[i]) for i in range(dim)]
        scale_factors = None

    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires "
                         "a 4-D tensor as input")

    need = _INTERP_DIM_MODES.get(mode)
    if input.dim() in (3, 4, 5) and mode in ('linear', 'bilinear', 'trilinear') and need != input.dim():
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
    if input.dim() not in (3, 4, 5) or (need is not None and need != input.dim()) or \
            mode not in ('nearest', 'nearest-exact', 'area', 'linear', 'bilinear', 'bicubic', 'trilinear'):
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported"
            f" (got {input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact"
            f" (got {mode})")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by jtorch")

    if output_size is None:
        # compute_output_size: the product in double, truncated
        output_size = [int(float(input.size(i + 2)) * scale_factors[i]) for i in range(dim)]
    scales = scale_factors if scale_factors is not None else [None] * dim
    _check_interp_sizes(input, output_size)

    if mode == 'area':
        if dim == 1:
            return adaptive_avg_pool1d(input, output_size[0])
        if dim == 2:
            return adaptive_avg_pool2d(input, output_size)
        raise NotImplementedError("interpolate: mode='area' for 5-D input (adaptive_avg_pool3d) is not supported by jtorch")

    out = input
    if mode in ('nearest', 'nearest-exact'):
        cl = _channels_last_output(input, output_size)
        dtype = input.dtype if input.is_floating_point() else torch.float32
    for i in reversed(range(dim)):
        d = i + 2
        if mode in ('nearest', 'nearest-exact'):
            idx = _nearest_index(input.size(d), output_size[i], scales[i], mode == 'nearest-exact', dtype, cl)
            out = _along(out, d, idx)
        elif mode == 'bicubic':
            out = _resample_cubic(out, d, output_size[i], align_corners, scales[i])
        else:
            out = _resample_linear(out, d, output_size[i], align_corners, scales[i])
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    r"""Deprecated alias of :func:`interpolate`."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    r"""Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    r"""Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
