// Per-channel sums: the bias gradient of conv2d (x = gy viewed as (N, O, Ho·Wo)) and of
// linear (x = gy viewed as (N, O, 1)).
#include "common.cuh"

// The block size channel_sum must be launched with (a power of two).
#define REDUCE_THREADS 256

// for o < O:  out[o] = Σ_{n < N, l < L} x[n, o, l]
//
// Launch geometry: grid = O blocks (block o owns channel o), block = REDUCE_THREADS threads.
// Thread t first adds up elements t, t + 256, t + 512, ... of its channel's N·L values; then
// the block halves its 256 partial sums step by step in shared memory (a tree reduction).
// Each step reads what other threads wrote in the step before, hence the __syncthreads().
template <typename T>
__global__ void channel_sum(const T* __restrict__ x, T* __restrict__ out,
                            int N, int O, long long L) {
    __shared__ T partial[REDUCE_THREADS];
    const int t = threadIdx.x;
    const int o = blockIdx.x;
    T acc = T(0);
    for (long long k = t; k < (long long)N * L; k += blockDim.x) {
        long long n = k / L;
        long long l = k % L;
        acc += x[(n * O + o) * L + l];
    }
    partial[t] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) partial[t] += partial[t + s];
        __syncthreads();
    }
    if (t == 0) out[o] = partial[0];
}
