// Helpers shared by every kernel file. A `.cu` file pulls this in with
// `#include "common.cuh"`; minitorch.backends.cuda.sources pastes it in textually, so NVRTC,
// CuPy and the CPU emulator all compile one self-contained source.

// +infinity and a quiet NaN of T. NVRTC has no <cmath>, so INFINITY and NAN are not defined:
// build them from their bits.
template <typename T> struct Limits;
template <> struct Limits<float> {
    __device__ static float infinity() { return __int_as_float(0x7f800000); }
    __device__ static float quiet_nan() { return __int_as_float(0x7fc00000); }
};
template <> struct Limits<double> {
    __device__ static double infinity() { return __longlong_as_double(0x7ff0000000000000LL); }
    __device__ static double quiet_nan() {
        return __longlong_as_double(0x7ff8000000000000LL);
    }
};

// 1-D launches: the global index of this thread and the number of threads in the grid.
// Kernels loop `for (i = global_thread_index(); i < n; i += grid_stride())` (a grid-stride
// loop), so any grid size covers any n. The cast to long long comes first: blockIdx.x *
// blockDim.x is computed in 32-bit unsigned arithmetic otherwise and wraps past 2^32.
__device__ __forceinline__ long long global_thread_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ long long grid_stride() {
    return (long long)gridDim.x * blockDim.x;
}

__device__ __forceinline__ int imin(int a, int b) { return a < b ? a : b; }
__device__ __forceinline__ int imax(int a, int b) { return a > b ? a : b; }

// A compensated (Kahan) running sum for a thread that sums many terms alone (a softmax row,
// an average-pooling window): `c` carries the low-order bits each addition rounds away, so
// 10^6 float32 terms sum with O(eps) error instead of the serial loop's O(n·eps). Inf and
// NaN terms keep their meaning: once `s` is not finite the correction is dropped (inf - inf
// would turn it into NaN). NVRTC does not reassociate floating point without
// --use_fast_math, nor g++ without -ffast-math, so the compensation survives compilation.
template <typename T>
struct KahanSum {
    T s = T(0), c = T(0);
    __device__ void add(T v) {
        T y = v - c;
        T t = s + y;
        c = (t - s) - y;
        s = t;
        if (isinf(s) || isnan(s)) c = T(0);
    }
};

// Last-block-done arrival (conv.cu's split-K sums, softmax.cu's cross-entropy reduction):
// every thread of the block calls it after storing its share of a partial sum; it returns, to every thread, whether this block is the
// last of `expected` blocks to arrive at *count, and then leaves *count at 0 again (for the
// next launch and for graph replays: no memset). Release: each thread fences its own stores,
// the barrier orders them all before thread 0's fence and atomicAdd. Acquire: the last
// block's thread 0 fences after its atomic, and the barrier hands that on to its threads,
// which read the other blocks' partial sums with __ldcg (through L2, not a stale L1 line).
__device__ __forceinline__ bool arrive_last(int* count, int expected) {
    __shared__ int last;
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) {
        __threadfence();
        last = atomicAdd(count, 1) == expected - 1;
        if (last) {
            atomicExch(count, 0);
            __threadfence();
        }
    }
    __syncthreads();
    return last;
}
