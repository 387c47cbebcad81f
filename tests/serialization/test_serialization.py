"""torch.save / torch.load under jtorch.

    scripts/jtorch tests/serialization/test_serialization.py [OUT_DIR]

Loads the checkpoints PyTorch wrote (data/, see make_reference_files.py) and checks them against
data/expected.json; checks round trips inside jtorch, safe loading, interrupted saves and damaged
files. It also writes checkpoints into OUT_DIR (default: <tmp>/jtorch_serialization_out) for
check_with_pytorch.py to load with real PyTorch:
    /usr/bin/python3 tests/serialization/check_with_pytorch.py OUT_DIR
Prints 'N passed, N failed'; exit status 1 if any failed.
"""
import collections
import io
import json
import math
import os
import pathlib
import pickle
import shutil
import struct
import sys
import tempfile
import time
import traceback
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "jtorch_serialization_out")
with open(os.path.join(DATA, "expected.json")) as _fh:
    EXPECTED = json.load(_fh)
PWNED = "/tmp/jtorch_pwned"

results = {"passed": 0, "failed": 0}
WORK = tempfile.mkdtemp(prefix="jtorch_ser_test_")


def test(fn):
    name = fn.__name__
    t0 = time.time()
    try:
        fn()
    except Exception:
        results["failed"] += 1
        print("FAIL %s (%.1fs)" % (name, time.time() - t0))
        traceback.print_exc(file=sys.stdout)
    else:
        results["passed"] += 1
        print("ok   %s (%.1fs)" % (name, time.time() - t0))
    return fn


def expect_raises(types, fn, contains=None):
    try:
        fn()
    except types as e:
        if contains is not None and contains not in str(e):
            raise AssertionError("%s raised, but its message lacks %r: %s" % (type(e).__name__, contains, e))
        return e
    except Exception as e:
        raise AssertionError("expected %s, got %s: %s" % (types, type(e).__name__, e))
    raise AssertionError("expected %s, nothing raised" % (types,))


def ref(name):
    return os.path.join(DATA, name)


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def check_tensor(t, d, where):
    assert isinstance(t, torch.Tensor), "%s: expected a tensor, got %r" % (where, type(t))
    assert t.dtype.name == d["dtype"], "%s: dtype %s, expected %s" % (where, t.dtype, d["dtype"])
    assert list(t.shape) == d["shape"], "%s: shape %s, expected %s" % (where, list(t.shape), d["shape"])
    assert list(t.stride()) == d["stride"], "%s: stride %s, expected %s" % (where, t.stride(), d["stride"])
    assert t.storage_offset() == d["offset"], "%s: offset %d, expected %d" % (where, t.storage_offset(), d["offset"])
    assert t.requires_grad == d["requires_grad"], "%s: requires_grad %s" % (where, t.requires_grad)
    assert isinstance(t, nn.Parameter) == d["is_param"], "%s: Parameter-ness %s" % (where, type(t).__name__)
    got = t.detach().reshape(-1).tolist()
    assert len(got) == len(d["values"]), "%s: %d values, expected %d" % (where, len(got), len(d["values"]))
    for i, (a, b) in enumerate(zip(got, d["values"])):
        assert same_value(a, b), "%s[%d]: %r, expected %r" % (where, i, a, b)


def check_tree(obj, d, where="obj"):
    if "tensor" in d:
        check_tensor(obj, d["tensor"], where)
    elif "dict" in d:
        assert isinstance(obj, dict), "%s: expected a dict, got %s" % (where, type(obj).__name__)
        if d["ordered"]:
            assert type(obj) is collections.OrderedDict, "%s: expected an OrderedDict, got %s" % (where, type(obj))
        keys = [k if isinstance(k, str) else k["int"] for k, _ in d["dict"]]
        assert list(obj.keys()) == keys, "%s: keys %s, expected %s" % (where, list(obj.keys()), keys)
        for (k, sub), key in zip(d["dict"], keys):
            check_tree(obj[key], sub, "%s[%r]" % (where, key))
    elif "list" in d:
        assert type(obj) is list and len(obj) == len(d["list"]), "%s: %r" % (where, obj)
        for i, sub in enumerate(d["list"]):
            check_tree(obj[i], sub, "%s[%d]" % (where, i))
    elif "tuple" in d:
        assert type(obj) is tuple and len(obj) == len(d["tuple"]), "%s: %r" % (where, obj)
        for i, sub in enumerate(d["tuple"]):
            check_tree(obj[i], sub, "%s[%d]" % (where, i))
    elif "bytes" in d:
        assert obj == bytes(d["bytes"]), "%s: %r" % (where, obj)
    elif "torch_dtype" in d:
        assert repr(obj) == d["torch_dtype"], "%s: %r" % (where, obj)
    elif "size" in d:
        assert isinstance(obj, torch.Size) and list(obj) == d["size"], "%s: %r" % (where, obj)
    else:
        assert type(obj) is type(d["value"]) and obj == d["value"], "%s: %r, expected %r" % (where, obj, d["value"])


