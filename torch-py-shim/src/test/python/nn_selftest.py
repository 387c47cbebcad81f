"""Self-test of the shim's pure-Python torch.nn / torch.optim against real PyTorch.

Run with a CPython that has real PyTorch installed (e.g. Debian's python3-torch):

    /usr/bin/python3 torch-py-shim/src/test/python/nn_selftest.py

The shim's nn/ and optim/ packages are loaded under a private package name (``jtshim``),
so their ``import torch`` resolves to the real torch; their results (reprs, state_dict keys,
error types and messages, loss values and gradients, optimizer trajectories, learning-rate
schedules) are compared with real torch.nn / torch.optim on the same inputs.

Where PyTorch 2.x differs from the installed PyTorch (1.13), the expected 2.x value is
written out in the test and the difference is noted.

Exits 0 when everything passes; prints 'N passed, M failed' as its last line.
"""
import math
import os
import sys
import traceback
import types
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM_TORCH = os.path.normpath(os.path.join(HERE, '..', '..', 'main', 'python', 'torch'))

_pkg = types.ModuleType('jtshim')
_pkg.__path__ = [SHIM_TORCH]
sys.modules['jtshim'] = _pkg

import jtshim.nn as jnn  # noqa: E402
import jtshim.nn.functional as JF  # noqa: E402
import jtshim.nn.init as jinit  # noqa: E402
import jtshim.nn.utils as jutils  # noqa: E402
import jtshim.optim as joptim  # noqa: E402
import jtshim.optim.lr_scheduler as jsched  # noqa: E402

tnn = torch.nn
TF = torch.nn.functional
toptim = torch.optim

# The shim's F.avg_pool2d & co call torch-level ops that jtorch's core provides under these names;
# real PyTorch keeps some of them in torch._C._nn: alias them for the comparison.
if not hasattr(torch, 'avg_pool2d'):
    torch.avg_pool2d = torch._C._nn.avg_pool2d
if not hasattr(torch, 'adaptive_avg_pool2d'):
    torch.adaptive_avg_pool2d = torch._C._nn.adaptive_avg_pool2d
_real_max_pool2d = torch.max_pool2d
_real_max_pool1d = torch.max_pool1d


def _max_pool2d(input, kernel_size, stride, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        return torch._C._nn.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _real_max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def _max_pool1d(input, kernel_size, stride, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        return torch.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _real_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


torch.max_pool2d = _max_pool2d
torch.max_pool1d = _max_pool1d

warnings.simplefilter('ignore')

PASSED = 0
FAILED = 0
FAILURES = []


def check(name, cond, detail=''):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        FAILURES.append(f'{name}: {detail}')


def check_eq(name, got, exp):
    check(name, got == exp, f'\n   got: {got!r}\n   exp: {exp!r}')


def close(a, b, tol=1e-9):
    if isinstance(a, torch.Tensor):
        if a.shape != b.shape:
            return False
        if a.numel() == 0:
            return True
        a = a.detach().double()
        b = b.detach().double()
        both_nan = torch.isnan(a) & torch.isnan(b)
        ok = ((a - b).abs() <= tol + tol * b.abs()) | both_nan | (a == b)
        return bool(ok.all())
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return abs(a - b) <= tol + tol * abs(b)


def check_close(name, a, b, tol=1e-9):
    check(name, close(a, b, tol), f'\n   got: {a!r}\n   exp: {b!r}')


def raises(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None, None


def check_same_error(name, fn_j, fn_t):
    ej = raises(fn_j)
    et = raises(fn_t)
    check(name, ej[0] is not None and ej == et, f'\n   got: {ej}\n   exp: {et}')


def section(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001
        global FAILED
        FAILED += 1
        FAILURES.append(f'{fn.__name__} crashed:\n{traceback.format_exc()}')
    return fn


# --------------------------------------------------------------------------- helpers
def mlp(nn):
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))


class Net:
    """Builds the same custom module class on top of either nn."""

    @staticmethod
    def make(nn):
        class MyNet(nn.Module):
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
        return MyNet


def copy_params(src, dst):
    with torch.no_grad():
        for (n1, p1), (n2, p2) in zip(src.named_parameters(), dst.named_parameters()):
            p2.copy_(p1)


# --------------------------------------------------------------------------- tests: Module
@section
def test_reprs():
    pairs = [
        lambda nn: nn.Linear(2, 16),
        lambda nn: nn.Linear(2, 16, bias=False),
        lambda nn: nn.ReLU(),
        lambda nn: nn.ReLU(inplace=True),
        lambda nn: nn.Dropout(),
        lambda nn: nn.Dropout(p=0.1, inplace=True),
        lambda nn: nn.Embedding(3, 2),
        lambda nn: nn.Embedding(10, 3, padding_idx=1, max_norm=2.0),
        lambda nn: nn.CrossEntropyLoss(),
        lambda nn: nn.MSELoss(),
        lambda nn: nn.NLLLoss(),
        lambda nn: nn.BCEWithLogitsLoss(),
        lambda nn: nn.Identity(),
        lambda nn: nn.Flatten(),
        lambda nn: nn.Unflatten(1, (2, 3)),
        lambda nn: nn.Tanh(),
        lambda nn: nn.Sigmoid(),
        lambda nn: nn.GELU(),
        lambda nn: nn.GELU(approximate='tanh'),
        lambda nn: nn.SiLU(),
        lambda nn: nn.LeakyReLU(),
        lambda nn: nn.LeakyReLU(0.2, inplace=True),
        lambda nn: nn.ELU(),
        lambda nn: nn.Hardtanh(),
        lambda nn: nn.ReLU6(),
        lambda nn: nn.Softmax(dim=1),
        lambda nn: nn.LogSoftmax(dim=-1),
        lambda nn: nn.PReLU(),
        lambda nn: nn.LayerNorm(4),
        lambda nn: nn.LayerNorm((2, 3), elementwise_affine=False),
        lambda nn: nn.BatchNorm1d(8),
        lambda nn: nn.GroupNorm(2, 4),
        lambda nn: nn.Bilinear(2, 3, 4),
        lambda nn: nn.ZeroPad2d(2),
        lambda nn: nn.ConstantPad1d((1, 2), 3.5),
        lambda nn: nn.ReflectionPad1d(1),
        lambda nn: nn.Hardshrink(),
        lambda nn: nn.Softshrink(0.3),
        lambda nn: nn.Threshold(0.1, 20),
        lambda nn: nn.CELU(),
        lambda nn: nn.GLU(),
        lambda nn: mlp(nn),
        lambda nn: nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Linear(1, 2), nn.ReLU())),
        lambda nn: nn.ModuleDict({'x': nn.Linear(1, 1), 'y': nn.ReLU()}),
        lambda nn: Net.make(nn)(),
        lambda nn: nn.ModuleList([nn.Linear(1, 2)]),
        lambda nn: nn.ModuleList([nn.Linear(1, 2), nn.ReLU()]),
    ]
    for i, mk in enumerate(pairs):
        check_eq(f'repr[{i}]', repr(mk(jnn)), repr(mk(tnn)))
    # PyTorch 2.x reprs that differ from 1.13
    check_eq('repr Softplus (2.x float defaults)', repr(jnn.Softplus()), 'Softplus(beta=1.0, threshold=20.0)')
    check_eq('repr ModuleList compressed (2.x)',
             repr(jnn.ModuleList([jnn.Linear(1, 1), jnn.Linear(1, 1), jnn.Linear(1, 1), jnn.ReLU()])),
             'ModuleList(\n  (0-2): 3 x Linear(in_features=1, out_features=1, bias=True)\n  (3): ReLU()\n)')
    check_eq('repr empty ModuleList', repr(jnn.ModuleList()), repr(tnn.ModuleList()))
    p = jnn.Parameter(torch.tensor([1.0, 2.0]))
    # real torch prints a foreign Tensor subclass as 'Parameter(...)'; jtorch's printer must treat
    # torch.nn.Parameter like a plain tensor ('tensor(...)'), as PyTorch's _tensor_str does.
    check_eq('Parameter repr', repr(p).replace('\nParameter(', '\ntensor('), repr(tnn.Parameter(torch.tensor([1.0, 2.0]))))
    check('Parameter is Tensor', isinstance(p, torch.Tensor) and p.requires_grad and p.is_leaf)
    check('Parameter(requires_grad=False)', not jnn.Parameter(torch.ones(1), requires_grad=False).requires_grad)
    check('Parameter() empty', jnn.Parameter().shape == (0,))
    import copy
    q = copy.deepcopy(p)
    check('Parameter deepcopy', isinstance(q, jnn.Parameter) and q is not p and torch.equal(q, p))


@section
def test_init_matches_rng():
    for mk in (lambda nn: nn.Linear(5, 7), lambda nn: nn.Linear(3, 2, bias=False),
               lambda nn: nn.Embedding(6, 3, padding_idx=2), lambda nn: nn.Bilinear(2, 3, 4),
               lambda nn: nn.LayerNorm(5), lambda nn: nn.PReLU(3), lambda nn: nn.BatchNorm1d(3),
               lambda nn: Net.make(nn)()):
        torch.manual_seed(1234)
        a = mk(jnn)
        torch.manual_seed(1234)
        b = mk(tnn)
        sa, sb = a.state_dict(), b.state_dict()
        check_eq(f'init keys {type(a).__name__}', list(sa.keys()), list(sb.keys()))
        for k in sb:
            check(f'init value {type(a).__name__}.{k}', torch.equal(sa[k], sb[k]), f'{sa[k]} vs {sb[k]}')


