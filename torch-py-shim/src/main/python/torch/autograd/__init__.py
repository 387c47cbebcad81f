"""torch.autograd: backward, grad, Function, grad-mode context managers."""
from .. import _jt
from .._jt import T, Engine, GradMode
from .._tensor import Tensor, _w
from . import grad_mode
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode


class _Node:
    """A view of a Java autograd node (tensor.grad_fn)."""
    __slots__ = ("_n",)

    def __init__(self, n):
        self._n = n

    def name(self):
        return self._n.name()

    @property
    def next_functions(self):
        return tuple((None if m is None else _Node(m), 0) for m in self._n.nextFunctions())

    def __repr__(self):
        return "<%s object at 0x%x>" % (self._n.name(), id(self._n) & 0xFFFFFFFFFFFF)

    def __eq__(self, other):
        return isinstance(other, _Node) and self._n.equals(other._n)

    def __hash__(self):
        return self._n.hashCode()


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    ts = _as_list(tensors)
    gs = _as_list(grad_tensors)
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by jtorch yet")
    if retain_graph is None:
        retain_graph = create_graph
    jg = None if gs is None else [None if g is None else g._v for g in gs]
    Engine.backward([t._v for t in ts], jg, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True, allow_unused=False):
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gos = _as_list(grad_outputs)
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by jtorch yet")
    if retain_graph is None:
        retain_graph = create_graph
    jg = None if gos is None else [None if g is None else g._v for g in gos]
    r = Engine.grad([o._v for o in outs], jg, [i._v for i in ins], bool(retain_graph), bool(allow_unused))
    return tuple(None if x is None else _w(x) for x in r)


class FunctionCtx:
    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
        return getattr(self, "_saved", ())

    def mark_dirty(self, *args):
        pass

    def mark_non_differentiable(self, *args):
        self._non_diff = args

    def set_materialize_grads(self, value):
        pass

    @property
    def needs_input_grad(self):
        return self._needs


class _FunctionMeta(type):
    pass


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, ...) and backward(ctx, *grads); call with .apply(...)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx._needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        multiple = isinstance(out, tuple)
        outs = out if multiple else (out,)
        inputs = [a._v if isinstance(a, Tensor) else None for a in args]
        if _jt.GradMode.isEnabled() and any(ctx._needs):
            jouts = []
            res = []
            for o in outs:
                if isinstance(o, Tensor):
                    # outputs that alias an input get a fresh variable so the input keeps its history
                    nv = o._v
                    if any(nv is a for a in inputs if a is not None):
                        o = _w(_jt.B.alias(nv, False))
                    jouts.append(o._v)
                else:
                    jouts.append(None)
                res.append(o)

            def jbackward(jgrads):
                grads = [_w(g) for g in jgrads]
                r = cls.backward(ctx, *grads)
                if not isinstance(r, tuple):
                    r = (r,)
                return [None if g is None else g._v for g in r] + [None] * (len(inputs) - len(r))

            T.recordCustom(cls.__name__ + "Backward", jouts, inputs, jbackward)
            outs = tuple(res)
        return outs if multiple else outs[0]


__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled"]