def close(a, b, tol=1e-5):
    a = a.reshape(-1).tolist() if isinstance(a, torch.Tensor) else a
    b = b.reshape(-1).tolist() if isinstance(b, torch.Tensor) else b
    assert len(a) == len(b), (len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b)):
        assert abs(x - y) <= tol * (1 + abs(y)), "element %d: %r vs %r" % (i, x, y)


# ============================================================================ files written by PyTorch

@test
def pytorch_state_dict_values():
    sd = torch.load(ref("state_dict.pt"))
    check_tree(sd, EXPECTED["state_dict.pt"])
    assert sd["1.num_batches_tracked"].dtype == torch.int64 and sd["1.num_batches_tracked"].item() == 3
    assert type(sd) is collections.OrderedDict


@test
def pytorch_state_dict_into_model():
    sd = torch.load(ref("state_dict.pt"), map_location="cpu")
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3),
                          nn.BatchNorm1d(3))
    model.load_state_dict(sd)
    model.eval()
    x = torch.tensor(EXPECTED["state_dict.pt"]["eval_input"]).reshape(2, 1, 4, 4)
    close(model(x).detach(), EXPECTED["state_dict.pt"]["eval_output"])


@test
def pytorch_views_share_storage():
    v = torch.load(ref("views.pt"))
    check_tree(v, EXPECTED["views.pt"])
    v["base"][4] = 100.0
    assert v["slice"][1].item() == 100.0
    assert v["matrix"][0, 4].item() == 100.0 and v["transposed"][4, 0].item() == 100.0
    v["transposed"][2, 1] = -5.0  # matrix[1, 2] is base[8]
    assert v["base"][8].item() == -5.0 and v["column"][1].item() == -5.0 and v["narrow"][1, 1].item() == -5.0
    assert not v["transposed"].is_contiguous()
    alone = torch.load(ref("view_alone.pt"))
    check_tree(alone, EXPECTED["view_alone.pt"])


@test
def pytorch_every_dtype():
    d = torch.load(ref("dtypes.pt"))
    check_tree(d, EXPECTED["dtypes.pt"])
    n = torch.load(ref("nan.pt"))
    assert math.isnan(n["f"][0].item()) and n["f"][1].item() == 1.0 and n["f"].dtype == torch.float32
    assert math.isnan(n["d"][0].item()) and n["d"].dtype == torch.float64


@test
def pytorch_complex_refused():
    expect_raises(RuntimeError, lambda: torch.load(ref("complex.pt")), contains="complex64")


@test
def pytorch_nested_containers():
    n = torch.load(ref("nested.pt"))
    check_tree(n, EXPECTED["nested.pt"])
    n["list"][0][1, 0] = 42.0  # list[1] is row 1 of list[0]
    assert n["list"][1][0].item() == 42.0
    assert n["dtype"] is torch.float64
    assert n["param"].requires_grad and not n["frozen_param"].requires_grad


@test
def pytorch_optimizer_state_dict():
    ck = torch.load(ref("optimizer.pt"))
    check_tree(ck, EXPECTED["optimizer.pt"])
    assert ck["adam"]["param_groups"][0]["betas"] == (0.8, 0.99)


@test
def pytorch_optimizer_resumes():
    ck = torch.load(ref("optimizer.pt"))
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    net.load_state_dict(ck["model"])
    adam = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.99))
    adam.load_state_dict(ck["adam"])
    inp = torch.tensor(EXPECTED["optimizer.pt"]["adam_next_step_input"])
    adam.zero_grad()
    (net(inp) ** 2).sum().backward()
    adam.step()
    after = EXPECTED["optimizer.pt"]["after_one_more_step"]
    for k, v in net.state_dict().items():
        close(v, after[k])


