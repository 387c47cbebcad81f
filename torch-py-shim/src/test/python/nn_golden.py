"""Golden-value conformance test for torch.nn / torch.optim.

Every case builds its inputs deterministically (no RNG: a fixed LCG fills the tensors), so the
same script gives the same inputs under real PyTorch and under jtorch.

    /usr/bin/python3 nn_golden.py --record   # with real PyTorch: writes nn_golden.json
    scripts/jtorch nn_golden.py              # with jtorch: compares against nn_golden.json

Values and gradients are compared with a relative tolerance of 1e-6 (float64 inputs);
reprs, key lists and error types/messages are compared exactly. Cases whose PyTorch 2.x result
differs from the recording PyTorch (1.13) carry the 2.x value in OVERRIDES_2X.
Last line: 'N passed, M failed'.
"""
import json
import math
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.simplefilter('ignore')

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, 'nn_golden.json')
DT = torch.float64


def seq(n, seed, lo=-2.0, hi=2.0):
    """n deterministic pseudo-random floats in [lo, hi)."""
    out = []
    s = seed * 2654435761 % 4294967296
    for _ in range(n):
        s = (1103515245 * s + 12345) % 2147483648
        out.append(lo + (hi - lo) * s / 2147483648.0)
    return out


def T(shape, seed, lo=-2.0, hi=2.0, grad=False):
    n = 1
    for d in shape:
        n *= d
    t = torch.tensor(seq(n, seed, lo, hi), dtype=DT).reshape(list(shape))
    if grad:
        t.requires_grad_(True)
    return t


def L(values):
    return torch.tensor(values, dtype=torch.int64)


def flat(x):
    """JSON-friendly value of a result."""
    if isinstance(x, torch.Tensor):
        return {'shape': list(x.shape), 'v': [float(v) for v in x.detach().double().reshape(-1).tolist()]}
    if isinstance(x, (list, tuple)):
        return [flat(v) for v in x]
    if isinstance(x, float):
        return float(x)
    return x


CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


def fg(fn, *inputs):
    """Value of fn(*inputs) and gradients of sum(out * w) for the inputs that require grad."""
    out = fn(*inputs)
    res = [out]
    if out.requires_grad:
        w = T(out.shape, 999, 0.5, 1.5)
        (out * w).sum().backward()
        res += [x.grad for x in inputs if isinstance(x, torch.Tensor) and x.requires_grad]
    return res


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e)]
    return None


# ---------------------------------------------------------------- functional
_ACTS = {
    'relu': lambda x: F.relu(x), 'relu6': lambda x: F.relu6(x), 'elu': lambda x: F.elu(x, 0.7),
    'selu': lambda x: F.selu(x), 'celu': lambda x: F.celu(x, 1.3), 'leaky_relu': lambda x: F.leaky_relu(x, 0.2),
    'gelu': lambda x: F.gelu(x), 'gelu_tanh': lambda x: F.gelu(x, approximate='tanh'), 'silu': lambda x: F.silu(x),
    'mish': lambda x: F.mish(x), 'softplus': lambda x: F.softplus(x, beta=2, threshold=3),
    'hardtanh': lambda x: F.hardtanh(x, -1.5, 1.2), 'logsigmoid': lambda x: F.logsigmoid(x),
    'softsign': lambda x: F.softsign(x), 'tanhshrink': lambda x: F.tanhshrink(x),
    'hardshrink': lambda x: F.hardshrink(x, 0.7), 'softshrink': lambda x: F.softshrink(x, 0.7),
    'hardsigmoid': lambda x: F.hardsigmoid(x), 'hardswish': lambda x: F.hardswish(x),
    'threshold': lambda x: F.threshold(x, 0.5, -3.0), 'tanh': lambda x: F.tanh(x), 'sigmoid': lambda x: F.sigmoid(x),
    'softmax': lambda x: F.softmax(x, dim=1), 'log_softmax': lambda x: F.log_softmax(x, dim=0),
    'softmin': lambda x: F.softmin(x, dim=1), 'glu': lambda x: F.glu(x, dim=1),
    'normalize': lambda x: F.normalize(x, dim=1), 'layer_norm': lambda x: F.layer_norm(x, (6,)),
    'group_norm': lambda x: F.group_norm(x.reshape(2, 4, 3), 2),
    'dropout_eval': lambda x: F.dropout(x, 0.5, training=False),
}
for _name, _f in _ACTS.items():
    case('F.' + _name)(lambda _f=_f: fg(_f, T((4, 6), 1, -4, 4, grad=True)))


@case('F.linear')
def _():
    return fg(F.linear, T((4, 6), 2, grad=True), T((3, 6), 3, grad=True), T((3,), 4, grad=True))


@case('F.bilinear')
def _():
    return fg(F.bilinear, T((4, 3), 2, grad=True), T((4, 2), 5, grad=True), T((5, 3, 2), 3, grad=True), T((5,), 4, grad=True))


@case('F.prelu')
def _():
    return fg(F.prelu, T((2, 3, 4), 6, grad=True), T((3,), 7, 0, 0.5, grad=True))


@case('F.cosine_similarity')
def _():
    return fg(F.cosine_similarity, T((4, 6), 8, grad=True), T((4, 6), 9, grad=True))


@case('F.pairwise_distance')
def _():
    return fg(F.pairwise_distance, T((4, 6), 8, grad=True), T((4, 6), 9, grad=True))


for _pad in [(1, 2), (-1, 2), (1, 1, 2, 0), (2, -1, -1, 1)]:
    case(f'F.pad constant {_pad}')(lambda _pad=_pad: fg(lambda t: F.pad(t, _pad, value=1.5), T((2, 3, 4), 10, grad=True)))
for _mode in ('reflect', 'replicate', 'circular'):
    case(f'F.pad {_mode} 1d')(lambda _mode=_mode: fg(lambda t: F.pad(t, (1, 2), mode=_mode), T((2, 3, 4), 11, grad=True)))
    case(f'F.pad {_mode} 2d')(lambda _mode=_mode: fg(lambda t: F.pad(t, (2, 1, 1, 2), mode=_mode), T((1, 2, 3, 4), 12, grad=True)))


@case('F.one_hot')
def _():
    return [F.one_hot(L([[0, 2, 1], [3, 3, 0]])), F.one_hot(L([1, 0]), 4)]


@case('F.embedding')
def _():
    return fg(lambda w: F.embedding(L([[0, 2, 1], [3, 3, 0]]), w), T((5, 3), 13, grad=True))


@case('F.embedding padding_idx')
def _():
    return fg(lambda w: F.embedding(L([[0, 2, 1], [3, 3, 0]]), w, padding_idx=3), T((5, 3), 13, grad=True))


@case('F.embedding max_norm')
def _():
    w = T((5, 3), 13) * 3
    out = F.embedding(L([[0, 2, 1], [3, 3, 0]]), w, max_norm=1.0)
    return [out, w]


