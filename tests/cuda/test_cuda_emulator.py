"""The emulator catches what it is for — out-of-bounds accesses, data races (missing barriers,
scatters without atomics, unsynchronised handoffs between blocks, plain += from many threads),
wrong values that only an interleaving inside a barrier phase produces, spin-waits that never
end, unwritten outputs, launches and shared memory a GPU refuses, scalars of the wrong C type —
and otherwise runs kernels as CUDA would, in seeded random schedules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch.backends.cuda.emulator import DataRace, Deadlock, EmulatedLauncher, KernelFault
from minitorch.backends.cuda.launcher import LaunchError, check_geometry
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

// The same without the atomic: a plain += from every thread.
__global__ void count_threads_plainly(float* counter) {
    *counter += 1.0f;
}

// A scatter without atomics: y[i % m] = x[i], so threads of different blocks write one slot.
__global__ void scatter_modulo(const float* __restrict__ x, float* __restrict__ y, int n,
                               int m) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i % m] = x[i];
}

// Block 0 hands a value to block 1 through global memory, with no synchronisation at all.
__global__ void handoff_between_blocks(float* scratch, float* out) {
    if (threadIdx.x != 0) return;
    if (blockIdx.x == 0) scratch[0] = 42.0f;
    else out[0] = scratch[0];
}

// Atomics by many threads, then a plain read of the total by one of them, with (`barrier`
// = 1) or without a barrier in between. One block.
__global__ void atomic_then_read(int* counter, int* out, int barrier) {
    atomicAdd(counter, 1);
    if (barrier) __syncthreads();
    if (threadIdx.x == 0) out[0] = *counter;
}

// atomicMax / atomicCAS / atomicExch from every thread of several blocks.
__global__ void other_atomics(int* best, int* claimed, int* last) {
    int id = blockIdx.x * blockDim.x + threadIdx.x;
    atomicMax(best, id);
    atomicCAS(claimed, -1, id);
    atomicExch(last, 1);
}

// Forgets element 7 of its output.
__global__ void skips_element_7(float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && i != 7) y[i] = 1.0f;
}

// Thread 0 stages x[0] in shared memory and raises a shared flag; the other threads wait for
// the flag (instead of a __syncthreads()) and copy the value to y. flag_first = 1 raises the
// flag before storing the value: a consumer can see the flag and read the poisoned value.
__global__ void handoff_in_shared(const float* __restrict__ x, float* __restrict__ y,
                                  int flag_first) {
    __shared__ int ready;
    __shared__ float value;
    volatile int* flag = &ready;
    if (threadIdx.x == 0) *flag = 0;
    __syncthreads();
    if (threadIdx.x == 0) {
        if (flag_first) *flag = 1;
        value = x[0];
        *flag = 1;
    } else {
        while (*flag == 0) {}
    }
    y[threadIdx.x] = value;
}

// Thread 0 of block 0 stores 42 and raises a global flag; thread 0 of block 1 spins on the
// flag, then reads the value. fenced = 1: __threadfence() and atomics, as CUDA requires;
// 0: plain stores and a volatile spin.
__global__ void handoff_with_flag(float* data, int* flag, float* out, int fenced) {
    if (threadIdx.x != 0) return;
    if (blockIdx.x == 0) {
        data[0] = 42.0f;
        if (fenced) {
            __threadfence();
            atomicExch(flag, 1);
        } else {
            *(volatile int*)flag = 1;
        }
    } else {
        if (fenced) {
            while (atomicAdd(flag, 0) == 0) {}
        } else {
            while (*(volatile int*)flag == 0) {}
        }
        out[0] = data[0];
    }
}

// The last-block-done reduction: every thread stores one value, the block signals on an
// arrival counter, and the last block to arrive adds all the values. omit = 0: as CUDA's
// memory model requires (stores; barrier; thread 0: fence, atomic; the last one: fence;
// barrier; loads); 1, 2, 3 leave out the release fence, the acquire fence or the barrier
// before the signal.
__global__ void last_block_sums(float* values, int* arrived, float* total, int omit) {
    __shared__ int last;
    values[blockIdx.x * blockDim.x + threadIdx.x] = (float)(blockIdx.x + threadIdx.x);
    if (omit != 3) __syncthreads();
    if (threadIdx.x == 0) {
        if (omit != 1) __threadfence();
        last = atomicAdd(arrived, 1) == (int)gridDim.x - 1;
        if (last && omit != 2) __threadfence();
    }
    __syncthreads();
    if (last && threadIdx.x == 0) {
        float sum = 0.0f;
        for (unsigned k = 0; k < gridDim.x * blockDim.x; ++k) sum += values[k];
        total[0] = sum;
    }
}

// Spins on a flag nobody sets: through an atomic (how = 0) or with no memory access at all
// (how = 1, what a compiler makes of a spin on a value it keeps in a register).
__global__ void spins_forever(int* flag, int how) {
    if (how == 0) {
        while (atomicAdd(flag, 0) == 0) {}
    } else {
        for (;;) {}
    }
}

// 64 KB of static shared memory: more than ptxas accepts for a static array.
__global__ void too_much_shared(float* y) {
    __shared__ float big[16384];
    big[threadIdx.x] = 1.0f;
    __syncthreads();
    y[threadIdx.x] = big[(threadIdx.x + 1) % blockDim.x];
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


# -------------------------------------------------------- barriers and races
def _block_sum(launcher: EmulatedLauncher, variant: int) -> float:
    x = np.arange(1, 257, dtype=np.float64)
    out = np.zeros(1)
    launcher.launch("block_sum", np.float64, 1, 256, (x, out, np.int32(variant)))
    return float(out[0])


SEEDS = [0, 1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_block_sum_with_barriers_is_right_in_every_schedule(seed: int) -> None:
    launcher = EmulatedLauncher(KernelLibrary({"planted": PLANTED}), seed=seed)
    assert [_block_sum(launcher, 0) for _ in range(3)] == [256 * 257 / 2] * 3


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", [1, 2])
def test_missing_barrier_in_a_reduction_is_a_race(seed: int, variant: int) -> None:
    launcher = EmulatedLauncher(KernelLibrary({"planted": PLANTED}), seed=seed)
    with pytest.raises(DataRace) as info:
        _block_sum(launcher, variant)
    message = str(info.value)
    assert message.startswith("block_sum<double>: data race on __shared__ partial, byte ")
    assert "no __syncthreads() between them" in message
    assert re.search(r"(read|write) by block \(0, 0, 0\) thread \(\d+, 0, 0\) and "
                     r"(read|write) by block \(0, 0, 0\) thread \(\d+, 0, 0\)", message)


def test_race_detector_off_shows_the_wrong_answer_instead() -> None:
    library = KernelLibrary({"planted": PLANTED})
    answers = {_block_sum(EmulatedLauncher(library, seed=seed, race_check=False), 1)
               for seed in SEEDS}
    assert 256 * 257 / 2 not in answers  # NaN (poisoned shared memory) or a partial sum


@pytest.mark.parametrize("seed", SEEDS)
def test_neighbour_read_without_barrier_is_a_race(seed: int) -> None:
    launcher = EmulatedLauncher(KernelLibrary({"planted": PLANTED}), seed=seed)
    x = np.arange(1, 129, dtype=np.float32)
    y = np.zeros(128, np.float32)
    launcher.launch("read_lower_neighbour", np.float32, 1, 128, (x, y, np.int32(1)))
    assert np.array_equal(y, np.concatenate([[0], x[:-1]]))
    with pytest.raises(DataRace, match=r"__shared__ stage"):
        launcher.launch("read_lower_neighbour", np.float32, 1, 128, (x, y, np.int32(0)))


@pytest.mark.parametrize("seed", SEEDS)
def test_scatter_without_atomics_is_a_race(planted: EmulatedLauncher, seed: int) -> None:
    launcher = EmulatedLauncher(planted.library, seed=seed)
    x, y = np.arange(512, dtype=np.float32), np.zeros(128, np.float32)
    with pytest.raises(DataRace) as info:
        launcher.launch("scatter_modulo", None, 4, 128, (x, y, np.int32(512), np.int32(128)))
    message = str(info.value)
    assert "scatter_modulo: data race on argument 'y', element " in message
    assert "write by block" in message and "different blocks, which nothing orders" in message
    # the same kernel without collisions (m = n) is race-free
    y = np.zeros(512, np.float32)
    launcher.launch("scatter_modulo", None, 4, 128, (x, y, np.int32(512), np.int32(512)))
    assert np.array_equal(x, y)


@pytest.mark.parametrize("seed", SEEDS)
def test_handoff_between_blocks_is_a_race(planted: EmulatedLauncher, seed: int) -> None:
    launcher = EmulatedLauncher(planted.library, seed=seed)
    with pytest.raises(DataRace, match=r"argument 'scratch', element 0: (read|write) by block "
                                       r"\([01], 0, 0\) thread \(0, 0, 0\) and (read|write) "
                                       r"by block \([01], 0, 0\) thread \(0, 0, 0\)"):
        launcher.launch("handoff_between_blocks", None, 2, 32,
                        (np.zeros(1, np.float32), np.zeros(1, np.float32)))


@pytest.mark.parametrize("seed", SEEDS)
def test_non_atomic_increment_is_a_race(planted: EmulatedLauncher, seed: int) -> None:
    launcher = EmulatedLauncher(planted.library, seed=seed)
    with pytest.raises(DataRace, match=r"count_threads_plainly: data race on argument "
                                       r"'counter', element 0"):
        launcher.launch("count_threads_plainly", None, 2, 64, (np.zeros(1, np.float32),))
    counter = np.zeros(1, np.float32)
    launcher.launch("count_threads", None, 5, 96, (counter,))  # atomics never race
    assert counter[0] == 480


# ------------------------------------------- interleavings inside a barrier phase
# Before threads were switched inside a phase, each of these ran a thread's whole phase at
# once, so every schedule gave the right value (or hung); they now need an interleaving, which
# switching at every access (switch_every=1) finds within a few schedules.
FEW_SCHEDULES = range(3)


def _deep(library: KernelLibrary, seed: int, **options) -> EmulatedLauncher:
    return EmulatedLauncher(library, seed=seed, switch_every=1, **options)


def test_lost_update_of_a_plain_increment_shows_in_the_value(planted: EmulatedLauncher) -> None:
    totals = []
    for seed in FEW_SCHEDULES:
        counter = np.zeros(1, np.float32)
        _deep(planted.library, seed, race_check=False).launch(
            "count_threads_plainly", None, 1, 64, (counter,))
        totals.append(counter[0])
    assert min(totals) < 64  # some increment was lost: read, switch, another write, write
    again = np.zeros(1, np.float32)
    _deep(planted.library, 0, race_check=False).launch("count_threads_plainly", None, 1, 64,
                                                       (again,))
    assert again[0] == totals[0]  # the interleaving is the seed's: reproducible
    with pytest.raises(DataRace, match=r"count_threads_plainly: data race on argument "
                                       r"'counter', element 0: (read|write) by block \(0, 0, 0\) "
                                       r"thread \(\d+, 0, 0\) and (read|write) by block "
                                       r"\(0, 0, 0\) thread \(\d+, 0, 0\), threads of the same "
                                       r"block .*\(schedule seed \d+\)"):
        _deep(planted.library, 0).launch("count_threads_plainly", None, 1, 64,
                                         (np.zeros(1, np.float32),))


@pytest.mark.parametrize("seed", FEW_SCHEDULES)
def test_handoff_in_shared_memory_without_a_barrier(planted: EmulatedLauncher,
                                                    seed: int) -> None:
    x = np.full(1, 7.0, np.float32)
    wrong = []
    for flag_first in (0, 1):
        y = np.zeros(64, np.float32)
        _deep(planted.library, seed, race_check=False).launch(
            "handoff_in_shared", None, 1, 64, (x, y, np.int32(flag_first)))
        wrong.append(int((y != 7.0).sum()))
    assert wrong[0] == 0  # the spin yields, so the waiting threads never hang
    assert wrong[1] > 0   # a consumer saw the flag between the two stores: poison (NaN)
    with pytest.raises(DataRace, match=r"handoff_in_shared: data race on __shared__ "
                                       r"(ready|value)"):
        _deep(planted.library, seed).launch("handoff_in_shared", None, 1, 64,
                                            (x, np.zeros(64, np.float32), np.int32(0)))


@pytest.mark.parametrize("fenced", [0, 1])
def test_handoff_between_blocks_through_a_flag(planted: EmulatedLauncher, fenced: int) -> None:
    args = (np.zeros(1, np.float32), np.zeros(1, np.int32), np.zeros(1, np.float32),
            np.int32(fenced))
    # The reader makes no fence after its atomic (no acquire), and the writer's store is in
    # the phase of its release: the handoff is reported either way — on the flag when it is
    # plain (the accepted pattern: test_release_acquire_through_an_atomic_orders_blocks).
    where = "data" if fenced else "flag"
    with pytest.raises(DataRace, match=rf"handoff_with_flag: data race on argument '{where}'"):
        _deep(planted.library, 0).launch("handoff_with_flag", None, 2, 32, args)
    # Values: with both blocks resident the spin yields to the writer, whichever runs first.
    for seed in FEW_SCHEDULES:
        out = np.zeros(1, np.float32)
        _deep(planted.library, seed, race_check=False).launch(
            "handoff_with_flag", None, 2, 32, (args[0], np.zeros(1, np.int32), out, args[3]))
        assert out[0] == 42.0


@pytest.mark.parametrize("seed", FEW_SCHEDULES)
def test_release_acquire_through_an_atomic_orders_blocks(planted: EmulatedLauncher,
                                                         seed: int) -> None:
    """The race detector accepts a handoff between blocks that CUDA's memory model orders
    (fence + atomic on both sides, the stores before a barrier) and reports each variant
    that leaves one of them out."""
    def run(omit: int) -> float:
        total = np.zeros(1, np.float32)
        _deep(planted.library, seed).launch(
            "last_block_sums", None, 5, 32, (np.zeros(160, np.float32), np.zeros(1, np.int32),
                                             total, np.int32(omit)))
        return float(total[0])

    assert run(0) == sum(b + t for b in range(5) for t in range(32))
    for omit in (1, 2, 3):
        with pytest.raises(DataRace, match=r"last_block_sums: data race on argument 'values'"):
            run(omit)


def test_spin_on_a_block_that_is_not_resident_is_a_deadlock(planted: EmulatedLauncher) -> None:
    # One block at a time: when block 1 runs first it waits for a block that cannot start.
    outcomes = set()
    for seed in range(6):
        out = np.zeros(1, np.float32)
        try:
            _deep(planted.library, seed, race_check=False, resident=1,
                  stall_budget=10_000).launch(
                "handoff_with_flag", None, 2, 32, (np.zeros(1, np.float32),
                                                   np.zeros(1, np.int32), out, np.int32(1)))
            outcomes.add(float(out[0]))
        except Deadlock as error:
            assert re.match(r"handoff_with_flag: kernel did not finish \(deadlock\?\): 10000 "
                            r"memory accesses with no thread writing memory, passing a barrier "
                            r"or returning \(the last by block \(1, 0, 0\) thread \(0, 0, 0\)",
                            str(error)), str(error)
            outcomes.add("deadlock")
    assert outcomes == {42.0, "deadlock"}


def test_spin_without_memory_accesses_is_stopped_by_the_watchdog(
        planted: EmulatedLauncher) -> None:
    launcher = EmulatedLauncher(planted.library, stall_budget=1000)
    with pytest.raises(Deadlock, match=r"spins_forever: kernel did not finish \(deadlock\?\): "
                                       r"1000 memory accesses"):
        launcher.launch("spins_forever", None, 1, 32, (np.zeros(1, np.int32), np.int32(0)))
    with pytest.raises(Deadlock, match=r"thread \(\d+, 0, 0\) ran for 1 s of CPU time "
                                       r"without touching memory"):
        launcher.launch("spins_forever", None, 1, 32, (np.zeros(1, np.int32), np.int32(1)))


OVERLAP_PROBE = r"""
// Thread 0 of each block takes a ticket when its block starts and when it ends; in between
// every thread of the block makes a few accesses.
__global__ void overlap(int* clock, int* start, int* end, float* scratch) {
    if (threadIdx.x == 0) start[blockIdx.x] = atomicAdd(clock, 1);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    for (int k = 0; k < 4; ++k) scratch[i] += 1.0f;
    __syncthreads();
    if (threadIdx.x == 0) end[blockIdx.x] = atomicAdd(clock, 1);
}
"""


@pytest.mark.parametrize("resident", [1, 4])
def test_blocks_are_co_resident(resident: int) -> None:
    launcher = EmulatedLauncher(KernelLibrary({"overlap": OVERLAP_PROBE}), seed=1,
                                resident=resident)
    start, end = np.zeros(12, np.int32), np.zeros(12, np.int32)
    launcher.launch("overlap", None, 12, 32, (np.zeros(1, np.int32), start, end,
                                              np.zeros(12 * 32, np.float32)))
    overlapping = max(int(((start <= s) & (s < end)).sum()) for s in start)
    assert overlapping == resident  # blocks run side by side, as many as are resident


def test_blocks_run_concurrently_with_their_own_shared_memory() -> None:
    library = KernelLibrary({"planted": PLANTED})
    x = np.arange(1, 257, dtype=np.float64)
    for seed in FEW_SCHEDULES:
        out = np.zeros(1)
        # four co-resident blocks of the same reduction, each on its own copy of `partial`
        launcher = _deep(library, seed)
        for _ in range(2):
            launcher.launch("block_sum", np.float64, 1, 256, (x, out, np.int32(0)))
            assert out[0] == 256 * 257 / 2


def test_plain_read_of_an_atomic_total_needs_a_barrier(planted: EmulatedLauncher) -> None:
    counter, out = np.zeros(1, np.int32), np.zeros(1, np.int32)
    planted.launch("atomic_then_read", None, 1, 64, (counter, out, np.int32(1)))
    assert out[0] == 64
    with pytest.raises(DataRace, match=r"read by .* and atomic by"):
        planted.launch("atomic_then_read", None, 1, 64,
                       (np.zeros(1, np.int32), out, np.int32(0)))


def test_other_atomics_have_their_semantics(planted: EmulatedLauncher) -> None:
    best, claimed, last = np.full(1, -1, np.int32), np.full(1, -1, np.int32), np.zeros(1, np.int32)
    planted.launch("other_atomics", None, 3, 100, (best, claimed, last))
    assert best[0] == 299 and 0 <= claimed[0] < 300 and last[0] == 1


ORDER_PROBE = r"""
// Records the order in which blocks (thread 0 of each) and, in two barrier phases, the threads
// of block 0 get to run.
__global__ void order(int* next, int* blocks, int* phase0, int* phase1) {
    if (threadIdx.x == 0) blocks[blockIdx.x] = atomicAdd(&next[0], 1);
    if (blockIdx.x != 0) return;
    phase0[threadIdx.x] = atomicAdd(&next[1], 1);
    __syncthreads();
    phase1[threadIdx.x] = atomicAdd(&next[2], 1);
}
"""


def _schedule(launcher: EmulatedLauncher):
    arrays = [np.zeros(3, np.int32), np.zeros(16, np.int32), np.zeros(32, np.int32),
              np.zeros(32, np.int32)]
    launcher.launch("order", None, 16, 32, tuple(arrays))
    for a in arrays[1:]:
        assert sorted(a) == list(range(a.size))  # every block / thread ran exactly once
    return [a.tolist() for a in arrays[1:]]


@pytest.mark.parametrize("seed", SEEDS)
def test_schedules_are_random_and_reproducible(seed: int) -> None:
    library = KernelLibrary({"order": ORDER_PROBE})
    launcher = EmulatedLauncher(library, seed=seed)
    first, second = _schedule(launcher), _schedule(launcher)
    identity = [list(range(16)), list(range(32)), list(range(32))]
    for schedule in (first, second):
        assert all(got != natural for got, natural in zip(schedule, identity, strict=True))
    assert first[1] != first[2]  # a fresh interleaving in every barrier phase
    assert first != second       # and a fresh schedule for every launch
    assert _schedule(EmulatedLauncher(library, seed=seed)) == first  # same seed, same run
    assert _schedule(EmulatedLauncher(library, seed=seed + 100)) != first


def test_shared_memory_is_poisoned_for_every_block(planted: EmulatedLauncher) -> None:
    # with the barriers in place, leftovers never matter: the right answer every time
    assert [_block_sum(planted, 0) for _ in range(3)] == [256 * 257 / 2] * 3


def test_barrier_count(planted: EmulatedLauncher) -> None:
    before = planted.barrier_count("planted")
    _block_sum(planted, 0)
    assert planted.barrier_count("planted") - before == 256 * 9  # 1 + log2(256) per thread


def test_too_much_static_shared_memory_is_refused(planted: EmulatedLauncher) -> None:
    with pytest.raises(KernelFault, match=r"too_much_shared uses too much shared data "
                                          r"\(0x10000 bytes, 0xc000 max\)"):
        planted.launch("too_much_shared", None, 1, 32, (np.zeros(32, np.float32),))


def test_unwritten_output_element_is_nan(emulated, planted: EmulatedLauncher) -> None:
    """Outputs the backend allocates with ``empty`` are poisoned in emulated mode."""
    y = emulated.empty((20,), np.float32)
    assert np.isnan(y).all()
    planted.launch("skips_element_7", None, 1, 32, (y, np.int32(20)))
    assert np.isnan(y[7]) and (np.delete(y, 7) == 1).all()
    assert (emulated.empty((3,), np.int64) == -1).all()  # 0xFF bytes


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


def test_cached_launch_plan_still_checks_every_launch(planted: EmulatedLauncher) -> None:
    """The plan of a launch is remembered, its arguments are not: after a good launch the
    same kernel and geometry with a bad argument is refused; an equal dtype spelled by
    another scalar type, an unhashable geometry and a new geometry all take the full path."""
    x, y, _ = _copy_args()
    planted.launch("flat_ids", None, 2, 4, (np.zeros(8, np.int64),))
    planted.launch("flat_ids", None, [2], [4], (np.zeros(8, np.int64),))  # lists: no plan
    with pytest.raises(TypeError, match=r"array of int64, got float32"):
        planted.launch("flat_ids", None, 2, 4, (np.zeros(8, np.float32),))
    with pytest.raises(TypeError, match=r"numpy.int64 scalar, got int32"):
        planted.launch("copy_writes_past_end", np.float32, 1, 128, (x, y, np.int32(100)))
    out = np.zeros(8, np.int64)
    planted.launch("flat_ids", None, 1, 8, (out.view(np.longlong),))  # int64 by another name
    assert np.array_equal(out, np.arange(8))
    with pytest.raises(LaunchError):
        planted.launch("flat_ids", None, 1, 2048, (out,))  # new geometry: checked again


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


@pytest.mark.parametrize("grid, block, message", [
    (1, 2048, r"block dimension x is 2048, at most 1024"),
    ((1, 70000, 1), 32, r"grid dimension y is 70000, at most 65535"),
    ((1, 1, 65536), 32, r"grid dimension z is 65536, at most 65535"),
    (2**31, 32, r"grid dimension x is 2147483648, at most 2147483647"),
    (1, (2, 2, 256), r"block dimension z is 256, at most 64"),
    (1, (1, 1025, 1), r"block dimension y is 1025, at most 1024"),
    (1, (64, 32, 1), r"a block has at most 1024 threads, got 2048"),
])
def test_oversize_launch_is_refused_with_the_driver_error(planted: EmulatedLauncher, grid,
                                                          block, message: str) -> None:
    with pytest.raises(LaunchError, match=r"^CUDA_ERROR_INVALID_VALUE \(cudaErrorInvalid"
                                          r"Configuration: invalid configuration argument\) "
                                          r"launching count_threads: " + message):
        planted.launch("count_threads", None, grid, block, (np.zeros(1, np.float32),))


def test_dynamic_shared_memory_limits(planted: EmulatedLauncher) -> None:
    check_geometry("k", (1, 1, 1), (32, 1, 1), 48 * 1024)
    check_geometry("k", (1, 1, 1), (32, 1, 1), 100 * 1024, max_shared_bytes=227 * 1024)
    with pytest.raises(LaunchError, match=r"49153 bytes of dynamic shared memory, at most 49152"):
        check_geometry("k", (1, 1, 1), (32, 1, 1), 48 * 1024 + 1)
    with pytest.raises(LaunchError, match=r"at most 232448 bytes .* opted in to"):
        check_geometry("k", (1, 1, 1), (32, 1, 1), 0, max_shared_bytes=228 * 1024)
    with pytest.raises(LaunchError, match=r"launching count_threads: 65536 bytes of dynamic"):
        planted.launch("count_threads", None, 1, 32, (np.zeros(1, np.float32),),
                       shared_bytes=64 * 1024)
    with pytest.raises(NotImplementedError, match=r"no dynamic shared memory"):
        planted.launch("count_threads", None, 1, 32, (np.zeros(1, np.float32),),
                       shared_bytes=1024)


def test_bad_geometry_is_refused(planted: EmulatedLauncher) -> None:
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
