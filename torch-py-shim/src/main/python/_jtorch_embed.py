"""Helpers for the Java embedding API (org.jtorch.bridge.Session, PyModule, PyOptimizer).

Java calls these with Java objects; tensors cross as org.jtorch.autograd.Variable objects, wrapped and
unwrapped without copying (a torch.Tensor is a Python object holding a Variable in ``_v``).
"""
import importlib
import sys
import types

import torch
from torch._tensor import Tensor, _w
from torch.autograd import set_grad_enabled as _set_grad_enabled

wrap = _w


def to_j(x):
    """A Python result as Java sees it: tensors become their Variable, lists/tuples a list, dicts a dict."""
    if isinstance(x, Tensor):
        return x._v
    if isinstance(x, (list, tuple)):
        return [to_j(e) for e in x]
    if isinstance(x, dict):
        return {k: to_j(v) for k, v in x.items()}
    return x


def py_list(*items):
    return list(items)


def py_dict(keys, values):
    return dict(zip(keys, values))


def call(fn, args, kwargs, grad):
    """fn(*args, **kwargs) converted with to_j; grad None keeps the grad mode, else sets it for the call."""
    if kwargs is None:
        kwargs = {}
    if grad is None:
        return to_j(fn(*args, **kwargs))
    with _set_grad_enabled(bool(grad)):
        return to_j(fn(*args, **kwargs))


def call_tensor(fn, grad, *variables):
    """The fast path for module(x, ...) with tensors in and one tensor out."""
    args = [_w(v) for v in variables]
    with _set_grad_enabled(bool(grad)):
        r = fn(*args)
    if isinstance(r, Tensor):
        return r._v
    raise TypeError("expected the module to return a tensor, got %s (use PyModule.invoke for other results)" % type(r).__name__)


def import_module(name):
    return importlib.import_module(name)


def add_path(p):
    if p not in sys.path:
        sys.path.insert(0, p)
    importlib.invalidate_caches()


def load_source(name, source, filename):
    """A module made from source text, registered in sys.modules under name (its classes pickle by name)."""
    code = compile(source, filename, "exec")
    m = types.ModuleType(name)
    m.__file__ = filename
    sys.modules[name] = m
    try:
        exec(code, m.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return m


def resolve(qualname):
    """'torch.nn.functional.mse_loss' -> the object: the longest importable module prefix, then attributes
    (a name with no importable prefix is looked up in builtins)."""
    parts = qualname.split(".")
    obj, i = None, 0
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        try:
            obj = importlib.import_module(name)
            break
        except ModuleNotFoundError as e:
            if e.name is not None and not name.startswith(e.name):
                raise
    else:
        import builtins
        obj, i = builtins, 0
    for a in parts[i:]:
        obj = getattr(obj, a)
    return obj


def named_parameters(module):
    return [(n, p._v) for n, p in module.named_parameters()]


def state_dict(module):
    return [(k, v._v) for k, v in module.state_dict().items() if isinstance(v, Tensor)]


def load_state_dict(module, names, variables, strict):
    sd = {n: _w(v) for n, v in zip(names, variables)}
    r = module.load_state_dict(sd, strict=bool(strict))
    return [list(r.missing_keys), list(r.unexpected_keys)]


def make_optimizer(name, module_or_params, kwargs):
    cls = getattr(torch.optim, name) if "." not in name else resolve(name)
    params = module_or_params.parameters() if isinstance(module_or_params, torch.nn.Module) else module_or_params
    return cls(params, **kwargs)


def set_lr(optimizer, lr):
    for g in optimizer.param_groups:
        g["lr"] = lr


def get_lr(optimizer):
    return float(optimizer.param_groups[0]["lr"])


def attr(obj, name):
    return getattr(obj, name)


def is_tensor(x):
    return isinstance(x, Tensor)
