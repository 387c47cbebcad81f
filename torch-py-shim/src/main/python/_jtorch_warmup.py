"""Warms a prepared session up (used by the launcher daemon before it hands the session to a script): runs the
common tensor, autograd, nn and optim paths often enough that the JIT compiles them, so that a script's first
thousands of operations do not run in the interpreter. Leaves nothing behind: everything is local, and the
daemon resets the random generator and thread count before the script runs."""
import time


class _Stop(Exception):
    pass


_daemon = None


def _waiting():
    """True when a run is going or a script waits for a session: the warm-up then stops at once."""
    global _daemon
    if _daemon is None:
        import java
        _daemon = java.type("org.jtorch.bridge.Daemon")
    return _daemon.yieldToRun()


def _work(torch, nn, F, rounds):
    x, y = torch.ones(1), torch.ones(1)
    xg = torch.ones(1, requires_grad=True)
    a, b = torch.rand(64, 64), torch.rand(64, 64)
    for i in range(rounds):
        if i % 50 == 0 and _waiting():
            raise _Stop()
        x + y
        x * 2.0
        xg + y
        x.add_(y)
        x.mul_(1.0)
        a @ b
        (a - b).abs().sum()
        a.mean(dim=1)
        a[3:7, 1]
        a.view(-1).shape
    for model, inp, tgt, opt_cls in (
            (nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)), torch.randn(8, 16), torch.randint(0, 4, (8,)), torch.optim.SGD),
            (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 4)),
             torch.randn(2, 1, 8, 8), torch.randint(0, 4, (2,)), torch.optim.Adam),
            (nn.Sequential(nn.Embedding(10, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 10)),
             torch.randint(0, 10, (2, 5)), torch.randint(0, 10, (10,)), torch.optim.AdamW)):
        opt = opt_cls(model.parameters(), lr=1e-3)
        for _ in range(max(1, rounds // 20)):
            if _waiting():
                raise _Stop()
            opt.zero_grad(set_to_none=True)
            out = model(inp)
            loss = F.cross_entropy(out.reshape(tgt.shape[0], -1), tgt)
            loss.backward()
            opt.step()
            loss.item()
        with torch.no_grad():
            model(inp).softmax(-1)
    repr(torch.randn(3, 3))


def run(budget_seconds=6.0):
    """Returns True when it ran to the end, False when it stopped because a script wants the session."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    deadline = time.monotonic() + budget_seconds
    rounds = 200
    try:
        while time.monotonic() < deadline:
            if _waiting():
                return False
            _work(torch, nn, F, rounds)
            rounds = min(rounds * 2, 20000)
    except _Stop:
        return False
    return True