# ---------------------------------------------------------------- losses
_TGT = [0, 3, 1, 1, 2]
_TGT_IGN = [0, -100, 1, 3, -100]


def _wt():
    return torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=DT)


for _red in ('mean', 'sum', 'none'):
    case(f'cross_entropy {_red}')(lambda r=_red: fg(lambda a: F.cross_entropy(a, L(_TGT), reduction=r), T((5, 4), 20, grad=True)))
    case(f'cross_entropy weight ignore {_red}')(lambda r=_red: fg(
        lambda a: F.cross_entropy(a, L(_TGT_IGN), weight=_wt(), reduction=r), T((5, 4), 20, grad=True)))
    case(f'cross_entropy ls {_red}')(lambda r=_red: fg(
        lambda a: F.cross_entropy(a, L(_TGT), label_smoothing=0.1, reduction=r), T((5, 4), 20, grad=True)))
    case(f'cross_entropy ls weight ignore {_red}')(lambda r=_red: fg(
        lambda a: F.cross_entropy(a, L(_TGT_IGN), weight=_wt(), label_smoothing=0.2, reduction=r), T((5, 4), 20, grad=True)))
    case(f'cross_entropy probs {_red}')(lambda r=_red: fg(
        lambda a: F.cross_entropy(a, torch.softmax(T((5, 4), 21), 1), weight=_wt(), label_smoothing=0.3, reduction=r),
        T((5, 4), 20, grad=True)))
    case(f'nll_loss {_red}')(lambda r=_red: fg(
        lambda a: F.nll_loss(a, L(_TGT_IGN), weight=_wt(), reduction=r), T((5, 4), 22, -3, 0, grad=True)))
    for _fn in ('mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss'):
        case(f'{_fn} {_red}')(lambda r=_red, f=_fn: fg(lambda a, b: getattr(F, f)(a, b, reduction=r),
                                                        T((3, 4), 23, grad=True), T((3, 4), 24, grad=True)))
    case(f'smooth_l1 beta {_red}')(lambda r=_red: fg(lambda a, b: F.smooth_l1_loss(a, b, reduction=r, beta=0.5),
                                                      T((3, 4), 23, grad=True), T((3, 4), 24, grad=True)))
    case(f'bce {_red}')(lambda r=_red: fg(lambda a: F.binary_cross_entropy(a, (T((3, 4), 26) > 0).to(DT), weight=T((3, 4), 27, 0, 1), reduction=r),
                                         T((3, 4), 25, 0.01, 0.99, grad=True)))
    case(f'bce_logits {_red}')(lambda r=_red: fg(
        lambda a: F.binary_cross_entropy_with_logits(a, T((3, 4), 26, 0, 1), weight=T((3, 4), 27, 0, 1),
                                                     pos_weight=torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=DT), reduction=r),
        T((3, 4), 28, -30, 30, grad=True)))
    case(f'kl_div {_red}')(lambda r=_red: fg(lambda a: F.kl_div(a, torch.softmax(T((3, 4), 29), 1), reduction=r),
                                            torch.log_softmax(T((3, 4), 30), 1).detach().requires_grad_()))
    case(f'kl_div log_target {_red}')(lambda r=_red: fg(
        lambda a: F.kl_div(a, torch.log_softmax(T((3, 4), 29), 1), reduction=r, log_target=True),
        torch.log_softmax(T((3, 4), 30), 1).detach().requires_grad_()))


@case('kl_div batchmean')
def _():
    return fg(lambda a: F.kl_div(a, torch.softmax(T((3, 4), 29), 1), reduction='batchmean'),
              torch.log_softmax(T((3, 4), 30), 1).detach().requires_grad_())


@case('cross_entropy 4d')
def _():
    t = L([[[0, 1], [2, 3], [1, -100]], [[3, 3], [0, 2], [1, 1]]])
    return fg(lambda a: F.cross_entropy(a, t, weight=_wt()), T((2, 4, 3, 2), 31, grad=True))


@case('cross_entropy unbatched')
def _():
    return fg(lambda a: F.cross_entropy(a, L(2)), T((4,), 32, grad=True))


@case('losses misc')
def _():
    x, y = T((3, 4), 33), T((3, 4), 34)
    sgn = torch.tensor([1., -1., 1.], dtype=DT)
    return [F.poisson_nll_loss(x, y.abs() * 3, full=True), F.gaussian_nll_loss(x, y, y.abs() + 0.1, full=True),
            F.margin_ranking_loss(x[:, 0], y[:, 0], sgn, margin=0.3), F.hinge_embedding_loss(x, torch.sign(y)),
            F.cosine_embedding_loss(x, y, sgn, margin=0.1), F.multilabel_soft_margin_loss(x, (y > 0).to(DT)),
            F.triplet_margin_loss(x, y, y.flip(0), swap=True), F.soft_margin_loss(x, torch.sign(y))]


@case('loss errors')
def _():
    x = T((3, 4), 35)
    return [err(lambda: F.nll_loss(x, L([0, 1, 5]))), err(lambda: F.nll_loss(x, L([0, 1, -2]))),
            err(lambda: F.nll_loss(x, L([0, 1]))), err(lambda: F.cross_entropy(x, L([0, 1, 5]))),
            err(lambda: F.nll_loss(x, L([[0, 1, 2]]))), err(lambda: F.nll_loss(x.unsqueeze(2), L([0, 1, 2]))),
            err(lambda: F.cross_entropy(x, torch.tensor([0., 1, 2], dtype=DT))),
            err(lambda: F.nll_loss(x, L([0, 1, 2]), weight=torch.ones(3, dtype=DT))),
            err(lambda: F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0., 1]))),
            err(lambda: F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0., 1, 1]))),
            err(lambda: F.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.tensor([0., 1, 1]))),
            err(lambda: F.mse_loss(x, x, reduction='foo')),
            err(lambda: F.cross_entropy(x, L([0, 1, 2]), label_smoothing=1.5)),
            err(lambda: F.dropout(x, 1.5)), err(lambda: F.pad(x, (1,))), err(lambda: F.pad(x, (1,) * 6)),
            err(lambda: F.one_hot(L([0, 3]), 2)), err(lambda: F.one_hot(L([0, -1]))),
            err(lambda: F.one_hot(torch.tensor([0., 1.])))]


# ---------------------------------------------------------------- modules
def _set_params(m, seed):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(T(p.shape, seed + i, -1, 1))
    return m


def _mlp():
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4, padding_idx=0)
        self.body = nn.ModuleList([nn.Linear(4, 4), nn.Tanh()])
        self.heads = nn.ModuleDict({'a': nn.Linear(4, 2), 'b': nn.Linear(4, 2, bias=False)})
        self.bn = nn.BatchNorm1d(4)
        self.ln = nn.LayerNorm(4)
        self.register_buffer('steps', torch.zeros(1))
        self.register_buffer('scratch', torch.ones(2), persistent=False)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, idx):
        x = self.emb(idx).mean(1)
        for m in self.body:
            x = m(x)
        x = self.ln(self.bn(x))
        return self.heads['a'](x) * self.scale + self.heads['b'](x)


