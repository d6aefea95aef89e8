"""Recurrent layers — ``RNN``, ``LSTM``, ``GRU`` and their one-step cells — with torch's
parameters (names, shapes, order, initialisation), arguments, checks and ``repr``.

Each is composed from differentiable ops (``F.linear``, ``sigmoid``, ``tanh``, products), so
every backend runs it and autograd gives the gradients through time. For a sequence
x₁ … x_L and the gates' weights (rows in torch's order, one block of H rows per gate)::

    RNN:   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)          (or relu)
    LSTM:  i, f, g, o = σ, σ, tanh, σ of the four blocks of
                        W_ih x_t + b_ih + W_hh h_{t−1} + b_hh
           c_t = f ⊙ c_{t−1} + i ⊙ g,    h_t = o ⊙ tanh(c_t)      (then W_hr h_t: proj_size)
    GRU:   r, z = σ of the first two blocks of W_ih x_t + b_ih + W_hh h_{t−1} + b_hh
           n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}

W_ih x_t + b_ih is computed for every step at once (one matrix product per layer); only
W_hh h_{t−1} waits for the previous step. A layer's output feeds the next (``num_layers``),
with dropout between them in training; ``bidirectional`` runs a second pass from the end of
the sequence and concatenates the two along the features. A ``PackedSequence``
(:mod:`minitorch.nn.utils.rnn`) runs each sequence for its own length only.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable, List, Optional, Tuple

from minitorch.creation import empty, zeros
from minitorch.functions import cat, stack
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.module import Module
from minitorch.nn.parameter import Parameter
from minitorch.nn.utils.rnn import PackedSequence
from minitorch.tensor import Tensor

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}  # blocks of H rows per weight


# ------------------------------------------------------------------------------ one step
def rnn_step(gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Optional[Tensor],
             relu: bool) -> Tensor:
    """h' = tanh(gx + W_hh h + b_hh) (or relu), gx = W_ih x + b_ih."""
    pre = gx + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def lstm_step(gx: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Optional[Tensor],
              w_hr: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step (gates i, f, g, o in torch's order)."""
    i, f, g, o = (gx + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


def gru_step(gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Optional[Tensor]) -> Tensor:
    """h' of one GRU step (gates r, z, n in torch's order; r scales W_hn h + b_hn)."""
    xr, xz, xn = gx.chunk(3, -1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


# ------------------------------------------------------------------------- sequences
class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters ``weight_ih_l{k}[_reverse]``,
    ``weight_hh_l{k}…``, ``bias_ih_l{k}…``, ``bias_hh_l{k}…`` (and LSTM's ``weight_hr_l{k}…``),
    uniform in ±1/√H; the shape checks; the loop over layers and directions."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.bidirectional, self.proj_size = bidirectional, proj_size
        _check_sizes(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                     proj_size)
        self.dropout = float(dropout)
        directions = 2 if bidirectional else 1
        out_size = proj_size if proj_size > 0 else hidden_size
        gate_size = GATES[mode] * hidden_size
        factory = {"device": device, "dtype": dtype}
        self._flat_weights_names: List[str] = []
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = f"l{layer}" + ("_reverse" if direction else "")
                layer_in = input_size if layer == 0 else out_size * directions
                shapes = [(f"weight_ih_{suffix}", (gate_size, layer_in)),
                          (f"weight_hh_{suffix}", (gate_size, out_size))]
                if bias:
                    shapes += [(f"bias_ih_{suffix}", (gate_size,)),
                               (f"bias_hh_{suffix}", (gate_size,))]
                if proj_size > 0:
                    shapes += [(f"weight_hr_{suffix}", (proj_size, hidden_size))]
                for name, shape in shapes:
                    setattr(self, name, Parameter(empty(*shape, **factory)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                              ("batch_first", False), ("dropout", 0),
                              ("bidirectional", False)):  # torch's order: what differs
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)}"
        return s

    @property
    def all_weights(self) -> List[List[Parameter]]:
        """The parameters of each (layer, direction), in torch's order."""
        per = len(self._flat_weights_names) // (self.num_layers *
                                                (2 if self.bidirectional else 1))
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    # -- the forward pass -------------------------------------------------------------
    def _prepare(self, input: Tensor, name: str) -> Tuple[Tensor, bool]:
        """The input as (L, N, H_in) and whether it was unbatched, after torch's checks."""
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                             f"{'tensor instead' if name == 'RNN' else 'instead'}")
        self._check_input(input)
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        return (input.transpose(0, 1) if self.batch_first else input), not batched

    def _check_input(self, input: Tensor) -> None:
        """torch's checks of the input's dtype and feature size."""
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _expected_hidden(self, batch: int, size: int) -> Tuple[int, int, int]:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _state(self, hx: Optional[Tensor], batch: int, like: Tensor, size: int, what: str,
               arrange: Optional[Callable[[Tensor], Tensor]] = None) -> Tensor:
        """An initial state (D·num_layers, batch, size): zeros like ``like``, or ``hx`` after
        ``arrange`` (a batch of one for unbatched input, the sorted order of a packed batch)
        with its shape checked."""
        expected = self._expected_hidden(batch, size)
        if hx is None:
            return zeros(*expected, dtype=like.dtype, device=like.device)
        if arrange is not None:
            hx = arrange(hx)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")
        return hx

    @staticmethod
    def _unbatched(unbatched: bool) -> Optional[Callable[[Tensor], Tensor]]:
        return (lambda h: h.unsqueeze(1)) if unbatched else None

    def _run(self, x: Tensor, states: List[Tensor], batch_sizes: Optional[List[int]] = None
             ) -> Tuple[Tensor, List[Tensor]]:
        """Every layer and direction over x (L, N, ·) — or packed data (Σ batch_sizes, ·) —
        from the initial ``states`` (each (D·num_layers, N, ·)): the last layer's output
        (L, N, D·H_out) (packed: (Σ batch_sizes, D·H_out)) and the final states stacked as
        the initial ones."""
        directions = 2 if self.bidirectional else 1
        finals: List[List[Tensor]] = [[] for _ in states]
        weights = self.all_weights
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout, True)
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                run = self._direction if batch_sizes is None else self._packed_direction
                out, last = run(x, [s[k] for s in states], weights[k], direction == 1,
                                batch_sizes)
                outputs.append(out)
                for store, value in zip(finals, last):
                    store.append(value)
            x = outputs[0] if directions == 1 else cat(outputs, -1)
        return x, [stack(store, 0) for store in finals]

    def _weights(self, params: List[Parameter]) -> Tuple[Any, ...]:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer and direction (None where absent)."""
        biases = (params[2], params[3]) if self.bias else (None, None)
        return (params[0], params[1], *biases, params[-1] if self.proj_size > 0 else None)

    def _packed_direction(self, x: Tensor, state: List[Tensor], params: List[Parameter],
                          reverse: bool, batch_sizes: Any) -> Tuple[Tensor, List[Tensor]]:
        """One layer in one direction over packed data: at step t only the first
        batch_sizes[t] sequences (the longest) take a step; the others keep their state —
        their last one, or (going backwards) the initial one until they start."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(params)
        gx = F.linear(x, w_ih, b_ih)  # W_ih x_t + b_ih for every packed step at once
        starts = [0]
        for b in batch_sizes:
            starts.append(starts[-1] + b)
        out: List[Optional[Tensor]] = [None] * len(batch_sizes)
        steps = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
        for t in steps:
            b = batch_sizes[t]
            new = self._step(gx[starts[t]:starts[t + 1]], [st[:b] for st in state], w_hh,
                             b_hh, w_hr)
            state = [n if b == st.shape[0] else cat([n, st[b:]]) for n, st in zip(new, state)]
            out[t] = new[0]
        return cat(out), state

    def _direction(self, x: Tensor, state: List[Tensor], params: List[Parameter],
                   reverse: bool, batch_sizes: Any = None) -> Tuple[Tensor, List[Tensor]]:
        """One layer in one direction: (output (L, N, H_out), final state)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(params)
        gx = F.linear(x, w_ih, b_ih)  # W_ih x_t + b_ih for every step at once
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        out: List[Optional[Tensor]] = [None] * x.shape[0]
        for t in steps:
            state = self._step(gx[t], state, w_hh, b_hh, w_hr)
            out[t] = state[0]
        if not out:  # an empty sequence: no step, the state passes through
            return state[0].new_zeros(0, *state[0].shape), state
        return stack(out, 0), state

    def _step(self, gx: Tensor, state: List[Tensor], w_hh: Tensor, b_hh: Optional[Tensor],
              w_hr: Optional[Tensor]) -> List[Tensor]:
        raise NotImplementedError

    def _packed(self, packed: PackedSequence, initial: List[Optional[Tensor]],
                sizes: List[int], names: List[str]) -> Tuple[PackedSequence, List[Tensor]]:
        """The forward on a packed sequence: the initial states (zeros, or given in the
        batch's order and sorted as the sequences were), the layers, and the final states
        back in the batch's order."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if data.ndim != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.ndim}")
        self._check_input(data)
        steps = [int(b) for b in batch_sizes.tolist()]
        sort = None if sorted_indices is None else \
            (lambda h: h.index_select(1, sorted_indices))
        states = [self._state(hx, steps[0], data, size, name, sort)
                  for hx, size, name in zip(initial, sizes, names)]
        y, finals = self._run(data, states, steps)
        if unsorted_indices is not None:
            finals = [f.index_select(1, unsorted_indices) for f in finals]
        return PackedSequence(y, batch_sizes, sorted_indices, unsorted_indices), finals

    def _one_state(self, input: Any, hx: Optional[Tensor], name: str
                   ) -> Tuple[Any, Tensor]:
        """RNN's and GRU's forward: (output, h_n) from one state h."""
        if isinstance(input, PackedSequence):
            out, (h,) = self._packed(input, [hx], [self.hidden_size], ["hidden"])
            return out, h
        x, unbatched = self._prepare(input, name)
        _hidden_rank(hx, unbatched, "hx should also be")
        h0 = self._state(hx, x.shape[1], x, self.hidden_size, "hidden",
                         self._unbatched(unbatched))
        y, (h,) = self._run(x, [h0])
        return self._output(y, unbatched), h.squeeze(1) if unbatched else h

    def _output(self, y: Tensor, unbatched: bool) -> Tensor:
        y = y.transpose(0, 1) if self.batch_first else y
        return y.squeeze(0 if self.batch_first else 1) if unbatched else y


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (``nonlinearity="relu"``:
    relu). ``forward(input, hx=None)`` → (output, h_n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args,
                         **kwargs)

    def _step(self, gx: Tensor, state: List[Tensor], w_hh: Tensor, b_hh: Optional[Tensor],
              w_hr: Optional[Tensor]) -> List[Tensor]:
        return [rnn_step(gx, state[0], w_hh, b_hh, self.nonlinearity == "relu")]

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        return self._one_state(input, hx, "RNN")


class GRU(RNNBase):
    """Gated recurrent unit: r, z, n gates (torch's order and formula: r scales
    W_hn h + b_hn). ``forward(input, hx=None)`` → (output, h_n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _step(self, gx: Tensor, state: List[Tensor], w_hh: Tensor, b_hh: Optional[Tensor],
              w_hr: Optional[Tensor]) -> List[Tensor]:
        return [gru_step(gx, state[0], w_hh, b_hh)]

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        return self._one_state(input, hx, "GRU")


class LSTM(RNNBase):
    """Long short-term memory: i, f, g, o gates; ``proj_size`` > 0 projects h_t to that
    size (``weight_hr_l{k}``). ``forward(input, (h_0, c_0)=None)`` →
    (output, (h_n, c_n))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def _step(self, gx: Tensor, state: List[Tensor], w_hh: Tensor, b_hh: Optional[Tensor],
              w_hr: Optional[Tensor]) -> List[Tensor]:
        return list(lstm_step(gx, state[0], state[1], w_hh, b_hh, w_hr))

    def forward(self, input: Any, hx: Optional[Tuple[Tensor, Tensor]] = None
                ) -> Tuple[Any, Tuple[Tensor, Tensor]]:
        h_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(input, PackedSequence):
            h0, c0 = (None, None) if hx is None else hx
            out, (h, c) = self._packed(input, [h0, c0], [h_size, self.hidden_size],
                                       ["hidden[0]", "hidden[1]"])
            return out, (h, c)
        x, unbatched = self._prepare(input, "LSTM")
        if hx is None:
            h0, c0 = None, None
        else:
            h0, c0 = hx
            rank = 2 if unbatched else 3
            if h0.ndim != rank or c0.ndim != rank:
                form = "unbatched 2-D" if unbatched else "batched 3-D"
                raise RuntimeError(f"For {form} input, hx and cx should also be {rank}-D but "
                                   f"got ({h0.ndim}-D, {c0.ndim}-D) tensors")
        arrange = self._unbatched(unbatched)
        h0 = self._state(h0, x.shape[1], x, h_size, "hidden[0]", arrange)
        c0 = self._state(c0, x.shape[1], x, self.hidden_size, "hidden[1]", arrange)
        y, (h, c) = self._run(x, [h0, c0])
        if unbatched:
            h, c = h.squeeze(1), c.squeeze(1)
        return self._output(y, unbatched), (h, c)


def _hidden_rank(hx: Optional[Tensor], unbatched: bool, text: str) -> None:
    """torch's check that hx has the input's rank (2-D with unbatched input, else 3-D)."""
    if hx is None:
        return
    rank = 2 if unbatched else 3
    if hx.ndim != rank:
        form = "unbatched 2-D" if unbatched else "batched 3-D"
        raise RuntimeError(f"For {form} input, {text} {rank}-D but got {hx.ndim}-D tensor")


def _check_sizes(input_size: Any, hidden_size: Any, num_layers: int, bias: Any,
                 batch_first: Any, dropout: Any, proj_size: int) -> None:
    """torch's argument checks of a recurrent layer, in its order and words."""
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
            isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value in (("bias", bias), ("batch_first", batch_first)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         "projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


# ------------------------------------------------------------------------------ cells
class RNNCellBase(Module):
    """One step of a recurrent layer: ``weight_ih`` (G·H, H_in), ``weight_hh`` (G·H, H),
    ``bias_ih``, ``bias_hh`` (G·H), uniform in ±1/√H."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        factory = {"device": device, "dtype": dtype}
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(rows, input_size, **factory))
        self.weight_hh = Parameter(empty(rows, hidden_size, **factory))
        if bias:
            self.bias_ih = Parameter(empty(rows, **factory))
            self.bias_hh = Parameter(empty(rows, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        return s + (f", nonlinearity={nonlinearity}" if nonlinearity != "tanh" else "")

    def _operands(self, input: Tensor, hx: Optional[Tensor], name: str,
                  what: str = "hidden") -> Tuple[Tensor, Optional[Tensor], bool]:
        """(input (N, H_in), hx (N, ·) or None, unbatched) after torch's rank checks."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D "
                             f"instead")
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {hx.ndim}D "
                             f"instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        unbatched = input.ndim == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        return input, hx, unbatched

    def _zeros(self, input: Tensor) -> Tensor:
        return zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)

    def _gx(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, h, unbatched = self._operands(input, hx, "RNNCell")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = rnn_step(self._gx(x), self._zeros(x) if h is None else h, self.weight_hh,
                     self.bias_hh, self.nonlinearity == "relu")
        return h.squeeze(0) if unbatched else h


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 − z) ⊙ n + z ⊙ h (gates r, z, n)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, h, unbatched = self._operands(input, hx, "GRUCell")
        h = gru_step(self._gx(x), self._zeros(x) if h is None else h, self.weight_hh,
                     self.bias_hh)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from (h, c) (gates i, f, g, o)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None
                ) -> Tuple[Tensor, Tensor]:
        h0, c0 = (None, None) if hx is None else hx
        x, h, unbatched = self._operands(input, h0, "LSTMCell", "hx[0]")
        if c0 is not None and unbatched:
            c0 = c0.unsqueeze(0)
        h, c = lstm_step(self._gx(x), self._zeros(x) if h is None else h,
                         self._zeros(x) if c0 is None else c0, self.weight_hh, self.bias_hh,
                         None)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)
