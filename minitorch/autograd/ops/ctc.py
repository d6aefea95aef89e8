"""Connectionist temporal classification (Graves et al., 2006): the negative log-likelihood
of a label sequence under every alignment of it with the frames, one ``CtcLossBackward0``
node per call, with the forward-backward recursions of torch's CPU kernel.

Notation, for one sample: y_t(c) = exp(log_probs[t, c]) over T frames and C classes; the
target l = (l_1 … l_S) is extended with blanks b between and around its labels,
l' = (b, l_1, b, l_2, …, l_S, b) of length 2S + 1. An alignment is a path through the states
s of l' that at each frame stays (s → s), moves on (s → s + 1) or skips a blank between two
different labels (s → s + 2 when l'_s ≠ l'_{s-2}); it starts at state 0 or 1 and ends at
state 2S or 2S − 1.

All the math is on ``self.xp`` arrays (NumPy or CuPy): a Python loop over the frames, the
batch and the states of each frame at once.
"""

from __future__ import annotations

from typing import Any, Tuple

from minitorch.autograd.function import Function

NEG_INF = float("-inf")


def logsumexp3(xp: Any, a: Any, b: Any, c: Any) -> Any:
    """log(eᵃ + eᵇ + eᶜ) elementwise, as torch's kernel writes it: the largest term m is
    taken out (m = 0 when all three are −inf, so that −inf − −inf never happens)."""
    m = xp.maximum(xp.maximum(a, b), c)
    m = xp.where(m == NEG_INF, 0, m).astype(a.dtype)
    return xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m)) + m