@case('module reprs')
def _():
    mods = [nn.Linear(2, 16), nn.Linear(2, 16, bias=False), nn.ReLU(), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Dropout(p=0.1, inplace=True), nn.Embedding(3, 2), nn.Embedding(10, 3, padding_idx=1, max_norm=2.0),
            nn.CrossEntropyLoss(), nn.MSELoss(), nn.BCEWithLogitsLoss(), nn.Identity(), nn.Flatten(),
            nn.Unflatten(1, (2, 3)), nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.GELU(approximate='tanh'), nn.SiLU(),
            nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.ELU(), nn.Hardtanh(), nn.ReLU6(), nn.Softmax(dim=1),
            nn.LogSoftmax(dim=-1), nn.PReLU(), nn.LayerNorm(4), nn.BatchNorm1d(8), nn.GroupNorm(2, 4),
            _mlp(), nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Linear(1, 2), nn.ReLU())),
            nn.ModuleDict({'x': nn.Linear(1, 1), 'y': nn.ReLU()}), _Net(), nn.ModuleList([nn.Linear(1, 2), nn.ReLU()])]
    return [repr(m) for m in mods] + [repr(nn.Parameter(torch.tensor([1.0, 2.0]))), str(nn.Parameter(torch.tensor([3.0])))]


@case('module keys')
def _():
    m = _Net()
    lin = nn.Linear(3, 3)
    tied = nn.Sequential(lin, nn.Linear(3, 3))
    tied[1].weight = lin.weight
    return [[n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
            [n for n, _ in m.named_modules()], [n for n, _ in m.named_children()], list(m.state_dict().keys()),
            list(m.state_dict(prefix='p.').keys()), [n for n, _ in tied.named_parameters()], list(tied.state_dict().keys())]


@case('load_state_dict errors')
def _():
    a = _Net()
    sd = _Net().state_dict()
    sd.pop('ln.bias')
    sd['extra.weight'] = torch.zeros(1)
    r = a.load_state_dict(sd, strict=False)
    sd2 = nn.Linear(2, 3).state_dict()
    sd2['weight'] = torch.zeros(4, 2)
    return [err(lambda: _Net().load_state_dict(sd)), [r.missing_keys, r.unexpected_keys],
            err(lambda: nn.Linear(2, 3).load_state_dict(sd2)), repr(nn.Linear(2, 3).load_state_dict(nn.Linear(2, 3).state_dict())),
            err(lambda: nn.Linear(1, 1).foo), err(lambda: setattr(nn.Linear(1, 1), 'weight', torch.ones(1))),
            err(lambda: nn.Linear(1, 1).register_buffer('weight', torch.ones(1))),
            err(lambda: nn.Linear(1, 1).add_module('x', 3)), err(lambda: nn.Module()(1)),
            err(lambda: nn.Sequential(nn.ReLU())[3]), err(lambda: nn.ModuleList([nn.ReLU()])[3])]


@case('module forward/backward')
def _():
    torch.manual_seed(0)
    net = _set_params(_Net().double(), 40)
    idx = L([[1, 2, 0], [3, 4, 5], [6, 0, 0], [9, 8, 7]])
    out = net(idx)
    out.sum().backward()
    return [out] + [p.grad for p in net.parameters()] + [net.bn.running_mean, net.bn.running_var,
                                                         net.bn.num_batches_tracked, net.eval()(idx)]


@case('training loop SGD+CE')
def _():
    m = _set_params(_mlp().double().eval(), 50)
    X = T((16, 2), 51)
    Y = L([i % 3 for i in range(16)])
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    lf = nn.CrossEntropyLoss()
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = lf(m(X), Y)
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return [losses] + list(m.parameters())


# ---------------------------------------------------------------- init / utils
@case('init deterministic')
def _():
    t = torch.empty(3, 5, dtype=DT)
    return [nn.init.calculate_gain('leaky_relu', 0.2), nn.init.calculate_gain('tanh'), nn.init.calculate_gain('relu'),
            list(nn.init._calculate_fan_in_and_fan_out(torch.empty(5, 2, 3, 3))), nn.init.eye_(t),
            nn.init.constant_(torch.empty(2, dtype=DT), 0.25), nn.init.ones_(torch.empty(2, dtype=DT)),
            nn.init.zeros_(torch.empty(2, dtype=DT)), err(lambda: nn.init.calculate_gain('foo')),
            err(lambda: nn.init._calculate_fan_in_and_fan_out(torch.empty(3)))]


@case('clip_grad')
def _():
    res = []
    for norm_type in (2.0, 1.0, 3.0, math.inf):
        for max_norm in (0.5, 100.0):
            ps = [T((3, 4), 60, grad=True), T((5,), 61, grad=True), T((2,), 62, grad=True)]
            ps[0].grad = T((3, 4), 63)
            ps[1].grad = T((5,), 64)
            res.append(nn.utils.clip_grad_norm_(ps, max_norm, norm_type))
            res += [ps[0].grad, ps[1].grad]
    p = T((4,), 65, grad=True)
    p.grad = T((4,), 66, -3, 3)
    nn.utils.clip_grad_value_(p, 1.0)
    res.append(p.grad)
    m = _set_params(nn.Linear(3, 2).double(), 67)
    res.append(nn.utils.parameters_to_vector(m.parameters()))
    nn.utils.vector_to_parameters(torch.arange(8, dtype=DT), m.parameters())
    res += [m.weight, m.bias]
    return res


# ---------------------------------------------------------------- optim
_OPT_CONFIGS = [
    ('SGD', dict(lr=0.1)), ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)), ('SGD', dict(lr=0.05, momentum=0.5, maximize=True)),
    ('Adam', dict(lr=0.01)), ('Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ('Adam', dict(lr=0.01, amsgrad=True)), ('AdamW', dict(lr=0.01)), ('AdamW', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ('RMSprop', dict(lr=0.01)), ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    ('Adagrad', dict(lr=0.1)), ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ('Adadelta', dict()), ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.01)),
]


def _opt_case(name, kw):
    def run():
        m = _set_params(nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double(), 70)
        x, y = T((16, 3), 71), T((16, 2), 72)
        opt = getattr(torch.optim, name)([{'params': m[0].parameters()}, {'params': m[2].parameters(), 'lr': 0.05}], **kw)
        for _ in range(15):
            opt.zero_grad()
            ((m(x) - y) ** 2).mean().backward()
            opt.step()
        sd = opt.state_dict()
        # (1.13 keeps 'momentum_buffer': None entries for plain SGD; 2.x keeps no state)
        state_keys = {str(k): sorted(kk for kk, vv in v.items() if vv is not None) for k, v in sd['state'].items()}
        state_keys = {k: v for k, v in state_keys.items() if v}
        groups = [{k: v for k, v in g.items() if k not in ('fused',)} for g in sd['param_groups']]
        return list(m.parameters()) + [state_keys, json.loads(json.dumps(groups, default=str))]
    return run


