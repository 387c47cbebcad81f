"""Warms a prepared session up (used by the launcher daemon before it hands the session to a script): the common
tensor, autograd, nn and optim paths are run often enough that the JIT compiles them, so that a script's first
thousands of operations do not run in the interpreter.

tasks() only builds small zero-argument callables; the daemon calls them from Java, round robin (Daemon.warmIdle).
The loop is not in Python on purpose: a Python function looping over all of these would itself be compiled, with
everything it calls inlined into it (measured: one such function took the compiler 9 s and 370 KB of code, work
for nothing a script uses, done while the next scripts ran). This module is imported before the session's
snapshot, so it survives recycling and what the JIT compiled for it is kept.
Leaves nothing behind: everything is local, and the daemon resets the random generator and thread count before
the script runs."""


def tasks(torch, nn, F):
    """(callable, divisor) pairs: each callable runs rounds // divisor times per warm-up round."""
    x, y = torch.ones(1), torch.ones(1)
    xg = torch.ones(1, requires_grad=True)
    a, b = torch.rand(64, 64), torch.rand(64, 64)
    out = [(f, 1) for f in (
        lambda: x + y,
        lambda: x * 2.0,
        lambda: xg + y,
        lambda: x.add_(y).mul_(0.5),
        lambda: a @ b,
        lambda: (a - b).abs().sum(),
        lambda: a.mean(dim=1),
        lambda: a[3:7, 1],
        lambda: a.view(-1).shape,
    )]
    for model, inp, tgt, opt_cls in (
            (nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)), torch.randn(8, 16), torch.randint(0, 4, (8,)), torch.optim.SGD),
            (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 4)),
             torch.randn(2, 1, 8, 8), torch.randint(0, 4, (2,)), torch.optim.Adam),
            (nn.Sequential(nn.Embedding(10, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 10)),
             torch.randint(0, 10, (2, 5)), torch.randint(0, 10, (10,)), torch.optim.AdamW)):
        out.append((_step(F, model, inp, tgt, opt_cls(model.parameters(), lr=1e-3)), 20))
        out.append((_infer(torch, model, inp), 20))
    out.append((lambda: repr(torch.randn(3, 3)), 200))
    return out


def _step(F, model, inp, tgt, opt):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inp).reshape(tgt.shape[0], -1), tgt)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def _infer(torch, model, inp):
    def infer():
        with torch.no_grad():
            return model(inp).softmax(-1)
    return infer
