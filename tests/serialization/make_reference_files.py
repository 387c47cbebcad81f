"""Writes the reference checkpoints in data/ with real PyTorch, plus data/expected.json.

Run with CPython and PyTorch (the files committed here were written by PyTorch 1.13):
    /usr/bin/python3 tests/serialization/make_reference_files.py
test_serialization.py (run under jtorch) loads these files and checks them against expected.json.
Every value is deterministic (no random numbers), so re-running gives the same files.
"""
import collections
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


def det_(module, scale=0.5):
    """Deterministic parameter values: sin of the element index."""
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.sin(k * 1.3 + i) * scale).reshape(p.shape))


def describe(t):
    """What a test needs to check a loaded tensor: dtype as jtorch holds it, geometry and values."""
    v = t.detach()
    if v.dtype in (torch.float16, torch.bfloat16):
        v = v.float()
    elif v.dtype in (torch.uint8, torch.int8, torch.int16):
        v = v.int()
    flat = v.reshape(-1).tolist()
    return {"dtype": str(v.dtype).replace("torch.", ""), "file_dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape), "stride": list(t.stride()), "offset": t.storage_offset(),
            "requires_grad": t.requires_grad, "is_param": isinstance(t, nn.Parameter),
            "values": [float(x) if isinstance(x, float) else x for x in flat]}


