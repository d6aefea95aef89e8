// Convolution as im2col + GEMM. The GEMM itself is xp.matmul (cuBLAS on a GPU); these kernels
// move pixels between the image layout and the "column" layout the GEMM wants.
//
//   cols has shape (N, C·kH·kW, Ho·Wo): row (c·kH + p)·kW + q, column i·Wo + j holds the input
//   pixel that kernel tap (p, q) of channel c sees at output position (i, j).
//
// Launch geometry (all kernels in this file): 1-D over the elements of the array written,
// block = 256 threads, grid = min(ceil(total / 256), 4096) blocks, grid-stride loop.
#include "common.cuh"

// for n < N, c < C, p < kH, q < kW, i < Ho, j < Wo:
//     h = i·sh + p·dh - pad_top;  w = j·sw + q·dw - pad_left
//     cols[n, c, p, q, i, j] = x[n, c, h, w] if (h, w) is inside the image else 0
template <typename T>
__global__ void im2col(const T* __restrict__ x, T* __restrict__ cols,
                       int N, int C, int H, int W, int kH, int kW, int Ho, int Wo,
                       int sh, int sw, int pad_top, int pad_left, int dh, int dw) {
    long long total = (long long)N * C * kH * kW * Ho * Wo;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        long long r = idx;
        int j = (int)(r % Wo); r /= Wo;
        int i = (int)(r % Ho); r /= Ho;
        int q = (int)(r % kW); r /= kW;
        int p = (int)(r % kH); r /= kH;
        int c = (int)(r % C);
        long long n = r / C;
        int h = i * sh + p * dh - pad_top;
        int w = j * sw + q * dw - pad_left;
        bool inside = h >= 0 && h < H && w >= 0 && w < W;
        cols[idx] = inside ? x[((n * C + c) * H + h) * W + w] : T(0);
    }
}

// The adjoint of im2col, as a gather (one thread per input pixel, so no atomics):
// for n < N, c < C, h < H, w < W:
//     x[n, c, h, w] = Σ over taps (p, q) and outputs (i, j) with
//                     i·sh + p·dh - pad_top = h  and  j·sw + q·dw - pad_left = w
//                     of cols[n, c, p, q, i, j]
template <typename T>
__global__ void col2im(const T* __restrict__ cols, T* __restrict__ x,
                       int N, int C, int H, int W, int kH, int kW, int Ho, int Wo,
                       int sh, int sw, int pad_top, int pad_left, int dh, int dw) {
    long long total = (long long)N * C * H * W;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        long long r = idx;
        int w = (int)(r % W); r /= W;
        int h = (int)(r % H); r /= H;
        long long nc = r;  // n·C + c
        T sum = T(0);
        for (int p = 0; p < kH; ++p) {
            int hh = h + pad_top - p * dh;  // = i·sh
            if (hh < 0 || hh % sh != 0) continue;
            int i = hh / sh;
            if (i >= Ho) continue;
            for (int q = 0; q < kW; ++q) {
                int ww = w + pad_left - q * dw;  // = j·sw
                if (ww < 0 || ww % sw != 0) continue;
                int j = ww / sw;
                if (j >= Wo) continue;
                sum += cols[(((nc * kH + p) * kW + q) * Ho + i) * Wo + j];
            }
        }
        x[idx] = sum;
    }
}

// for n < N, o < O, l < L:  y[n, o, l] += b[o]        (in place)
template <typename T>
__global__ void add_channel_bias(T* __restrict__ y, const T* __restrict__ b,
                                 int N, int O, long long L) {
    long long total = (long long)N * O * L;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        y[idx] += b[(idx / L) % O];
    }
}