@section
def test_registration_and_iteration():
    for nn, tag in ((jnn, 'j'), (tnn, 't')):
        pass
    M_j, M_t = Net.make(jnn), Net.make(tnn)
    torch.manual_seed(0)
    a = M_j()
    torch.manual_seed(0)
    b = M_t()
    check_eq('named_parameters', [n for n, _ in a.named_parameters()], [n for n, _ in b.named_parameters()])
    check_eq('named_buffers', [n for n, _ in a.named_buffers()], [n for n, _ in b.named_buffers()])
    check_eq('named_modules', [n for n, _ in a.named_modules()], [n for n, _ in b.named_modules()])
    check_eq('named_children', [n for n, _ in a.named_children()], [n for n, _ in b.named_children()])
    check_eq('state_dict keys', list(a.state_dict().keys()), list(b.state_dict().keys()))
    check_eq('state_dict keep_vars/prefix', list(a.state_dict(prefix='m.', keep_vars=True).keys()),
             list(b.state_dict(prefix='m.', keep_vars=True).keys()))
    sd = a.state_dict()
    check('state_dict detached', all(not v.requires_grad for v in sd.values()))
    check('state_dict keep_vars', a.state_dict(keep_vars=True)['scale'] is a.scale)
    check('state_dict metadata', hasattr(sd, '_metadata') and sd._metadata[''] == {'version': 1}
          and sd._metadata['bn'] == {'version': 2})
    check_eq('parameters count', len(list(a.parameters())), len(list(b.parameters())))
    check_eq('parameters(recurse=False)', len(list(a.parameters(recurse=False))), 1)
    check_eq('buffers', len(list(a.buffers())), len(list(b.buffers())))
    # 1.13 vs 2.x differences in the public Module API are listed explicitly
    only_13 = {'T_destination', 'ipu', 'xpu'}
    only_2x = {'call_super_init', 'register_full_backward_pre_hook', 'register_load_state_dict_pre_hook',
               'register_state_dict_post_hook', 'register_state_dict_pre_hook', 'set_submodule'}
    check_eq('dir', [k for k in dir(a) if not k.startswith('_') and k not in only_2x],
             [k for k in dir(b) if not k.startswith('_') and k not in only_13])

    # tied weights
    for nn in (jnn, tnn):
        l1 = nn.Linear(3, 3)
        l2 = nn.Linear(3, 3)
        l2.weight = l1.weight
        s = nn.Sequential(l1, l2)
        names = [n for n, _ in s.named_parameters()]
        if nn is jnn:
            jn = names
            jn_all = [n for n, _ in s.named_parameters(remove_duplicate=False)]
            jsd = list(s.state_dict().keys())
        else:
            tn = names
            tsd = list(s.state_dict().keys())
    check_eq('tied named_parameters', jn, tn)
    check_eq('tied remove_duplicate=False (2.x)', jn_all, ['0.weight', '0.bias', '1.weight', '1.bias'])
    check_eq('tied state_dict', jsd, tsd)

    # attribute semantics
    m = jnn.Module()
    m.w = jnn.Parameter(torch.ones(2))
    m.register_buffer('b', torch.zeros(2))
    m.sub = jnn.Linear(1, 1)
    m.plain = 3
    check('getattr param', m.w is m._parameters['w'])
    check('getattr buffer', m.b is m._buffers['b'])
    check('getattr module', m.sub is m._modules['sub'])
    check('plain attr', m.__dict__['plain'] == 3)
    m.b = torch.ones(3)
    check('buffer reassign', m._buffers['b'].shape == (3,))
    m.w = None
    check('param set None', 'w' in m._parameters and m._parameters['w'] is None)
    check_eq('state_dict skips None', list(m.state_dict().keys()), ['b', 'sub.weight', 'sub.bias'])
    del m.sub
    check('delattr module', 'sub' not in m._modules)
    check_same_error('no attr', lambda: jnn.Linear(1, 1).foo, lambda: tnn.Linear(1, 1).foo)
    check_same_error('assign tensor to param', lambda: setattr(jnn.Linear(1, 1), 'weight', torch.ones(1)),
                     lambda: setattr(tnn.Linear(1, 1), 'weight', torch.ones(1)))
    check_same_error('assign int to module', lambda: setattr(jnn.Sequential(jnn.ReLU()), '0', 5),
                     lambda: setattr(tnn.Sequential(tnn.ReLU()), '0', 5))
    check_same_error('register_buffer dup', lambda: jnn.Linear(1, 1).register_buffer('weight', torch.ones(1)),
                     lambda: tnn.Linear(1, 1).register_buffer('weight', torch.ones(1)))
    check_same_error('register_buffer dot', lambda: jnn.Linear(1, 1).register_buffer('a.b', torch.ones(1)),
                     lambda: tnn.Linear(1, 1).register_buffer('a.b', torch.ones(1)))
    check_same_error('register_parameter non-param',
                     lambda: jnn.Linear(1, 1).register_parameter('p', torch.ones(1)),
                     lambda: tnn.Linear(1, 1).register_parameter('p', torch.ones(1)))
    check_same_error('add_module non-module', lambda: jnn.Linear(1, 1).add_module('x', 3),
                     lambda: tnn.Linear(1, 1).add_module('x', 3))
    check_same_error('non-leaf param', lambda: jnn.Linear(1, 1).register_parameter(
        'p', jnn.Parameter(torch.ones(1)) * 2) if False else jnn.Module().register_parameter('p', 5),
        lambda: tnn.Module().register_parameter('p', 5))

    class Early(jnn.Module):
        def __init__(self):
            self.x = jnn.Linear(1, 1)

    check_same_error('assign before init', lambda: Early(),
                     lambda: (_ for _ in ()).throw(AttributeError("cannot assign module before Module.__init__() call")))
    check_eq('get_submodule', a.get_submodule('heads.a') is a.heads['a'], True)
    check_eq('get_parameter', a.get_parameter('heads.a.weight') is a.heads['a'].weight, True)
    check_eq('get_buffer', a.get_buffer('bn.running_mean') is a.bn.running_mean, True)
    check_same_error('get_submodule missing', lambda: a.get_submodule('heads.zz'),
                     lambda: b.get_submodule('heads.zz'))


@section
def test_load_state_dict():
    torch.manual_seed(3)
    a = Net.make(jnn)()
    b = Net.make(tnn)()
    r = a.load_state_dict(b.state_dict())
    check_eq('load result repr', repr(r), '<All keys matched successfully>')
    check('load copied values', all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in b.state_dict()))
    sd = b.state_dict()
    sd.pop('ln.bias')
    sd['extra.weight'] = torch.zeros(1)
    check_same_error('load missing/unexpected', lambda: a.load_state_dict(sd), lambda: b.load_state_dict(sd))
    rj = a.load_state_dict(sd, strict=False)
    rt = b.load_state_dict(sd, strict=False)
    check_eq('load strict=False', (rj.missing_keys, rj.unexpected_keys), (rt.missing_keys, rt.unexpected_keys))
    check_eq('load strict=False repr', repr(rj), repr(rt))
    sd2 = tnn.Linear(2, 3).state_dict()
    sd2['weight'] = torch.zeros(4, 2)
    check_same_error('load size mismatch', lambda: jnn.Linear(2, 3).load_state_dict(sd2),
                     lambda: tnn.Linear(2, 3).load_state_dict(sd2))
    check_same_error('load non-tensor', lambda: jnn.Linear(2, 3).load_state_dict({'weight': 1, 'bias': torch.zeros(3)}),
                     lambda: tnn.Linear(2, 3).load_state_dict({'weight': 1, 'bias': torch.zeros(3)}))
    check_same_error('load not mapping', lambda: jnn.Linear(2, 3).load_state_dict([1]),
                     lambda: tnn.Linear(2, 3).load_state_dict([1]))
    # unexpected nested key under a child that exists
    sd3 = tnn.Sequential(tnn.Linear(1, 1)).state_dict()
    sd3['0.foo'] = torch.zeros(1)
    sd3['1.weight'] = torch.zeros(1)
    check_same_error('load nested unexpected', lambda: jnn.Sequential(jnn.Linear(1, 1)).load_state_dict(sd3),
                     lambda: tnn.Sequential(tnn.Linear(1, 1)).load_state_dict(sd3))
    # assign=True (2.x)
    lin = jnn.Linear(2, 3)
    new_w = torch.ones(3, 2)
    lin.load_state_dict({'weight': new_w, 'bias': torch.zeros(3)}, assign=True)
    check('load assign=True', isinstance(lin.weight, jnn.Parameter) and lin.weight.requires_grad
          and torch.equal(lin.weight, new_w))
    # BatchNorm old checkpoint without num_batches_tracked
    bn = jnn.BatchNorm1d(2)
    old = tnn.BatchNorm1d(2).state_dict()
    del old['num_batches_tracked']
    old._metadata = {'': {'version': 1}}
    check_eq('bn old checkpoint', repr(bn.load_state_dict(old)), '<All keys matched successfully>')


@section
def test_modes_and_conversion():
    m = mlp(jnn)
    check('training default', m.training and m[2].training)
    m.eval()
    check('eval', not m.training and not m[2].training)
    m.train()
    check('train', m.training and m[2].training)
    check_same_error('train non-bool', lambda: mlp(jnn).train(1), lambda: mlp(tnn).train(1))
    x = torch.randn(4, 2)
    m(x).sum().backward()
    check('grads set', all(p.grad is not None for p in m.parameters()))
    m.zero_grad()
    check('zero_grad set_to_none (2.x default)', all(p.grad is None for p in m.parameters()))
    m(x).sum().backward()
    m.zero_grad(set_to_none=False)
    check('zero_grad zeros', all(p.grad is not None and float(p.grad.abs().sum()) == 0 for p in m.parameters()))
    w = m[0].weight
    m.double()
    check('double in place', m[0].weight is w and w.dtype == torch.float64 and w.grad.dtype == torch.float64)
    m.float()
    check('float', w.dtype == torch.float32)
    m.to(torch.float64)
    check('to(dtype)', w.dtype == torch.float64)
    m.to('cpu', torch.float32)
    check('to(device, dtype)', w.dtype == torch.float32)
    m.to(torch.zeros(1, dtype=torch.float64))
    check('to(tensor)', w.dtype == torch.float64)
    m.to(device='cpu', dtype=torch.float32)
    check('to kwargs', w.dtype == torch.float32)
    bn = jnn.BatchNorm1d(2).double()
    check('double keeps int buffer', bn.num_batches_tracked.dtype == torch.int64 and bn.running_mean.dtype == torch.float64)
    check_same_error('to int dtype', lambda: jnn.Linear(1, 1).to(torch.int64), lambda: tnn.Linear(1, 1).to(torch.int64))
    m.requires_grad_(False)
    check('requires_grad_', all(not p.requires_grad for p in m.parameters()))
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    check_eq('apply order', seen, ['Linear', 'ReLU', 'Dropout', 'Linear', 'Sequential'])
    r = m.cpu()
    check('cpu returns self', r is m)


@section
def test_hooks():
    lin = jnn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, args, out: out + 1)
    out = lin(torch.ones(1, 2))
    check('pre+post hooks', torch.allclose(out, lin.bias + 1))
    h1.remove()
    h2.remove()
    out = lin(torch.zeros(1, 2))
    check('hooks removed', torch.allclose(out, lin.bias))
    h3 = lin.register_forward_hook(lambda mod, args, kwargs, out: calls.append(('kw', kwargs)), with_kwargs=True)
    h4 = lin.register_forward_hook(lambda mod, args, out: calls.append('first'), prepend=True)
    lin(torch.zeros(1, 2))
    check_eq('hook order/kwargs', calls, ['first', ('kw', {})])
    h3.remove()
    h4.remove()
    with lin.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True):
        o = lin(torch.zeros(1, 2))
    check('pre hook with_kwargs + context manager', torch.allclose(o, lin(torch.ones(1, 2))))
    check('handle removed on exit', len(lin._forward_pre_hooks) == 0 and len(lin._forward_pre_hooks_with_kwargs) == 0)
    check_same_error('forward missing', lambda: jnn.Module()(1), lambda: tnn.Module()(1))
    # full backward hooks: grad_input / grad_output seen and replaced as by PyTorch
    got = []
    for nn in (jnn, tnn):
        torch.manual_seed(0)
        l2 = nn.Linear(3, 2)
        seen = []

        def hk(m, gi, go, seen=seen):
            seen.append([t.clone() for t in gi + go])
            return (gi[0] * 2,)
        h = l2.register_full_backward_hook(hk)
        x = torch.arange(12.).reshape(4, 3).requires_grad_()
        l2(x).pow(2).sum().backward()
        h.remove()
        x2 = x.detach().requires_grad_()
        l2(x2).sum().backward()
        got.append(seen[0] + [x.grad, l2.weight.grad, x2.grad, torch.tensor(float(len(seen)))])
    check('full backward hook', len(got[0]) == len(got[1]) and all(torch.allclose(a, b) for a, b in zip(*got)))
    # full backward pre-hook (PyTorch 2.x): a returned grad_output replaces it
    l3 = jnn.Linear(3, 2)
    x = torch.ones(2, 3, requires_grad=True)
    l3(x).sum().backward()
    g1 = x.grad.clone()
    pre_seen = []
    l3.register_full_backward_pre_hook(lambda m, go: pre_seen.append(go) or (go[0] * 3,))
    x.grad = None
    l3(x).sum().backward()
    check('full backward pre hook', torch.allclose(x.grad, g1 * 3) and len(pre_seen) == 1
          and torch.equal(pre_seen[0][0], torch.ones(2, 2)))


