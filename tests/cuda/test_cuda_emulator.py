"""The emulator catches what it is for: out-of-bounds accesses, missing barriers, scalars of
the wrong C type — and otherwise runs kernels as CUDA would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch.backends.cuda.emulator import EmulatedLauncher, KernelFault
from minitorch.backends.cuda.sources import KernelLibrary

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the emulator needs Linux")

PLANTED = r"""
// Off by one: i <= n reads x[n].
template <typename T>
__global__ void copy_reads_past_end(const T* __restrict__ x, T* __restrict__ y, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) y[i < n ? i : 0] = x[i];
}

// Shifted store: writes y[n].
template <typename T>
__global__ void copy_writes_past_end(const T* __restrict__ x, T* __restrict__ y, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i + 1] = x[i];
}

// Shifted the other way: writes y[-1].
template <typename T>
__global__ void copy_writes_before_start(const T* __restrict__ x, T* __restrict__ y,
                                         long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i - 1] = x[i];
}

// Casts const away and writes into its input.
template <typename T>
__global__ void writes_const_input(const T* __restrict__ x, T* __restrict__ y, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        const_cast<T*>(x)[i] = T(0);
        y[i] = T(1);
    }
}

// Block sum in shared memory, correct and with each of its barriers missing.
// Launch: one block of 256 threads; x has 256 elements.
template <typename T>
__global__ void block_sum(const T* __restrict__ x, T* __restrict__ out, int variant) {
    __shared__ T partial[256];
    int t = threadIdx.x;
    partial[t] = x[t];
    if (variant != 1) __syncthreads();  // variant 1: no barrier after the loads
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) partial[t] += partial[t + s];
        if (variant != 2) __syncthreads();  // variant 2: no barrier between the steps
    }
    if (t == 0) out[0] = partial[0];
}

// Each thread reads what its lower neighbour stored; `barrier` = 0 forgets the barrier.
template <typename T>
__global__ void read_lower_neighbour(const T* __restrict__ x, T* __restrict__ y, int barrier) {
    __shared__ T stage[128];
    int t = threadIdx.x;
    stage[t] = x[t];
    if (barrier) __syncthreads();
    y[t] = t > 0 ? stage[t - 1] : T(0);
}