// =====================================================================================
// Implicit-GEMM convolution: the GEMM of im2col + GEMM, with the column matrix never
// stored. Each kernel below computes one C = A·B of the shapes
//
//     forward        y  (Og × N·Ho·Wo)  = W (Og × K)         · cols (K × N·Ho·Wo)
//     weight grad    gW|gb (Og × K + 1) = gy (Og × N·Ho·Wo)  · [colsᵀ | 1] (N·Ho·Wo × K + 1)
//     input grad     gx (Cg × N·H·W)    = Wᵀ (Cg × Og·kH·kW) · gcols (Og·kH·kW × N·H·W)
//
// per group (blockIdx.z), with K = Cg·kH·kW, and gathers the tiles of A and B it needs
// straight from x, w and gy — applying padding, stride and dilation while loading.
//
// Block tile. A block of IG_THREADS = 128 threads (4 warps) owns an IG_M × IG_N = 32 × 64
// tile of C (32 rows: the channel counts of small CNNs are multiples of 32, so no row of the
// tile idles; 64 columns keep the grids of the small layers above one block per SM). It walks
// the reduction dimension in steps of IG_K = 16 (ig_main_loop): all threads copy a 16 × 32
// tile of A and a 16 × 64 tile of B into shared memory (4 + 8 elements each),
// __syncthreads(), accumulate, __syncthreads() again before the next copy overwrites them.
//
// Thread tile (ig_tile_fma). Each thread keeps IG_TM × IG_TN = 4 × 4 outputs in registers:
// rows 4·ty .. 4·ty + 3 and columns 4·tx .. 4·tx + 3 of the block tile, where the 128
// threads form 8 rows (ty) × 16 columns (tx) of threads and each warp is a 4 × 8 patch of
// them (ig_thread_position). Per reduction step kk a thread reads 4 consecutive A values and
// 4 consecutive B values — one 128-bit shared load each (ld.shared.v4 for float) — for 16
// multiply-adds. Across a warp those loads touch 4 × 4 distinct A words and 8 × 4 distinct
// B words, each set inside one 128-byte row: one shared-memory wavefront per load, 2 per 16
// FMA instructions, so the shared-memory pipe (one wavefront per cycle per SM) runs at half
// the rate of the FMA pipes (4 warp-FMAs per cycle per SM).
//
// Shared layout and swizzle. As[kk][m], Bs[kk][m]: row kk of the tile, with column m stored
// at m ^ ig_swizzle(kk) = m ^ (4·(kk mod 8)). The XOR moves whole aligned groups of 4, so the
// 128-bit reads stay aligned and conflict-free; it is there for the copies that walk kk
// fastest (gy and x in the weight gradient, w everywhere: consecutive threads take
// consecutive reduction indices, which are consecutive in global memory), which would
// otherwise put 16 rows of one column in one bank (16-way conflicts); swizzled, 2-way.
// Shared memory: (16 · 32 + 16 · 64) · sizeof(T) = 6 KB (float) / 12 KB (double).
//
// Cost of one GEMM M × Ncols × R: 2·M·Ncols·R FLOPs. Global traffic: every block reads
// R·(32 + 64) elements (each A element is re-read by ceil(Ncols/64) blocks, each B element
// by ceil(M/32) blocks — mostly from L2) and writes its 32 × 64 outputs once; the inputs
// themselves are read from DRAM about once. benchmarks/gpu_model.py models these kernels from
// exactly these counts.
//
// Index arithmetic is 32-bit: the host checks that every array and N·Ho·Wo, N·H·W fit an
// int (:meth:`CudaBackend._check_int32`).
#define IG_TM 4                // outputs per thread along the rows
#define IG_TN 4                // and along the columns
#define IG_M (8 * IG_TM)       // 8 × 16 threads
#define IG_N (16 * IG_TN)
#define IG_K 16
#define IG_THREADS 128

// Where column m of tile row kk lives in shared memory (see "Shared layout" above).
__device__ __forceinline__ int ig_swizzle(int kk) { return (kk & 7) << 2; }

// (ty, tx) of this thread in the 8 × 16 grid of threads: warp w covers thread rows
// 4·(w / 2) .. + 3 and thread columns 8·(w % 2) .. + 7, lane l the (l / 8, l % 8) of them.
__device__ __forceinline__ void ig_thread_position(int& ty, int& tx) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    ty = (warp / 2) * 4 + lane / 8;
    tx = (warp % 2) * 8 + lane % 8;
}