for _n, _kw in _OPT_CONFIGS:
    case(f'optim {_n} {_kw}')(_opt_case(_n, _kw))


@case('optim errors')
def _():
    p = [nn.Parameter(torch.zeros(2))]
    return [err(lambda: torch.optim.SGD(p, lr=-1)), err(lambda: torch.optim.SGD(p, lr=0.1, nesterov=True)),
            err(lambda: torch.optim.Adam(p, betas=(1.0, 0.9))), err(lambda: torch.optim.SGD([], lr=0.1)),
            err(lambda: torch.optim.SGD([p[0] * 2], lr=0.1)),
            err(lambda: torch.optim.SGD([{'params': p}, {'params': p}], lr=0.1))]


# ---------------------------------------------------------------- lr_scheduler
def _sched_case(mk, metric=None, groups=False, opt='SGD'):
    def run():
        from torch.optim import lr_scheduler as S
        ps = [nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))]
        params = [{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.3}] if groups else ps
        o = torch.optim.SGD(params, lr=0.1, momentum=0.9) if opt == 'SGD' else torch.optim.Adam(params, lr=0.1)
        s = mk(S, o)
        out = []
        for i in range(25):
            o.step()
            if metric is None:
                s.step()
            else:
                s.step(metric(i))
            out.append([g['lr'] for g in o.param_groups] +
                       [o.param_groups[0]['momentum'] if opt == 'SGD' else o.param_groups[0]['betas'][0]])
        return out
    return run


_SCHEDS = [
    ('StepLR', lambda S, o: S.StepLR(o, step_size=4, gamma=0.5), {}),
    ('MultiStepLR', lambda S, o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3), {}),
    ('ExponentialLR', lambda S, o: S.ExponentialLR(o, gamma=0.9), {}),
    ('CosineAnnealingLR', lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), {}),
    ('LambdaLR', lambda S, o: S.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (e + 1)]), {'groups': True}),
    ('MultiplicativeLR', lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9), {}),
    ('LinearLR', lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=8), {}),
    ('ConstantLR', lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4), {}),
    ('PolynomialLR', lambda S, o: S.PolynomialLR(o, total_iters=10, power=2.0), {}),
    ('CosineAnnealingWarmRestarts', lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01), {}),
    ('CyclicLR', lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4), {}),
    ('OneCycleLR', lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=25), {}),
    ('OneCycleLR 3phase Adam', lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=25, anneal_strategy='linear',
                                                         three_phase=True), {'groups': True, 'opt': 'Adam'}),
    ('ReduceLROnPlateau', lambda S, o: S.ReduceLROnPlateau(o, patience=2, factor=0.5), {'metric': lambda i: 1.0 if i < 5 else 2.0}),
    ('SequentialLR', lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                                     S.ExponentialLR(o, gamma=0.9)], milestones=[5]), {}),
]
for _n, _mk, _kw in _SCHEDS:
    case(f'sched {_n}')(_sched_case(_mk, **_kw))


# ---------------------------------------------------------------- attention / transformer
# PyTorch 1.13 (the recorder) lacks some 2.x APIs: where a case needs one, it records with the
# equivalent 1.13 computation (marked "1.13:").
_HAS_SDPA = hasattr(F, 'scaled_dot_product_attention')
_MHA_IS_CAUSAL = 'is_causal' in nn.MultiheadAttention.forward.__code__.co_varnames


def _sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    if _HAS_SDPA:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p,
                                              is_causal=is_causal, scale=scale)
    # 1.13: the math definition of 2.x (bool mask: True = take part in attention)
    L, S = q.size(-2), k.size(-2)
    s = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float('-inf'))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(~attn_mask, float('-inf'))
        else:
            bias = bias + attn_mask
    return torch.softmax(q @ k.transpose(-2, -1) * s + bias, -1) @ v


def _fill_named(m, seed, zero_bias=False):
    """Parameters by formula, keyed by name (so that modules with fewer parameters agree on the rest)."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if zero_bias and name.split('.')[-1] in ('bias', 'in_proj_bias'):
                p.zero_()
                p.requires_grad_(False)
                continue
            h = sum(ord(c) * (i + 1) for i, c in enumerate(name)) % 997
            p.copy_(T(p.shape, seed + h, -1, 1))
    return m


def _mfg(m, fn, *inputs):
    """fg plus the gradients of the module's parameters (by name order)."""
    return fg(fn, *inputs) + [p.grad for _, p in m.named_parameters() if p.requires_grad]


def _flat_cat(*ts):
    return torch.cat([t.reshape(-1) for t in ts if t is not None])


for _name, _kw in [('plain', {}), ('float mask', {'attn_mask': 'float'}), ('bool mask', {'attn_mask': 'bool'}),
                   ('causal', {'is_causal': True}), ('scale', {'scale': 0.3}), ('3d', {'dims': 3})]:
    def _sdpa_case(_kw=_kw):
        kw = dict(_kw)
        dims = kw.pop('dims', 4)
        causal = kw.get('is_causal', False)
        shp = (2, 2) if dims == 4 else (3,)
        L, S = (4, 4) if causal else (3, 5)
        q, k, v = T(shp + (L, 4), 80, grad=True), T(shp + (S, 4), 81, grad=True), T(shp + (S, 3), 82, grad=True)
        if kw.get('attn_mask') == 'float':
            kw['attn_mask'] = T((L, S), 83, -1, 1)
        elif kw.get('attn_mask') == 'bool':
            kw['attn_mask'] = (T((2, 1, L, S), 84) > -1.0) | (torch.arange(S) == 0)
        return fg(lambda a, b, c: _sdpa(a, b, c, **kw), q, k, v)
    case(f'F.scaled_dot_product_attention {_name}')(_sdpa_case)


def _mha(**kw):
    return _fill_named(nn.MultiheadAttention(6, 2, **kw).double(), 90)


@case('MHA self-attention weights')
def _():
    m = _mha()
    return _mfg(m, lambda x: _flat_cat(*m(x, x, x)), T((4, 2, 6), 91, grad=True))


@case('MHA cross batch_first per-head weights')
def _():
    m = _mha(batch_first=True)
    return _mfg(m, lambda q, kv: _flat_cat(*m(q, kv, kv, average_attn_weights=False)),
                T((2, 3, 6), 92, grad=True), T((2, 5, 6), 93, grad=True))


@case('MHA kdim vdim masks')
def _():
    m = _fill_named(nn.MultiheadAttention(6, 3, kdim=4, vdim=5).double(), 94)
    kpm = L([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]).bool()
    am = T((3, 5), 95, -1, 1)
    return _mfg(m, lambda q, k, v: _flat_cat(*m(q, k, v, key_padding_mask=kpm, attn_mask=am)),
                T((3, 2, 6), 96, grad=True), T((5, 2, 4), 97, grad=True), T((5, 2, 5), 98, grad=True))