@section
def test_containers():
    for nn in (jnn, tnn):
        s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
        r = []
        r.append(len(s))
        r.append(type(s[1]).__name__)
        r.append(type(s[-1]).__name__)
        r.append(repr(s[1:]))
        s.append(nn.Tanh())
        r.append(repr(s))
        del s[0]
        r.append(repr(s))
        s.insert(1, nn.Sigmoid())
        r.append(repr(s))
        r.append([type(x).__name__ for x in s])
        r.append(raises(lambda: s[10]))
        s2 = s + nn.Sequential(nn.ReLU())
        r.append(repr(s2))
        r.append(repr(s.pop(0)))
        r.append(repr(nn.Sequential(nn.ReLU()) * 2))
        from collections import OrderedDict
        r.append(repr(nn.Sequential(OrderedDict([('a', nn.ReLU()), ('b', nn.Tanh())]))))
        ml = nn.ModuleList([nn.ReLU()])
        ml.append(nn.Tanh())
        ml.extend([nn.Sigmoid()])
        ml.insert(0, nn.Identity())
        r.append([type(x).__name__ for x in ml])
        r.append(len(ml))
        r.append(type(ml[-1]).__name__)
        del ml[1]
        r.append(list(ml._modules.keys()))
        r.append(raises(lambda: ml[7]))
        r.append(raises(lambda: ml.extend(5)))
        md = nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Tanh()})
        md['c'] = nn.Sigmoid()
        r.append(list(md.keys()))
        r.append('a' in md)
        r.append(type(md.pop('b')).__name__)
        r.append(len(md))
        md.update([('z', nn.ReLU())])
        r.append(list(md))
        pl = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(3)])
        r.append(len(pl))
        r.append([n for n, _ in pl.named_parameters()])
        pd = nn.ParameterDict({'b': nn.Parameter(torch.ones(1)), 'a': nn.Parameter(torch.ones(2))})
        r.append(list(pd.keys()))
        r.append([n for n, _ in pd.named_parameters()])
        r.append(repr(pl))
        if nn is jnn:
            rj = r
        else:
            rt = r
    for i, (x, y) in enumerate(zip(rj, rt)):
        check_eq(f'containers[{i}]', x, y)
    x = torch.randn(3, 1)
    torch.manual_seed(0)
    s = jnn.Sequential(jnn.Linear(1, 2), jnn.ReLU())
    torch.manual_seed(0)
    t = tnn.Sequential(tnn.Linear(1, 2), tnn.ReLU())
    check_close('Sequential forward', s(x), t(x))


# --------------------------------------------------------------------------- tests: functional
def _grad_compare(name, fj, ft, inputs, tol=1e-9, nograd=()):
    """Compare values and gradients of fj(*inputs) and ft(*inputs) (inputs float64)."""
    xs_j = [x.detach().clone().requires_grad_(x.is_floating_point() and i not in nograd)
            if isinstance(x, torch.Tensor) else x for i, x in enumerate(inputs)]
    xs_t = [x.detach().clone().requires_grad_(x.is_floating_point() and i not in nograd)
            if isinstance(x, torch.Tensor) else x for i, x in enumerate(inputs)]
    oj = fj(*xs_j)
    ot = ft(*xs_t)
    check_close(name + ' value', oj, ot, tol)
    if oj.requires_grad and tuple(oj.shape) == tuple(ot.shape):
        g = torch.randn_like(ot)
        oj.backward(g)
        ot.backward(g)
        for i, (a, b) in enumerate(zip(xs_j, xs_t)):
            if isinstance(a, torch.Tensor) and a.requires_grad:
                check_close(f'{name} grad[{i}]', a.grad, b.grad, tol)


@section
def test_functional_activations():
    torch.manual_seed(0)
    x = torch.randn(4, 6, dtype=torch.float64) * 3
    x[0, 0] = 50.0
    x[0, 1] = -50.0
    cases = [
        ('relu', lambda F: (lambda t: F.relu(t))),
        ('relu6', lambda F: (lambda t: F.relu6(t))),
        ('elu', lambda F: (lambda t: F.elu(t, 0.7))),
        ('selu', lambda F: (lambda t: F.selu(t))),
        ('celu', lambda F: (lambda t: F.celu(t, 1.3))),
        ('leaky_relu', lambda F: (lambda t: F.leaky_relu(t, 0.2))),
        ('gelu', lambda F: (lambda t: F.gelu(t))),
        ('gelu tanh', lambda F: (lambda t: F.gelu(t, approximate='tanh'))),
        ('silu', lambda F: (lambda t: F.silu(t))),
        ('mish', lambda F: (lambda t: F.mish(t))),
        ('softplus', lambda F: (lambda t: F.softplus(t))),
        ('softplus beta', lambda F: (lambda t: F.softplus(t, beta=2, threshold=5))),
        ('hardtanh', lambda F: (lambda t: F.hardtanh(t, -2., 2.5))),
        ('logsigmoid', lambda F: (lambda t: F.logsigmoid(t))),
        ('softsign', lambda F: (lambda t: F.softsign(t))),
        ('tanhshrink', lambda F: (lambda t: F.tanhshrink(t))),
        ('hardshrink', lambda F: (lambda t: F.hardshrink(t, 0.7))),
        ('softshrink', lambda F: (lambda t: F.softshrink(t, 0.7))),
        ('hardsigmoid', lambda F: (lambda t: F.hardsigmoid(t))),
        ('hardswish', lambda F: (lambda t: F.hardswish(t))),
        ('threshold', lambda F: (lambda t: F.threshold(t, 0.5, -3.0))),
        ('tanh', lambda F: (lambda t: F.tanh(t))),
        ('sigmoid', lambda F: (lambda t: F.sigmoid(t))),
        ('softmax', lambda F: (lambda t: F.softmax(t, dim=1))),
        ('softmax implicit', lambda F: (lambda t: F.softmax(t))),
        ('log_softmax', lambda F: (lambda t: F.log_softmax(t, dim=0))),
        ('softmin', lambda F: (lambda t: F.softmin(t, dim=1))),
        ('glu', lambda F: (lambda t: F.glu(t, dim=1))),
        ('normalize', lambda F: (lambda t: F.normalize(t, dim=1))),
        ('normalize p1', lambda F: (lambda t: F.normalize(t, p=1, dim=0))),
        ('layer_norm', lambda F: (lambda t: F.layer_norm(t, (6,)))),
        ('group_norm', lambda F: (lambda t: F.group_norm(t.reshape(2, 4, 3), 2))),
    ]
    for name, mk in cases:
        # PyTorch 1.13 computes the celu / hardsigmoid backward with float32 constants
        _grad_compare('F.' + name, mk(JF), mk(TF), [x], tol=1e-7 if name in ('celu', 'hardsigmoid') else 1e-9)
    w = torch.randn(3, 6, dtype=torch.float64)
    b = torch.randn(3, dtype=torch.float64)
    _grad_compare('F.linear', JF.linear, TF.linear, [x, w, b])
    _grad_compare('F.linear nobias', lambda a, c: JF.linear(a, c), lambda a, c: TF.linear(a, c), [x, w])
    check_same_error('F.linear mismatch', lambda: JF.linear(x, torch.randn(3, 5, dtype=torch.float64)),
                     lambda: TF.linear(x, torch.randn(3, 5, dtype=torch.float64)))
    _grad_compare('F.prelu', JF.prelu, TF.prelu, [x.reshape(2, 3, 4), torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)])
    wb = torch.randn(5, 6, 4, dtype=torch.float64)
    _grad_compare('F.bilinear', JF.bilinear, TF.bilinear,
                  [x, torch.randn(4, 4, dtype=torch.float64), wb, torch.randn(5, dtype=torch.float64)])
    y = torch.randn(4, 6, dtype=torch.float64)
    _grad_compare('F.cosine_similarity', JF.cosine_similarity, TF.cosine_similarity, [x, y])
    _grad_compare('F.pairwise_distance', JF.pairwise_distance, TF.pairwise_distance, [x, y])
    # layer modules
    for name, mk in (('LayerNorm', lambda nn: nn.LayerNorm(6)), ('GroupNorm', lambda nn: nn.GroupNorm(3, 6)),
                     ('BatchNorm1d', lambda nn: nn.BatchNorm1d(6))):
        mj, mt = mk(jnn).double(), mk(tnn).double()
        copy_params(mt, mj)
        for it in range(2):
            _grad_compare(f'{name} train it{it}', mj, mt, [x])
        check_close(f'{name} buffers', [v for v in mj.state_dict().values()] and torch.cat(
            [v.double().reshape(-1) for v in mj.state_dict().values()]),
            torch.cat([v.double().reshape(-1) for v in mt.state_dict().values()]))
        mj.eval()
        mt.eval()
        _grad_compare(f'{name} eval', mj, mt, [x])
    bj, bt = jnn.BatchNorm2d(3).double(), tnn.BatchNorm2d(3).double()
    x4 = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    _grad_compare('BatchNorm2d', bj, bt, [x4])
    check_close('BatchNorm2d running_var', bj.running_var, bt.running_var)
    check_same_error('BatchNorm1d bad dim', lambda: jnn.BatchNorm1d(3)(x4), lambda: tnn.BatchNorm1d(3)(x4))


