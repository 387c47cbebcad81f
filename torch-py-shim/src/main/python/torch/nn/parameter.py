"""torch.nn.Parameter (PyTorch 2.x semantics)."""
import torch

__all__ = ['Parameter']


class _ParameterMeta(type(torch.Tensor)):
    # Make `isinstance(t, Parameter)` return True for custom tensor instances
    # that carry the `_is_param` flag (as PyTorch does).
    def __instancecheck__(self, instance):
        return super().__instancecheck__(instance) or (
            isinstance(instance, torch.Tensor) and getattr(instance, '_is_param', False))


class Parameter(torch.Tensor, metaclass=_ParameterMeta):
    r"""A kind of Tensor that is to be considered a module parameter.

    Parameters are :class:`~torch.Tensor` subclasses that, when assigned as
    Module attributes, are automatically added to the list of the module's
    parameters.

    Args:
        data (Tensor): parameter tensor.
        requires_grad (bool, optional): if the parameter requires gradient. Default: `True`
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = torch.empty(0)
        if type(data) is torch.Tensor or type(data) is Parameter:
            return torch.Tensor._make_subclass(cls, data, requires_grad)

        # Path for custom tensors: set a flag on the instance to indicate parameter-ness.
        t = data.detach().requires_grad_(requires_grad)
        if type(t) is not type(data):
            raise RuntimeError(
                f"Creating a Parameter from an instance of type {type(data).__name__} "
                "requires that detach() returns an instance of the same type, but return "
                f"type {type(t).__name__} was found instead. To use the type as a "
                "Parameter, please correct the detach() semantics defined by "
                "its __torch_dispatch__() implementation.")
        t._is_param = True
        return t

    def __init__(self, *args, **kwargs):
        # All the work is done in __new__ (the instance shares `data`'s storage);
        # do not re-run Tensor construction with the constructor arguments.
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __str__(self):
        return self.__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.data, self.requires_grad))

    # Like PyTorch: results of operations on a Parameter are plain Tensors, not Parameters
    # (only meaningful where the core implements __torch_function__ dispatch).
    _disabled = getattr(getattr(torch, '_C', None), '_disabled_torch_function_impl', None)
    if _disabled is not None:
        __torch_function__ = _disabled
    del _disabled


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


def is_lazy(param):
    return False
