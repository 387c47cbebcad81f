"""Loads the checkpoints jtorch wrote in real PyTorch and checks their values.

    scripts/jtorch tests/serialization/test_serialization.py OUT_DIR     # writes OUT_DIR/*.pt + expected.json
    /usr/bin/python3 tests/serialization/check_with_pytorch.py OUT_DIR

Prints 'N passed, N failed'; exit status 1 if any failed.
"""
import collections
import json
import math
import os
import sys
import traceback
import zipfile

import torch
import torch.nn as nn

OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "/tmp/jtorch_serialization_out"
with open(os.path.join(OUT, "expected.json")) as fh:
    EXPECTED = json.load(fh)
results = {"passed": 0, "failed": 0}
# PyTorch >= 1.13 has the weights_only unpickler: jtorch's tensor files must pass it
HAS_WEIGHTS_ONLY = "weights_only" in torch.load.__code__.co_varnames


def test(fn):
    try:
        fn()
    except Exception:
        results["failed"] += 1
        print("FAIL", fn.__name__)
        traceback.print_exc(file=sys.stdout)
    else:
        results["passed"] += 1
        print("ok  ", fn.__name__)
    return fn


def load(name, **kw):
    path = os.path.join(OUT, name)
    if not HAS_WEIGHTS_ONLY:
        kw.pop("weights_only", None)
    elif "weights_only" not in kw:
        kw["weights_only"] = True
    return torch.load(path, **kw)


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def check_tensor(t, d, where):
    assert isinstance(t, torch.Tensor), where
    assert str(t.dtype) == "torch." + d["dtype"], (where, t.dtype, d["dtype"])
    assert list(t.shape) == d["shape"], (where, t.shape, d["shape"])
    assert list(t.stride()) == d["stride"], (where, t.stride(), d["stride"])
    assert t.storage_offset() == d["offset"], (where, t.storage_offset(), d["offset"])
    assert t.requires_grad == d["requires_grad"], (where, t.requires_grad)
    assert isinstance(t, nn.Parameter) == d["is_param"], (where, type(t))
    got = t.detach().reshape(-1).tolist()
    assert len(got) == len(d["values"]), where
    for i, (a, b) in enumerate(zip(got, d["values"])):
        assert same_value(a, b), "%s[%d]: %r vs %r" % (where, i, a, b)


def check_tree(obj, d, where="obj"):
    if "tensor" in d:
        check_tensor(obj, d["tensor"], where)
    elif "dict" in d:
        assert isinstance(obj, dict), where
        if d["ordered"]:
            assert type(obj) is collections.OrderedDict, (where, type(obj))
        keys = [k if isinstance(k, str) else k["int"] for k, _ in d["dict"]]
        assert list(obj.keys()) == keys, (where, list(obj.keys()), keys)
        for (_, sub), key in zip(d["dict"], keys):
            check_tree(obj[key], sub, "%s[%r]" % (where, key))
    elif "list" in d:
        assert type(obj) is list and len(obj) == len(d["list"]), where
        for i, sub in enumerate(d["list"]):
            check_tree(obj[i], sub, "%s[%d]" % (where, i))
    elif "tuple" in d:
        assert type(obj) is tuple and len(obj) == len(d["tuple"]), where
        for i, sub in enumerate(d["tuple"]):
            check_tree(obj[i], sub, "%s[%d]" % (where, i))
    elif "bytes" in d:
        assert obj == bytes(d["bytes"]), where
    elif "torch_dtype" in d:
        assert str(obj) == d["torch_dtype"], (where, obj)
    elif "size" in d:
        assert isinstance(obj, torch.Size) and list(obj) == d["size"], (where, obj)
    else:
        assert type(obj) is type(d["value"]) and obj == d["value"], (where, obj, d["value"])


@test
def layout_matches_pytorch():
    for name in sorted(EXPECTED):
        with zipfile.ZipFile(os.path.join(OUT, name)) as z:
            names = z.namelist()
            folder = "archive" if name == "bytesio.pt" else name[:-3]
            assert names[0] == folder + "/data.pkl", names
            assert z.read(folder + "/version") == b"3\n"
            assert z.read(folder + "/byteorder") == b"little"
            assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
            assert z.testzip() is None
            raw = open(os.path.join(OUT, name), "rb").read()
            for info in z.infolist():
                off = info.header_offset
                start = off + 30 + int.from_bytes(raw[off + 26:off + 28], "little") + \
                    int.from_bytes(raw[off + 28:off + 30], "little")
                assert start % 64 == 0, (name, info.filename, start)


@test
def dtypes():
    check_tree(load("dtypes.pt"), EXPECTED["dtypes.pt"])


@test
def views_share_storage():
    v = load("views.pt")
    check_tree(v, EXPECTED["views.pt"])
    v["base"][5] = 100.0
    assert v["m"][1, 1].item() == 100.0 and v["t"][1, 1].item() == 100.0 and v["row"][1].item() == 100.0
    assert v["base"].storage().data_ptr() == v["t"].storage().data_ptr() == v["tail"].storage().data_ptr()


@test
def nested():
    # bytes objects pickle as _codecs.encode, which PyTorch 1.13's weights_only unpickler does not allow
    n = load("nested.pt", weights_only=False) if HAS_WEIGHTS_ONLY else load("nested.pt")
    check_tree(n, EXPECTED["nested.pt"])


@test
def state_dict_into_pytorch_model():
    sd = load("state_dict.pt")
    check_tree(sd, EXPECTED["state_dict.pt"])
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    model.load_state_dict(sd)
    model.eval()
    x = torch.tensor(EXPECTED["state_dict.pt"]["input"]).reshape(2, 1, 4, 4)
    out = model(x).detach().reshape(-1).tolist()
    for a, b in zip(out, EXPECTED["state_dict.pt"]["output"]):
        assert abs(a - b) < 1e-5 * (1 + abs(b)), (a, b)


@test
def optimizer_state_dict_into_pytorch():
    # floats pickle as BINFLOAT, which PyTorch 1.13's weights_only unpickler lacks (it fails on its own
    # optimizer files too); later versions read it
    ck = load("optimizer.pt", weights_only=False) if torch.__version__ < "2" else load("optimizer.pt")
    check_tree(ck, EXPECTED["optimizer.pt"])
    net = nn.Linear(3, 2)
    net.load_state_dict(ck["model"])
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    opt.load_state_dict(ck["opt"])
    opt.zero_grad()
    net(torch.tensor([[1.0, -2.0, 0.5]])).pow(2).sum().backward()
    opt.step()


@test
def whole_module_with_weights_only_false():
    kw = {"weights_only": False} if HAS_WEIGHTS_ONLY else {}
    m = torch.load(os.path.join(OUT, "whole_module.pt"), **kw)  # a pickled module needs the full unpickler
    exp = EXPECTED["whole_module.pt"]
    out = m(torch.tensor(exp["input"])).detach().reshape(-1).tolist()
    for a, b in zip(out, exp["output"]):
        assert abs(a - b) < 1e-6, (a, b)


@test
def written_to_file_object():
    check_tree(load("bytesio.pt"), EXPECTED["bytesio.pt"])


print("PyTorch %s: %d passed, %d failed" % (torch.__version__, results["passed"], results["failed"]))
sys.exit(1 if results["failed"] else 0)