@case('MHA bool masks no weights')
def _():
    m = _mha()
    am = (T((4, 4, 5), 99) > 0.5) & (torch.arange(5) != 2)
    kpm = torch.tensor([[False, False, True, False, True], [False, False, False, False, False]])
    return _mfg(m, lambda q, kv: m(q, kv, kv, key_padding_mask=kpm, attn_mask=am, need_weights=False)[0],
                T((4, 2, 6), 100, grad=True), T((5, 2, 6), 101, grad=True))


@case('MHA float key_padding_mask')
def _():
    m = _mha()
    kpm = T((2, 5), 102, -1, 0)
    return _mfg(m, lambda q, kv: _flat_cat(*m(q, kv, kv, key_padding_mask=kpm)),
                T((4, 2, 6), 103, grad=True), T((5, 2, 6), 104, grad=True))


@case('MHA unbatched')
def _():
    m = _mha()
    am = T((2, 3, 5), 105, -1, 1)
    return _mfg(m, lambda q, kv: _flat_cat(*m(q, kv, kv, attn_mask=am)), T((3, 6), 106, grad=True), T((5, 6), 107, grad=True))


@case('MHA no bias, bias_kv, zero_attn')
def _():
    m = _fill_named(nn.MultiheadAttention(6, 2, bias=False, add_bias_kv=True, add_zero_attn=True).double(), 108)
    kpm = L([[0, 0, 1], [0, 0, 0]]).bool()
    return _mfg(m, lambda x, kv: _flat_cat(*m(x, kv, kv, key_padding_mask=kpm)), T((4, 2, 6), 109, grad=True),
                T((3, 2, 6), 110, grad=True)) + [[n for n, _ in m.named_parameters()]]


@case('MHA is_causal')
def _():
    m = _mha(batch_first=True)
    mask = torch.triu(torch.full((4, 4), float('-inf'), dtype=DT), 1)
    kw = {'is_causal': True} if _MHA_IS_CAUSAL else {}  # 1.13: the mask alone
    return _mfg(m, lambda x: m(x, x, x, attn_mask=mask, need_weights=False, **kw)[0], T((2, 4, 6), 111, grad=True))


@case('MHA dropout stream')
def _():
    m = _mha(dropout=0.4)
    x = T((4, 2, 6), 112)
    torch.manual_seed(7)
    return list(m(x, x, x))


@case('MHA init stream')
def _():
    torch.manual_seed(3)
    m = nn.MultiheadAttention(6, 2, add_bias_kv=True)
    m2 = nn.MultiheadAttention(6, 3, kdim=2, vdim=4, bias=False)
    return [[n for n, _ in m.named_parameters()]] + list(m.parameters()) + \
        [[n for n, _ in m2.named_parameters()]] + list(m2.parameters())


@case('MHA errors')
def _():
    m = _mha()
    x = T((4, 2, 6), 113)
    return [err(lambda: nn.MultiheadAttention(6, 4)), err(lambda: m(x, x, x, attn_mask=torch.zeros(3, 4, dtype=DT))),
            err(lambda: m(x, x, x, attn_mask=torch.zeros(3, 4, 4, dtype=DT))),
            err(lambda: m(x, x, x, key_padding_mask=torch.zeros(2, 4, dtype=torch.int64))),
            err(lambda: m(x, x[:3], x)), err(lambda: m(x.reshape(4, 2, 2, 3), x, x)),
            err(lambda: m(x, x, x, key_padding_mask=torch.zeros(4, dtype=torch.bool))),
            err(lambda: m(x[0], x[0], x[0], attn_mask=torch.zeros(3, 4, 4, dtype=DT)))]


@case('attention reprs')
def _():
    torch.manual_seed(0)
    mods = [nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2, kdim=3, bias=False),
            nn.TransformerEncoderLayer(8, 2, 16), nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU()),
            nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, norm=nn.LayerNorm(8)),
            nn.TransformerDecoderLayer(8, 2, 16), nn.Transformer(8, 2, 1, 1, 16)]
    return [repr(m) for m in mods] + [[n for n, _ in mods[-1].named_parameters()]]


def _enc_layer(zero_bias=False, **kw):
    return _fill_named(nn.TransformerEncoderLayer(6, 2, 10, dropout=0.0, **kw).double(), 120, zero_bias)


for _name, _kw in [('relu', {}), ('gelu norm_first', {'activation': 'gelu', 'norm_first': True}),
                   ('callable eps', {'activation': torch.tanh, 'layer_norm_eps': 1e-3}),
                   ('module act', {'activation': nn.SiLU()})]:
    def _enc_case(_kw=_kw):
        m = _enc_layer(**_kw)
        return _mfg(m, lambda x: m(x), T((4, 2, 6), 121, grad=True))
    case(f'TransformerEncoderLayer {_name}')(_enc_case)


@case('TransformerEncoderLayer batch_first masks')
def _():
    m = _enc_layer(batch_first=True)
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    am = T((4, 4), 122, -1, 1)
    return _mfg(m, lambda x: m(x, src_mask=am, src_key_padding_mask=kpm), T((2, 4, 6), 123, grad=True))


@case('TransformerEncoderLayer bias=False')
def _():
    if 'bias' in nn.TransformerEncoderLayer.__init__.__code__.co_varnames:
        m = _enc_layer(bias=False)
    else:  # 1.13: zero, frozen biases
        m = _enc_layer(zero_bias=True)
    return _mfg(m, lambda x: m(x), T((4, 2, 6), 124, grad=True)) + [
        [n for n, p in m.named_parameters() if p.requires_grad]]


@case('TransformerEncoderLayer dropout stream')
def _():
    m = _fill_named(nn.TransformerEncoderLayer(6, 2, 10, dropout=0.3).double(), 125)
    torch.manual_seed(11)
    return _mfg(m, lambda x: m(x), T((4, 2, 6), 126, grad=True))


@case('TransformerEncoderLayer init stream')
def _():
    torch.manual_seed(5)
    m = nn.TransformerEncoderLayer(6, 2, 10)
    return [[n for n, _ in m.named_parameters()]] + list(m.parameters())


@case('TransformerEncoder causal kpm norm')
def _():
    enc = nn.TransformerEncoder(_enc_layer(), 2, norm=nn.LayerNorm(6).double())
    _fill_named(enc, 130)
    mask = torch.triu(torch.full((4, 4), float('-inf'), dtype=DT), 1)
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    res = _mfg(enc, lambda x: enc(x, mask=mask, src_key_padding_mask=kpm), T((4, 2, 6), 131, grad=True))
    return res + [[n for n, _ in enc.named_parameters()]]


@case('TransformerEncoder deep copies')
def _():
    torch.manual_seed(9)
    layer = nn.TransformerEncoderLayer(6, 2, 10)
    enc = nn.TransformerEncoder(layer, 3)
    return [all(torch.equal(a, b) for a, b in zip(layer.parameters(), l.parameters())) for l in enc.layers] + \
        [enc.layers[0].linear1.weight is enc.layers[1].linear1.weight, enc.layers[0] is layer, len(enc.layers)]


