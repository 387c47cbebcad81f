"""Property checks of torch.nn / torch.optim that do not depend on the random stream.

Runs unchanged under real PyTorch and under jtorch:
    /usr/bin/python3 nn_smoke.py        scripts/jtorch nn_smoke.py
It expects PyTorch 2.x semantics: under PyTorch 1.13 two checks differ by design
(Module.zero_grad() defaulting to set_to_none=True, ModuleList's compressed repr).
Last line: 'N passed, M failed'.
"""
import copy
import math
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.simplefilter('ignore')
PASSED = 0
FAILED = 0


def check(name, cond, detail=''):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print(f'FAIL {name} {detail}')


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def run(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        import traceback
        check(fn.__name__ + ' crashed', False, traceback.format_exc())


@run
def parameters_and_init():
    torch.manual_seed(0)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    check('Linear weight bound', float(lin.weight.abs().max()) <= bound + 1e-6)
    check('Linear bias bound', float(lin.bias.abs().max()) <= bound + 1e-6)
    check('Linear weight spread', float(lin.weight.abs().max()) > 0.8 * bound)
    check('Parameter type', isinstance(lin.weight, nn.Parameter) and isinstance(lin.weight, torch.Tensor))
    check('Parameter leaf', lin.weight.is_leaf and lin.weight.requires_grad and lin.weight.grad_fn is None)
    check('Parameter repr', repr(nn.Parameter(torch.tensor([1.0, 2.0]))) ==
          'Parameter containing:\ntensor([1., 2.], requires_grad=True)', repr(nn.Parameter(torch.tensor([1.0, 2.0]))))
    check('Parameter str', str(nn.Parameter(torch.tensor([1.0]))) == 'Parameter containing:\ntensor([1.], requires_grad=True)')
    p = nn.Parameter(torch.ones(3), requires_grad=False)
    check('Parameter no grad', not p.requires_grad)
    emb = nn.Embedding(100, 8, padding_idx=3)
    check('Embedding normal init', 0.7 < float(emb.weight.std()) < 1.3)
    check('Embedding padding row', float(emb.weight[3].abs().sum()) == 0.0)
    t = torch.empty(300, 300)
    nn.init.trunc_normal_(t, std=1.0, a=-0.5, b=2.0)
    check('trunc_normal_ bounds', float(t.min()) >= -0.5 and float(t.max()) <= 2.0)
    nn.init.kaiming_uniform_(t, nonlinearity='relu')
    b = math.sqrt(3.0) * math.sqrt(2.0) / math.sqrt(300)
    check('kaiming_uniform_ bound', float(t.abs().max()) <= b + 1e-6)
    nn.init.xavier_normal_(t)
    check('xavier_normal_ std', abs(float(t.std()) - math.sqrt(2.0 / 600)) < 0.005)
    nn.init.normal_(t, 2.0, 0.5)
    check('normal_ stats', abs(float(t.mean()) - 2.0) < 0.01 and abs(float(t.std()) - 0.5) < 0.01)
    nn.init.uniform_(t, -1.0, 3.0)
    check('uniform_ range', float(t.min()) >= -1.0 and float(t.max()) <= 3.0 and abs(float(t.mean()) - 1.0) < 0.02)


@run
def dropout():
    d = nn.Dropout(0.3)
    x = torch.ones(200, 100)
    y = d(x)
    zero = float((y == 0).float().mean())
    check('dropout fraction', 0.27 < zero < 0.33, zero)
    check('dropout scale', abs(float(y.sum()) / 20000 - 1.0) < 0.05)
    check('dropout values', float(((y - 1 / 0.7).abs() < 1e-5).float().mean()) + zero > 0.999)
    d.eval()
    check('dropout eval identity', d(x) is x)
    xg = torch.ones(10, 10, requires_grad=True)
    yg = F.dropout(xg, 0.5)
    yg.sum().backward()
    check('dropout grad matches mask', bool(((xg.grad == 0) == (yg == 0)).all()))
    check('dropout p=1', float(F.dropout(x, 1.0).abs().sum()) == 0.0)


@run
def module_api():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.act = nn.ReLU()
            self.drop = nn.Dropout(0.1)
            self.fc2 = nn.Linear(8, 2)
            self.register_buffer('count', torch.zeros(1))
            self.register_buffer('tmp', torch.zeros(1), persistent=False)

        def forward(self, x):
            return self.fc2(self.drop(self.act(self.fc1(x))))

    m = Net()
    check('named_parameters', [n for n, _ in m.named_parameters()] == ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'])
    check('state_dict keys', list(m.state_dict().keys()) == ['count', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
          list(m.state_dict().keys()))
    check('repr', repr(m) == 'Net(\n  (fc1): Linear(in_features=4, out_features=8, bias=True)\n  (act): ReLU()\n'
          '  (drop): Dropout(p=0.1, inplace=False)\n  (fc2): Linear(in_features=8, out_features=2, bias=True)\n)', repr(m))
    m2 = Net()
    r = m2.load_state_dict(m.state_dict())
    check('load_state_dict', repr(r) == '<All keys matched successfully>')
    check('loaded values', all(bool((a == b).all()) for a, b in zip(m.parameters(), m2.parameters())))
    e = error_of(lambda: m2.load_state_dict({'fc1.weight': torch.zeros(8, 4)}))
    check('load missing keys message', e is not None and e[0] == 'RuntimeError' and e[1].startswith(
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "count", "fc1.bias"'), e)
    m.eval()
    check('eval flag', not m.training and not m.drop.training)
    m.train()
    x = torch.randn(5, 4)
    calls = []
    h = m.fc1.register_forward_hook(lambda mod, inp, out: calls.append(tuple(out.shape)))
    m(x)
    h.remove()
    m(x)
    check('forward hook', calls == [(5, 8)])
    m(x).sum().backward()
    check('grads', all(p.grad is not None for p in m.parameters()))
    m.zero_grad()
    check('zero_grad None', all(p.grad is None for p in m.parameters()))
    m.double()
    check('double', m.fc1.weight.dtype == torch.float64 and m.count.dtype == torch.float64)
    m.float()
    check('float', m.fc1.weight.dtype == torch.float32)
    try:
        m3 = copy.deepcopy(m)  # needs Tensor.__deepcopy__ for the plain-tensor buffer
        check('deepcopy', m3.fc1.weight is not m.fc1.weight and bool((m3.fc1.weight == m.fc1.weight).all())
              and m3.count is not m.count)
    except Exception as e:  # noqa: BLE001
        check('deepcopy', False, f'{type(e).__name__}: {e}')
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    check('Sequential index/slice', isinstance(seq[1], nn.ReLU) and len(seq[1:]) == 2 and isinstance(seq[-1], nn.Linear))
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    check('ModuleList compressed repr', repr(ml) == 'ModuleList(\n  (0-2): 3 x Linear(in_features=1, out_features=1, bias=True)\n)',
          repr(ml))
    md = nn.ModuleDict({'a': nn.ReLU()})
    check('ModuleDict', 'a' in md and len(md) == 1)


@run
def optim_and_sched():
    torch.manual_seed(0)
    X = torch.randn(64, 3)
    w_true = torch.tensor([[1.0], [-2.0], [0.5]])
    Y = X @ w_true + 0.3
    for name, kw in (('SGD', dict(lr=0.1, momentum=0.9)), ('Adam', dict(lr=0.05)), ('AdamW', dict(lr=0.05)),
                     ('RMSprop', dict(lr=0.01)), ('Adagrad', dict(lr=0.5)), ('Adadelta', dict(lr=1.0))):
        model = nn.Linear(3, 1)
        opt = getattr(torch.optim, name)(model.parameters(), **kw)
        first = None
        for _ in range(200):
            opt.zero_grad()
            loss = F.mse_loss(model(X), Y)
            loss.backward()
            opt.step()
            first = first if first is not None else loss.item()
        check(f'{name} decreases loss', loss.item() < 0.5 * first, (first, loss.item()))
        sd = opt.state_dict()
        opt2 = getattr(torch.optim, name)(model.parameters(), **kw)
        opt2.load_state_dict(sd)
        check(f'{name} state_dict round trip', repr(opt2) == repr(opt) and len(opt2.state) == len(opt.state))
    opt = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    lrs = []
    for _ in range(8):
        opt.step()
        sched.step()
        lrs.append(round(sched.get_last_lr()[0], 6))
    check('CosineAnnealingLR', lrs == [0.853553, 0.5, 0.146447, 0.0, 0.146447, 0.5, 0.853553, 1.0], lrs)


@run
def out_arguments():
    # out= forms write into the given tensor (values checked against the plain forms)
    a, b, c = torch.randn(3, 4), torch.randn(4, 5), torch.empty(3, 5)
    check('mm out= returns out', torch.mm(a, b, out=c) is c)
    check('mm out= value', torch.allclose(c, a @ b))
    A, B, C = torch.randn(2, 3, 4), torch.randn(2, 4, 5), torch.empty(2, 3, 5)
    torch.bmm(A, B, out=C)
    check('bmm out= value', torch.allclose(C, torch.bmm(A, B)))
    torch.matmul(A, B, out=C)
    check('matmul out= value', torch.allclose(C, A @ B))
    x, y, o = torch.rand(6), torch.rand(6), torch.empty(6)
    torch.add(x, y, out=o)
    check('add out=', torch.equal(o, x + y))
    torch.mul(x, y, out=o)
    check('mul out=', torch.equal(o, x * y))
    torch.sub(x, y, out=x)
    check('sub out= aliasing an input', torch.allclose(x, o / y - y))
    o2 = torch.empty(0)
    torch.add(y, 2.0, out=o2)
    check('add out= resizes an empty out', o2.shape == (6,) and torch.equal(o2, y + 2))
    torch.exp(y, out=o)
    check('exp out= (generic path)', torch.equal(o, y.exp()))
    w = torch.randn(2, requires_grad=True)
    check('out= with grad refused', error_of(lambda: torch.add(w, 1.0, out=torch.empty(2))) ==
          ('RuntimeError', "add(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad."))
    check('out= dtype cast refused', error_of(lambda: torch.add(x, y, out=torch.empty(6, dtype=torch.long))) ==
          ('RuntimeError', "result type Float can't be cast to the desired output type Long"))
    bias = torch.randn(5)
    check('addmm', torch.allclose(torch.addmm(bias, a, b), a @ b + bias))
    check('addmm beta alpha', torch.allclose(torch.addmm(bias, a, b, beta=0.5, alpha=2.0), 2 * (a @ b) + 0.5 * bias))
    check('addmm 2-D input', torch.allclose(torch.addmm(c, a, b, beta=0.0), a @ b))


run(lambda: None)
print(f'{PASSED} passed, {FAILED} failed')
sys.exit(1 if FAILED else 0)