@section
def test_functional_misc():
    torch.manual_seed(1)
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    for pad in [(1, 2), (1, 1, 2, 0), (0, 0, 1, 1, 1, 0), (-1, 2), (2, -1, -1, 1)]:
        _grad_compare(f'F.pad constant {pad}', lambda t: JF.pad(t, pad, value=1.5), lambda t: TF.pad(t, pad, value=1.5), [x])
    for mode in ('reflect', 'replicate', 'circular'):
        for pad in [(1, 2), (2, 1, 1, 2)]:
            xx = x if len(pad) == 2 else x.unsqueeze(0)  # 1.13 wants a batched input for 2-D padding
            _grad_compare(f'F.pad {mode} {pad}', lambda t: JF.pad(t, pad, mode=mode), lambda t: TF.pad(t, pad, mode=mode), [xx])
    check_same_error('F.pad odd', lambda: JF.pad(x, (1,)), lambda: TF.pad(x, (1,)))
    check_eq('F.pad too long (2.x message)', raises(lambda: JF.pad(x, (1,) * 8)),
             (RuntimeError, 'Padding length should be less than or equal to two times the input dimension '
                            'but got padding length 8 and input of dimension 3'))
    idx = torch.tensor([[0, 2, 1], [3, 3, 0]])
    check_eq('F.one_hot', JF.one_hot(idx).tolist(), TF.one_hot(idx).tolist())
    check_eq('F.one_hot n', JF.one_hot(idx, 6).tolist(), TF.one_hot(idx, 6).tolist())
    check_eq('F.one_hot dtype', JF.one_hot(idx).dtype, torch.int64)
    check_same_error('F.one_hot small', lambda: JF.one_hot(idx, 3), lambda: TF.one_hot(idx, 3))
    check_same_error('F.one_hot neg', lambda: JF.one_hot(torch.tensor([-1])), lambda: TF.one_hot(torch.tensor([-1])))
    check_same_error('F.one_hot float', lambda: JF.one_hot(torch.tensor([1.0])), lambda: TF.one_hot(torch.tensor([1.0])))
    w = torch.randn(5, 3, dtype=torch.float64)
    _grad_compare('F.embedding', lambda ww: JF.embedding(idx, ww), lambda ww: TF.embedding(idx, ww), [w])
    _grad_compare('F.embedding padding_idx', lambda ww: JF.embedding(idx, ww, padding_idx=3),
                  lambda ww: TF.embedding(idx, ww, padding_idx=3), [w])
    w1, w2 = w.clone() * 3, w.clone() * 3
    oj = JF.embedding(idx, w1, max_norm=1.0)
    ot = TF.embedding(idx, w2, max_norm=1.0)
    check_close('F.embedding max_norm', oj, ot, 1e-6)
    check_close('F.embedding max_norm renorm weight', w1, w2, 1e-6)
    ej = raises(lambda: JF.embedding(torch.tensor([0, 7]), w))
    check('F.embedding out of range IndexError', ej[0] is IndexError, ej)
    emb = jnn.Embedding(4, 2, padding_idx=1)
    check('Embedding padding row zero', float(emb.weight[1].abs().sum()) == 0)
    emb(torch.tensor([1, 2, 1])).sum().backward()
    check('Embedding padding no grad', float(emb.weight.grad[1].abs().sum()) == 0 and float(emb.weight.grad[2].abs().sum()) > 0)
    pre = torch.randn(3, 2)
    e1 = jnn.Embedding.from_pretrained(pre)
    check('Embedding.from_pretrained', torch.equal(e1.weight, pre) and not e1.weight.requires_grad)
    check_eq('Embedding.from_pretrained repr', repr(e1), repr(tnn.Embedding.from_pretrained(pre)))
    # dropout
    d = jnn.Dropout(0.5)
    z = torch.ones(1000, 10)
    torch.manual_seed(0)
    y = d(z)
    frac = float((y == 0).double().mean())
    vals = set(y.unique().tolist())
    check('Dropout train zeroes ~p', 0.45 < frac < 0.55, frac)
    check('Dropout train scale', vals <= {0.0, 2.0}, vals)
    d.eval()
    check('Dropout eval identity', d(z) is z)
    check_same_error('Dropout bad p', lambda: JF.dropout(z, 1.5), lambda: TF.dropout(z, 1.5))
    check_same_error('Dropout module bad p', lambda: jnn.Dropout(-0.1), lambda: tnn.Dropout(-0.1))
    check('Dropout p=1', float(JF.dropout(z, 1.0).abs().sum()) == 0)
    zz = torch.ones(10, 10, requires_grad=True)
    JF.dropout(zz, 0.3).sum().backward()
    gv = zz.grad.unique().tolist()
    check('Dropout grad = mask/(1-p)', len(gv) == 2 and gv[0] == 0.0 and abs(gv[1] - 1 / 0.7) < 1e-6, gv)
    xx = torch.randn(3, 5, 4, 4)
    for name, fj, ft in (('dropout', JF.dropout, TF.dropout), ('dropout2d', JF.dropout2d, TF.dropout2d),
                         ('dropout1d', lambda t, p: JF.dropout1d(t[0], p), lambda t, p: TF.dropout1d(t[0], p))):
        torch.manual_seed(5)
        a_ = fj(xx, 0.3)
        torch.manual_seed(5)
        b_ = ft(xx, 0.3)
        check(f'{name} RNG parity', torch.equal(a_, b_))
    d2 = JF.dropout2d(torch.ones(4, 8, 5, 5), 0.5)
    per_ch = d2.reshape(4, 8, 25)
    check('dropout2d channelwise', bool(((per_ch == 0).all(-1) | (per_ch == 2).all(-1)).all()))
    # Flatten / Unflatten
    t = torch.randn(2, 3, 4)
    check('Flatten', torch.equal(jnn.Flatten()(t), tnn.Flatten()(t)))
    check('Flatten(0,1)', torch.equal(jnn.Flatten(0, 1)(t), tnn.Flatten(0, 1)(t)))
    check('Unflatten', torch.equal(jnn.Unflatten(2, (2, 2))(t), tnn.Unflatten(2, (2, 2))(t)))
    check('Unflatten -1', torch.equal(jnn.Unflatten(-1, (2, -1))(t), tnn.Unflatten(-1, (2, -1))(t)))
    check('Identity', jnn.Identity(3, foo=1)(t) is t)


@section
def test_losses():
    torch.manual_seed(2)
    N, C = 5, 4
    logits = torch.randn(N, C, dtype=torch.float64)
    tgt = torch.tensor([0, 3, 1, 1, 2])
    tgt_ign = torch.tensor([0, -100, 1, 3, -100])
    wt = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
    probs = torch.softmax(torch.randn(N, C, dtype=torch.float64), 1)
    for red in ('mean', 'sum', 'none'):
        _grad_compare(f'cross_entropy {red}', lambda a: JF.cross_entropy(a, tgt, reduction=red),
                      lambda a: TF.cross_entropy(a, tgt, reduction=red), [logits])
        _grad_compare(f'cross_entropy w {red}', lambda a: JF.cross_entropy(a, tgt, weight=wt, reduction=red),
                      lambda a: TF.cross_entropy(a, tgt, weight=wt, reduction=red), [logits])
        _grad_compare(f'cross_entropy ignore {red}', lambda a: JF.cross_entropy(a, tgt_ign, weight=wt, reduction=red),
                      lambda a: TF.cross_entropy(a, tgt_ign, weight=wt, reduction=red), [logits])
        _grad_compare(f'cross_entropy ls {red}', lambda a: JF.cross_entropy(a, tgt, label_smoothing=0.1, reduction=red),
                      lambda a: TF.cross_entropy(a, tgt, label_smoothing=0.1, reduction=red), [logits])
        _grad_compare(f'cross_entropy ls w {red}',
                      lambda a: JF.cross_entropy(a, tgt_ign, weight=wt, label_smoothing=0.2, reduction=red),
                      lambda a: TF.cross_entropy(a, tgt_ign, weight=wt, label_smoothing=0.2, reduction=red), [logits])
        _grad_compare(f'cross_entropy probs {red}', lambda a: JF.cross_entropy(a, probs, reduction=red),
                      lambda a: TF.cross_entropy(a, probs, reduction=red), [logits])
        _grad_compare(f'cross_entropy probs w ls {red}',
                      lambda a: JF.cross_entropy(a, probs, weight=wt, label_smoothing=0.3, reduction=red),
                      lambda a: TF.cross_entropy(a, probs, weight=wt, label_smoothing=0.3, reduction=red), [logits])
        lp = torch.log_softmax(logits, 1)
        _grad_compare(f'nll_loss {red}', lambda a: JF.nll_loss(a, tgt_ign, weight=wt, reduction=red),
                      lambda a: TF.nll_loss(a, tgt_ign, weight=wt, reduction=red), [lp])
        x = torch.randn(3, 4, dtype=torch.float64)
        y = torch.randn(3, 4, dtype=torch.float64)
        for fname in ('mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'soft_margin_loss'):
            _grad_compare(f'{fname} {red}', lambda a, b: getattr(JF, fname)(a, b, reduction=red),
                          lambda a, b: getattr(TF, fname)(a, b, reduction=red), [x, y],
                          nograd=(1,) if fname == 'soft_margin_loss' else ())
        _grad_compare(f'smooth_l1 beta {red}', lambda a, b: JF.smooth_l1_loss(a, b, reduction=red, beta=0.5),
                      lambda a, b: TF.smooth_l1_loss(a, b, reduction=red, beta=0.5), [x, y])
        _grad_compare(f'huber delta {red}', lambda a, b: JF.huber_loss(a, b, reduction=red, delta=0.3),
                      lambda a, b: TF.huber_loss(a, b, reduction=red, delta=0.3), [x, y])
        p = torch.sigmoid(x)
        t01 = (y > 0).double()
        _grad_compare(f'bce {red}', lambda a: JF.binary_cross_entropy(a, t01, reduction=red),
                      lambda a: TF.binary_cross_entropy(a, t01, reduction=red), [p])
        _grad_compare(f'bce w {red}', lambda a: JF.binary_cross_entropy(a, t01, weight=x.abs(), reduction=red),
                      lambda a: TF.binary_cross_entropy(a, t01, weight=x.abs(), reduction=red), [p])
        xl = x * 30
        _grad_compare(f'bce_logits {red}', lambda a: JF.binary_cross_entropy_with_logits(a, torch.sigmoid(y), reduction=red),
                      lambda a: TF.binary_cross_entropy_with_logits(a, torch.sigmoid(y), reduction=red), [xl])
        pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
        _grad_compare(f'bce_logits pw {red}',
                      lambda a: JF.binary_cross_entropy_with_logits(a, t01, weight=x.abs(), pos_weight=pw, reduction=red),
                      lambda a: TF.binary_cross_entropy_with_logits(a, t01, weight=x.abs(), pos_weight=pw, reduction=red), [xl])
        lq = torch.log_softmax(x, 1)
        pt = torch.softmax(y, 1)
        pt[0, 0] = 0.0
        _grad_compare(f'kl_div {red}', lambda a: JF.kl_div(a, pt, reduction=red),
                      lambda a: TF.kl_div(a, pt, reduction=red), [lq])
        _grad_compare(f'kl_div log_target {red}', lambda a: JF.kl_div(a, torch.log_softmax(y, 1), reduction=red, log_target=True),
                      lambda a: TF.kl_div(a, torch.log_softmax(y, 1), reduction=red, log_target=True), [lq])
        _grad_compare(f'poisson_nll {red}', lambda a: JF.poisson_nll_loss(a, y.abs() * 3, reduction=red, full=True),
                      lambda a: TF.poisson_nll_loss(a, y.abs() * 3, reduction=red, full=True), [x])
        sgn = torch.tensor([1., -1., 1.], dtype=torch.float64)
        _grad_compare(f'margin_ranking {red}', lambda a, b: JF.margin_ranking_loss(a[:, 0], b[:, 0], sgn, margin=0.3, reduction=red),
                      lambda a, b: TF.margin_ranking_loss(a[:, 0], b[:, 0], sgn, margin=0.3, reduction=red), [x, y])
        _grad_compare(f'hinge_embedding {red}', lambda a: JF.hinge_embedding_loss(a, torch.sign(y), reduction=red),
                      lambda a: TF.hinge_embedding_loss(a, torch.sign(y), reduction=red), [x])
        _grad_compare(f'cosine_embedding {red}', lambda a, b: JF.cosine_embedding_loss(a, b, sgn, margin=0.1, reduction=red),
                      lambda a, b: TF.cosine_embedding_loss(a, b, sgn, margin=0.1, reduction=red), [x, y])
        _grad_compare(f'multilabel_soft_margin {red}', lambda a: JF.multilabel_soft_margin_loss(a, t01, reduction=red),
                      lambda a: TF.multilabel_soft_margin_loss(a, t01, reduction=red), [x])
        _grad_compare(f'triplet {red}', lambda a, b: JF.triplet_margin_loss(a, b, b.flip(0), reduction=red, swap=True),
                      lambda a, b: TF.triplet_margin_loss(a, b, b.flip(0), reduction=red, swap=True), [x, y])
        var = y.abs() + 0.1
        _grad_compare(f'gaussian_nll {red}', lambda a: JF.gaussian_nll_loss(a, y, var, full=True, reduction=red),
                      lambda a: TF.gaussian_nll_loss(a, y, var, full=True, reduction=red), [x])
    _grad_compare('kl_div batchmean', lambda a: JF.kl_div(a, torch.softmax(logits, 1), reduction='batchmean'),
                  lambda a: TF.kl_div(a, torch.softmax(logits, 1), reduction='batchmean'), [torch.log_softmax(logits, 1)])
    # label smoothing + ignore_index, no weight, mean: PyTorch 2.x divides the smoothing term by the
    # number of non-ignored targets (1.13 divided by all targets), see cross_entropy_loss_label_smoothing.
    a = logits.clone()
    got = JF.cross_entropy(a, tgt_ign, label_smoothing=0.2)
    lp = torch.log_softmax(a, 1)
    keep = tgt_ign != -100
    nll = -lp[keep, tgt_ign[keep]].mean()
    smooth = -lp[keep].sum() / keep.sum()
    check_close('cross_entropy ls ignore mean (2.x formula)', got, 0.8 * nll + smooth * 0.2 / C)
    # higher-dim
    x3 = torch.randn(2, C, 3, 2, dtype=torch.float64)
    t3 = torch.randint(0, C, (2, 3, 2))
    t3[0, 0, 0] = -100
    _grad_compare('cross_entropy 4d', lambda a: JF.cross_entropy(a, t3, weight=wt), lambda a: TF.cross_entropy(a, t3, weight=wt), [x3])
    _grad_compare('cross_entropy 4d none', lambda a: JF.cross_entropy(a, t3, reduction='none'),
                  lambda a: TF.cross_entropy(a, t3, reduction='none'), [x3])
    _grad_compare('cross_entropy 4d ls', lambda a: JF.cross_entropy(a, t3.clamp(min=0), label_smoothing=0.1),
                  lambda a: TF.cross_entropy(a, t3.clamp(min=0), label_smoothing=0.1), [x3])
    _grad_compare('cross_entropy unbatched', lambda a: JF.cross_entropy(a, torch.tensor(2)),
                  lambda a: TF.cross_entropy(a, torch.tensor(2)), [logits[0]])
    _grad_compare('cross_entropy unbatched probs', lambda a: JF.cross_entropy(a, probs[0]),
                  lambda a: TF.cross_entropy(a, probs[0]), [logits[0]])
    check_close('nll all ignored -> nan', JF.nll_loss(logits, torch.full((N,), -100)), TF.nll_loss(logits, torch.full((N,), -100)))
    # modules
    for name, mk, args in (
        ('CrossEntropyLoss', lambda nn: nn.CrossEntropyLoss(weight=wt, ignore_index=1, label_smoothing=0.05), (logits, tgt)),
        ('NLLLoss', lambda nn: nn.NLLLoss(reduction='sum'), (torch.log_softmax(logits, 1), tgt)),
        ('MSELoss', lambda nn: nn.MSELoss(), (logits, logits.flip(0))),
        ('L1Loss', lambda nn: nn.L1Loss(reduction='none'), (logits, logits.flip(0))),
        ('BCELoss', lambda nn: nn.BCELoss(), (torch.sigmoid(logits), (logits > 0).double())),
        ('BCEWithLogitsLoss', lambda nn: nn.BCEWithLogitsLoss(pos_weight=wt), (logits, (logits > 0).double())),
        ('SmoothL1Loss', lambda nn: nn.SmoothL1Loss(beta=0.5), (logits, logits.flip(0))),
        ('HuberLoss', lambda nn: nn.HuberLoss(delta=2.0), (logits, logits.flip(0))),
        ('KLDivLoss', lambda nn: nn.KLDivLoss(reduction='batchmean'), (torch.log_softmax(logits, 1), probs)),
        ('MSELoss legacy', lambda nn: nn.MSELoss(size_average=False), (logits, logits.flip(0))),
    ):
        mj, mt = mk(jnn), mk(tnn)
        check_eq(f'{name} repr', repr(mj), repr(mt))
        check_close(f'{name} value', mj(*args), mt(*args))
        check_eq(f'{name} state_dict', list(mj.state_dict().keys()), list(mt.state_dict().keys()))
    # errors
    x = torch.randn(3, 4)
    errs = [
        ('nll target oob', lambda F: F.nll_loss(x, torch.tensor([0, 1, 5]))),
        ('nll target neg', lambda F: F.nll_loss(x, torch.tensor([0, 1, -2]))),
        ('nll batch mismatch', lambda F: F.nll_loss(x, torch.tensor([0, 1]))),
        ('ce target oob', lambda F: F.cross_entropy(x, torch.tensor([0, 1, 5]))),
        ('nll 2d target', lambda F: F.nll_loss(x, torch.tensor([[0, 1, 2]]))),
        ('nll multi-target', lambda F: F.nll_loss(x, torch.tensor([[0, 1], [1, 1], [2, 2]]))),
        ('nll 3d target shape', lambda F: F.nll_loss(x.unsqueeze(2), torch.tensor([0, 1, 2]))),
        ('ce float target', lambda F: F.cross_entropy(x, torch.tensor([0., 1, 2]))),
        ('nll weight size', lambda F: F.nll_loss(x, torch.tensor([0, 1, 2]), weight=torch.ones(3))),
        ('nll 4d oob', lambda F: F.nll_loss(torch.randn(2, 3, 4), torch.tensor([[0, 1, 2, 9], [0, 0, 0, 0]]))),
        ('bce range', lambda F: F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0., 1]))),
        ('bce size', lambda F: F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0., 1, 1]))),
        ('bce_logits size', lambda F: F.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.tensor([0., 1, 1]))),
        ('reduction invalid', lambda F: F.mse_loss(x, x, reduction='foo')),
        ('ce ls range', lambda F: F.cross_entropy(x, torch.tensor([0, 1, 2]), label_smoothing=1.5)),
        ('layer_norm shape', lambda F: F.layer_norm(x, (5,))),
        ('group_norm groups', lambda F: F.group_norm(torch.ones(2, 3, 4), 2)),
        ('batch_norm one value', lambda F: F.batch_norm(torch.ones(1, 3), None, None, training=True)),
    ]
    for name, fn in errs:
        check_same_error(name, lambda: fn(JF), lambda: fn(TF))
    with warnings.catch_warnings(record=True) as wj:
        warnings.simplefilter('always')
        JF.mse_loss(torch.ones(3, 1), torch.ones(3))
    with warnings.catch_warnings(record=True) as wt_:
        warnings.simplefilter('always')
        TF.mse_loss(torch.ones(3, 1), torch.ones(3))
    check_eq('mse size warning', [str(w.message) for w in wj], [str(w.message) for w in wt_])


