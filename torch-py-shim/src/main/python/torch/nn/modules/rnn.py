"""RNN, LSTM, GRU (and their cells) with PyTorch's parameter names, gate order and initialisation.

The time loop runs here, one batched matmul per step; the input projections of all steps are computed
with one matmul up front.
"""
import math

import torch
from ..parameter import Parameter
from .. import init
from .module import Module

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']


class RNNBase(Module):
    __constants__ = ['mode', 'input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout',
                     'bidirectional', 'proj_size']

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size != 0 and mode != 'LSTM':
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than or equal to 1")
        gate_size = {'LSTM': 4, 'GRU': 3}.get(mode, 1) * hidden_size
        num_directions = 2 if bidirectional else 1
        kw = {} if dtype is None else {'dtype': dtype}
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                w_ih = Parameter(torch.empty((gate_size, layer_input_size), **kw))
                w_hh = Parameter(torch.empty((gate_size, real_hidden_size), **kw))
                b_ih = Parameter(torch.empty(gate_size, **kw))
                b_hh = Parameter(torch.empty(gate_size, **kw))
                if proj_size == 0:
                    layer_params = (w_ih, w_hh, b_ih, b_hh) if bias else (w_ih, w_hh)
                else:
                    w_hr = Parameter(torch.empty((proj_size, hidden_size), **kw))
                    layer_params = (w_ih, w_hh, b_ih, b_hh, w_hr) if bias else (w_ih, w_hh, w_hr)
                suffix = '_reverse' if direction == 1 else ''
                param_names = ['weight_ih_l{}{}', 'weight_hh_l{}{}']
                if bias:
                    param_names += ['bias_ih_l{}{}', 'bias_hh_l{}{}']
                if proj_size > 0:
                    param_names += ['weight_hr_l{}{}']
                param_names = [x.format(layer, suffix) for x in param_names]
                for name, param in zip(param_names, layer_params):
                    setattr(self, name, param)
                self._flat_weights_names.extend(param_names)
                self._all_weights.append(param_names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        pass

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if self.proj_size != 0:
            s += ', proj_size={proj_size}'
        if self.num_layers != 1:
            s += ', num_layers={num_layers}'
        if self.bias is not True:
            s += ', bias={bias}'
        if self.batch_first is not False:
            s += ', batch_first={batch_first}'
        if self.dropout != 0:
            s += ', dropout={dropout}'
        if self.bidirectional is not False:
            s += ', bidirectional={bidirectional}'
        return s.format(**self.__dict__)

    # -- the recurrences; gi: input projection of one step, h/c: state ------------------------------
    def _step(self, gi, h, c, w_hh, b_hh, w_hr=None):
        gh = h.matmul(w_hh.t())
        if b_hh is not None:
            gh = gh + b_hh
        if self.mode == 'LSTM':
            gates = gi + gh
            i, f, g, o = gates.chunk(4, 1)
            i = i.sigmoid()
            f = f.sigmoid()
            g = g.tanh()
            o = o.sigmoid()
            c = f * c + i * g
            h = o * c.tanh()
            return (h if w_hr is None else h.matmul(w_hr.t())), c
        if self.mode == 'GRU':
            i_r, i_z, i_n = gi.chunk(3, 1)
            h_r, h_z, h_n = gh.chunk(3, 1)
            r = (i_r + h_r).sigmoid()
            z = (i_z + h_z).sigmoid()
            n = (i_n + r * h_n).tanh()
            return (1 - z) * n + z * h, None
        pre = gi + gh
        return (pre.tanh() if self.mode == 'RNN_TANH' else pre.relu()), None

    def _run_direction(self, x, layer, direction, h, c):
        suffix = '_reverse' if direction == 1 else ''
        w_ih = getattr(self, 'weight_ih_l%d%s' % (layer, suffix))
        w_hh = getattr(self, 'weight_hh_l%d%s' % (layer, suffix))
        b_ih = getattr(self, 'bias_ih_l%d%s' % (layer, suffix)) if self.bias else None
        b_hh = getattr(self, 'bias_hh_l%d%s' % (layer, suffix)) if self.bias else None
        w_hr = getattr(self, 'weight_hr_l%d%s' % (layer, suffix)) if self.proj_size > 0 else None
        steps = x.shape[0]
        gi_all = x.matmul(w_ih.t())
        if b_ih is not None:
            gi_all = gi_all + b_ih
        outs = [None] * steps
        order = range(steps - 1, -1, -1) if direction == 1 else range(steps)
        for t in order:
            h, c = self._step(gi_all[t], h, c, w_hh, b_hh, w_hr)
            outs[t] = h
        return torch.stack(outs, 0), h, c

    def forward(self, input, hx=None):
        is_lstm = self.mode == 'LSTM'
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError("%s: Expected input to be 2D or 3D, got %dD instead" % (type(self).__name__, input.dim()))
        x = input
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[-1] != self.input_size:
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected %d, got %d" % (self.input_size, x.shape[-1]))
        nd = 2 if self.bidirectional else 1
        batch = x.shape[1]
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0 = torch.zeros(self.num_layers * nd, batch, real_hidden, dtype=x.dtype)
            c0 = torch.zeros(self.num_layers * nd, batch, self.hidden_size, dtype=x.dtype) if is_lstm else None
        elif is_lstm:
            h0, c0 = hx
            if not batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        else:
            h0, c0 = hx, None
            if not batched:
                h0 = h0.unsqueeze(1)
        expected = (self.num_layers * nd, batch, real_hidden)
        if tuple(h0.shape) != expected:
            raise RuntimeError("Expected hidden%s size %s, got %s" % ("[0]" if is_lstm else "", expected, list(h0.shape)))
        if is_lstm and tuple(c0.shape) != (self.num_layers * nd, batch, self.hidden_size):
            raise RuntimeError("Expected hidden[1] size %s, got %s" % ((self.num_layers * nd, batch, self.hidden_size), list(c0.shape)))
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(nd):
                k = layer * nd + d
                out, h, c = self._run_direction(layer_in, layer, d, h0[k], c0[k] if is_lstm else None)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            layer_in = outs[0] if nd == 1 else torch.cat(outs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                from .. import functional as F
                layer_in = F.dropout(layer_in, self.dropout, True)
        output = layer_in
        h_n = torch.stack(hs, 0)
        c_n = torch.stack(cs, 0) if is_lstm else None
        if not batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, ((h_n, c_n) if is_lstm else h_n)


class RNN(RNNBase):
    def __init__(self, *args, **kwargs):
        nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError("Unknown nonlinearity '{}'".format(nonlinearity))
        self.nonlinearity = nonlinearity
        super().__init__(mode, *args, **kwargs)

class LSTM(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)


class GRU(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__('GRU', *args, **kwargs)


class RNNCellBase(Module):
    __constants__ = ['input_size', 'hidden_size', 'bias']

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {} if dtype is None else {'dtype': dtype}
        self.weight_ih = Parameter(torch.empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(torch.empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(torch.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(torch.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += ', bias={bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != "tanh":
            s += ', nonlinearity={nonlinearity}'
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _gi(self, input):
        gi = input.matmul(self.weight_ih.t())
        return gi + self.bias_ih if self.bias else gi

    def _gh(self, h):
        gh = h.matmul(self.weight_hh.t())
        return gh + self.bias_hh if self.bias else gh


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        unbatched = input.dim() == 1
        x = input.unsqueeze(0) if unbatched else input
        h = torch.zeros(x.shape[0], self.hidden_size, dtype=x.dtype) if hx is None else (hx.unsqueeze(0) if unbatched else hx)
        pre = self._gi(x) + self._gh(h)
        out = pre.tanh() if self.nonlinearity == 'tanh' else pre.relu()
        return out.squeeze(0) if unbatched else out


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        unbatched = input.dim() == 1
        x = input.unsqueeze(0) if unbatched else input
        if hx is None:
            z = torch.zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
            h, c = z, z
        else:
            h, c = hx
            if unbatched:
                h, c = h.unsqueeze(0), c.unsqueeze(0)
        i, f, g, o = (self._gi(x) + self._gh(h)).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        unbatched = input.dim() == 1
        x = input.unsqueeze(0) if unbatched else input
        h = torch.zeros(x.shape[0], self.hidden_size, dtype=x.dtype) if hx is None else (hx.unsqueeze(0) if unbatched else hx)
        i_r, i_z, i_n = self._gi(x).chunk(3, 1)
        h_r, h_z, h_n = self._gh(h).chunk(3, 1)
        r = (i_r + h_r).sigmoid()
        z = (i_z + h_z).sigmoid()
        n = (i_n + r * h_n).tanh()
        out = (1 - z) * n + z * h
        return out.squeeze(0) if unbatched else out
