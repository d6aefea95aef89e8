"""Every .cu file compiles with NVRTC exactly as CuPy will compile it, warnings as errors."""

from __future__ import annotations

import pytest

from minitorch.backends.cuda.sources import CompileError, KernelLibrary, nvrtc_check

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