@case('TransformerEncoder eval padded positions')
def _():
    enc = nn.TransformerEncoder(_enc_layer(batch_first=True), 2)
    _fill_named(enc, 132)
    enc.eval()
    kpm = torch.tensor([[False, False, True, True], [False, False, False, False]])
    x = T((2, 4, 6), 133)
    with torch.no_grad():
        a = enc(x, src_key_padding_mask=kpm)
    b = enc(x, src_key_padding_mask=kpm)  # with grad: the regular path
    return [a, b]


def _dec_layer(**kw):
    return _fill_named(nn.TransformerDecoderLayer(6, 2, 10, dropout=0.0, **kw).double(), 140)


@case('TransformerDecoderLayer')
def _():
    m = _dec_layer()
    tm = torch.triu(torch.full((3, 3), float('-inf'), dtype=DT), 1)
    mkpm = torch.tensor([[False, False, False, False, True], [False, False, False, False, False]])
    return _mfg(m, lambda t, mem: m(t, mem, tgt_mask=tm, memory_key_padding_mask=mkpm),
                T((3, 2, 6), 141, grad=True), T((5, 2, 6), 142, grad=True))


@case('TransformerDecoderLayer norm_first batch_first gelu')
def _():
    m = _dec_layer(norm_first=True, batch_first=True, activation='gelu')
    mm = T((3, 5), 143, -1, 1)
    return _mfg(m, lambda t, mem: m(t, mem, memory_mask=mm), T((2, 3, 6), 144, grad=True), T((2, 5, 6), 145, grad=True))


@case('Transformer')
def _():
    m = _fill_named(nn.Transformer(6, 2, 2, 1, 10, dropout=0.0).double(), 150)
    tm = nn.Transformer.generate_square_subsequent_mask(3).double()
    skpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    return _mfg(m, lambda s, t: m(s, t, tgt_mask=tm, src_key_padding_mask=skpm, memory_key_padding_mask=skpm),
                T((4, 2, 6), 151, grad=True), T((3, 2, 6), 152, grad=True)) + [tm]


@case('Transformer init stream')
def _():
    torch.manual_seed(13)
    m = nn.Transformer(6, 2, 1, 1, 10)
    return list(m.parameters())


@case('transformer errors')
def _():
    m = nn.Transformer(6, 2, 1, 1, 10)
    return [err(lambda: nn.TransformerEncoderLayer(6, 2, activation='tanh')),
            err(lambda: m(torch.zeros(4, 2, 6), torch.zeros(3, 3, 6))),
            err(lambda: m(torch.zeros(4, 2, 5), torch.zeros(3, 2, 5)))]


# ---------------------------------------------------------------- interpolate / upsample
_INTERP = [
    ('nearest 1d size', (1, 2, 5), dict(size=8)), ('nearest 1d scale 1.7', (1, 2, 5), dict(scale_factor=1.7)),
    ('nearest 1d down', (1, 2, 7), dict(size=3)), ('nearest 2d scale 2', (2, 1, 3, 4), dict(scale_factor=2)),
    ('nearest 2d size', (1, 2, 3, 4), dict(size=(5, 7))), ('nearest 2d scale (1.5, 0.6)', (1, 2, 4, 5), dict(scale_factor=(1.5, 0.6))),
    ('nearest 3d', (1, 1, 2, 3, 2), dict(size=(3, 5, 4))),
    ('nearest-exact 2d', (1, 2, 3, 4), dict(size=(5, 7), mode='nearest-exact')),
    ('nearest-exact 1d scale', (1, 2, 5), dict(scale_factor=1.7, mode='nearest-exact')),
    ('linear', (1, 2, 5), dict(size=8, mode='linear')),
    ('linear align', (1, 2, 5), dict(size=8, mode='linear', align_corners=True)),
    ('linear down scale', (1, 2, 9), dict(scale_factor=0.45, mode='linear')),
    ('bilinear size', (2, 2, 3, 4), dict(size=(5, 7), mode='bilinear')),
    ('bilinear align', (2, 2, 3, 4), dict(size=(5, 7), mode='bilinear', align_corners=True)),
    ('bilinear scale', (1, 2, 3, 4), dict(scale_factor=1.7, mode='bilinear')),
    ('bilinear scale recompute', (1, 2, 3, 4), dict(scale_factor=1.7, mode='bilinear', recompute_scale_factor=True)),
    ('bilinear down', (1, 2, 6, 7), dict(size=(4, 3), mode='bilinear')),
    ('bilinear down align', (1, 2, 6, 7), dict(size=(4, 1), mode='bilinear', align_corners=True)),
    ('bicubic', (1, 2, 3, 4), dict(size=(5, 7), mode='bicubic')),
    ('bicubic align', (1, 2, 4, 4), dict(scale_factor=1.5, mode='bicubic', align_corners=True)),
    ('bicubic down', (1, 1, 7, 6), dict(size=(4, 3), mode='bicubic')),
    ('trilinear', (1, 2, 2, 3, 2), dict(size=(3, 4, 5), mode='trilinear')),
    ('trilinear align', (1, 1, 2, 3, 4), dict(scale_factor=2, mode='trilinear', align_corners=True)),
    ('area 1d', (1, 2, 7), dict(size=3, mode='area')), ('area 2d', (1, 2, 6, 5), dict(scale_factor=0.5, mode='area')),
    ('same size', (1, 2, 3, 4), dict(size=(3, 4), mode='bilinear')),
]
for _name, _shape, _kw in _INTERP:
    case(f'F.interpolate {_name}')(lambda _shape=_shape, _kw=_kw: fg(lambda x: F.interpolate(x, **_kw),
                                                                       T(_shape, 160, grad=True)))


@case('F.interpolate nearest kernels')
def _():
    # PyTorch's CPU kernels: one channel takes the channels-last route (size kept: copy), more channels
    # the generic one (scaled index); forward values only (their backward kernels differ from both)
    return [F.interpolate(T((1, 1, 2, 3), 164), scale_factor=(1.3, 1)),
            F.interpolate(T((1, 2, 2, 3), 164), scale_factor=(1.3, 1)),
            F.interpolate(T((1, 3, 4), 165), scale_factor=1.3), F.interpolate(T((2, 1, 4, 5), 166), size=(8, 10)),
            F.interpolate(T((1, 1, 3, 5), 167), scale_factor=(1.3, 0.71), mode='nearest-exact'),
            F.interpolate(T((1, 2, 3, 5), 167), scale_factor=(1.3, 0.71), mode='nearest-exact'),
            F.interpolate(T((1, 1, 2, 2, 3), 168), scale_factor=(1.2, 1.7, 1.4))]


@case('F.interpolate float32')
def _():
    x = T((1, 2, 5, 6), 161).float().requires_grad_()
    return [F.interpolate(x, scale_factor=1.3), F.interpolate(x, size=(7, 9), mode='bilinear'),
            F.interpolate(x, scale_factor=(0.7, 1.9), mode='bicubic', align_corners=True)]


