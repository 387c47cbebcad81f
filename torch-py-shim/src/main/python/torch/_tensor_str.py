"""Tensor pretty-printing for the jtorch shim.

A port of PyTorch's ``torch/_tensor_str.py`` (1.13 / 2.x CPU behaviour) that
works on plain Python data -- a flat row-major list of values plus a shape and
a dtype name -- so that printing never calls back into tensor operations.

Public API:
    format_tensor(values, shape, dtype, *, indent) -> data part of the repr
    tensor_repr(values, shape, dtype, *, suffixes=(), prefix='tensor(')
    set_printoptions(...), get_printoptions(), printoptions(...) (context mgr)
    PRINT_OPTS
"""

import contextlib
import math

_FLOAT_DTYPES = frozenset(["float32", "float64", "float16", "bfloat16", "float"])
_INT_DTYPES = frozenset(["int64", "int32", "int16", "int8", "uint8", "int", "long"])


class _PrinterOptions(object):
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None,
                     linewidth=None, profile=None, sci_mode=None):
    """Same semantics as ``torch.set_printoptions`` (note: ``sci_mode`` is
    always reset to the given value, None by default, exactly like PyTorch)."""
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {
        "precision": PRINT_OPTS.precision,
        "threshold": PRINT_OPTS.threshold,
        "edgeitems": PRINT_OPTS.edgeitems,
        "linewidth": PRINT_OPTS.linewidth,
        "sci_mode": PRINT_OPTS.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs):
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _family(dtype):
    d = str(dtype)
    if d.startswith("torch."):
        d = d[len("torch."):]
    if d in _FLOAT_DTYPES:
        return "float"
    if d in _INT_DTYPES:
        return "int"
    if d == "bool":
        return "bool"
    raise ValueError("unsupported dtype for printing: %r" % (dtype,))


class _Formatter(object):
    """Port of torch._tensor_str._Formatter over a list of Python values."""

    def __init__(self, values, family):
        self.floating_dtype = family == "float"
        self.is_bool = family == "bool"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not self.floating_dtype:
            for v in values:
                self.max_width = max(self.max_width, len(self._plain(v)))
            return

        nonzero_finite = []
        for v in values:
            v = float(v)
            if v != 0.0 and not math.isinf(v) and not math.isnan(v):
                nonzero_finite.append(v)
        if not nonzero_finite:
            # no valid number: PyTorch returns before applying PRINT_OPTS.sci_mode
            return

        abs_vals = [abs(v) for v in nonzero_finite]
        vmin = min(abs_vals)
        vmax = max(abs_vals)
        prec = PRINT_OPTS.precision

        for v in nonzero_finite:
            if v != math.ceil(v):
                self.int_mode = False
                break

        if self.int_mode:
            # all numbers are integers: a '.' is appended, hence the + 1
            if vmax / vmin > 1000.0 or vmax > 1.0e8:
                self.sci_mode = True
                fmt = "{:.%de}" % prec
                width = max(len(fmt.format(v)) for v in nonzero_finite)
            else:
                width = max(len("{:.0f}".format(v)) + 1 for v in nonzero_finite)
        else:
            if vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4:
                self.sci_mode = True
                fmt = "{:.%de}" % prec
            else:
                fmt = "{:.%df}" % prec
            width = max(len(fmt.format(v)) for v in nonzero_finite)
        self.max_width = max(self.max_width, width)

        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def _plain(self, value):
        if self.is_bool:
            return "True" if value else "False"
        return str(int(value))

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            value = float(value)
            if self.sci_mode:
                ret = "{:{}.{}e}".format(value, self.max_width, PRINT_OPTS.precision)
            elif self.int_mode:
                ret = "{:.0f}".format(value)
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = "{:.{}f}".format(value, PRINT_OPTS.precision)
        else:
            ret = self._plain(value)
        return (self.max_width - len(ret)) * " " + ret


def _edge_indices(size, summarize):
    """Indices of dim entries that get printed (PyTorch's self[:e] / self[-e:])."""
    edge = PRINT_OPTS.edgeitems
    if summarize and size > 2 * edge:
        # PyTorch slices self[-edge:]; with edgeitems == 0 that is the whole dim
        tail_start = size - edge if edge > 0 else 0
        return list(range(edge)), list(range(tail_start, size))
    return list(range(size)), None


