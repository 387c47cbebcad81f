"""Rebuild functions named in the pickles of torch.save (torch._utils._rebuild_tensor_v2 and friends)."""
from . import _jt
from ._jt import B as _B


def _storage_variable(storage, dtype_name=None):
    from .storage import TypedStorage
    if not isinstance(storage, TypedStorage):
        raise TypeError("expected a storage, got %s" % type(storage).__name__)
    if dtype_name is not None:
        storage = storage._as_dtype(dtype_name)
    return storage._variable()


def _view(base, size, stride, storage_offset):
    from ._tensor import _w
    size = [int(s) for s in size]
    stride = [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s == 0 for s in size):  # no elements: nothing to share (and no bounds to check)
        return _w(_B.empty(size, base.data.dtype))
    return _w(_B.viewOf(base, size, stride, int(storage_offset)))


def _on_saved_device(t, storage):
    dev = getattr(storage, "_device", None)
    return t if dev is None else t.to(dev)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _on_saved_device(_view(_storage_variable(storage), size, stride, storage_offset), storage)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    t = _on_saved_device(_view(_storage_variable(storage, getattr(dtype, "_file_name", None) or dtype.name), size, stride, storage_offset), storage)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError("Invalid serialized state: %r" % (state,))
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    if dict_state:
        for k, v in dict_state.items():
            setattr(obj, k, v)
    if slots_state:
        for k, v in slots_state.items():
            setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    return _set_obj_state(param, state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: a tensor subclass or a tensor with Python attributes."""
    from ._tensor import Tensor
    ret = func(*args)
    if type(ret) is not new_type and isinstance(new_type, type) and issubclass(new_type, Tensor):
        ret = Tensor._make_subclass(new_type, ret, ret.requires_grad)
    if state:
        setstate = getattr(type(ret), "__setstate__", None)
        if setstate is not None and setstate is not getattr(Tensor, "__setstate__", None) \
                and setstate is not getattr(object, "__setstate__", None):
            ret.__setstate__(state)
        else:
            _set_obj_state(ret, state)
    return ret


def _element_size(dtype):
    return dtype.itemsize


__all__ = ["_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
           "_rebuild_parameter_with_state", "_rebuild_from_type_v2", "_element_size"]