@case('Upsample modules')
def _():
    x = T((1, 2, 3, 4), 162, grad=True)
    mods = [nn.Upsample(scale_factor=2), nn.Upsample(size=(5, 6), mode='bilinear'),
            nn.Upsample(scale_factor=(1.5, 2), mode='bicubic', align_corners=True),
            nn.UpsamplingNearest2d(scale_factor=2), nn.UpsamplingBilinear2d(size=(4, 5))]
    return [repr(m) for m in mods] + [m(x) for m in mods]


@case('interpolate errors')
def _():
    x = T((1, 2, 3, 4), 163)
    return [err(lambda: F.interpolate(x, size=5, align_corners=True)), err(lambda: F.interpolate(x, size=5, scale_factor=2)),
            err(lambda: F.interpolate(x)), err(lambda: F.interpolate(x, size=(2, 3, 4))),
            err(lambda: F.interpolate(x, scale_factor=(2,))), err(lambda: F.interpolate(x, size=5, mode='linear')),
            err(lambda: F.interpolate(x, size=5, mode='trilinear')), err(lambda: F.interpolate(x[0], size=5, mode='bilinear')),
            err(lambda: F.interpolate(x[0], size=5, mode='bicubic')), err(lambda: F.interpolate(x, size=5, mode='foo')),
            err(lambda: F.interpolate(x, size=4, recompute_scale_factor=True)),
            err(lambda: F.interpolate(x[0, 0], size=4))]


# ---------------------------------------------------------------- init: orthogonal / dirac / sparse
@case('init orthogonal')
def _():
    res = []
    for shape, dt, gain in [((3, 5), DT, 1), ((5, 3), DT, 2.0), ((4, 2, 3), DT, 1), ((6, 6), torch.float32, 1),
                            ((20, 4), torch.float32, 0.5)]:
        torch.manual_seed(21)
        t = nn.init.orthogonal_(torch.empty(shape, dtype=dt), gain=gain)
        res.append(t)
    res.append(err(lambda: nn.init.orthogonal_(torch.empty(3))))
    return res


@case('init dirac sparse')
def _():
    torch.manual_seed(22)
    sp = nn.init.sparse_(torch.empty(6, 4, dtype=DT), 0.5, std=0.1)
    return [nn.init.dirac_(torch.empty(4, 2, 3, dtype=DT)), nn.init.dirac_(torch.empty(2, 3, 3, 3, dtype=DT)),
            nn.init.dirac_(torch.empty(4, 3, 3, 2, dtype=DT), groups=2), nn.init.dirac_(torch.empty(2, 2, 1, 3, 3, dtype=DT)),
            sp, err(lambda: nn.init.dirac_(torch.empty(3, 3))), err(lambda: nn.init.dirac_(torch.empty(3, 2, 2), groups=2)),
            err(lambda: nn.init.sparse_(torch.empty(3), 0.5))]


# ---------------------------------------------------------------- module backward hooks
def _gl(gs):
    return [None if g is None else g for g in gs]


@case('full backward hook Linear')
def _():
    lin = _set_params(nn.Linear(3, 2).double(), 170)
    seen = []

    def hook(m, gi, go):
        seen.append([m is lin, len(gi), len(go)] + _gl(gi) + _gl(go))
        return (gi[0] * 2,)
    h = lin.register_full_backward_hook(hook)
    x = T((4, 3), 171, grad=True)
    res = fg(lin, x) + [lin.weight.grad, lin.bias.grad]
    h.remove()
    x.grad = None
    res += fg(lin, x)
    return res + [seen]


@case('full backward hook multi-input')
def _():
    class Two(nn.Module):
        def forward(self, a, b, k, c):
            return a * b * k + c, a - c

    t = Two()
    seen = []
    t.register_full_backward_hook(lambda m, gi, go: seen.append(_gl(gi) + _gl(go)))
    t.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1, None, None, gi[3] * 3))
    t.register_full_backward_hook(lambda m, gi, go: seen.append(_gl(gi)))
    a, b, c = T((3,), 172, grad=True), T((3,), 173), T((3,), 174, grad=True)
    p, s = t(a, b, 2.0, c)
    (p * T((3,), 175) + s * s).sum().backward()
    return [a.grad, c.grad, seen]


@case('full backward hook no input grad')
def _():
    lin = _set_params(nn.Linear(3, 2).double(), 176)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(_gl(gi) + _gl(go)))
    out = lin(T((2, 3), 177))
    out.sum().backward()
    return [seen, lin.weight.grad]


@case('full backward hook nested modules')
def _():
    net = _set_params(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double(), 178)
    order = []
    for name, m in net.named_modules():
        m.register_full_backward_hook(lambda m, gi, go, name=name: order.append([name] + _gl(gi) + _gl(go)))
    x = T((2, 3), 179, grad=True)
    res = fg(net, x)
    return res + [order]


@case('global full backward hook')
def _():
    from torch.nn.modules.module import register_module_full_backward_hook
    seen = []
    h = register_module_full_backward_hook(lambda m, gi, go: seen.append([type(m).__name__] + _gl(gi)))
    try:
        net = _set_params(nn.Sequential(nn.Linear(3, 2), nn.Sigmoid()).double(), 180)
        res = fg(net, T((2, 3), 181, grad=True))
    finally:
        h.remove()
    net(T((2, 3), 181, grad=True)).sum().backward()
    return res + [seen]


def _pre_hook(module, hook):
    if hasattr(module, 'register_full_backward_pre_hook'):
        return module.register_full_backward_pre_hook(hook)

    # 1.13: for a module with a single tensor output a pre-hook is a hook on that output
    def fwd(m, args, out):
        def th(g):
            r = hook(m, (g,))
            return None if r is None else r[0]
        out.register_hook(th)
    return module.register_forward_hook(fwd)


@case('full backward pre hook')
def _():
    lin = _set_params(nn.Linear(3, 2).double(), 182)
    seen = []
    _pre_hook(lin, lambda m, go: seen.append(_gl(go)))
    _pre_hook(lin, lambda m, go: (go[0] * T((4, 2), 183),))
    _pre_hook(lin, lambda m, go: seen.append(_gl(go)))
    return fg(lin, T((4, 3), 184, grad=True)) + [lin.weight.grad, lin.bias.grad, seen]