@test
def pytorch_whole_module():
    e = expect_raises(pickle.UnpicklingError, lambda: torch.load(ref("whole_module.pt")))
    assert "weights_only" in str(e) and "torch.nn.modules.container.Sequential" in str(e), str(e)
    m = torch.load(ref("whole_module.pt"), weights_only=False)
    assert isinstance(m, nn.Sequential) and isinstance(m[0], nn.Linear)
    exp = EXPECTED["whole_module.pt"]
    close(m(torch.tensor(exp["input"])).detach(), [x for row in exp["output"] for x in row])


@test
def malicious_pickle_is_refused():
    if os.path.exists(PWNED):
        os.remove(PWNED)
    for kw in ({}, {"weights_only": True}, {"map_location": "cpu"}):
        e = expect_raises(pickle.UnpicklingError, lambda: torch.load(ref("malicious.pt"), **kw))
        assert "os.system" in str(e) or "posix.system" in str(e), str(e)
        assert not os.path.exists(PWNED), "the malicious pickle ran!"
    with open(ref("malicious.pt"), "rb") as fh:
        expect_raises(pickle.UnpicklingError, lambda: torch.load(io.BytesIO(fh.read())))
    assert not os.path.exists(PWNED)


@test
def legacy_format_refused():
    expect_raises(RuntimeError, lambda: torch.load(ref("legacy.pt")), contains="legacy")


@test
def newer_layout_and_big_endian():
    for name in ("v2_style.pt", "big_endian.pt"):
        d = torch.load(ref(name))
        exp = EXPECTED[name]
        assert d["f"].dtype == torch.float32 and d["f"].tolist() == exp["f"], (name, d["f"])
        assert d["l"].dtype == torch.int64 and d["l"].tolist() == exp["l"], (name, d["l"])
        if "u16" in exp:  # uint16 (rebuilt by _rebuild_tensor_v3 over an untyped storage) loads as int32
            assert d["u16"].dtype == torch.int32 and d["u16"].tolist() == exp["u16"], (name, d["u16"])
        assert sorted(d) == sorted(exp), (name, sorted(d))
        assert d["b"].dtype == torch.bool and d["b"].tolist() == exp["b"], (name, d["b"])


# ============================================================================ round trips inside jtorch

def roundtrip(obj, **load_kw):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, **load_kw)


@test
def roundtrip_every_dtype():
    vals = {
        torch.float32: [1.5, -0.0, float("inf"), -float("inf"), 3.4e38, 1e-45, 0.1],
        torch.float64: [math.pi, -1e300, 5e-324, float("inf"), 0.1],
        torch.int64: [0, -1, 2 ** 62, -(2 ** 63), 2 ** 63 - 1],
        torch.int32: [0, -1, 2 ** 31 - 1, -(2 ** 31), 12345],
        torch.bool: [True, False, True, True, False],
    }
    src = {str(dt): torch.tensor(v, dtype=dt) for dt, v in vals.items()}
    src["nan"] = torch.tensor([float("nan")])
    src["scalar"] = torch.tensor(3)
    src["empty"] = torch.zeros(0, 4)
    src["matrix"] = torch.arange(12, dtype=torch.int32).reshape(3, 4)
    back = roundtrip(src)
    for dt, v in vals.items():
        t = back[str(dt)]
        assert t.dtype == dt, (t.dtype, dt)
        assert t.tolist() == src[str(dt)].tolist()
        if dt is torch.float32:  # the values as float32 holds them
            v = [struct.unpack("<f", struct.pack("<f", x))[0] for x in v]
        for a, b in zip(t.tolist(), v):
            assert same_value(a, b), (dt, a, b)
    assert math.isnan(back["nan"].item())
    assert back["scalar"].shape == torch.Size([]) and back["scalar"].item() == 3
    assert back["empty"].shape == torch.Size([0, 4])
    assert back["matrix"].tolist() == src["matrix"].tolist() and back["matrix"].dtype == torch.int32


@test
def roundtrip_views_share_storage():
    base = torch.arange(20.0)
    m = base.view(4, 5)
    back = roundtrip({"t": m.t(), "row": m[2], "base": base, "tail": base[15:]})
    assert back["t"].stride() == (1, 5) and back["row"].storage_offset() == 10 and back["tail"].storage_offset() == 15
    back["base"][11] = -1.0
    assert back["row"][1].item() == -1.0 and back["t"][1, 2].item() == -1.0
    # a view saved alone keeps its geometry over the whole storage
    alone = roundtrip(base[5:8])
    assert alone.tolist() == [5.0, 6.0, 7.0] and alone.storage_offset() == 5
    # the same tensor object twice stays one object
    t = torch.ones(3)
    back = roundtrip([t, t])
    assert back[0] is back[1]