# --------------------------------------------------------------------------- tests: conv / pool / rnn
@section
def test_conv_pool_rnn():
    mods = [
        lambda nn: nn.Conv2d(1, 32, kernel_size=3),
        lambda nn: nn.Conv2d(3, 4, 3, padding=1),
        lambda nn: nn.Conv2d(1, 2, kernel_size=3, stride=2),
        lambda nn: nn.Conv2d(4, 4, (3, 5), stride=(2, 1), padding=(1, 2), dilation=2, groups=2, bias=False),
        lambda nn: nn.Conv2d(2, 3, 3, padding='same', padding_mode='reflect'),
        lambda nn: nn.Conv1d(2, 4, 5, padding=2, padding_mode='circular'),
        lambda nn: nn.Conv1d(2, 4, 3, padding='valid'),
        lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
        lambda nn: nn.ConvTranspose1d(4, 2, 4, stride=2, groups=2),
        lambda nn: nn.MaxPool2d(2),
        lambda nn: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        lambda nn: nn.MaxPool1d(2),
        lambda nn: nn.AvgPool2d(2),
        lambda nn: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        lambda nn: nn.AvgPool1d(3, stride=2),
        lambda nn: nn.AdaptiveAvgPool2d((2, 3)),
        lambda nn: nn.AdaptiveAvgPool2d(1),
        lambda nn: nn.AdaptiveAvgPool1d(3),
        lambda nn: nn.LSTM(4, 8, num_layers=2),
        lambda nn: nn.LSTM(4, 8, batch_first=True, bidirectional=True),
        lambda nn: nn.GRU(4, 6, 2, dropout=0.0, bias=False),
        lambda nn: nn.RNN(4, 6, nonlinearity='relu', bidirectional=True),
        lambda nn: nn.RNN(4, 6, 2, nonlinearity='relu'),
        lambda nn: nn.LSTMCell(4, 5),
        lambda nn: nn.GRUCell(4, 5, bias=False),
        lambda nn: nn.RNNCell(4, 5, nonlinearity='relu'),
    ]
    for i, mk in enumerate(mods):
        torch.manual_seed(21)
        a = mk(jnn)
        torch.manual_seed(21)
        b = mk(tnn)
        check_eq(f'conv/pool/rnn repr[{i}]', repr(a), repr(b))
        sa, sb = a.state_dict(), b.state_dict()
        check_eq(f'conv/pool/rnn keys[{i}]', list(sa.keys()), list(sb.keys()))
        check(f'conv/pool/rnn init[{i}]', all(torch.equal(sa[k], sb[k]) for k in sb))
    # forward / backward
    x2 = torch.randn(2, 4, 9, 8, dtype=torch.float64)
    x1 = torch.randn(2, 4, 11, dtype=torch.float64)
    fwd = [
        (lambda nn: nn.Conv2d(4, 6, 3), x2), (lambda nn: nn.Conv2d(4, 4, (3, 5), stride=(2, 1), padding=(1, 2),
                                                                   dilation=2, groups=2, bias=False), x2),
        (lambda nn: nn.Conv2d(4, 3, 3, padding='same', padding_mode='reflect'), x2),
        (lambda nn: nn.Conv2d(4, 3, 3, padding=1, padding_mode='circular'), x2),
        (lambda nn: nn.Conv1d(4, 2, 5, padding=2, padding_mode='replicate'), x1),
        (lambda nn: nn.Conv1d(4, 2, 3, stride=2), x1),
        (lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), x2),
        (lambda nn: nn.ConvTranspose1d(4, 2, 4, stride=2, groups=2), x1),
        (lambda nn: nn.MaxPool2d(2), x2), (lambda nn: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), x2),
        (lambda nn: nn.MaxPool1d(3, 2), x1), (lambda nn: nn.AvgPool2d(2), x2),
        (lambda nn: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), x2),
        (lambda nn: nn.AvgPool1d(3, stride=2), x1), (lambda nn: nn.AdaptiveAvgPool2d((2, 3)), x2),
        (lambda nn: nn.AdaptiveAvgPool2d((None, 3)), x2), (lambda nn: nn.AdaptiveAvgPool1d(4), x1),
    ]
    for i, (mk, x) in enumerate(fwd):
        mj, mt = mk(jnn).double(), mk(tnn).double()
        copy_params(mt, mj)
        try:
            _grad_compare(f'conv/pool fwd[{i}] {type(mj).__name__}', mj, mt, [x], 1e-9)
        except Exception as e:  # noqa: BLE001
            check(f'conv/pool fwd[{i}] {mj!r}', False, f'{type(e).__name__}: {e}')
            continue
        if list(mj.parameters()) and tuple(mj(x).shape) == tuple(mt(x).shape):
            oj, ot = mj(x), mt(x)
            oj.sum().backward()
            ot.sum().backward()
            for (n, pj), pt in zip(mj.named_parameters(), mt.parameters()):
                check_close(f'conv/pool fwd[{i}] grad {n}', pj.grad, pt.grad)
    o, idx = jnn.MaxPool2d(2, return_indices=True)(x2)
    ot, idxt = tnn.MaxPool2d(2, return_indices=True)(x2)
    check('MaxPool2d return_indices', torch.equal(o, ot) and torch.equal(idx, idxt))
    ct_j, ct_t = jnn.ConvTranspose2d(4, 2, 3, stride=2).double(), tnn.ConvTranspose2d(4, 2, 3, stride=2).double()
    copy_params(ct_t, ct_j)
    check_close('ConvTranspose2d output_size', ct_j(x2, output_size=[20, 18]), ct_t(x2, output_size=[20, 18]))
    check_same_error('ConvTranspose2d bad output_size', lambda: ct_j(x2, output_size=[30, 30]),
                     lambda: ct_t(x2, output_size=[30, 30]))
    check_same_error('Conv2d bad groups', lambda: jnn.Conv2d(3, 4, 3, groups=2), lambda: tnn.Conv2d(3, 4, 3, groups=2))
    check_same_error('Conv2d bad padding str', lambda: jnn.Conv2d(3, 4, 3, padding='foo'),
                     lambda: tnn.Conv2d(3, 4, 3, padding='foo'))
    check_same_error('Conv2d same+stride', lambda: jnn.Conv2d(3, 4, 3, padding='same', stride=2),
                     lambda: tnn.Conv2d(3, 4, 3, padding='same', stride=2))
    # recurrent
    seq = torch.randn(5, 3, 4, dtype=torch.float64)
    rnns = [
        (lambda nn: nn.LSTM(4, 8, num_layers=2), seq, None),
        (lambda nn: nn.LSTM(4, 8, batch_first=True, bidirectional=True), seq, None),
        (lambda nn: nn.LSTM(4, 6), seq, (torch.randn(1, 3, 6, dtype=torch.float64), torch.randn(1, 3, 6, dtype=torch.float64))),
        (lambda nn: nn.LSTM(4, 6, 2, bidirectional=True), seq[:, 0], None),
        (lambda nn: nn.GRU(4, 6, 2, bias=False), seq, torch.randn(2, 3, 6, dtype=torch.float64)),
        (lambda nn: nn.GRU(4, 6, bidirectional=True, batch_first=True), seq, None),
        (lambda nn: nn.RNN(4, 6, nonlinearity='relu', bidirectional=True), seq, None),
        (lambda nn: nn.RNN(4, 6, 3), seq, None),
        (lambda nn: nn.RNN(4, 6), seq[:, 0], torch.randn(1, 6, dtype=torch.float64)),
    ]
    for i, (mk, x, hx) in enumerate(rnns):
        mj, mt = mk(jnn).double(), mk(tnn).double()
        copy_params(mt, mj)
        oj, hj = mj(x, hx)
        ot, ht = mt(x, hx)
        check_close(f'rnn[{i}] {type(mj).__name__} output', oj, ot)
        hj = hj if isinstance(hj, tuple) else (hj,)
        ht = ht if isinstance(ht, tuple) else (ht,)
        for k, (a, b) in enumerate(zip(hj, ht)):
            check_close(f'rnn[{i}] {type(mj).__name__} hidden[{k}]', a, b)
        (oj.sum() + sum(h.sum() for h in hj)).backward()
        (ot.sum() + sum(h.sum() for h in ht)).backward()
        for (n, pj), pt in zip(mj.named_parameters(), mt.parameters()):
            check_close(f'rnn[{i}] {type(mj).__name__} grad {n}', pj.grad, pt.grad)
    cells = [(lambda nn: nn.LSTMCell(4, 5), seq[0], None), (lambda nn: nn.GRUCell(4, 5, bias=False), seq[0], None),
             (lambda nn: nn.RNNCell(4, 5, nonlinearity='relu'), seq[0, 0], torch.randn(5, dtype=torch.float64)),
             (lambda nn: nn.LSTMCell(4, 5), seq[0, 0], None)]
    for i, (mk, x, hx) in enumerate(cells):
        mj, mt = mk(jnn).double(), mk(tnn).double()
        copy_params(mt, mj)
        oj, ot = mj(x, hx), mt(x, hx)
        oj = oj if isinstance(oj, tuple) else (oj,)
        ot = ot if isinstance(ot, tuple) else (ot,)
        for k, (a, b) in enumerate(zip(oj, ot)):
            check_close(f'cell[{i}] {type(mj).__name__} out[{k}]', a, b)
    check_same_error('LSTM bad input size', lambda: jnn.LSTM(3, 4)(seq), lambda: tnn.LSTM(3, 4)(seq))
    check_same_error('LSTM bad hidden', lambda: jnn.LSTM(4, 4).double()(seq, (torch.zeros(2, 3, 4, dtype=torch.float64),) * 2),
                     lambda: tnn.LSTM(4, 4).double()(seq, (torch.zeros(2, 3, 4, dtype=torch.float64),) * 2))
    check_same_error('RNN bad nonlinearity', lambda: jnn.RNN(4, 4, nonlinearity='x'), lambda: tnn.RNN(4, 4, nonlinearity='x'))


