"""torch.nn.init (PyTorch 2.x semantics). All initializers run under torch.no_grad()."""
import math
import warnings

import torch

__all__ = ['calculate_gain', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_',
           'eye_', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_',
           'uniform', 'normal', 'constant', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform',
           'kaiming_normal']


def _uniform(tensor, a, b, generator):
    if generator is None:
        return tensor.uniform_(a, b)
    return tensor.uniform_(a, b, generator=generator)


def _normal(tensor, mean, std, generator):
    if generator is None:
        return tensor.normal_(mean, std)
    return tensor.normal_(mean, std, generator=generator)


def calculate_gain(nonlinearity, param=None):
    r"""Return the recommended gain value for the given nonlinearity function."""
    linear_fns = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']
    if nonlinearity in linear_fns or nonlinearity == 'sigmoid':
        return 1
    elif nonlinearity == 'tanh':
        return 5.0 / 3
    elif nonlinearity == 'relu':
        return math.sqrt(2.0)
    elif nonlinearity == 'leaky_relu':
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            # True/False are instances of int, hence check above
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    elif nonlinearity == 'selu':
        return 3.0 / 4  # Value found empirically (https://github.com/pytorch/pytorch/pull/50664)
    else:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill the input Tensor with values drawn from U(a, b)."""
    with torch.no_grad():
        return _uniform(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill the input Tensor with values drawn from N(mean, std^2)."""
    with torch.no_grad():
        return _normal(tensor, mean, std, generator)


def trunc_normal_(tensor, mean=0., std=1., a=-2., b=2., generator=None):
    r"""Fill the input Tensor with values drawn from a truncated normal distribution.

    Values are drawn from N(mean, std^2) restricted to [a, b]. Unlike PyTorch (which uses
    the inverse CDF via erfinv), this draws by rejection: out-of-range values are redrawn
    (vectorised, a bounded number of rounds) and any value still outside is clamped.
    The distribution is the same; the random stream differs from PyTorch's.
    """
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.",
                      stacklevel=2)
    with torch.no_grad():
        _normal(tensor, mean, std, generator)
        if tensor.numel() == 0:
            return tensor
        for _ in range(64):
            bad = (tensor < a) | (tensor > b)
            if bad.sum().item() == 0:
                break
            fresh = _normal(torch.empty_like(tensor), mean, std, generator)
            tensor.copy_(torch.where(bad, fresh, tensor))
        tensor.clamp_(min=a, max=b)
        return tensor


def constant_(tensor, val):
    r"""Fill the input Tensor with the value `val`."""
    with torch.no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    r"""Fill the input Tensor with the scalar value `1`."""
    with torch.no_grad():
        return tensor.fill_(1.)


def zeros_(tensor):
    r"""Fill the input Tensor with the scalar value `0`."""
    with torch.no_grad():
        return tensor.zero_()


def eye_(tensor):
    r"""Fill the 2-dimensional input `Tensor` with the identity matrix."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with torch.no_grad():
        rows = torch.arange(tensor.size(0), device=tensor.device).unsqueeze(1)
        cols = torch.arange(tensor.size(1), device=tensor.device).unsqueeze(0)
        tensor.copy_((rows == cols).to(tensor.dtype))
    return tensor


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")

    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    if tensor.dim() > 2:
        # math.prod is not always available, accumulate the product manually
        # we could use functools.reduce but that is not supported by TorchScript
        for s in tensor.shape[2:]:
            receptive_field_size *= s
    fan_in = num_input_fmaps * receptive_field_size
    fan_out = num_output_fmaps * receptive_field_size

    return fan_in, fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Fill the input `Tensor` with values using a Xavier uniform distribution."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # Calculate uniform bounds from standard deviation

    with torch.no_grad():
        return _uniform(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Fill the input `Tensor` with values using a Xavier normal distribution."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))

    with torch.no_grad():
        return _normal(tensor, 0., std, generator)


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ['fan_in', 'fan_out']
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")

    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    r"""Fill the input `Tensor` with values using a Kaiming uniform distribution."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # Calculate uniform bounds from standard deviation
    with torch.no_grad():
        return _uniform(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    r"""Fill the input `Tensor` with values using a Kaiming normal distribution."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    with torch.no_grad():
        return _normal(tensor, 0, std, generator)


# for backward compatibility
def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = meth.__doc__
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