@test
def roundtrip_nested_and_grad_flags():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    obj = {"a": [1, 2.5, "s", None, (torch.tensor([1, 2]), True)], "b": collections.OrderedDict(x=torch.ones(2)),
           "size": torch.Size([3, 4]), "dtypes": [torch.float32, torch.int64, torch.bool], "bytes": b"\x00\xff",
           "p": p, "rg": torch.tensor([3.0], requires_grad=True), "big": 2 ** 80, 5: "five", "set": {1, 2},
           "dev": torch.device("cpu")}
    back = roundtrip(obj)
    assert back["a"][:4] == [1, 2.5, "s", None] and type(back["a"][4]) is tuple and back["a"][4][1] is True
    assert back["a"][4][0].tolist() == [1, 2] and back["a"][4][0].dtype == torch.int64
    assert type(back["b"]) is collections.OrderedDict and back["b"]["x"].tolist() == [1.0, 1.0]
    assert isinstance(back["size"], torch.Size) and back["size"] == torch.Size([3, 4])
    assert back["dtypes"] == [torch.float32, torch.int64, torch.bool] and back["dtypes"][0] is torch.float32
    assert back["bytes"] == b"\x00\xff" and back["big"] == 2 ** 80 and back[5] == "five" and back["set"] == {1, 2}
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad and back["p"].tolist() == [1.0, 2.0]
    assert back["rg"].requires_grad and back["rg"].is_leaf
    assert back["dev"] == torch.device("cpu")


def small_model():
    torch.manual_seed(3)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))


@test
def roundtrip_module_state_dict():
    model = small_model()
    x = torch.linspace(-1, 1, 32).reshape(2, 1, 4, 4)
    model(x)  # move BatchNorm running stats
    model.eval()
    sd = model.state_dict()
    back = roundtrip(sd)
    assert list(back.keys()) == list(sd.keys())
    assert back["1.num_batches_tracked"].dtype == torch.int64 and back["1.num_batches_tracked"].item() == 1
    fresh = small_model()
    with torch.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict(back)
    fresh.eval()
    assert torch.equal(fresh(x), model(x))


@test
def roundtrip_optimizer_state_dict():
    torch.manual_seed(1)
    net = nn.Linear(3, 2)
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    x = torch.tensor([[1.0, -2.0, 0.5]])
    for _ in range(2):
        opt.zero_grad()
        net(x).pow(2).sum().backward()
        opt.step()
    ck = roundtrip({"model": net.state_dict(), "opt": opt.state_dict()})
    net2 = nn.Linear(3, 2)
    net2.load_state_dict(ck["model"])
    opt2 = torch.optim.Adam(net2.parameters(), lr=0.05)
    opt2.load_state_dict(ck["opt"])
    for n, o in ((net, opt), (net2, opt2)):
        o.zero_grad()
        n(x).pow(2).sum().backward()
        o.step()
    assert torch.equal(net.weight, net2.weight) and torch.equal(net.bias, net2.bias)


@test
def roundtrip_whole_module_needs_weights_only_false():
    torch.manual_seed(2)
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    buf = io.BytesIO()
    torch.save(m, buf)
    buf.seek(0)
    expect_raises(pickle.UnpicklingError, lambda: torch.load(buf))
    buf.seek(0)
    m2 = torch.load(buf, weights_only=False)
    x = torch.tensor([[0.5, -1.0]])
    assert type(m2) is nn.Sequential and torch.equal(m2(x), m(x))