// Writes every thread's flat id, for 2-D and 3-D geometry.
__global__ void flat_ids(long long* out) {
    long long block = ((long long)blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
    long long thread = ((long long)threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x
                       + threadIdx.x;
    long long per_block = (long long)blockDim.x * blockDim.y * blockDim.z;
    out[block * per_block + thread] = block * per_block + thread;
}

// Every thread adds 1 to the same counter.
__global__ void count_threads(float* counter) {
    atomicAdd(counter, 1.0f);
}
"""


@pytest.fixture(scope="module")
def planted() -> EmulatedLauncher:
    return EmulatedLauncher(KernelLibrary({"planted": PLANTED}))


def _copy_args(n: int = 100):
    x = np.arange(n, dtype=np.float32)
    return x, np.zeros(n, np.float32), np.int64(n)


# ------------------------------------------------------------------- bounds checking
def test_read_past_the_end_is_caught(planted: EmulatedLauncher) -> None:
    with pytest.raises(KernelFault) as info:
        planted.launch("copy_reads_past_end", np.float32, 1, 128, _copy_args())
    message = str(info.value)
    assert "out-of-bounds read" in message
    assert "argument 'x'" in message and "element 100" in message and "past the end" in message
    assert "thread (100, 0, 0)" in message


def test_write_past_the_end_is_caught(planted: EmulatedLauncher) -> None:
    with pytest.raises(KernelFault, match=r"out-of-bounds write .*argument 'y'.*element 100"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128, _copy_args())


def test_write_before_the_start_is_caught(planted: EmulatedLauncher) -> None:
    with pytest.raises(KernelFault, match=r"before the start of argument 'y'"):
        planted.launch("copy_writes_before_start", np.float32, 1, 128, _copy_args())
    # 1024 floats fill their page exactly: y[-1] lands in the guard page itself
    with pytest.raises(KernelFault, match=r"argument 'y'.*before the start"):
        planted.launch("copy_writes_before_start", np.float32, 8, 128, _copy_args(1024))


def test_write_to_const_input_is_caught(planted: EmulatedLauncher) -> None:
    x, y, n = _copy_args()
    with pytest.raises(KernelFault, match=r"argument 'x'.*const"):
        planted.launch("writes_const_input", np.float32, 1, 128, (x, y, n))
    assert np.array_equal(x, np.arange(100, dtype=np.float32))  # caller's array untouched


def test_correct_kernel_passes_and_faults_do_not_leak(planted: EmulatedLauncher) -> None:
    for _ in range(3):
        with pytest.raises(KernelFault):
            planted.launch("copy_reads_past_end", np.float32, 1, 128, _copy_args())
    x, y, n = _copy_args()
    planted.launch("copy_writes_past_end", np.float32, 1, 128, (x, np.zeros(101, np.float32),
                                                                n))
    assert np.array_equal(y, 0 * y)  # y was not an argument of that launch


# -------------------------------------------------------------------- barriers
def _block_sum(launcher: EmulatedLauncher, variant: int) -> float:
    x = np.arange(1, 257, dtype=np.float64)
    out = np.zeros(1)
    launcher.launch("block_sum", np.float64, 1, 256, (x, out, np.int32(variant)))
    return float(out[0])


def test_block_sum_with_barriers_is_right_in_both_orders() -> None:
    library = KernelLibrary({"planted": PLANTED})
    for reverse in (False, True):
        assert _block_sum(EmulatedLauncher(library, reverse=reverse), 0) == 256 * 257 / 2


@pytest.mark.parametrize("variant", [1, 2])
def test_missing_barrier_gives_the_same_wrong_answer(planted: EmulatedLauncher,
                                                     variant: int) -> None:
    first = _block_sum(planted, variant)
    assert first != 256 * 257 / 2
    if variant == 1:
        # thread 0 adds partial[128] before thread 128 stored it: still the poison (NaN)
        assert np.isnan(first)
    else:
        # thread 0 runs all its steps before thread 64 has added partial[192] into partial[64]
        assert np.isfinite(first)
    again = [_block_sum(planted, variant) for _ in range(3)]
    assert np.array_equal(again, [first] * 3, equal_nan=True)


def test_shared_memory_is_poisoned_for_every_block(planted: EmulatedLauncher) -> None:
    # with the barriers in place, leftovers never matter: the right answer every time
    assert [_block_sum(planted, 0) for _ in range(3)] == [256 * 257 / 2] * 3


def test_reverse_order_exposes_races_on_lower_threads() -> None:
    library = KernelLibrary({"planted": PLANTED})
    x = np.arange(1, 129, dtype=np.float32)
    want = np.concatenate([[0], x[:-1]])
    for reverse in (False, True):
        y = np.zeros(128, np.float32)
        EmulatedLauncher(library, reverse).launch("read_lower_neighbour", np.float32, 1, 128,
                                                  (x, y, np.int32(1)))
        assert np.array_equal(y, want)
    y = np.zeros(128, np.float32)
    EmulatedLauncher(library, reverse=True).launch("read_lower_neighbour", np.float32, 1, 128,
                                                   (x, y, np.int32(0)))
    assert not np.array_equal(y, want)


def test_barrier_count(planted: EmulatedLauncher) -> None:
    before = planted.barrier_count("planted")
    _block_sum(planted, 0)
    assert planted.barrier_count("planted") - before == 256 * 9  # 1 + log2(256) per thread


# ------------------------------------------------------------------- C types
def test_python_int_for_a_c_integer_is_refused(planted: EmulatedLauncher) -> None:
    x, y, _ = _copy_args()
    with pytest.raises(TypeError, match=r"'n'.*`long long`.*Python int"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128, (x, y, 100))
    with pytest.raises(TypeError, match=r"'variant'.*`int`.*Python int"):
        planted.launch("block_sum", np.float32, 1, 256, (x, y, 1))


def test_wrong_width_scalar_and_array_dtype_are_refused(planted: EmulatedLauncher) -> None:
    x, y, _ = _copy_args()
    with pytest.raises(TypeError, match=r"numpy.int64 scalar, got int32"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128, (x, y, np.int32(100)))
    with pytest.raises(TypeError, match=r"array of float32, got float64"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128,
                       (x.astype(np.float64), y, np.int64(100)))
    with pytest.raises(TypeError, match=r"C-contiguous"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128,
                       (np.zeros(200, np.float32)[::2], y, np.int64(100)))
    with pytest.raises(TypeError, match=r"takes 3 arguments"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128, (x, y))


# --------------------------------------------------------------- launch model
def test_multidimensional_geometry(planted: EmulatedLauncher) -> None:
    grid, block = (3, 2, 2), (4, 2, 3)
    out = np.full(12 * 24, -1, np.int64)
    planted.launch("flat_ids", None, grid, block, (out,))
    assert np.array_equal(out, np.arange(out.size))


def test_atomic_add(planted: EmulatedLauncher) -> None:
    counter = np.zeros(1, np.float32)
    planted.launch("count_threads", None, 5, 96, (counter,))
    assert counter[0] == 480


def test_bad_geometry_is_refused(planted: EmulatedLauncher) -> None:
    with pytest.raises(ValueError):
        planted.launch("count_threads", None, 1, 2048, (np.zeros(1, np.float32),))
    with pytest.raises(ValueError):
        planted.launch("count_threads", None, 0, 32, (np.zeros(1, np.float32),))


# ------------------------------------------------------------------- build cache
def test_concurrent_builds_share_one_library(tmp_path: Path) -> None:
    source = "__global__ void fill(float* y) { y[threadIdx.x] = 2.0f; }\n"
    script = (
        "import numpy as np\n"
        "from minitorch.backends.cuda.emulator import EmulatedLauncher\n"
        "from minitorch.backends.cuda.sources import KernelLibrary\n"
        f"launcher = EmulatedLauncher(KernelLibrary({{'tiny': {source!r}}}))\n"
        "y = np.zeros(8, np.float32)\n"
        "launcher.launch('fill', None, 1, 8, (y,))\n"
        "assert (y == 2).all()\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env,
                              stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    built = list((tmp_path / "minitorch" / "cuda-emulator").iterdir())
    assert [p.name for p in built if p.suffix == ".so" and p.name.startswith("tiny-")]
    assert not [p for p in built if p.name.startswith(".")]  # no temporary files left