def shifted(xp: Any, a: Any, k: int, fill: Any = NEG_INF) -> Any:
    """``a`` moved by ``k`` states along its last axis, ``fill`` where nothing moves in:
    out[..., s] = a[..., s − k] (k > 0, the state k before) or a[..., s + |k|] (k < 0)."""
    out = xp.full(a.shape, fill, dtype=a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(Function):
    """The per-sample loss −log p(l | x) of (T, N, C) ``log_probs`` (gradient) and, for
    each sample n, its extended target l' (row n of ``extended``: (N, 2·S_max + 1) class
    indices, blank-padded past 2·S_n + 1), its number of frames T_n and of labels S_n.

    Forward variables α_t(s) = log Σ over the path prefixes that reach state s at frame t::

        α_0(0) = log y_0(b),   α_0(1) = log y_0(l_1),   α_0(s) = −inf otherwise
        α_t(s) = log(e^{α_{t−1}(s)} + e^{α_{t−1}(s−1)} + [l'_s ≠ l'_{s−2}]·e^{α_{t−1}(s−2)})
                 + log y_t(l'_s)
        loss   = −log(e^{α_{T−1}(2S)} + e^{α_{T−1}(2S−1)})   (the first term alone if S = 0;
                 0 if T = S = 0, inf if T = 0 < S or when no path fits: more labels than
                 frames allow)

    Backward variables β_t(s) = log Σ over the path suffixes from state s at frame t (frame
    t counted in both α and β)::

        β_{T−1}(2S) = log y_{T−1}(b),   β_{T−1}(2S−1) = log y_{T−1}(l_S),   −inf otherwise
        β_t(s) = log(e^{β_{t+1}(s)} + e^{β_{t+1}(s+1)} + [l'_{s+2} ≠ l'_s]·e^{β_{t+1}(s+2)})
                 + log y_t(l'_s)

    so that γ_t(s) = exp(α_t(s) + β_t(s) + loss − log y_t(l'_s)) is the posterior
    probability of being in state s at frame t, and the gradient of torch's kernel is::

        ∂loss/∂log_probs[t, c] = e^{log_probs[t, c]} − Σ_{s : l'_s = c} γ_t(s)
                               = exp(lp) − exp(log Σ_{l'_s = c} e^{α_t(s) + β_t(s)} + loss − lp)

    times the incoming gradient of the sample; 0 on the frames t ≥ T_n; NaN on the frames of a
    sample with no feasible path (inf + −inf), unless ``zero_infinity``: then such a
    sample's gradient is 0. The second derivative is not implemented (as in torch)."""

    def forward(self, log_probs: Any, extended: Any, input_lengths: Any, target_lengths: Any,
                zero_infinity: bool) -> Any:
        xp = self.xp
        t_max, n, _ = log_probs.shape
        ext = xp.asarray(extended)
        length = ext.shape[1]
        frames = xp.asarray(input_lengths).reshape(n, 1)
        labels = xp.asarray(target_lengths).reshape(n, 1)
        state = xp.arange(length).reshape(1, length)
        live = state <= 2 * labels  # the states of l' (N, L); the rest stay −inf
        skip = (state > 1) & (ext != shifted(xp, ext, 2, -1))  # s − 2 → s allowed
        # log y_t(l'_s) for every frame, sample and state: (T, N, L)
        lp = log_probs[:, xp.arange(n).reshape(n, 1), ext]
        neg = xp.asarray(NEG_INF, dtype=log_probs.dtype)

        alpha = xp.full((t_max, n, length), NEG_INF, dtype=log_probs.dtype)
        if t_max:
            alpha[0] = xp.where(live & (state < 2), lp[0], neg)
        for t in range(1, t_max):
            prev = alpha[t - 1]
            step = logsumexp3(xp, prev, shifted(xp, prev, 1),
                              xp.where(skip, shifted(xp, prev, 2), neg)) + lp[t]
            alpha[t] = xp.where(live, step, neg)

        # the two final states at each sample's last frame T_n − 1
        last = alpha[xp.maximum(frames - 1, 0), xp.arange(n).reshape(n, 1), state]  # (N, L)
        end = xp.take_along_axis(last, 2 * labels, axis=1)[:, 0]
        before = xp.where(labels[:, 0] > 0,
                          xp.take_along_axis(last, xp.maximum(2 * labels - 1, 0), axis=1)[:, 0],
                          neg)
        nll = -logsumexp3(xp, end, before, xp.full_like(end, NEG_INF))
        no_frames = frames[:, 0] == 0
        nll = xp.where(no_frames, xp.where(labels[:, 0] == 0, 0, float("inf")), nll)
        nll = nll.astype(log_probs.dtype)

        self.save_for_backward(log_probs, lp, alpha, nll)
        self.ext, self.frames, self.labels, self.live, self.state = ext, frames, labels, live, state
        self.skip, self.zero_infinity = skip, zero_infinity
        return nll

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        log_probs, lp, alpha, nll = self.saved_tensors
        t_max, n, classes = log_probs.shape
        ext, frames, labels, live, state = self.ext, self.frames, self.labels, self.live, \
            self.state
        neg = xp.asarray(NEG_INF, dtype=log_probs.dtype)
        skip_next = shifted(xp, self.skip, -2, False)  # s → s + 2 allowed
        final = live & ((state == 2 * labels) | ((state == 2 * labels - 1) & (labels > 0)))

        gamma = xp.zeros((t_max, n, ext.shape[1]), dtype=log_probs.dtype)
        beta = xp.full((n, ext.shape[1]), NEG_INF, dtype=log_probs.dtype)
        for t in range(t_max - 1, -1, -1):
            step = logsumexp3(xp, beta, shifted(xp, beta, -1),
                              xp.where(skip_next, shifted(xp, beta, -2), neg)) + lp[t]
            beta = xp.where(t == frames - 1, xp.where(final, lp[t], neg),
                            xp.where((t < frames - 1) & live, step, neg))
            gamma[t] = xp.exp(alpha[t] + beta + nll[:, None] - lp[t])

        # Σ over the states of each class: (N, T, L) @ (N, L, C) one-hot of l'
        one_hot = (ext[:, :, None] == xp.arange(classes)) & live[:, :, None]
        occupancy = xp.matmul(gamma.transpose(1, 0, 2), one_hot.astype(gamma.dtype))
        grad = (xp.exp(log_probs) - occupancy.transpose(1, 0, 2)) * gy[:, None]
        keep = xp.arange(t_max).reshape(t_max, 1) < frames.reshape(1, n)
        if self.zero_infinity:
            keep = keep & (nll != float("inf"))
        return xp.where(keep[:, :, None], grad, 0).astype(log_probs.dtype)


def extended_targets(np: Any, targets: Any, target_lengths: Tuple[int, ...], blank: int,
                     concatenated: bool) -> Any:
    """The extended label sequences l' = (b, l_1, b, …, l_S, b), one row per sample, as an
    (N, 2·max S + 1) NumPy array (blank past each row's 2·S_n + 1). ``targets``: (N, S_pad)
    padded rows, or (``concatenated``) all the samples' labels one after another."""
    n = len(target_lengths)
    longest = max(target_lengths, default=0)
    ext = np.full((n, 2 * longest + 1), blank, dtype=np.int64)
    start = 0
    for i, s in enumerate(target_lengths):
        row = targets[start:start + s] if concatenated else targets[i, :s]
        ext[i, 1:2 * s:2] = row
        start += s
    return ext