def describe_tree(obj):
    if isinstance(obj, torch.Tensor):
        return {"tensor": describe(obj)}
    if isinstance(obj, (dict, collections.OrderedDict)):
        return {"dict": [[describe_key(k), describe_tree(v)] for k, v in obj.items()],
                "ordered": type(obj) is collections.OrderedDict}
    if isinstance(obj, list):
        return {"list": [describe_tree(v) for v in obj]}
    if isinstance(obj, torch.Size):
        return {"size": list(obj)}
    if isinstance(obj, tuple):
        return {"tuple": [describe_tree(v) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, bytes):
        return {"bytes": list(obj)}
    if isinstance(obj, torch.dtype):
        return {"torch_dtype": str(obj)}
    raise TypeError(type(obj))


def describe_key(k):
    return k if isinstance(k, str) else {"int": k}


def save(name, obj, expected, **kw):
    path = os.path.join(DATA, name)
    torch.save(obj, path, **kw)
    expected[name] = describe_tree(obj)
    return path


def main():
    os.makedirs(DATA, exist_ok=True)
    torch.manual_seed(0)
    expected = {"pytorch_version": torch.__version__}

    # 1. state_dict of a small model with Linear, Conv2d and BatchNorm (int64 num_batches_tracked)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 2 * 2, 3),
                          nn.BatchNorm1d(3))
    det_(model)
    x = torch.linspace(-1, 1, 2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    model.train()
    for _ in range(3):
        model(x)  # running statistics and num_batches_tracked move
    save("state_dict.pt", model.state_dict(), expected)
    model.eval()
    expected["state_dict.pt"]["eval_input"] = x.reshape(-1).tolist()
    expected["state_dict.pt"]["eval_output"] = model(x).detach().reshape(-1).tolist()

    # 2. views sharing one storage; a view saved alone (the whole storage is written)
    base = torch.arange(24, dtype=torch.float32)
    m = base.view(4, 6)
    views = {"base": base, "slice": base[3:9], "matrix": m, "transposed": m.t(), "column": m[:, 2],
             "narrow": m.narrow(1, 1, 3), "scalar_view": base[5]}
    save("views.pt", views, expected)
    save("view_alone.pt", {"v": torch.arange(10, dtype=torch.int64)[4:7]}, expected)

    # 3. every dtype (float16/bfloat16 load as float32, the small ints as int32 in jtorch)
    dt = collections.OrderedDict()
    dt["float32"] = torch.tensor([1.5, -0.0, float("inf"), -float("inf"), 3.4e38, 1e-45, 0.1], dtype=torch.float32)
    dt["float64"] = torch.tensor([math.pi, -1e300, 5e-324, float("inf"), 0.1], dtype=torch.float64)
    dt["int64"] = torch.tensor([0, -1, 2 ** 62, -(2 ** 63), 2 ** 63 - 1], dtype=torch.int64)
    dt["int32"] = torch.tensor([0, -1, 2 ** 31 - 1, -(2 ** 31), 12345], dtype=torch.int32)
    dt["bool"] = torch.tensor([[True, False, True], [False, False, True]])
    dt["float16"] = torch.tensor([1.0, -2.5, 65504.0, 6e-5, 0.1], dtype=torch.float16)
    dt["bfloat16"] = torch.tensor([1.0, -2.5, 3.0e38, 0.1], dtype=torch.bfloat16)
    dt["uint8"] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    dt["int8"] = torch.tensor([0, 1, -1, 127, -128], dtype=torch.int8)
    dt["int16"] = torch.tensor([0, 1, -1, 32767, -32768, 300], dtype=torch.int16)
    dt["scalar"] = torch.tensor(2.75)
    dt["empty"] = torch.zeros(0, 3)
    save("dtypes.pt", dt, expected)
    # NaN separately (JSON NaN != NaN): a float32 and a float64 NaN
    save("nan.pt", {"f": torch.tensor([float("nan"), 1.0]), "d": torch.tensor([float("nan")], dtype=torch.float64)},
         expected)

    # complex tensors have no jtorch dtype: loading them is refused with a RuntimeError
    torch.save({"c": torch.tensor([1 + 2j, 3 - 4j])}, os.path.join(DATA, "complex.pt"))

    # 4. nested containers with numbers, strings, bytes, None, Size and dtypes
    shared = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    nested = {
        "list": [shared, shared[1], 3, "three", None],
        "tuple": (torch.tensor([1, 2, 3]), (2.5, True)),
        "ordered": collections.OrderedDict([("z", torch.ones(2, dtype=torch.float64)), ("a", 1)]),
        "numbers": {"int": 7, "float": 0.25, "neg": -3, "big": 2 ** 70, "bool": False},
        "strings": ["", "ünïcödé", "a\nb"],
        "bytes": b"\x00\x01\xff",
        "size": torch.Size([2, 3]),
        "dtype": torch.float64,
        1: "int key",
        "requires_grad": torch.tensor([1.0, 2.0], requires_grad=True),
        "param": nn.Parameter(torch.tensor([0.5, -0.5])),
        "frozen_param": nn.Parameter(torch.tensor([1.0]), requires_grad=False),
    }
    save("nested.pt", nested, expected)

    # 5. optimizer state_dicts after a few steps (Adam: step, exp_avg, exp_avg_sq; SGD momentum buffers)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    det_(net)
    adam = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.99))
    inp = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    for _ in range(2):
        adam.zero_grad()
        (net(inp) ** 2).sum().backward()
        adam.step()
    net2 = nn.Linear(2, 2)
    det_(net2)
    sgd = torch.optim.SGD(net2.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        sgd.zero_grad()
        net2(torch.ones(1, 2)).sum().backward()
        sgd.step()
    save("optimizer.pt", {"model": net.state_dict(), "adam": adam.state_dict(), "sgd": sgd.state_dict(),
                          "epoch": 2}, expected)
    expected["optimizer.pt"]["adam_next_step_input"] = inp.tolist()
    # one more Adam step from the saved state, for the test to reproduce after loading
    adam.zero_grad()
    (net(inp) ** 2).sum().backward()
    adam.step()
    expected["optimizer.pt"]["after_one_more_step"] = {k: v.reshape(-1).tolist() for k, v in net.state_dict().items()}

    # 6. a whole pickled module (needs weights_only=False): a Linear + ReLU Sequential
    whole = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    det_(whole)
    torch.save(whole, os.path.join(DATA, "whole_module.pt"))
    expected["whole_module.pt"] = {"input": [[1.0, -2.0]], "output": whole(torch.tensor([[1.0, -2.0]])).tolist()}

    # 7. a malicious checkpoint: data.pkl calls os.system("touch /tmp/jtorch_pwned") when unpickled
    write_malicious(os.path.join(DATA, "malicious.pt"))

    # 8. the legacy (pre-1.6, non-zip) format, which jtorch refuses with a RuntimeError
    torch.save({"x": torch.ones(2)}, os.path.join(DATA, "legacy.pt"), _use_new_zipfile_serialization=False)

    # 9. the layout of newer PyTorch, written by hand: "archive/" folder, a byteorder record, 64-byte aligned
    #    storages, _rebuild_tensor_v3 over a torch.UntypedStorage (used by PyTorch 2.x for uint16 and
    #    friends), and a big-endian file (byteorder "big"; typed storages only: PyTorch does not byte-swap
    #    untyped storages, so a big-endian uint16 would not round-trip there either)
    write_v2_style(os.path.join(DATA, "v2_style.pt"), "little")
    write_v2_style(os.path.join(DATA, "big_endian.pt"), "big")
    expected["v2_style.pt"] = {"f": [1.5, -2.0, 3.25], "l": [1, -2, 2 ** 40], "u16": [0, 1, 65535, 40000],
                               "b": [True, False]}
    expected["big_endian.pt"] = {"f": [1.5, -2.0, 3.25], "l": [1, -2, 2 ** 40], "b": [True, False]}

    # 10. a checkpoint whose storage is tagged "cuda:0" (as if saved from a GPU): needs map_location="cpu"
    write_cuda_tagged(os.path.join(DATA, "cuda_tagged.pt"))
    expected["cuda_tagged.pt"] = {"w": [1.5, -2.0, 3.25]}

    with open(os.path.join(DATA, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", sorted(os.listdir(DATA)))


def write_zip(path, records):
    """A checkpoint zip: stored entries, data records 64-byte aligned via an 'FB' padding extra field."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in records:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED
            header = 30 + len(name.encode())
            pad = (-(zf.start_dir + header + 4)) % 64
            zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            zf.writestr(zi, data)


def write_malicious(path):
    cmd = "touch /tmp/jtorch_pwned"
    pkl = (b"\x80\x02"                                   # PROTO 2
           b"cos\nsystem\n"                              # GLOBAL os.system
           b"X" + struct.pack("<I", len(cmd)) + cmd.encode() +  # BINUNICODE cmd
           b"\x85"                                       # TUPLE1
           b"R"                                          # REDUCE -> os.system(cmd)
           b".")                                         # STOP
    # sanity: it really is a pickle that would run os.system (checked with pickletools, not by loading it)
    import pickletools
    ops = [op.name for op, _, _ in pickletools.genops(pkl)]
    assert ops == ["PROTO", "GLOBAL", "BINUNICODE", "TUPLE1", "REDUCE", "STOP"], ops
    write_zip(path, [("malicious/data.pkl", pkl), ("malicious/byteorder", b"little"), ("malicious/version", b"3\n")])


class _Global:
    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self):
        pass


class _PidRef:
    def __init__(self, pid):
        self.pid = pid


class _HandPickler(pickle._Pickler):
    """Writes globals by name (for functions this PyTorch version does not have, like _rebuild_tensor_v3)."""
    dispatch = dict(pickle._Pickler.dispatch)

    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _PidRef) else None

    def _save_g(self, obj):
        self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    dispatch[_Global] = _save_g


class _Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def write_v2_style(path, order):
    fmt = "<" if order == "little" else ">"
    f32 = struct.pack(fmt + "3f", 1.5, -2.0, 3.25)
    i64 = struct.pack(fmt + "3q", 1, -2, 2 ** 40)
    u16 = struct.pack(fmt + "4H", 0, 1, 65535, 40000)
    b = bytes([1, 0])
    od = _Reduce(_Global("collections", "OrderedDict"), ())
    v2 = _Global("torch._utils", "_rebuild_tensor_v2")
    v3 = _Global("torch._utils", "_rebuild_tensor_v3")
    obj = {
        "f": _Reduce(v2, (_PidRef(("storage", _Global("torch", "FloatStorage"), "0", "cpu", 3)), 0, (3,), (1,), False, od)),
        "l": _Reduce(v2, (_PidRef(("storage", _Global("torch", "LongStorage"), "1", "cpu", 3)), 0, (3,), (1,), False, od)),
        "u16": _Reduce(v3, (_PidRef(("storage", _Global("torch", "UntypedStorage"), "2", "cpu", 8)), 0, (4,), (1,),
                            False, od, _Global("torch", "uint16"))),
        "b": _Reduce(v2, (_PidRef(("storage", _Global("torch", "BoolStorage"), "3", "cpu", 2)), 0, (2,), (1,), False, od)),
    }
    if order == "big":
        del obj["u16"]
    buf = io.BytesIO()
    _HandPickler(buf, 2).dump(obj)
    write_zip(path, [("archive/data.pkl", buf.getvalue()), ("archive/.format_version", b"1"),
                     ("archive/.storage_alignment", b"64"), ("archive/byteorder", order.encode()),
                     ("archive/data/0", f32), ("archive/data/1", i64), ("archive/data/2", u16), ("archive/data/3", b),
                     ("archive/version", b"3\n"), ("archive/.data/serialization_id", b"1234567890")])


def write_cuda_tagged(path):
    od = _Reduce(_Global("collections", "OrderedDict"), ())
    v2 = _Global("torch._utils", "_rebuild_tensor_v2")
    obj = {"w": _Reduce(v2, (_PidRef(("storage", _Global("torch", "FloatStorage"), "0", "cuda:0", 3)), 0, (3,), (1,),
                             False, od))}
    buf = io.BytesIO()
    _HandPickler(buf, 2).dump(obj)
    write_zip(path, [("cuda_tagged/data.pkl", buf.getvalue()), ("cuda_tagged/byteorder", b"little"),
                     ("cuda_tagged/data/0", struct.pack("<3f", 1.5, -2.0, 3.25)), ("cuda_tagged/version", b"3\n")])


if __name__ == "__main__":
    sys.exit(main())