def _strides(shape):
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return strides


def _summarized_values(values, shape, strides, summarize):
    """Values PyTorch's get_summarized_data() would keep (all if not summarizing)."""
    if not summarize:
        return values
    offsets = [0]
    for size, stride in zip(shape, strides):
        head, tail = _edge_indices(size, True)
        picked = head + (tail or [])
        offsets = [o + i * stride for o in offsets for i in picked]
    return [values[o] for o in offsets]


def _vector_str(values, offset, size, stride, indent, summarize, formatter):
    element_length = formatter.width() + 2
    elements_per_line = max(
        1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    head, tail = _edge_indices(size, summarize)
    data = [formatter.format(values[offset + i * stride]) for i in head]
    if tail is not None:
        data.append(" ...")
        data.extend(formatter.format(values[offset + i * stride]) for i in tail)
    lines = [", ".join(data[i:i + elements_per_line])
             for i in range(0, len(data), elements_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_rec(values, shape, strides, d, offset, indent, summarize, formatter):
    ndim = len(shape) - d
    if ndim == 1:
        return _vector_str(values, offset, shape[d], strides[d], indent,
                           summarize, formatter)
    head, tail = _edge_indices(shape[d], summarize)

    def sub(i):
        return _tensor_str_rec(values, shape, strides, d + 1,
                               offset + i * strides[d], indent + 1,
                               summarize, formatter)

    slices = [sub(i) for i in head]
    if tail is not None:
        slices.append("...")
        slices.extend(sub(i) for i in tail)
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def format_tensor(values, shape, dtype, *, indent):
    """Data part of a tensor repr (PyTorch's ``_tensor_str(self, indent)``).

    ``values`` is the flat row-major list of all elements, ``shape`` a tuple
    of ints, ``dtype`` a dtype name such as 'float32', 'int64' or 'bool'.
    """
    shape = tuple(int(s) for s in shape)
    numel = _numel(shape)
    if numel == 0:
        return "[]"
    family = _family(dtype)
    if len(values) < numel:
        raise ValueError("expected %d values for shape %r, got %d"
                         % (numel, shape, len(values)))
    summarize = numel > PRINT_OPTS.threshold
    if not shape:
        formatter = _Formatter([values[0]], family)
        return formatter.format(values[0])
    strides = _strides(shape)
    formatter = _Formatter(
        _summarized_values(values, shape, strides, summarize), family)
    return _tensor_str_rec(values, shape, strides, 0, 0, indent, summarize,
                           formatter)


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    tensor_strs = [tensor_str]
    # PyTorch's quirk: this is (length of the last line) + 2
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def _dtype_suffix(dtype):
    d = str(dtype)
    return "dtype=" + (d if d.startswith("torch.") else "torch." + d)


def tensor_repr(values, shape, dtype, *, suffixes=(), prefix="tensor(",
                default_dtype="float32"):
    """Full repr as PyTorch's ``_str_intern`` builds it for dense CPU tensors.

    ``suffixes`` are the caller's extra parts in PyTorch's order (dtype, then
    grad_fn / requires_grad ...).  For empty tensors this function adds the
    'size=(...)' suffix (dims != 1) and, if the caller did not pass one, the
    'dtype=...' suffix that PyTorch shows for every non-default dtype of an
    empty tensor (int64 and bool included).  A multi-line ``prefix`` such as
    'Parameter containing:\\ntensor(' is supported: the indent is that of the
    last line, like PyTorch's Parameter.__repr__.
    """
    head, sep, prefix = str(prefix).rpartition("\n")
    indent = len(prefix)
    shape = tuple(int(s) for s in shape)
    suffixes = list(suffixes)
    if _numel(shape) == 0:
        extra = []
        if len(shape) != 1:
            extra.append("size=" + str(shape))
        has_dtype = any(s.startswith("dtype=") for s in suffixes)
        if not has_dtype and str(dtype).replace("torch.", "") != default_dtype:
            extra.append(_dtype_suffix(dtype))
        suffixes = extra + suffixes
    data = format_tensor(values, shape, dtype, indent=indent)
    return head + sep + _add_suffixes(prefix + data, suffixes, indent)
