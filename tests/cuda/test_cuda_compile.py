"""Every .cu file compiles with NVRTC exactly as CuPy will compile it, warnings as errors —
to PTX, and on through ptxas to an sm_90 cubin (what the driver loads), with no spills and
within the resource limits a launch needs."""

from __future__ import annotations

import pytest

from minitorch.backends.cuda.backend import BLOCK, REDUCE_THREADS
from minitorch.backends.cuda.sources import (
    SM90,
    CompileError,
    KernelLibrary,
    cubin_check,
    nvrtc_check,
)

pytest.importorskip("cupy_backends.cuda.libs.nvrtc", reason="NVRTC (CuPy) is not installed")

LIBRARY = KernelLibrary.default()


@pytest.mark.parametrize("family", LIBRARY.families)
def test_family_compiles_without_warnings(family: str) -> None:
    ptx = nvrtc_check(LIBRARY.source(family), family, LIBRARY.name_expressions(family))
    for kernel in LIBRARY.kernels(family):
        assert f"{kernel.name}" in ptx  # every instantiation is in the PTX (mangled)


def test_every_family_has_kernels() -> None:
    expected = {"activation", "conv", "pool", "reduction", "softmax"}
    assert expected <= set(LIBRARY.families)
    for family in LIBRARY.families:
        assert LIBRARY.kernels(family), family


def test_a_warning_fails_the_check() -> None:
    source = """
template <typename T>
__global__ void unused_variable(T* y, int n) {
    int unused;
    if ((int)threadIdx.x < n) y[threadIdx.x] = T(0);
}
"""
    with pytest.raises(CompileError, match="unused"):
        nvrtc_check(source, "warning", ["unused_variable<float>"])


def test_an_error_fails_the_check() -> None:
    source = "__global__ void broken(float* y) { y[0] = undefined_name; }"
    with pytest.raises(CompileError, match="undefined_name"):
        nvrtc_check(source, "broken", ["broken"])


@pytest.mark.parametrize("family", LIBRARY.families)
def test_family_compiles_to_an_sm90_cubin(family: str) -> None:
    resources = cubin_check(LIBRARY.source(family), family, LIBRARY.name_expressions(family))
    assert sorted(r.expression for r in resources) == sorted(LIBRARY.name_expressions(family))
    for r in resources:
        assert r.spill_stores == r.spill_loads == 0, r
        # a 256-thread block (every launch of the backend) must fit on an SM
        assert r.registers * max(BLOCK, REDUCE_THREADS) <= SM90["registers"], r
        assert r.registers <= SM90["max_registers"] and r.shared <= 48 * 1024, r
        assert r.occupancy(BLOCK) > 0, r


TOO_MUCH_SHARED = """
__global__ void too_much_shared(float* y) {
    __shared__ float big[16384];  // 64 KB; static shared memory is limited to 48 KB
    big[threadIdx.x] = y[threadIdx.x];
    __syncthreads();
    y[threadIdx.x] = big[(threadIdx.x + 1) % blockDim.x];
}
"""


def test_too_much_shared_memory_passes_ptx_but_fails_the_cubin() -> None:
    nvrtc_check(TOO_MUCH_SHARED, "big", ["too_much_shared"])  # PTX does not know the limit
    with pytest.raises(CompileError, match=r"too much shared data \(0x10000 bytes, 0xc000 max"):
        cubin_check(TOO_MUCH_SHARED, "big", ["too_much_shared"])


SPILLS = """
// 64 live doubles per thread under a 32-register cap: ptxas must spill.
__global__ void __launch_bounds__(1024, 2) spills(const double* x, double* y, int n) {
    double acc[64];
    for (int k = 0; k < 64; ++k) acc[k] = x[(threadIdx.x * 64 + k) % n];
    for (int r = 0; r < 8; ++r)
        for (int k = 0; k < 64; ++k) acc[k] = acc[k] * acc[(k * 7 + r) % 64] + 1.0;
    double s = 0;
    for (int k = 0; k < 64; ++k) s += acc[k];
    y[threadIdx.x] = s;
}
"""


def test_spills_fail_the_cubin_check() -> None:
    with pytest.raises(CompileError, match=r"spill"):
        cubin_check(SPILLS, "spills", ["spills"])


def test_occupancy_estimate() -> None:
    from minitorch.backends.cuda.sources import KernelResources

    def occupancy(registers: int, shared: int = 0, threads: int = 256) -> float:
        return KernelResources("k", registers, 0, 0, 0, shared).occupancy(threads)

    assert occupancy(32) == 1.0        # 8 blocks × 8 warps = 64 warps
    assert occupancy(64) == 0.5        # 65536 / (64·256) = 4 blocks
    assert occupancy(40) == 0.75       # 40 regs round to 1280/warp: 51 warps -> 6 blocks
    assert occupancy(32, shared=48 * 1024) == 0.5  # 228 KB / (48 KB + 1 KB) = 4 blocks


def test_implicit_gemm_and_reduction_kernels_fit_sm90() -> None:
    """The tiled kernels: their shared tiles are exactly what conv.cu / reduction.cu declare
    (16 · 32 + 16 · 64 elements; REDUCE_THREADS elements), no spills, and enough resident
    warps: for float32 (what training runs in) at least 24 of 64 — six 128-thread blocks of
    4 × 4 accumulators per thread, each warp with 16 independent FMA chains — and for float64
    at least 16."""
    from minitorch.backends.cuda.backend import IG_THREADS

    tiles = 16 * 32 + 16 * 64
    # + 4 B: the split-K arrival flag (ig_arrive_last)
    shared = {"conv2d_implicit_forward": (tiles, 4), "conv2d_implicit_backward_weight":
              (tiles, 4), "conv2d_implicit_backward_input": (tiles, 4),
              "channel_sum_partial": (REDUCE_THREADS, 0)}
    seen = set()
    for family in ("conv", "reduction"):
        for r in cubin_check(LIBRARY.source(family), family, LIBRARY.name_expressions(family)):
            name, element = r.expression.rstrip(">").split("<")
            if name in shared:
                seen.add(name)
                elements, mask = shared[name]
                assert r.shared == elements * {"float": 4, "double": 8}[element] + mask, r
                assert r.spill_stores == r.spill_loads == 0, r
                threshold = 0.375 if name == "channel_sum_partial" or element == "float" \
                    else 0.25
                assert r.occupancy(IG_THREADS) >= threshold, r
    assert seen == set(shared)


def test_ptxas_report_with_a_stack_frame_keeps_its_shared_memory() -> None:
    """ptxas puts "N bytes cumulative stack size" between the barriers and the smem of a
    kernel with a stack frame; the shared memory must still be read."""
    from minitorch.backends.cuda.sources import _parse_ptxas

    log = ("ptxas info    : Compiling entry function '_Z1kv' for 'sm_90'\n"
           "ptxas         .     128 bytes stack frame, 0 bytes spill stores, 0 bytes spill "
           "loads\n"
           "ptxas info    : Used 88 registers, used 1 barriers, 128 bytes cumulative stack "
           "size, 12288 bytes smem\n")
    (r,) = _parse_ptxas(log, "k", {"_Z1kv": "k"})
    assert (r.registers, r.stack, r.shared) == (88, 128, 12288)