// acc[a][b] += Σ_kk As[kk][4·ty + a] · Bs[kk][4·tx + b]: one IG_K step of a thread's
// IG_TM × IG_TN outputs, from the (swizzled) tiles in shared memory.
template <typename T>
__device__ __forceinline__ void ig_tile_fma(const T (*As)[IG_M], const T (*Bs)[IG_N],
                                            T (&acc)[IG_TM][IG_TN], int ty, int tx) {
#pragma unroll
    for (int kk = 0; kk < IG_K; ++kk) {
        // the 4 values of each operand are consecutive and 16-byte aligned in shared memory:
        // one vector load each
        const int ra = (IG_TM * ty) ^ ig_swizzle(kk), cb = (IG_TN * tx) ^ ig_swizzle(kk);
        T a[IG_TM], b[IG_TN];
#pragma unroll
        for (int i = 0; i < IG_TM; ++i) a[i] = As[kk][ra + i];
#pragma unroll
        for (int j = 0; j < IG_TN; ++j) b[j] = Bs[kk][cb + j];
#pragma unroll
        for (int i = 0; i < IG_TM; ++i)
#pragma unroll
            for (int j = 0; j < IG_TN; ++j) acc[i][j] += a[i] * b[j];
    }
}

// The main loop shared by the three kernels: for r0 = begin, begin + IG_K, ... < end, the
// block copies the A tile (element (kk, m) = a(r0 + kk, m)) and the B tile (b(r0 + kk, m))
// into shared memory, syncs, accumulates, and syncs again before the next copy overwrites
// the tiles. Reduction indices r ≥ end read as 0. Which tile index consecutive threads
// take: kk for A (the reduction index is the contiguous one in w and gy), kk for B when
// BAlongK (the weight gradient, whose B reduction index is the pixel), else m (the pixel,
// in the other two). rows × cols: how much of the block's tile lies inside the result (more
// than 32 × 64 when it all does). A warp whose 16 × 32 patch of the tile (see
// ig_thread_position) lies wholly outside — the last column tile of a narrow result, such as
// the 76 columns of conv1's weight gradient — copies its share of the tiles but skips the
// multiply-adds and their shared loads: a branch uniform across the warp, and outputs that
// are never stored.
template <typename T, bool BAlongK, typename LoadA, typename LoadB>
__device__ __forceinline__ void ig_main_loop(int begin, int end, int rows, int cols,
                                             const LoadA& a, const LoadB& b,
                                             T (&acc)[IG_TM][IG_TN]) {
    alignas(16) __shared__ T As[IG_K][IG_M];
    alignas(16) __shared__ T Bs[IG_K][IG_N];
    const int t = threadIdx.x, warp = threadIdx.x / 32;
    const bool busy = 16 * (warp / 2) < rows && 32 * (warp % 2) < cols;
    int ty, tx;
    ig_thread_position(ty, tx);
    for (int r0 = begin; r0 < end; r0 += IG_K) {
        for (int e = t; e < IG_K * IG_M; e += IG_THREADS) {
            const int kk = e % IG_K, m = e / IG_K;
            As[kk][m ^ ig_swizzle(kk)] = r0 + kk < end ? a(r0 + kk, m) : T(0);
        }
        for (int e = t; e < IG_K * IG_N; e += IG_THREADS) {
            const int kk = BAlongK ? e % IG_K : e / IG_N, m = BAlongK ? e / IG_K : e % IG_N;
            Bs[kk][m ^ ig_swizzle(kk)] = r0 + kk < end ? b(r0 + kk, m) : T(0);
        }
        __syncthreads();
        if (busy) ig_tile_fma<T>(As, Bs, acc, ty, tx);
        __syncthreads();
    }
}

// Element (k, col) of the implicit column matrix of group g: k = (c·kH + p)·kW + q,
// col = (n·Ho + i)·Wo + j; the input pixel tap (p, q) of channel g·Cg + c sees at output
// (i, j), or 0 in the padding.
template <typename T>
__device__ __forceinline__ T ig_column(const T* __restrict__ x, int k, int col, int g, int Cg,
                                       int C, int H, int W, int kH, int kW, int Ho, int Wo,
                                       int sh, int sw, int pt, int pl, int dh, int dw) {
    int q = k % kW, p = (k / kW) % kH, c = k / (kW * kH);
    int j = col % Wo, i = (col / Wo) % Ho, n = col / (Wo * Ho);
    int h = i * sh + p * dh - pt, w = j * sw + q * dw - pl;
    if (h < 0 || h >= H || w < 0 || w >= W) return T(0);
    return x[((n * C + g * Cg + c) * H + h) * W + w];
}

