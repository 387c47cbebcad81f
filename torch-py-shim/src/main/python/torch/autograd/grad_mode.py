"""no_grad / enable_grad / set_grad_enabled: context managers and decorators over the Java grad mode."""
import functools
from .._jt import GradMode


class _Mode:
    _value = None

    def __enter__(self):
        self._prev = GradMode.set(self._value)
        return self

    def __exit__(self, *exc):
        GradMode.set(self._prev)
        return False

    def __call__(self, fn):
        value = self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = GradMode.set(value)
            try:
                return fn(*args, **kwargs)
            finally:
                GradMode.set(prev)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_Mode):
    _value = False

    def __init__(self, *args):
        if args and callable(args[0]):
            raise TypeError("use @torch.no_grad() with parentheses")


class enable_grad(_Mode):
    _value = True


class inference_mode(_Mode):
    def __init__(self, mode=True):
        self._value = not mode


class set_grad_enabled(_Mode):
    def __init__(self, mode):
        self._value = bool(mode)
        self._prev = GradMode.set(self._value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        GradMode.set(self._prev)
        return False