# --------------------------------------------------------------------------- tests: init / utils
@section
def test_init():
    for nl, p in (('linear', None), ('sigmoid', None), ('tanh', None), ('relu', None), ('leaky_relu', None),
                  ('leaky_relu', 0.2), ('selu', None), ('conv2d', None)):
        check_eq(f'calculate_gain {nl}', jinit.calculate_gain(nl, p), tnn.init.calculate_gain(nl, p))
    check_same_error('calculate_gain bad', lambda: jinit.calculate_gain('foo'), lambda: tnn.init.calculate_gain('foo'))
    check_same_error('calculate_gain bad param', lambda: jinit.calculate_gain('leaky_relu', True),
                     lambda: tnn.init.calculate_gain('leaky_relu', True))
    for shape in ((3, 4), (5, 2, 3, 3)):
        t = torch.empty(shape)
        check_eq(f'fan {shape}', jinit._calculate_fan_in_and_fan_out(t), tnn.init._calculate_fan_in_and_fan_out(t))
    check_same_error('fan 1d', lambda: jinit._calculate_fan_in_and_fan_out(torch.empty(3)),
                     lambda: tnn.init._calculate_fan_in_and_fan_out(torch.empty(3)))
    fns = [
        ('uniform_', lambda I, t: I.uniform_(t, -2, 3)),
        ('normal_', lambda I, t: I.normal_(t, 1.0, 0.5)),
        ('constant_', lambda I, t: I.constant_(t, 0.25)),
        ('ones_', lambda I, t: I.ones_(t)),
        ('zeros_', lambda I, t: I.zeros_(t)),
        ('eye_', lambda I, t: I.eye_(t)),
        ('xavier_uniform_', lambda I, t: I.xavier_uniform_(t, gain=2.0)),
        ('xavier_normal_', lambda I, t: I.xavier_normal_(t)),
        ('kaiming_uniform_', lambda I, t: I.kaiming_uniform_(t, a=math.sqrt(5))),
        ('kaiming_uniform_ fan_out relu', lambda I, t: I.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu')),
        ('kaiming_normal_', lambda I, t: I.kaiming_normal_(t)),
    ]
    for name, fn in fns:
        a = torch.empty(6, 5, requires_grad=True)
        b = torch.empty(6, 5, requires_grad=True)
        torch.manual_seed(7)
        ra = fn(jinit, a)
        torch.manual_seed(7)
        fn(tnn.init, b)
        check(f'init {name}', ra is a and torch.equal(a, b) and a.grad_fn is None)
    check_same_error('kaiming bad mode', lambda: jinit.kaiming_uniform_(torch.empty(2, 2), mode='x'),
                     lambda: tnn.init.kaiming_uniform_(torch.empty(2, 2), mode='x'))
    t = torch.empty(200, 200)
    torch.manual_seed(0)
    jinit.trunc_normal_(t, mean=0.5, std=1.0, a=-1.0, b=1.5)
    check('trunc_normal_ bounds', float(t.min()) >= -1.0 and float(t.max()) <= 1.5)
    ref = torch.empty(200, 200)
    tnn.init.trunc_normal_(ref, mean=0.5, std=1.0, a=-1.0, b=1.5)
    a_ = torch.empty(50, 40)
    b_ = torch.empty(50, 40)
    torch.manual_seed(9)
    jinit.trunc_normal_(a_, mean=0.2, std=0.5, a=-0.3, b=1.0)
    torch.manual_seed(9)
    tnn.init.trunc_normal_(b_, mean=0.2, std=0.5, a=-0.3, b=1.0)
    check('trunc_normal_ RNG parity (with erfinv_)', torch.equal(a_, b_))
    check('trunc_normal_ mean/std like PyTorch', abs(float(t.mean()) - float(ref.mean())) < 0.02
          and abs(float(t.std()) - float(ref.std())) < 0.02, (float(t.mean()), float(ref.mean()), float(t.std()), float(ref.std())))


@section
def test_interpolate():
    torch.manual_seed(0)
    configs = []
    for shape, modes in (((2, 3, 5), ('nearest', 'nearest-exact', 'linear', 'area')),
                         ((1, 2, 4, 5), ('nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area')),
                         ((1, 2, 3, 2, 4), ('nearest', 'nearest-exact', 'trilinear'))):
        nd = len(shape) - 2
        for mode in modes:
            for size in ((7, 9, 6)[:nd], (3, 2, 2)[:nd], tuple(shape[2:])):
                for ac in ((None,) if mode in ('nearest', 'nearest-exact', 'area') else (False, True)):
                    configs.append((shape, dict(size=size, mode=mode, align_corners=ac)))
            # (no scale factor here keeps a size unchanged: there PyTorch's nearest backward kernel
            # indexes differently from its generic forward kernel)
            for sf in (2, 1.7, 0.6, (2.5, 1.6, 0.75)[:nd]):
                for rc in (None, True):
                    if mode == 'area' and rc is None:
                        continue
                    for ac in ((None,) if mode in ('nearest', 'nearest-exact', 'area') else (False, True)):
                        configs.append((shape, dict(scale_factor=sf, mode=mode, align_corners=ac,
                                                    recompute_scale_factor=rc)))
    for shape, kw in configs:
        x = torch.randn(shape, dtype=torch.float64)
        _grad_compare(f'interpolate {shape} {kw}', lambda t: JF.interpolate(t, **kw),
                      lambda t: TF.interpolate(t, **kw), [x])
    x = torch.randn(1, 3, 6, 7)
    for kw in (dict(scale_factor=1.37), dict(size=(11, 5), mode='bilinear'),
               dict(scale_factor=0.77, mode='bicubic', align_corners=True), dict(size=(13, 4), mode='nearest-exact')):
        check_close(f'interpolate float32 {kw}', JF.interpolate(x, **kw), TF.interpolate(x, **kw), 1e-5)
    for m in ('Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d'):
        check_close(f'{m}', getattr(jnn, m)(scale_factor=2)(x), getattr(tnn, m)(scale_factor=2)(x), 1e-6)


@section
def test_attention():
    torch.manual_seed(0)
    D = torch.float64
    for kw in (dict(), dict(batch_first=True), dict(kdim=3, vdim=5), dict(bias=False), dict(add_bias_kv=True),
               dict(add_zero_attn=True), dict(add_bias_kv=True, add_zero_attn=True, batch_first=True)):
        torch.manual_seed(1)
        mj = jnn.MultiheadAttention(8, 4, **kw).double()
        torch.manual_seed(1)
        mt = tnn.MultiheadAttention(8, 4, **kw).double()
        check_eq(f'MHA params {kw}', [n for n, _ in mj.named_parameters()], [n for n, _ in mt.named_parameters()])
        check('MHA init stream', all(torch.equal(a, b) for a, b in zip(mj.parameters(), mt.parameters())))
        bf = kw.get('batch_first', False)
        L, S, N = 4, 6, 3
        q = torch.randn((N, L, 8) if bf else (L, N, 8), dtype=D)
        k = torch.randn((N, S, kw.get('kdim', 8)) if bf else (S, N, kw.get('kdim', 8)), dtype=D)
        v = torch.randn((N, S, kw.get('vdim', 8)) if bf else (S, N, kw.get('vdim', 8)), dtype=D)
        extra = int(kw.get('add_bias_kv', False)) + int(kw.get('add_zero_attn', False))
        kpm = torch.rand(N, S) < 0.3
        kpm[:, 0] = False
        masks = [dict(), dict(key_padding_mask=kpm), dict(attn_mask=torch.randn(L, S, dtype=D)),
                 dict(attn_mask=torch.rand(N * 4, L, S) < 0.3, key_padding_mask=kpm),
                 # (a float key_padding_mask merged into a float attn_mask: 2.x only; 1.13 raises)
                 dict(key_padding_mask=torch.randn(N, S, dtype=D)),
                 dict(need_weights=False, key_padding_mask=kpm), dict(average_attn_weights=False)]
        for mk in masks:
            if 'attn_mask' in mk and mk['attn_mask'].dtype == torch.bool:
                mk['attn_mask'][..., 0] = False
            name = f'MHA {kw} {sorted(mk)}'
            oj = mj(q, k, v, **mk)
            ot = mt(q, k, v, **mk)
            check_close(name + ' out', oj[0], ot[0])
            if ot[1] is None:
                check(name + ' no weights', oj[1] is None)
            else:
                check_close(name + ' weights', oj[1], ot[1])
            if extra == 0 and 'need_weights' not in mk:
                g = torch.randn_like(ot[0])
                (oj[0] * g).sum().backward()
                (ot[0] * g).sum().backward()
                check('MHA grads ' + name, all(close(a.grad, b.grad) for a, b in zip(mj.parameters(), mt.parameters())))
                mj.zero_grad()
                mt.zero_grad()

    for kw in (dict(), dict(activation='gelu', norm_first=True), dict(batch_first=True, layer_norm_eps=1e-3)):
        torch.manual_seed(2)
        lj = jnn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw).double()
        torch.manual_seed(2)
        lt = tnn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw).double()
        check('encoder layer init stream', all(torch.equal(a, b) for a, b in zip(lj.parameters(), lt.parameters())))
        ej = jnn.TransformerEncoder(lj, 2, norm=jnn.LayerNorm(8).double())
        et = tnn.TransformerEncoder(lt, 2, norm=tnn.LayerNorm(8).double())
        x = torch.randn((3, 5, 8) if kw.get('batch_first') else (5, 3, 8), dtype=D)
        mask = torch.triu(torch.full((5, 5), float('-inf'), dtype=D), 1)
        kpm = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])
        _grad_compare(f'TransformerEncoder {kw}', lambda t: ej(t, mask=mask, src_key_padding_mask=kpm),
                      lambda t: et(t, mask=mask, src_key_padding_mask=kpm), [x])
        dj = jnn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw).double()
        dt = tnn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw).double()
        copy_params(dt, dj)
        t = torch.randn((3, 4, 8) if kw.get('batch_first') else (4, 3, 8), dtype=D)
        _grad_compare(f'TransformerDecoderLayer {kw}', lambda a, b: dj(a, b, tgt_mask=mask[:4, :4]),
                      lambda a, b: dt(a, b, tgt_mask=mask[:4, :4]), [t, x])

    for shape in ((3, 5), (5, 3), (4, 2, 3), (7, 7)):
        torch.manual_seed(3)
        a = jinit.orthogonal_(torch.empty(shape, dtype=D))
        torch.manual_seed(3)
        b = tnn.init.orthogonal_(torch.empty(shape, dtype=D))
        check_close(f'orthogonal_ {shape}', a, b, 1e-10)
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 3, 3, 3), 1)):
        check_close(f'dirac_ {shape}', jinit.dirac_(torch.empty(shape), groups), tnn.init.dirac_(torch.empty(shape), groups))


