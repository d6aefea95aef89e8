"""The loops backend: every layer kernel as the textbook writes it — plain Python nested
loops over NumPy arrays, one formula a line. Slow (each multiply-add is an interpreted
step), so for small inputs: reading, teaching, and a third, independent implementation that
the parity suite checks against PyTorch beside the vectorised ``numpy`` reference.

    >>> minitorch.backends.set_backend("loops")

=================  ==========================================================================
module             kernels
=================  ==========================================================================
``conv.py``        conv2d forward; backward for input, weight and bias
``pool.py``        max pooling (values and indices) and average pooling, forward and backward
``activation.py``  relu, tanh, sigmoid, forward and backward
``linear.py``      matmul (NumPy broadcasting), linear forward and backward
``softmax.py``     softmax, log_softmax, fused cross-entropy, forward and backward
``common.py``      float64 arithmetic rounded once; IEEE NaN/inf without warnings
=================  ==========================================================================

Everything outside the kernel contract (elementwise arithmetic, reductions, reshapes) is
written once in the autograd ops against ``xp`` = NumPy, so it is the same code that the
``numpy`` backend runs.
"""

from __future__ import annotations

from minitorch.backends.loops.backend import LoopsBackend

__all__ = ["LoopsBackend"]