@test
def paths_pathlib_and_file_objects():
    t = {"w": torch.arange(6.0).reshape(2, 3)}
    p = os.path.join(WORK, "plain.pt")
    torch.save(t, p)
    assert torch.load(p)["w"].tolist() == t["w"].tolist()
    pp = pathlib.Path(WORK) / "sub" / "path.pth"
    pp.parent.mkdir()
    torch.save(t, pp)
    assert torch.load(pp)["w"].tolist() == t["w"].tolist()
    with open(os.path.join(WORK, "handle.pt"), "wb") as fh:
        torch.save(t, fh)
    with open(os.path.join(WORK, "handle.pt"), "rb") as fh:
        assert torch.load(fh)["w"].tolist() == t["w"].tolist()
    buf = io.BytesIO()
    torch.save(t, buf)
    assert torch.load(io.BytesIO(buf.getvalue()))["w"].tolist() == t["w"].tolist()
    with zipfile.ZipFile(pp) as z:  # PyTorch's layout: <base name>/..., "archive/" for file objects
        assert z.namelist()[0] == "path/data.pkl", z.namelist()
        assert set(z.namelist()) >= {"path/data.pkl", "path/byteorder", "path/version", "path/data/0"}
        assert z.read("path/version") == b"3\n" and z.read("path/byteorder") == b"little"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert z.namelist()[0] == "archive/data.pkl"
    expect_raises(FileNotFoundError, lambda: torch.load(os.path.join(WORK, "missing.pt")))
    expect_raises(RuntimeError, lambda: torch.save(t, os.path.join(WORK, "no", "such", "dir.pt")))


@test
def storages_are_64_byte_aligned():
    buf = io.BytesIO()
    torch.save({"a": torch.ones(3), "b": torch.ones(5, dtype=torch.int64)}, buf)
    raw = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for info in z.infolist():
            off = info.header_offset
            name_len = int.from_bytes(raw[off + 26:off + 28], "little")
            extra_len = int.from_bytes(raw[off + 28:off + 30], "little")
            data_start = off + 30 + name_len + extra_len
            assert data_start % 64 == 0, (info.filename, data_start)
            assert raw[data_start:data_start + info.file_size] == z.read(info.filename)


@test
def map_location_forms():
    p = os.path.join(WORK, "maploc.pt")
    torch.save({"x": torch.tensor([1.0, 2.0])}, p)
    for ml in ("cpu", torch.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s, lambda s, loc: None, None):
        assert torch.load(p, map_location=ml)["x"].tolist() == [1.0, 2.0]
    expect_raises(RuntimeError, lambda: torch.load(p, map_location="cuda:0"), contains="map_location")
    expect_raises(RuntimeError, lambda: torch.load(p, map_location={"cpu": "cuda"}))