@section
def test_clip_and_vectors():
    torch.manual_seed(5)
    for norm_type in (2.0, 1.0, 3.0, math.inf):
        for max_norm in (0.5, 100.0):
            ps_j = [torch.randn(3, 4, requires_grad=True), torch.randn(5, requires_grad=True),
                    torch.randn(2, requires_grad=True)]
            ps_t = [p.detach().clone().requires_grad_() for p in ps_j]
            for pj, pt in zip(ps_j[:2], ps_t[:2]):
                g = torch.randn_like(pj)
                pj.grad = g.clone()
                pt.grad = g.clone()
            nj = jutils.clip_grad_norm_(ps_j, max_norm, norm_type)
            nt = tnn.utils.clip_grad_norm_(ps_t, max_norm, norm_type)
            check_close(f'clip_grad_norm_ total {norm_type} {max_norm}', nj, nt, 1e-6)
            for i in range(2):
                check_close(f'clip_grad_norm_ grad {norm_type} {max_norm} {i}', ps_j[i].grad, ps_t[i].grad, 1e-6)
    check_close('clip_grad_norm_ no grads', jutils.clip_grad_norm_([torch.zeros(1, requires_grad=True)], 1.0),
                torch.tensor(0.))
    p = torch.zeros(3, requires_grad=True)
    p.grad = torch.tensor([float('inf'), 1., 2.])
    check_same_error('clip_grad_norm_ nonfinite', lambda: jutils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True),
                     lambda: tnn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True))
    p = torch.zeros(4, requires_grad=True)
    p.grad = torch.tensor([-3., -0.5, 0.2, 5.])
    jutils.clip_grad_value_(p, 1.0)
    check_close('clip_grad_value_', p.grad, torch.tensor([-1.0, -0.5, 0.2, 1.0]))
    m = tnn.Linear(3, 2)
    v = jutils.parameters_to_vector(m.parameters())
    check('parameters_to_vector', torch.equal(v, tnn.utils.parameters_to_vector(m.parameters())))
    jutils.vector_to_parameters(torch.arange(8.), m.parameters())
    check_eq('vector_to_parameters', m.weight.tolist() + [m.bias.tolist()], [[0., 1., 2.], [3., 4., 5.], [6., 7.]])
    check_same_error('vector_to_parameters type', lambda: jutils.vector_to_parameters([1], m.parameters()),
                     lambda: tnn.utils.vector_to_parameters([1], m.parameters()))


# --------------------------------------------------------------------------- tests: optim
def _problem(seed=0):
    torch.manual_seed(seed)
    model = tnn.Sequential(tnn.Linear(3, 5), tnn.Tanh(), tnn.Linear(5, 2)).double()
    x = torch.randn(16, 3, dtype=torch.float64)
    y = torch.randn(16, 2, dtype=torch.float64)
    return model, x, y


def _run_opt(opt_cls_j, opt_cls_t, kwargs, steps=25, groups=False):
    import copy
    base, x, y = _problem()
    mj = copy.deepcopy(base)
    mt = copy.deepcopy(base)

    def params(m):
        if groups:
            return [{'params': m[0].parameters()}, {'params': m[2].parameters(), 'lr': 0.05}]
        return m.parameters()
    oj = opt_cls_j(params(mj), **kwargs)
    ot = opt_cls_t(params(mt), **kwargs)
    for _ in range(steps):
        for m, o in ((mj, oj), (mt, ot)):
            o.zero_grad()
            loss = ((m(x) - y) ** 2).mean()
            loss.backward()
            o.step()
    return mj, mt, oj, ot


