// Per-channel sums: the bias gradient of conv2d when the weight gradient is not wanted (x = gy
// viewed as (N, O, Ho·Wo)), and on the im2col route that of linear (x = gy as (N, O, 1)).
//
//     for o < O:  out[o] = Σ_{n < N, l < L} x[n, o, l]
//
// Two passes, no atomics, so the result is the same bits on every run and every schedule:
//
// 1. channel_sum_partial — grid (B, O): block (b, o) sums the b-th of B equal slices of
//    channel o's N·L values. Each thread keeps REDUCE_UNROLL independent accumulators and
//    issues REDUCE_UNROLL loads per step of its block-stride loop, so several loads are in
//    flight per thread instead of one; the block then combines its REDUCE_THREADS partial
//    sums with a shared-memory tree and writes partial[o·B + b].
// 2. channel_sum_finish — one thread per channel adds partial[o·B + 0 .. B-1] in index order.
//
// The order of additions depends only on (N, O, L, B), never on which block or thread runs
// first. Cost: N·O·L FLOPs and N·O·L·sizeof(T) bytes read (pass 1), O·B reads + O writes
// (pass 2) — memory bound; B is chosen on the host so that B·O blocks fill the GPU.
#include "common.cuh"

// The block size channel_sum_partial must be launched with (a power of two).
#define REDUCE_THREADS 256
// Independent loads in flight per thread in the first pass.
#define REDUCE_UNROLL 4

// Launch geometry: grid = (B, O), block = REDUCE_THREADS; partial has O·B elements.
// Block (b, o) covers k in [b·S, min((b + 1)·S, N·L)) with S = ceil(N·L / B).
template <typename T>
__global__ void channel_sum_partial(const T* __restrict__ x, T* __restrict__ partial,
                                    int N, int O, long long L) {
    __shared__ T tree[REDUCE_THREADS];
    const int t = threadIdx.x;
    const int o = blockIdx.y;
    const long long total = (long long)N * L;
    const long long slice = (total + gridDim.x - 1) / gridDim.x;
    const long long begin = blockIdx.x * slice;
    const long long end = begin + slice < total ? begin + slice : total;
    const long long step = (long long)blockDim.x * REDUCE_UNROLL;

    T acc[REDUCE_UNROLL];
    for (int u = 0; u < REDUCE_UNROLL; ++u) acc[u] = T(0);
    for (long long k0 = begin + t; k0 < end; k0 += step) {
#pragma unroll
        for (int u = 0; u < REDUCE_UNROLL; ++u) {  // REDUCE_UNROLL independent loads
            long long k = k0 + (long long)u * blockDim.x;
            if (k < end) acc[u] += x[((k / L) * O + o) * L + k % L];
        }
    }
    T sum = T(0);
    for (int u = 0; u < REDUCE_UNROLL; ++u) sum += acc[u];
    tree[t] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {  // tree: each step reads the last one's
        if (t < s) tree[t] += tree[t + s];
        __syncthreads();
    }
    if (t == 0) partial[(long long)o * gridDim.x + blockIdx.x] = tree[0];
}

// for o < O:  out[o] = Σ_{b < B} partial[o·B + b], b in increasing order.
// Launch geometry: 1-D over O (grid-stride), 256 threads per block.
template <typename T>
__global__ void channel_sum_finish(const T* __restrict__ partial, T* __restrict__ out, int O,
                                   int B) {
    for (long long o = global_thread_index(); o < O; o += grid_stride()) {
        T sum = T(0);
        for (int b = 0; b < B; ++b) sum += partial[o * B + b];
        out[o] = sum;
    }
}