@test
def gpu_tagged_checkpoint_needs_map_location():
    expect_raises(RuntimeError, lambda: torch.load(ref("cuda_tagged.pt")), contains="map_location")
    for ml in ("cpu", torch.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        assert torch.load(ref("cuda_tagged.pt"), map_location=ml)["w"].tolist() == EXPECTED["cuda_tagged.pt"]["w"]


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


@test
def safe_globals_allowlist():
    p = os.path.join(WORK, "point.pt")
    torch.save({"pt": Point(1, torch.tensor([2.0]))}, p)
    e = expect_raises(pickle.UnpicklingError, lambda: torch.load(p), contains="Point")
    assert "add_safe_globals" in str(e)
    assert Point not in torch.serialization.get_safe_globals()
    with torch.serialization.safe_globals([Point]):
        assert Point in torch.serialization.get_safe_globals()
        got = torch.load(p)["pt"]
        assert isinstance(got, Point) and got.x == 1 and got.y.tolist() == [2.0]
    assert Point not in torch.serialization.get_safe_globals()
    expect_raises(pickle.UnpicklingError, lambda: torch.load(p))
    torch.serialization.add_safe_globals([Point])
    try:
        assert torch.serialization.get_safe_globals() == [Point]
        assert torch.load(p)["pt"].x == 1
    finally:
        torch.serialization.clear_safe_globals()
    assert torch.serialization.get_safe_globals() == []
    assert torch.load(p, weights_only=False)["pt"].y.tolist() == [2.0]


# ============================================================================ nothing lost

class Exploding:
    def __reduce__(self):
        raise RuntimeError("boom while pickling")


def leftovers(folder):
    return [f for f in os.listdir(folder) if f.endswith(".tmp")]


@test
def interrupted_save_keeps_old_file():
    folder = os.path.join(WORK, "atomic")
    os.makedirs(folder)
    p = os.path.join(folder, "ckpt.pt")
    torch.save({"v": torch.tensor([1.0, 2.0]), "step": 1}, p)
    before = open(p, "rb").read()
    # pickling fails half-way (after a tensor was already pickled)
    expect_raises(RuntimeError, lambda: torch.save({"v": torch.tensor([9.0, 9.0]), "bad": Exploding()}, p),
                  contains="boom")
    assert open(p, "rb").read() == before and torch.load(p)["step"] == 1 and not leftovers(folder)
    # writing fails half-way (while the storage bytes are being written into the archive)
    import torch.storage as st
    real = st.storage_chunks

    def failing(var):
        yield b"\x00" * 4
        raise OSError("disk full (simulated)")
    st.storage_chunks = failing
    try:
        expect_raises(OSError, lambda: torch.save({"v": torch.tensor([9.0, 9.0]), "step": 2}, p), contains="disk full")
    finally:
        st.storage_chunks = real
    assert open(p, "rb").read() == before and torch.load(p)["v"].tolist() == [1.0, 2.0] and not leftovers(folder)
    # a file object is not touched when pickling fails
    buf = io.BytesIO()
    expect_raises(RuntimeError, lambda: torch.save([Exploding()], buf))
    assert buf.getvalue() == b""
    # and a successful save replaces the file
    torch.save({"v": torch.tensor([3.0]), "step": 3}, p)
    assert torch.load(p)["step"] == 3 and not leftovers(folder)


@test
def save_through_symlink_replaces_target():
    folder = os.path.join(WORK, "links")
    os.makedirs(folder)
    target = os.path.join(folder, "real.pt")
    link = os.path.join(folder, "link.pt")
    torch.save({"a": 1}, target)
    os.symlink(target, link)
    torch.save({"a": 2}, link)
    assert os.path.islink(link) and torch.load(target)["a"] == 2


def damaged(name, data):
    p = os.path.join(WORK, name)
    with open(p, "wb") as fh:
        fh.write(data)
    return p


def expect_clean_failure(path, types=(RuntimeError, pickle.UnpicklingError)):
    t0 = time.time()
    e = expect_raises(types, lambda: torch.load(path))
    assert time.time() - t0 < 20, "took %.1fs" % (time.time() - t0)
    return e


@test
def truncated_and_corrupt_files():
    good = io.BytesIO()
    torch.save({"w": torch.arange(100.0), "i": torch.arange(10), "meta": {"a": [1, 2, 3]}}, good)
    raw = good.getvalue()
    for n in (0, 1, 3, 4, 10, 100, len(raw) // 2, len(raw) - 30, len(raw) - 1):
        expect_clean_failure(damaged("trunc%d.pt" % n, raw[:n]))
    expect_clean_failure(damaged("garbage.pt", b"this is not a checkpoint at all" * 10))
    expect_clean_failure(damaged("zeros.pt", bytes(1000)))
    # flipped bytes inside the storage data: the CRC check catches it
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        info = z.getinfo("archive/data/0")
        start = info.header_offset + 30 + int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little") \
            + int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    bad = bytearray(raw)
    bad[start + 17] ^= 0xFF
    expect_clean_failure(damaged("flipped.pt", bytes(bad)))
    # a well-formed zip whose data.pkl is not a pickle, or a truncated pickle (CRC consistent)
    for i, pkl in enumerate((b"garbage!", b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01", b"", b"\x80\x02]q\x00(K\x01K\x02e")):
        zb = io.BytesIO()
        with zipfile.ZipFile(zb, "w") as z:
            z.writestr("archive/data.pkl", pkl)
            z.writestr("archive/version", "3\n")
        expect_clean_failure(damaged("badpickle%d.pt" % i, zb.getvalue()), pickle.UnpicklingError)
    # a storage record missing, or shorter than the tensor needs
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        for mode in ("missing", "short"):
            zb = io.BytesIO()
            with zipfile.ZipFile(zb, "w") as z:
                for info in src.infolist():
                    data = src.read(info.filename)
                    if info.filename == "archive/data/0":
                        if mode == "missing":
                            continue
                        data = data[:40]
                    z.writestr(info.filename, data)
            expect_clean_failure(damaged("storage_%s.pt" % mode, zb.getvalue()), RuntimeError)
    expect_raises((IsADirectoryError, PermissionError), lambda: torch.load(WORK))


@test
def big_tensor_speed():
    t = torch.arange(2000000, dtype=torch.float32) * 0.5
    p = os.path.join(WORK, "big.pt")
    t0 = time.time()
    torch.save({"t": t}, p)
    t1 = time.time()
    back = torch.load(p)["t"]
    t2 = time.time()
    print("     2M float32: save %.2fs, load %.2fs, file %d bytes" % (t1 - t0, t2 - t1, os.path.getsize(p)))
    assert torch.equal(back, t)
    assert t2 - t0 < 60


# ============================================================================ files for check_with_pytorch.py

def describe(t):
    return {"dtype": t.dtype.name, "shape": list(t.shape), "stride": list(t.stride()), "offset": t.storage_offset(),
            "requires_grad": t.requires_grad, "is_param": isinstance(t, nn.Parameter),
            "values": t.detach().reshape(-1).tolist()}


def describe_tree(obj):
    if isinstance(obj, torch.Tensor):
        return {"tensor": describe(obj)}
    if isinstance(obj, dict):
        return {"dict": [[k if isinstance(k, str) else {"int": k}, describe_tree(v)] for k, v in obj.items()],
                "ordered": type(obj) is collections.OrderedDict}
    if isinstance(obj, list):
        return {"list": [describe_tree(v) for v in obj]}
    if isinstance(obj, tuple) and not isinstance(obj, torch.Size):
        return {"tuple": [describe_tree(v) for v in obj]}
    if isinstance(obj, bytes):
        return {"bytes": list(obj)}
    if isinstance(obj, torch.dtype):
        return {"torch_dtype": repr(obj)}
    if isinstance(obj, torch.Size):
        return {"size": list(obj)}
    return {"value": obj}


@test
def write_files_for_pytorch():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    expected = {}

    def put(name, obj, **extra):
        torch.save(obj, os.path.join(OUT, name))
        expected[name] = dict(describe_tree(obj), **extra)

    base = torch.arange(12.0)
    put("dtypes.pt", collections.OrderedDict([
        ("float32", torch.tensor([1.5, -0.0, float("inf"), 3.4e38, 1e-45, 0.1])),
        ("float64", torch.tensor([math.pi, -1e300, 5e-324, 0.1], dtype=torch.float64)),
        ("int64", torch.tensor([0, -1, 2 ** 62, -(2 ** 63), 2 ** 63 - 1])),
        ("int32", torch.tensor([[0, -1], [2 ** 31 - 1, -(2 ** 31)]], dtype=torch.int32)),
        ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(2.5)), ("empty", torch.zeros(0, 2))]))
    put("views.pt", {"base": base, "m": base.view(3, 4), "t": base.view(3, 4).t(), "row": base.view(3, 4)[1],
                     "tail": base[7:]})
    put("nested.pt", {"list": [torch.ones(2), 1, "two", None, (3.5, False)], "od": collections.OrderedDict(a=torch.tensor([1, 2])),
                      "size": torch.Size([2, 5]), "dtype": torch.float64, 7: "int key", "bytes": b"\x01\xfe",
                      "param": nn.Parameter(torch.tensor([0.25])), "rg": torch.tensor([1.0], requires_grad=True)})
    model = small_model()
    x = torch.linspace(-1, 1, 32).reshape(2, 1, 4, 4)
    model(x)
    model.eval()
    put("state_dict.pt", model.state_dict(), input=x.reshape(-1).tolist(), output=model(x).detach().reshape(-1).tolist())
    net = nn.Linear(3, 2)
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    opt.zero_grad()
    net(torch.tensor([[1.0, -2.0, 0.5]])).pow(2).sum().backward()
    opt.step()
    put("optimizer.pt", {"model": net.state_dict(), "opt": opt.state_dict()})
    whole = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    torch.save(whole, os.path.join(OUT, "whole_module.pt"))
    expected["whole_module.pt"] = {"input": [[1.0, -2.0]], "output": whole(torch.tensor([[1.0, -2.0]])).detach().reshape(-1).tolist()}
    buf = io.BytesIO()
    torch.save({"from_bytesio": torch.tensor([4, 5, 6])}, buf)
    with open(os.path.join(OUT, "bytesio.pt"), "wb") as fh:
        fh.write(buf.getvalue())
    expected["bytesio.pt"] = describe_tree({"from_bytesio": torch.tensor([4, 5, 6])})
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    # and each file reads back in jtorch too
    for name, exp in expected.items():
        if name != "whole_module.pt":
            check_tree(torch.load(os.path.join(OUT, name)), exp)
    print("     wrote %d files to %s" % (len(expected), OUT))


shutil.rmtree(WORK, ignore_errors=True)
print("%d passed, %d failed" % (results["passed"], results["failed"]))
sys.exit(1 if results["failed"] else 0)