@section
def test_optimizers():
    configs = [
        ('SGD', dict(lr=0.1)),
        ('SGD', dict(lr=0.1, momentum=0.9)),
        ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
        ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ('SGD', dict(lr=0.05, momentum=0.5, maximize=True)),
        ('Adam', dict(lr=0.01)),
        ('Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ('Adam', dict(lr=0.01, amsgrad=True)),
        ('Adam', dict(lr=0.01, maximize=True, weight_decay=0.01)),
        ('AdamW', dict(lr=0.01)),
        ('AdamW', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
        ('RMSprop', dict(lr=0.01)),
        ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
        ('RMSprop', dict(lr=0.01, alpha=0.9, centered=True)),
        ('Adagrad', dict(lr=0.1)),
        ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
        ('Adadelta', dict()),
        ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.01)),
    ]
    for name, kw in configs:
        for groups in (False, True):
            tag = f'{name}{kw}{" groups" if groups else ""}'
            try:
                mj, mt, oj, ot = _run_opt(getattr(joptim, name), getattr(toptim, name), kw, groups=groups)
            except Exception:  # noqa: BLE001
                check(tag, False, traceback.format_exc())
                continue
            ok = all(close(a, b, 1e-10) for a, b in zip(mj.parameters(), mt.parameters()))
            check(f'trajectory {tag}', ok, [(a - b).abs().max().item() for a, b in zip(mj.parameters(), mt.parameters())])
            sj, st = oj.state_dict(), ot.state_dict()
            check_eq(f'state keys {tag}', {k: sorted(v.keys()) for k, v in sj['state'].items()},
                     {k: sorted(v.keys()) for k, v in st['state'].items() if not (name == 'SGD' and v.get('momentum_buffer', 0) is None)})
            # 'fused' defaults to None in 2.x (False in 1.13)
            common = [{k: v for k, v in g.items() if k in gt and k != 'fused'} for g, gt in zip(sj['param_groups'], st['param_groups'])]
            check_eq(f'param_groups {tag}', common, [{k: v for k, v in g.items() if k != 'fused'} for g in st['param_groups']])
            for k in st['state']:
                for kk, vv in st['state'][k].items():
                    if isinstance(vv, torch.Tensor):
                        check(f'state value {tag} {k}.{kk}', close(sj['state'][k][kk], vv, 1e-10))
            # load_state_dict round trip: a fresh optimizer loading the state continues identically
            import copy
            oj2 = getattr(joptim, name)(mj.parameters(), **kw) if not groups else \
                getattr(joptim, name)([{'params': mj[0].parameters()}, {'params': mj[2].parameters(), 'lr': 0.05}], **kw)
            oj2.load_state_dict(copy.deepcopy(sj))
            check_eq(f'load_state_dict roundtrip {tag}', repr(oj2), repr(oj))
            check(f'load_state_dict state {tag}', all(
                all(close(oj2.state[p][kk], oj.state[p][kk], 0) if isinstance(oj.state[p][kk], torch.Tensor)
                    else oj2.state[p][kk] == oj.state[p][kk] for kk in oj.state[p])
                for g in oj.param_groups for p in g['params'] if p in oj.state))
    # repr / errors / misc
    m = tnn.Linear(2, 2)
    oj = joptim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    check_eq('SGD repr (2.x keys)', repr(oj),
             'SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n'
             '    fused: None\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n'
             '    weight_decay: 0\n)')
    for name, kw in (('SGD', dict(lr=-1)), ('SGD', dict(lr=0.1, momentum=-1)), ('SGD', dict(lr=0.1, nesterov=True)),
                     ('SGD', dict(lr=0.1, weight_decay=-1)), ('Adam', dict(lr=-1)), ('Adam', dict(betas=(1.0, 0.9))),
                     ('Adam', dict(betas=(0.9, -0.1))), ('Adam', dict(eps=-1)), ('AdamW', dict(weight_decay=-1)),
                     ('RMSprop', dict(alpha=-1)), ('Adagrad', dict(lr_decay=-1)), ('Adadelta', dict(rho=2))):
        check_same_error(f'{name} bad {kw}', lambda: getattr(joptim, name)(m.parameters(), **kw),
                         lambda: getattr(toptim, name)(m.parameters(), **kw))
    check_same_error('empty params', lambda: joptim.SGD([], lr=0.1), lambda: toptim.SGD([], lr=0.1))
    check_same_error('tensor params', lambda: joptim.SGD(m.weight, lr=0.1), lambda: toptim.SGD(m.weight, lr=0.1))
    check_same_error('non-leaf', lambda: joptim.SGD([m.weight * 2], lr=0.1), lambda: toptim.SGD([m.weight * 2], lr=0.1))
    check_same_error('duplicate groups', lambda: joptim.SGD([{'params': [m.weight]}, {'params': [m.weight]}], lr=0.1),
                     lambda: toptim.SGD([{'params': [m.weight]}, {'params': [m.weight]}], lr=0.1))
    check_same_error('set params', lambda: joptim.SGD([{'params': {m.weight}}], lr=0.1),
                     lambda: toptim.SGD([{'params': {m.weight}}], lr=0.1))
    oj = joptim.SGD([m.weight], lr=0.1)
    oj.add_param_group({'params': m.bias, 'lr': 0.5})
    check_eq('add_param_group', [(len(g['params']), g['lr'], g['momentum']) for g in oj.param_groups], [(1, 0.1, 0), (1, 0.5, 0)])
    m.weight.grad = torch.ones(2, 2)
    oj.zero_grad()
    check('optimizer zero_grad to None', m.weight.grad is None)
    m.weight.grad = torch.ones(2, 2)
    oj.zero_grad(set_to_none=False)
    check('optimizer zero_grad zeros', m.weight.grad is not None and float(m.weight.grad.abs().sum()) == 0)
    # closure
    base, x, y = _problem()
    oj = joptim.SGD(base.parameters(), lr=0.1)

    def closure():
        oj.zero_grad()
        loss = ((base(x) - y) ** 2).mean()
        loss.backward()
        return loss
    loss = oj.step(closure)
    check('step(closure) returns loss', isinstance(loss, torch.Tensor) and loss.requires_grad)
    # hooks
    seen = []
    h = oj.register_step_pre_hook(lambda opt, a, k: seen.append('pre'))
    oj.register_step_post_hook(lambda opt, a, k: seen.append('post'))
    oj.step(closure)
    h.remove()
    oj.step(closure)
    check_eq('step hooks', seen, ['pre', 'post', 'post'])
    # params updated under no_grad: no graph
    check('params stay leaves', all(p.is_leaf and p.grad_fn is None for p in base.parameters()))
    # Adam state layout
    oj = joptim.Adam(base.parameters(), amsgrad=True)
    oj.step(closure)
    st = oj.state_dict()['state'][0]
    check_eq('Adam state keys order', list(st.keys()), ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'])
    check('Adam step is float32 tensor', isinstance(st['step'], torch.Tensor) and st['step'].dtype == torch.float32
          and float(st['step']) == 1.0)
    check_eq('Adam defaults (2.x)', sorted(oj.defaults.keys()),
             sorted(['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable',
                     'differentiable', 'fused']))
    check_eq('SGD default lr (2.x)', joptim.SGD(base.parameters()).defaults['lr'], 1e-3)
    oa = joptim.Adagrad(base.parameters(), initial_accumulator_value=0.5)
    check('Adagrad eager state', len(oa.state) == 4 and float(oa.state[next(base.parameters())]['sum'].min()) == 0.5)


# --------------------------------------------------------------------------- tests: lr_scheduler
def _sched_pair(make_j, make_t, steps=30, opt='SGD', metric=None, groups=False):
    pj = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    pt = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    if groups:
        gj = [{'params': [pj[0]]}, {'params': [pj[1]], 'lr': 0.3}]
        gt = [{'params': [pt[0]]}, {'params': [pt[1]], 'lr': 0.3}]
    else:
        gj, gt = pj, pt
    if opt == 'SGD':
        oj, ot = joptim.SGD(gj, lr=0.1, momentum=0.9), toptim.SGD(gt, lr=0.1, momentum=0.9)
    else:
        oj, ot = joptim.Adam(gj, lr=0.1), toptim.Adam(gt, lr=0.1)
    sj, st = make_j(oj), make_t(ot)
    lj, lt = [], []
    for i in range(steps):
        oj.step()
        ot.step()
        if metric is None:
            sj.step()
            st.step()
        else:
            sj.step(metric(i))
            st.step(metric(i))
        lj.append(list(sj.get_last_lr()))
        lt.append(list(st._last_lr))  # 1.13's ReduceLROnPlateau has no get_last_lr()
        if opt == 'SGD':
            lj[-1].append(oj.param_groups[0]['momentum'])
            lt[-1].append(ot.param_groups[0]['momentum'])
        else:
            lj[-1].append(oj.param_groups[0]['betas'][0])
            lt[-1].append(ot.param_groups[0]['betas'][0])
    return lj, lt, sj, st


@section
def test_schedulers():
    cases = [
        ('StepLR', lambda S: (lambda o: S.StepLR(o, step_size=4, gamma=0.5)), {}),
        ('MultiStepLR', lambda S: (lambda o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3)), {}),
        ('ExponentialLR', lambda S: (lambda o: S.ExponentialLR(o, gamma=0.9)), {}),
        ('CosineAnnealingLR', lambda S: (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)), {}),
        ('LambdaLR', lambda S: (lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)), {}),
        ('LambdaLR list', lambda S: (lambda o: S.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (e + 1)])), {'groups': True}),
        ('MultiplicativeLR', lambda S: (lambda o: S.MultiplicativeLR(o, lambda e: 0.9)), {}),
        ('LinearLR', lambda S: (lambda o: S.LinearLR(o, start_factor=0.25, total_iters=8)), {}),
        ('ConstantLR', lambda S: (lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)), {}),
        ('PolynomialLR', lambda S: (lambda o: S.PolynomialLR(o, total_iters=10, power=2.0)), {}),
        ('CosineAnnealingWarmRestarts', lambda S: (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01)), {}),
        ('CyclicLR', lambda S: (lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)), {}),
        ('CyclicLR tri2', lambda S: (lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode='triangular2')), {}),
        ('CyclicLR exp', lambda S: (lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode='exp_range', gamma=0.9)), {}),
        ('OneCycleLR', lambda S: (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30)), {}),
        ('OneCycleLR linear 3ph', lambda S: (lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], epochs=3, steps_per_epoch=10,
                                                                     anneal_strategy='linear', three_phase=True)), {'groups': True}),
        ('OneCycleLR Adam', lambda S: (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30)), {'opt': 'Adam'}),
        ('ReduceLROnPlateau', lambda S: (lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5)),
         {'metric': lambda i: 1.0 if i < 5 else 2.0}),
        ('ReduceLROnPlateau max abs cooldown', lambda S: (lambda o: S.ReduceLROnPlateau(
            o, mode='max', threshold_mode='abs', threshold=0.1, cooldown=2, patience=1, min_lr=0.02)),
         {'metric': lambda i: [1, 2, 2.05, 2, 2, 2, 3, 3, 3, 3][i % 10]}),
        ('SequentialLR', lambda S: (lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                                                 S.ExponentialLR(o, gamma=0.9)], milestones=[5])), {}),
        ('ChainedScheduler', lambda S: (lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4),
                                                                      S.ExponentialLR(o, gamma=0.9)])), {}),
    ]
    for name, mk, kw in cases:
        try:
            lj, lt, sj, st = _sched_pair(mk(jsched), mk(torch.optim.lr_scheduler), **kw)
        except Exception:  # noqa: BLE001
            check(f'sched {name}', False, traceback.format_exc())
            continue
        ok = all(close(a, b, 1e-12) for ra, rb in zip(lj, lt) for a, b in zip(ra, rb))
        check(f'sched {name}', ok, f'\n{lj}\n{lt}')
    # state_dict round trip
    p = [torch.nn.Parameter(torch.zeros(1))]
    o = joptim.SGD(p, lr=1.0)
    s = jsched.StepLR(o, step_size=2, gamma=0.5)
    for _ in range(3):
        o.step()
        s.step()
    sd = s.state_dict()
    check('sched state_dict has no optimizer', 'optimizer' not in sd and sd['last_epoch'] == 3)
    o2 = joptim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    s2 = jsched.StepLR(o2, step_size=2, gamma=0.5)
    s2.load_state_dict(sd)
    check_eq('sched load_state_dict', (s2.last_epoch, s2.get_last_lr()), (3, [0.5]))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        o3 = joptim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        s3 = jsched.StepLR(o3, step_size=2)
        s3.step()
    check('warns scheduler.step before optimizer.step', any('before `optimizer.step()`' in str(x.message) for x in w))
    check_same_error('sched not optimizer', lambda: jsched.StepLR(object(), 1), lambda: torch.optim.lr_scheduler.StepLR(object(), 1))
    check_eq('LinearLR bad factor (2.x message)', raises(lambda: jsched.LinearLR(o3, start_factor=2.0)),
             (ValueError, 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.'))
    check_same_error('LambdaLR wrong count', lambda: jsched.LambdaLR(o3, [lambda e: 1, lambda e: 1]),
                     lambda: torch.optim.lr_scheduler.LambdaLR(toptim.SGD(p, lr=1.0), [lambda e: 1, lambda e: 1]))
    check_same_error('ReduceLROnPlateau bad factor', lambda: jsched.ReduceLROnPlateau(o3, factor=1.5),
                     lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(toptim.SGD(p, lr=1.0), factor=1.5))
    o4 = joptim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    s4 = jsched.OneCycleLR(o4, max_lr=1.0, total_steps=2)
    o4.step()
    s4.step()
    o4.step()
    s4.step()
    e = raises(lambda: s4.step())
    check_eq('OneCycleLR overstep (2.x message)', e, (ValueError, 'Tried to step 3 times. The specified number of total steps is 2'))
    r = jsched.ReduceLROnPlateau(joptim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.3))
    check_eq('ReduceLROnPlateau get_last_lr before step (2.x)', r.get_last_lr(), [0.3])


# --------------------------------------------------------------------------- end-to-end
@section
def test_training_end_to_end():
    import copy
    torch.manual_seed(11)
    X = torch.randn(64, 2)
    Y = (X[:, 0] * X[:, 1] > 0).long()
    torch.manual_seed(0)
    mj = mlp(jnn)
    torch.manual_seed(0)
    mt = mlp(tnn)
    mj.eval()  # no dropout randomness so both runs are deterministic
    mt.eval()
    oj = joptim.Adam(mj.parameters(), lr=0.01)
    ot = toptim.Adam(mt.parameters(), lr=0.01)
    sj = jsched.StepLR(oj, 10, 0.5)
    st = torch.optim.lr_scheduler.StepLR(ot, 10, 0.5)
    lfj, lft = jnn.CrossEntropyLoss(), tnn.CrossEntropyLoss()
    for _ in range(40):
        for m, o, lf, s in ((mj, oj, lfj, sj), (mt, ot, lft, st)):
            o.zero_grad()
            loss = lf(m(X), Y)
            loss.backward()
            jutils.clip_grad_norm_(m.parameters(), 1.0) if m is mj else tnn.utils.clip_grad_norm_(m.parameters(), 1.0)
            o.step()
            s.step()
        check_close('e2e loss', lfj(mj(X), Y), lft(mt(X), Y), 1e-5)
    sd = mj.state_dict()
    mt2 = mlp(tnn)
    mt2.load_state_dict(sd)
    check_close('e2e state_dict into real torch', mt2.eval()(X), mj(X), 1e-6)
    m3 = copy.deepcopy(mj)
    check('deepcopy module', all(torch.equal(a, b) and a is not b for a, b in zip(m3.parameters(), mj.parameters())))


if __name__ == '__main__':
    for f in FAILURES:
        print('FAIL', f)
    print(f'{PASSED} passed, {FAILED} failed')
    sys.exit(1 if FAILED else 0)
