"""minitorch's benchmarks against PyTorch: ``python -m benchmarks`` (see README.md here).

Modules: ``timing`` (interleaved, warmed-up, synchronised timing), ``engines`` (who is
compared, thread settings), ``cases`` (what is measured), ``numba_split`` (copies vs BLAS
inside the Numba convolutions), ``gpu_floors`` (the CUDA kernels' floors; writes GPU.md),
``subproc`` (peak RSS, cold and warm start, in fresh processes), ``report`` (table, targets,
JSON, chart), ``__main__`` (the command).
"""