// Split-K arrival (see ig_split_k_store below): every thread of the block calls it after
// storing its share of a partial sum; it returns, to every thread, whether this block is the
// last of `expected` blocks to arrive at *count, and then leaves *count at 0 again (for the
// next launch and for graph replays: no memset). Release: each thread fences its own stores,
// the barrier orders them all before thread 0's fence and atomicAdd. Acquire: the last
// block's thread 0 fences after its atomic, and the barrier hands that on to its threads,
// which read the other blocks' partial sums with __ldcg (through L2, not a stale L1 line).
__device__ __forceinline__ bool ig_arrive_last(int* count, int expected) {
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

// Split-K in one launch (the weight gradient always, the forward when its reduction is long
// and its tiles few): split s < S of a tile reduces one chunk of the GEMM's reduction and the
// splits are added in this same launch, in a fixed order and without atomics on the values
// (the same bits on every run and schedule), in two levels of F = fan_in. Element (m, n) of
// the block's 32 × 64 tile is result element row_of(m, n) (< 0: outside the result), of R.
// Split s writes its tile into partial slot s (partial[s·R + row]); the splits form
// ng = ceil(S / F) groups of F consecutive ones (the last may be shorter), and the last block
// of group q to arrive (ig_arrive_last on counter 1 + q of the tile) adds the group's slots
// q·F .. in increasing order — into the result (store(row, m, sum)) when ng = 1, else into
// slot S + q; then the last of those ng blocks to arrive (counter 0 of the tile) adds slots
// S .. S + ng - 1 in increasing order into the result. Each finishing block reads F or ng of
// its tile's slots instead of S: F = ceil(√S) keeps that short (S = 264: 17 + 16 slots).
// partial has (S + ng)·R elements; tile_counters points at the tile's ng + 1 counters, all 0
// before the launch and after it.
template <typename T, typename RowOf, typename Store>
__device__ __forceinline__ void ig_sum_slots(T* __restrict__ partial, int first, int last,
                                             int into, int R, const RowOf& row_of,
                                             const Store& store) {
    for (int e = threadIdx.x; e < IG_M * IG_N; e += IG_THREADS) {
        const int m = e / IG_N, row = row_of(m, e % IG_N);
        if (row < 0) continue;
        T sum = T(0);
        for (int slot = first; slot < last; ++slot) sum += __ldcg(&partial[slot * R + row]);
        if (into >= 0) partial[into * R + row] = sum;
        else store(row, m, sum);
    }
}

// The epilogue of a split-K GEMM (above): the thread's 4 × 4 outputs into the result
// (S = 1) or slot s, then the two levels of the finish.
template <typename T, typename RowOf, typename Store>
__device__ __forceinline__ void ig_split_k_store(const T (&acc)[IG_TM][IG_TN],
                                                 T* __restrict__ partial, int* tile_counters,
                                                 int s, int S, int F, int R,
                                                 const RowOf& row_of, const Store& store) {
    int ty, tx;
    ig_thread_position(ty, tx);
#pragma unroll
    for (int a = 0; a < IG_TM; ++a) {
#pragma unroll
        for (int c2 = 0; c2 < IG_TN; ++c2) {
            const int m = IG_TM * ty + a, row = row_of(m, IG_TN * tx + c2);
            if (row < 0) continue;
            if (S == 1) store(row, m, acc[a][c2]);
            else partial[s * R + row] = acc[a][c2];
        }
    }
    if (S == 1) return;
    const int ng = (S + F - 1) / F, q = s / F, first = q * F, last = imin(S, first + F);
    if (!ig_arrive_last(tile_counters + 1 + q, last - first)) return;
    ig_sum_slots(partial, first, last, ng == 1 ? -1 : S + q, R, row_of, store);
    if (ng == 1 || !ig_arrive_last(tile_counters, ng)) return;
    ig_sum_slots(partial, S, S + ng, -1, R, row_of, store);
}

// Where element (channel g·Cg + c, pixel pix = n·plane + l) of an (N, channels, plane) array
// lives, or -1 when c ≥ Cg or pix ≥ P (outside the result): the row_of of the forward (y)
// and the input gradient (gx).
__device__ __forceinline__ int ig_image_index(int c, int pix, int g, int Cg, int P,
                                              int channels, int plane) {
    if (c >= Cg || pix >= P) return -1;
    return ((pix / plane) * channels + g * Cg + c) * plane + pix % plane;
}

// The (ng + 1) counters of this block's tile: tile = (g·gridDim.y + blockIdx.y)·gridDim.x +
// blockIdx.x.
__device__ __forceinline__ int* ig_tile_counters(int* counters, int g, int S, int F) {
    return counters + ((g * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x)
                      * ((S + F - 1) / F + 1);
}

// Forward, bias fused into the epilogue:
//   for g, o < Og, (n, i, j):
//     y[n, g·Og + o, i, j] = b[g·Og + o]·has_bias
//                            + Σ_{k < K} w[g·Og + o, k] · cols_g[k, (n·Ho + i)·Wo + j]
// (b is a dummy one-element array when has_bias = 0.) Split-K over k when the reduction is
// long and the tiles few (a linear layer: K = in_features, one tile per 64 samples):
// blockIdx.z = g·S + s, split s reduces k in [s·chunk, (s + 1)·chunk), and the splits are
// added in the same launch (ig_split_k_store; partial and counters unused when S = 1).
// Grid = (ceil(N·Ho·Wo / 64), ceil(Og / 32), groups · S).
template <typename T>
__global__ void conv2d_implicit_forward(const T* __restrict__ x, const T* __restrict__ w,
                                        const T* __restrict__ b, T* __restrict__ y,
                                        T* __restrict__ partial, int* __restrict__ counters,
                                        int has_bias, int N, int C, int H, int W, int O,
                                        int groups, int kH, int kW, int Ho, int Wo, int sh,
                                        int sw, int pt, int pl, int dh, int dw, int splits,
                                        int chunk, int fan_in) {
    const int g = blockIdx.z / splits, s = blockIdx.z % splits;
    const int Cg = C / groups, Og = O / groups;
    const int K = Cg * kH * kW, P = N * Ho * Wo, HoWo = Ho * Wo;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    T acc[IG_TM][IG_TN] = {};
    ig_main_loop<T, false>(
        s * chunk, imin(K, (s + 1) * chunk), Og - row0, P - col0,
        [&](int k, int m) { return row0 + m < Og ? w[(g * Og + row0 + m) * K + k] : T(0); },
        [&](int k, int m) {
            return col0 + m < P ? ig_column(x, k, col0 + m, g, Cg, C, H, W, kH, kW, Ho, Wo,
                                            sh, sw, pt, pl, dh, dw) : T(0);
        }, acc);
    ig_split_k_store(
        acc, partial, ig_tile_counters(counters, g, splits, fan_in), s, splits, fan_in,
        N * O * HoWo,
        [&](int m, int n) { return ig_image_index(row0 + m, col0 + n, g, Og, P, O, HoWo); },
        [&](int row, int m, T value) {
            y[row] = value + (has_bias ? b[g * Og + row0 + m] : T(0));
        });
}

// Weight and bias gradient, one GEMM for the whole batch (the reduction runs over all
// N·Ho·Wo pixels):
//   for g, o < Og, k < K:
//     gw[g·Og + o, k] = Σ_{(n, i, j)} gy[n, g·Og + o, i, j] · cols_g[k, (n·Ho + i)·Wo + j]
//     gb[g·Og + o]    = Σ_{(n, i, j)} gy[n, g·Og + o, i, j]
// Here A = gy (rows o, reduction index pix) and B = [colsᵀ | 1] (reduction index pix,
// columns k ≤ K): column K of B is all ones, so column K of the product is the bias
// gradient — it rides along in the last column tile (free when K is not a multiple of 64).
// The result has R = O·K + O rows: row (g·Og + o)·K + k is gw[g·Og + o, k], row O·K + g·Og + o
// is gb[g·Og + o].
//
// Split-K: the output (Og × K + 1, tiny) has far fewer tiles than the GPU has SMs, while the
// reduction (N·Ho·Wo) is long, so blockIdx.z = g·S + s and split s < S reduces only over
// pixels [s·chunk, (s + 1)·chunk) (chunk a multiple of IG_K); the splits are added in the
// same launch (ig_split_k_store) into gw and gb. partial and counters: see ig_split_k_store
// (unused when S = 1).
// Grid = (ceil((K + 1) / 64), ceil(Og / 32), groups · S).
template <typename T>
__global__ void conv2d_implicit_backward_weight(const T* __restrict__ gy,
                                                const T* __restrict__ x, T* __restrict__ partial,
                                                T* __restrict__ gw, T* __restrict__ gb,
                                                int* __restrict__ counters,
                                                int N, int C, int H, int W, int O, int groups,
                                                int kH, int kW, int Ho, int Wo, int sh, int sw,
                                                int pt, int pl, int dh, int dw, int splits,
                                                int chunk, int fan_in) {
    const int g = blockIdx.z / splits, s = blockIdx.z % splits;
    const int Cg = C / groups, Og = O / groups;
    const int K = Cg * kH * kW, P = N * Ho * Wo, HoWo = Ho * Wo, OK = O * K;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    const int begin = s * chunk, end = imin(P, begin + chunk);
    T acc[IG_TM][IG_TN] = {};
    // consecutive threads take consecutive pixels: coalesced reads of gy and x
    ig_main_loop<T, true>(
        begin, end, Og - row0, K + 1 - col0,
        [&](int pix, int m) {
            return row0 + m < Og ? gy[((pix / HoWo) * O + g * Og + row0 + m) * HoWo
                                      + pix % HoWo] : T(0);
        },
        [&](int pix, int m) {
            const int k = col0 + m;
            if (k >= K) return k == K ? T(1) : T(0);  // the column of ones: the bias
            return ig_column(x, k, pix, g, Cg, C, H, W, kH, kW, Ho, Wo, sh, sw, pt, pl, dh,
                             dw);
        }, acc);
    ig_split_k_store(
        acc, partial, ig_tile_counters(counters, g, splits, fan_in), s, splits, fan_in, OK + O,
        [&](int m, int n) {
            const int o = row0 + m, k = col0 + n;
            if (o >= Og || k > K) return -1;
            return k < K ? (g * Og + o) * K + k : OK + g * Og + o;
        },
        [&](int row, int, T value) {
            if (row < OK) gw[row] = value;
            else gb[row - OK] = value;
        });
}

// Whether kernel tap (p, q) reaches input pixel (h, w) from an output (i, j) inside
// [0, Ho) × [0, Wo) — h = i·sh + p·dh - pt, w = j·sw + q·dw - pl — and if so, its index
// i·Wo + j in the output plane; -1 if not.
__device__ __forceinline__ int ig_tap_output(int h, int w, int p, int q, int Ho, int Wo,
                                             int sh, int sw, int pt, int pl, int dh, int dw) {
    const int hi = h + pt - p * dh, wj = w + pl - q * dw;  // = i·sh, j·sw
    if (hi < 0 || wj < 0 || hi % sh != 0 || wj % sw != 0) return -1;
    const int i = hi / sh, j = wj / sw;
    return i < Ho && j < Wo ? i * Wo + j : -1;
}

// gx[n, g·Cg + c, h, w] of the input gradient below, summed by one thread over the terms
// that exist (taps that reach an output inside the image) and nothing else: the exact
// fallback for an output the tiled sum made NaN.
template <typename T>
__device__ __forceinline__ T ig_input_grad_exact(const T* __restrict__ gy,
                                                 const T* __restrict__ w, int g, int c, int n,
                                                 int h, int ww, int Cg, int O, int Og, int kH,
                                                 int kW, int Ho, int Wo, int sh, int sw, int pt,
                                                 int pl, int dh, int dw) {
    T sum = T(0);
    for (int o = 0; o < Og; ++o)
        for (int p = 0; p < kH; ++p)
            for (int q = 0; q < kW; ++q) {
                const int out = ig_tap_output(h, ww, p, q, Ho, Wo, sh, sw, pt, pl, dh, dw);
                if (out >= 0)
                    sum += w[(((g * Og + o) * Cg + c) * kH + p) * kW + q]
                           * gy[(n * O + g * Og + o) * Ho * Wo + out];
            }
    return sum;
}

// Input gradient as a gather (col2im folded into the B loader; each gx element is written by
// exactly one thread, so no atomics):
//   for g, c < Cg, (n, h, w):
//     gx[n, g·Cg + c, h, w] = Σ_{o < Og, p < kH, q < kW} w[g·Og + o, c, p, q] · gy[n, g·Og + o, i, j]
//   over the taps with h = i·sh + p·dh - pt, w = j·sw + q·dw - pl for an output (i, j) inside
//   [0, Ho) × [0, Wo). A = wᵀ (rows c, reduction r = (o·kH + p)·kW + q), B = the implicit
//   gcols (reduction r, columns (n·H + h)·W + w).
//
// The taps that reach no output (kernel taps in the padding, strides that skip the pixel)
// are terms that do not exist in the sum. The tiled GEMM stores them as B = 0, which adds
// w · 0 = ±0 — the same sum — as long as w is finite; an infinite or NaN weight makes that
// product NaN. So an output that comes out NaN is recomputed in the epilogue by one thread
// over the existing terms alone (ig_input_grad_exact): NaN it stays only if an existing term
// is NaN (or infinities of both signs meet) — torch's answer. With finite weights and
// gradients this path never runs; the main loop carries no mask.
// Split-K over r when the grid would leave most of the GPU idle (a deep layer at a small
// batch): blockIdx.z = g·S + s, split s reduces r in [s·chunk, (s + 1)·chunk), and the splits
// are added in the same launch (ig_split_k_store) — the NaN check on the final sum.
// Grid = (ceil(N·H·W / 64), ceil(Cg / 32), groups · S).
template <typename T>
__global__ void conv2d_implicit_backward_input(const T* __restrict__ gy,
                                               const T* __restrict__ w, T* __restrict__ gx,
                                               T* __restrict__ partial,
                                               int* __restrict__ counters,
                                               int N, int C, int H, int W, int O, int groups,
                                               int kH, int kW, int Ho, int Wo, int sh, int sw,
                                               int pt, int pl, int dh, int dw, int splits,
                                               int chunk, int fan_in) {
    const int g = blockIdx.z / splits, s = blockIdx.z % splits;
    const int Cg = C / groups, Og = O / groups;
    const int taps = kH * kW, R = Og * taps, P = N * H * W, HW = H * W;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    T acc[IG_TM][IG_TN] = {};
    ig_main_loop<T, false>(
        s * chunk, imin(R, (s + 1) * chunk), Cg - row0, P - col0,
        [&](int r, int m) {
            return row0 + m < Cg
                ? w[((g * Og + r / taps) * Cg + row0 + m) * taps + r % taps] : T(0);
        },
        [&](int r, int m) {
            const int pix = col0 + m, o = r / taps, tap = r % taps;
            if (pix >= P) return T(0);
            const int out = ig_tap_output((pix / W) % H, pix % W, tap / kW, tap % kW, Ho, Wo,
                                          sh, sw, pt, pl, dh, dw);
            return out >= 0 ? gy[((pix / HW) * O + g * Og + o) * Ho * Wo + out] : T(0);
        }, acc);
    ig_split_k_store(
        acc, partial, ig_tile_counters(counters, g, splits, fan_in), s, splits, fan_in,
        N * C * HW,
        [&](int m, int n) { return ig_image_index(row0 + m, col0 + n, g, Cg, P, C, HW); },
        [&](int row, int m, T value) {
            if (isnan(value)) {  // a non-finite weight met a term that does not exist: redo
                const int hw = row % HW;
                value = ig_input_grad_exact(gy, w, g, row0 + m, row / (C * HW), hw / W, hw % W,
                                            Cg, O, Og, kH, kW, Ho, Wo, sh, sw, pt, pl, dh, dw);
            }
            gx[row] = value;
        });
}