# PyTorch 2.x results that differ from the recording PyTorch (1.13): applied when recording.
def _apply_2x_overrides(results):
    errs = results['loss errors']
    # F.pad: 2.x checks the padding length in C++ with a longer message
    errs[15] = ['RuntimeError', 'Padding length should be less than or equal to two times the input dimension '
                'but got padding length 6 and input of dimension 2']
    # ModuleList: 2.x writes repeated identical modules once, as '(0-1): 2 x ...'
    reprs = results['attention reprs']
    layer = reprs[2].replace('\n', '\n    ')  # TransformerEncoderLayer(8, 2, 16), indented as in the list
    reprs[4] = ('TransformerEncoder(\n  (layers): ModuleList(\n    (0-1): 2 x ' + layer +
                '\n  )\n  (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n)')
    # Upsample.extra_repr: 2.x quotes the mode (repr instead of str)
    import re
    ups = results['Upsample modules']
    for i, r in enumerate(ups):
        if isinstance(r, str):
            ups[i] = re.sub(r"mode=([\w-]+)\)", r"mode='\1')", r)
    # optimizer options that 2.x added to the param groups (defaults)
    added = {'AdamW': {'differentiable': False}, 'RMSprop': {'capturable': False},
             'Adagrad': {'differentiable': False}, 'Adadelta': {'capturable': False, 'differentiable': False}}
    for name, res in results.items():
        parts = name.split(' ')
        if parts[0] == 'optim' and parts[1] in added and isinstance(res, list):
            for group in res[-1]:
                for k, v in added[parts[1]].items():
                    group.setdefault(k, v)


def _close(a, b, tol=1e-6):
    if isinstance(a, dict) and 'shape' in a and 'v' in a:
        if not (isinstance(b, dict) and a['shape'] == b['shape'] and len(a['v']) == len(b['v'])):
            return False
        return all(_close(x, y, tol) for x, y in zip(a['v'], b['v']))
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool) or isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= tol * (1 + abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    return a == b


# ---------------------------------------------------------------- layer modules: forward and backward
def _module_fg(m, x, seed):
    """Output of module m on x, gradient w.r.t. x and each parameter (weights of the output sum fixed)."""
    m = _set_params(m.double(), seed)
    out = m(x)
    out = out[0] if isinstance(out, tuple) else out
    w = T(out.shape, 999, 0.5, 1.5)
    (out * w).sum().backward()
    return [out, x.grad] + [p.grad for p in m.parameters()]


_LAYERS = {
    'Conv1d': (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 9)),
    'Conv2d': (lambda: nn.Conv2d(3, 4, 3), (2, 3, 6, 5)),
    'Conv2d stride pad dilation': (lambda: nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(1, 2)), (2, 2, 7, 6)),
    'Conv2d same': (lambda: nn.Conv2d(2, 3, 4, padding='same'), (1, 2, 6, 6)),
    'Conv2d groups no bias': (lambda: nn.Conv2d(4, 6, 3, groups=2, bias=False), (2, 4, 5, 5)),
    'Conv2d reflect': (lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode='reflect'), (1, 2, 5, 4)),
    'ConvTranspose2d': (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (2, 3, 4, 3)),
    'ConvTranspose2d groups': (lambda: nn.ConvTranspose2d(4, 4, 2, stride=2, groups=2), (1, 4, 3, 3)),
    'MaxPool2d': (lambda: nn.MaxPool2d(2), (2, 3, 6, 5)),
    'MaxPool2d stride pad ceil': (lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (1, 2, 7, 6)),
    'AvgPool2d': (lambda: nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 6)),
    'AvgPool2d no pad count': (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True), (1, 2, 7, 6)),
    'AdaptiveAvgPool2d': (lambda: nn.AdaptiveAvgPool2d((3, 2)), (2, 2, 7, 5)),
    'MaxPool1d': (lambda: nn.MaxPool1d(3, stride=2), (2, 3, 9)),
    'AvgPool1d': (lambda: nn.AvgPool1d(2), (2, 3, 8)),
    'BatchNorm2d train': (lambda: nn.BatchNorm2d(3), (4, 3, 2, 3)),
    'BatchNorm1d train 3d': (lambda: nn.BatchNorm1d(3), (4, 3, 5)),
    'GroupNorm': (lambda: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
    'LayerNorm 2d shape': (lambda: nn.LayerNorm((3, 4)), (2, 3, 4)),
    'RNN tanh': (lambda: nn.RNN(3, 4), (5, 2, 3)),
    'RNN relu 2 layers': (lambda: nn.RNN(3, 4, num_layers=2, nonlinearity='relu'), (5, 2, 3)),
    'LSTM': (lambda: nn.LSTM(3, 4), (5, 2, 3)),
    'LSTM 2 layers bidirectional batch_first': (lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), (2, 5, 3)),
    'LSTM proj_size': (lambda: nn.LSTM(3, 5, proj_size=2), (4, 2, 3)),
    'GRU': (lambda: nn.GRU(3, 4), (5, 2, 3)),
    'GRU bidirectional': (lambda: nn.GRU(3, 4, bidirectional=True), (4, 2, 3)),
    'LSTMCell': (lambda: nn.LSTMCell(3, 4), (2, 3)),
    'GRUCell': (lambda: nn.GRUCell(3, 4), (2, 3)),
    'RNNCell': (lambda: nn.RNNCell(3, 4), (2, 3)),
}
for _i, (_name, (_make, _shape)) in enumerate(_LAYERS.items()):
    case('layer ' + _name)(lambda _make=_make, _shape=_shape, _i=_i: _module_fg(_make(), T(_shape, 300 + _i, grad=True), 400 + 10 * _i))


@case('layer LSTM with initial state and final state')
def _():
    m = _set_params(nn.LSTM(3, 4, num_layers=2).double(), 500)
    x = T((4, 2, 3), 501, grad=True)
    h0, c0 = T((2, 2, 4), 502, grad=True), T((2, 2, 4), 503, grad=True)
    out, (h, c) = m(x, (h0, c0))
    (out.sum() + (h * 2).sum() + (c * 3).sum()).backward()
    return [out, h, c, x.grad, h0.grad, c0.grad] + [p.grad for p in m.parameters()]


@case('layer BatchNorm2d running stats and eval')
def _():
    m = _set_params(nn.BatchNorm2d(3, momentum=0.3).double(), 510)
    x = T((4, 3, 2, 2), 511)
    m(x)
    m(x * 2 + 1)
    return [m.running_mean, m.running_var, m.num_batches_tracked, m.eval()(x)]


def main():
    record = '--record' in sys.argv
    results = {}
    for name, fn in CASES:
        try:
            results[name] = json.loads(json.dumps(flat(fn())))
        except Exception as e:  # noqa: BLE001
            results[name] = {'crash': f'{type(e).__name__}: {e}'}
    if record:
        _apply_2x_overrides(results)
        with open(GOLDEN, 'w') as f:
            json.dump(results, f, indent=0, sort_keys=True)
        print(f'recorded {len(results)} cases into {GOLDEN}')
        return 0
    with open(GOLDEN) as f:
        golden = json.load(f)
    passed = failed = 0
    for name, _ in CASES:
        exp = golden.get(name)
        got = results[name]
        if exp is not None and _close(got, exp):
            passed += 1
        else:
            failed += 1
            print(f'FAIL {name}\n   got: {json.dumps(got)[:1500]}\n   exp: {json.dumps(exp)[:1500]}')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
