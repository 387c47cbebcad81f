"""Loads the .pt files written by the Java API (org.jtorch.engine.io.PtFile) in real PyTorch and checks them.

    cd /work/main && mvn -B -q -o -pl engine-java install -Dtest=PtFileTest -Djtorch.io.outDir=/tmp/jtorch_java_pt
    /usr/bin/python3 tests/serialization/check_java_written.py /tmp/jtorch_java_pt

(Without -Djtorch.io.outDir the test writes to engine-java/target/java-written-pt, this script's default.)
PtFileTest.writesFilesForPyTorch writes the files plus expected.json, which describes every tensor (dtype,
shape, stride, storage offset, storage size, values), the groups of keys that must share one storage, and
extra checks. For each file this script checks the zip layout PyTorch writes (stored entries, data 64-byte
aligned, folder name, version and byteorder records), that the pickle names only globals PyTorch's
weights_only unpickler accepts, loads it with torch.load (weights_only=True where the PyTorch version has it,
and without), and compares every value exactly. linear_bn.pt is loaded into nn.Sequential(nn.Linear(2, 3),
nn.BatchNorm1d(3)) with strict=True and its eval-mode output compared with the one computed in Java.

Prints one line per check and 'N passed, M failed'; exit status 1 if any failed.
"""
import collections
import io
import json
import math
import os
import pickletools
import struct
import sys
import traceback
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "engine-java", "target", "java-written-pt")
OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
HAS_WEIGHTS_ONLY = "weights_only" in torch.load.__code__.co_varnames
ALLOWED_GLOBALS = {"collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch FloatStorage",
                   "torch DoubleStorage", "torch LongStorage", "torch IntStorage", "torch BoolStorage"}
results = {"passed": 0, "failed": 0}


def check(name, fn):
    try:
        fn()
    except Exception:
        results["failed"] += 1
        print("FAIL", name)
        traceback.print_exc(file=sys.stdout)
    else:
        results["passed"] += 1
        print("ok  ", name)


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def storage_of(t):
    """(data_ptr, number of elements) of the tensor's whole storage, on PyTorch 1.x and 2.x."""
    if hasattr(t, "untyped_storage"):
        s = t.untyped_storage()
        return s.data_ptr(), s.nbytes() // t.element_size()
    s = t.storage()
    return s.data_ptr(), s.size()


def check_layout(path, desc):
    raw = open(path, "rb").read()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        folder = desc["archive"] + "/"
        assert infos[0].filename == folder + "data.pkl", infos[0].filename
        names = [i.filename for i in infos]
        assert all(n.startswith(folder) for n in names), names
        assert zf.read(folder + "version") == b"3\n"
        assert zf.read(folder + "byteorder") == b"little"
        for i in infos:
            assert i.compress_type == zipfile.ZIP_STORED, (i.filename, i.compress_type)
            sig, = struct.unpack_from("<I", raw, i.header_offset)
            assert sig == 0x04034B50
            nlen, xlen = struct.unpack_from("<HH", raw, i.header_offset + 26)
            data = i.header_offset + 30 + nlen + xlen
            assert data % 64 == 0, (i.filename, data)
            zf.read(i.filename)  # checks the CRC
        storages = [n for n in names if n.startswith(folder + "data/")]
        assert storages == sorted(storages), "storage records in PyTorch's (sorted) order"
        globals_ = set()
        for op, arg, _ in pickletools.genops(zf.read(folder + "data.pkl")):
            if op.name in ("GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "EXT1", "EXT2", "EXT4"):
                assert op.name == "GLOBAL", op.name
                globals_.add(arg)
        assert globals_ <= ALLOWED_GLOBALS, globals_ - ALLOWED_GLOBALS


def check_tensors(sd, desc):
    assert type(sd) is collections.OrderedDict, type(sd)
    for key, d in desc["tensors"].items():
        t = sd[key]
        assert type(t) is torch.Tensor, (key, type(t))
        assert str(t.dtype) == "torch." + d["dtype"], (key, t.dtype, d["dtype"])
        assert list(t.shape) == d["shape"], (key, t.shape, d["shape"])
        assert list(t.stride()) == d["stride"], (key, t.stride(), d["stride"])
        assert t.storage_offset() == d["offset"], (key, t.storage_offset(), d["offset"])
        assert storage_of(t)[1] == d["storage_size"], (key, storage_of(t)[1], d["storage_size"])
        assert not t.requires_grad
        got = t.reshape(-1).tolist()
        assert len(got) == len(d["values"]), key
        for i, (a, b) in enumerate(zip(got, d["values"])):
            assert same_value(a, b), "%s[%d]: %r (PyTorch) vs %r (Java)" % (key, i, a, b)
    for group in desc["shared"]:
        ptrs = {storage_of(sd[k])[0] for k in group}
        assert len(ptrs) == 1, ("keys that share a storage in Java must share it in PyTorch", group[:5], len(ptrs))


def main():
    with open(os.path.join(OUT, "expected.json")) as fh:
        expected = json.load(fh)
    print("PyTorch", torch.__version__, "- files from", OUT)
    for name, desc in expected.items():
        path = os.path.join(OUT, name)
        check(name + ": zip layout and pickle globals", lambda: check_layout(path, desc))
        if HAS_WEIGHTS_ONLY:
            check(name + ": torch.load(weights_only=True)",
                  lambda: check_tensors(torch.load(path, weights_only=True), desc))
        check(name + ": torch.load", lambda: check_tensors(torch.load(path), desc))
        check(name + ": torch.load from a BytesIO",
              lambda: check_tensors(torch.load(io.BytesIO(open(path, "rb").read())), desc))

        def resave():  # PyTorch can save what it loaded and gets the same values back
            sd = torch.load(path)
            buf = io.BytesIO()
            torch.save(sd, buf)
            buf.seek(0)
            check_tensors(torch.load(buf), desc)
        check(name + ": re-saved by PyTorch", resave)

    def linear_bn():
        desc = expected["linear_bn.pt"]
        model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        model.load_state_dict(torch.load(os.path.join(OUT, "linear_bn.pt")), strict=True)
        assert model[1].num_batches_tracked.item() == 12
        model.eval()
        with torch.no_grad():
            y = model(torch.tensor(desc["extra"]["input"])).reshape(-1).tolist()
        want = desc["extra"]["output"]
        assert len(y) == len(want)
        for a, b in zip(y, want):
            assert abs(a - b) <= 1e-5 * max(1.0, abs(b)), (y, want)
    check("linear_bn.pt: load_state_dict(strict=True) into Linear+BatchNorm1d, eval output", linear_bn)

    def stream():
        extra = expected["stream.pt"]["extra"]
        sd = torch.load(os.path.join(OUT, "stream.pt"))
        assert len(sd) == extra["num_keys"], len(sd)
        big = sd["big"]
        assert list(big.shape) == extra["big_shape"] and list(big.stride()) == extra["big_stride"]
        s = big.double().sum().item()
        assert abs(s - extra["big_sum"]) <= 1e-9 * abs(extra["big_sum"]), (s, extra["big_sum"])
        odd = [k for i, k in enumerate(sd) if i % 2 == 1 and k != "big"]
        assert all(sd[k].item() == int(k[1:]) for k in odd)
    check("stream.pt: 2346 keys, a 1.2 MB transposed storage", stream)

    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
