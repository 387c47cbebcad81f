"""torch.cuda and devices on a machine without a GPU: PyTorch's (CUDA build) behaviour, and CPU unchanged.
On a machine with a GPU it checks the device round trip instead. Run: scripts/jtorch THIS_FILE"""
import os
import tempfile

import torch
import torch.nn as nn

fails = []
count = [0]


def check(cond, what):
    count[0] += 1
    if not cond:
        fails.append(what)


def raises(fn, exc, msg_part, what):
    count[0] += 1
    try:
        fn()
    except exc as e:
        if msg_part not in str(e):
            fails.append("%s: message %r" % (what, str(e)))
        return
    except Exception as e:  # noqa
        fails.append("%s: raised %s %r" % (what, type(e).__name__, str(e)))
        return
    fails.append("%s: did not raise" % what)


# devices
check(torch.device("cuda") == torch.device("cuda"), "device eq")
check(repr(torch.device("cuda:0")) == "device(type='cuda', index=0)", "repr cuda:0")
check(repr(torch.device("cpu")) == "device(type='cpu')", "repr cpu")
check(str(torch.device("cuda", 1)) == "cuda:1", "str cuda:1")
check(torch.device(0) == torch.device("cuda:0"), "device(int)")
check(torch.device("cuda").index is None and torch.device("cuda").type == "cuda", "cuda no index")
raises(lambda: torch.device("gpu"), RuntimeError, "Expected one of cpu, cuda", "bad device type")
x = torch.ones(2, 3)
check(x.device == torch.device("cpu") and not x.is_cuda and x.get_device() == -1, "cpu tensor device")
check(x.to("cpu") is x and x.cpu() is x and x.to(torch.device("cpu")) is x, "to cpu is identity")
check(x.to("cpu", torch.float64).dtype == torch.float64, "to(device, dtype)")
check(x.to(torch.zeros(1, dtype=torch.int64)).dtype == torch.int64, "to(other)")
check(x.to(device="cpu", dtype=torch.float32, non_blocking=True) is x, "to kwargs")
check(torch.zeros(2, device="cpu").device.type == "cpu", "factory device=cpu")
check(torch.tensor([1.0, 2.0], device=torch.device("cpu")).tolist() == [1.0, 2.0], "tensor(device=)")
check(torch.zeros_like(x).device == x.device, "zeros_like device")

import torch.backends.cudnn  # noqa: E402  (scripts set these flags)
torch.backends.cudnn.benchmark = True

if not torch.cuda.is_available():
    check(torch.cuda.device_count() == 0, "device_count 0")
    check(torch.cuda.memory_allocated() == 0 and torch.cuda.memory_reserved() == 0, "memory stats 0")
    torch.cuda.empty_cache()
    torch.cuda.manual_seed(0)
    torch.cuda.manual_seed_all(0)
    check(not torch.cuda.is_initialized(), "not initialised")
    nodrv = "Found no NVIDIA driver on your system"
    raises(lambda: x.cuda(), RuntimeError, nodrv, "Tensor.cuda()")
    raises(lambda: x.to("cuda"), RuntimeError, nodrv, "Tensor.to('cuda')")
    raises(lambda: torch.zeros(3, device="cuda"), RuntimeError, nodrv, "zeros(device='cuda')")
    raises(lambda: torch.tensor([1, 2], device="cuda:0"), RuntimeError, nodrv, "tensor(device='cuda:0')")
    raises(lambda: torch.randn(2, device="cuda"), RuntimeError, nodrv, "randn(device='cuda')")
    raises(lambda: nn.Linear(2, 2).cuda(), RuntimeError, nodrv, "Module.cuda()")
    raises(lambda: nn.Linear(2, 2).to("cuda"), RuntimeError, nodrv, "Module.to('cuda')")
    raises(lambda: torch.cuda.get_device_name(0), RuntimeError, nodrv, "get_device_name")
    raises(lambda: torch.cuda.synchronize(), RuntimeError, nodrv, "synchronize")
    # a checkpoint saved on a GPU: PyTorch's error without map_location, CPU tensors with it
    path = os.path.join(tempfile.mkdtemp(), "m.pt")
    torch.save({"w": torch.arange(6.0).view(2, 3)}, path)
    import zipfile
    with zipfile.ZipFile(path) as zin:
        entries = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for name, data in entries:
            if name.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
                check(b"cuda:0" in data, "patched location")
            zout.writestr(name, data)
    raises(lambda: torch.load(path), RuntimeError, "Attempting to deserialize object on a CUDA device", "load cuda file")
    w = torch.load(path, map_location="cpu")["w"]
    check(w.device.type == "cpu" and w.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "map_location cpu")
    w = torch.load(path, map_location=torch.device("cpu"))["w"]
    check(w.sum().item() == 15.0, "map_location device")
else:
    print("GPU:", torch.cuda.get_device_name(0), torch.cuda._describe())
    c = x.cuda()
    check(c.is_cuda and c.device == torch.device("cuda:0") and c.get_device() == 0, "cuda tensor device")
    check(c.cpu().tolist() == x.tolist(), "round trip")
    raises(lambda: c + torch.ones(2, 3), RuntimeError,
           "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!", "mixed devices")
    check((c + torch.tensor(1.0)).cpu().tolist() == (x + 1).tolist(), "0-dim cpu scalar joins cuda")
    m = nn.Linear(3, 2)
    m.cuda()
    check(m.weight.is_cuda and m.bias.is_cuda, "Module.cuda moves parameters")
    out = m(c).sum()
    out.backward()
    check(m.weight.grad.is_cuda, "grad on the forward's device")
    check(torch.cuda.memory_allocated() > 0, "memory_allocated")
    path = os.path.join(tempfile.mkdtemp(), "m.pt")
    torch.save(m.state_dict(), path)
    sd = torch.load(path)
    check(sd["weight"].is_cuda, "load to cuda")
    check(torch.load(path, map_location="cpu")["weight"].device.type == "cpu", "map_location cpu")

for f in fails:
    print("FAILED: " + f)
print("%d passed, %d failed (cuda available: %s)" % (count[0] - len(fails), len(fails), torch.cuda.is_available()))
if fails:
    raise SystemExit(1)
