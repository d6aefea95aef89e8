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
//     forward        y  (Og × N·Ho·Wo) = W (Og × K)        · cols (K × N·Ho·Wo)
//     weight grad    gW (Og × K)       = gy (Og × N·Ho·Wo) · colsᵀ (N·Ho·Wo × K)
//     input grad     gx (Cg × N·H·W)   = Wᵀ (Cg × Og·kH·kW) · gcols (Og·kH·kW × N·H·W)
//
// per group (blockIdx.z), with K = Cg·kH·kW, and gathers the tiles of A and B it needs
// straight from x, w and gy — applying padding, stride and dilation while loading.
//
// Tiling (all three kernels): a block of IG_THREADS = 256 threads owns an IG_M × IG_N =
// 32 × 64 tile of C (32 rows: the channel counts of small CNNs are multiples of 32, so no
// row of the tile idles). It walks the reduction dimension in steps of IG_K = 16: all threads
// load a 16 × 32 tile of A (2 elements each) and a 16 × 64 tile of B (4 each) into shared
// memory, __syncthreads(), each thread accumulates its IG_TM × IG_TN = 2 × 4 outputs (rows
// ty + 16a, columns tx + 16b for a < 2, b < 4, with tx = t mod 16, ty = t / 16) in registers,
// __syncthreads() again before the next load overwrites the tiles (ig_main_loop).
// Per IG_K step a warp issues 6 shared loads (2 of A, broadcast; 4 of B, 16 consecutive
// words) for 8 multiply-adds per thread.
// Grid = (ceil(columns / 64), ceil(rows / 32), groups).
// Shared memory: (16 · 32 + 16 · 64) · sizeof(T) = 6 KB (float) / 12 KB (double), plus a
// 16 × 64 int mask (4 KB) in the input-gradient kernel (terms that do not exist, see ig_tile_fma); the
// other two never touch their 1 × 64 mask and the compiler drops it. (int, not char: threads
// writing neighbouring bytes of one word is fine on a GPU, but the emulator's race detector
// watches whole words.)
//
// Cost of one GEMM M × Ncols × R: 2·M·Ncols·R FLOPs. Global traffic: every block reads
// R·(32 + 64) elements (each A element is re-read by ceil(Ncols/64) blocks, each B element
// by ceil(M/32) blocks — mostly from L2) and writes its 32 × 64 outputs once; the inputs
// themselves are read from DRAM about once.
//
// Index arithmetic is 32-bit: the host checks that every array and N·Ho·Wo, N·H·W fit an
// int (:meth:`CudaBackend._check_int32`).
#define IG_TM 2                // outputs per thread along the rows
#define IG_TN 4                // and along the columns
#define IG_M (16 * IG_TM)      // 16 × 16 threads
#define IG_N (16 * IG_TN)
#define IG_K 16
#define IG_THREADS 256

// acc[a][b] += Σ_kk As[kk][ty + 16a] · Bs[kk][tx + 16b]: one IG_K step of a thread's
// IG_TM × IG_TN outputs, from the tiles in shared memory. Masked: a product whose
// Ms[kk][column] is 0 is left out altogether (not added as A · 0, which is NaN for an
// infinite A) — a term that does not exist in the sum, e.g. a kernel tap in the padding.
template <typename T, bool Masked>
__device__ __forceinline__ void ig_tile_fma(const T (*As)[IG_M], const T (*Bs)[IG_N],
                                            const int (*Ms)[IG_N],
                                            T (&acc)[IG_TM][IG_TN], int tx, int ty) {
#pragma unroll
    for (int kk = 0; kk < IG_K; ++kk) {
        T a[IG_TM], b[IG_TN];
        bool m[IG_TN];
#pragma unroll
        for (int i = 0; i < IG_TM; ++i) a[i] = As[kk][ty + 16 * i];
#pragma unroll
        for (int j = 0; j < IG_TN; ++j) {
            b[j] = Bs[kk][tx + 16 * j];
            m[j] = !Masked || Ms[kk][tx + 16 * j];
        }
#pragma unroll
        for (int i = 0; i < IG_TM; ++i)
#pragma unroll
            for (int j = 0; j < IG_TN; ++j) acc[i][j] += m[j] ? a[i] * b[j] : T(0);
    }
}

// The main loop shared by the three kernels: for r0 = begin, begin + IG_K, ... < R, every
// thread calls
// load(r0, e, As, Bs, Ms) for e = t, t + 256, ... < IG_K · IG_N (each call fills As and Bs —
// and the mask Ms when Masked — at one place of its choosing), then the block syncs,
// accumulates, and syncs again before the next load overwrites the tiles. load is where each
// kernel gathers its implicit A and B.
template <typename T, bool Masked, typename Load>
__device__ __forceinline__ void ig_main_loop(int begin, int R, const Load& load,
                                             T (&acc)[IG_TM][IG_TN]) {
    __shared__ T As[IG_K][IG_M];
    __shared__ T Bs[IG_K][IG_N];
    __shared__ int Ms[Masked ? IG_K : 1][IG_N];
    const int t = threadIdx.x;
    for (int r0 = begin; r0 < R; r0 += IG_K) {
        for (int e = t; e < IG_K * IG_N; e += IG_THREADS) load(r0, e, As, Bs, Ms);
        __syncthreads();
        ig_tile_fma<T, Masked>(As, Bs, Ms, acc, t % 16, t / 16);
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

// Forward, bias fused into the epilogue:
//   for g, o < Og, (n, i, j):
//     y[n, g·Og + o, i, j] = b[g·Og + o]·has_bias
//                            + Σ_{k < K} w[g·Og + o, k] · cols_g[k, (n·Ho + i)·Wo + j]
// (b is a dummy one-element array when has_bias = 0.)
template <typename T>
__global__ void conv2d_implicit_forward(const T* __restrict__ x, const T* __restrict__ w,
                                        const T* __restrict__ b, T* __restrict__ y,
                                        int has_bias, int N, int C, int H, int W, int O,
                                        int groups, int kH, int kW, int Ho, int Wo, int sh,
                                        int sw, int pt, int pl, int dh, int dw) {
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const int g = blockIdx.z, Cg = C / groups, Og = O / groups;
    const int K = Cg * kH * kW, P = N * Ho * Wo;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    T acc[IG_TM][IG_TN] = {};
    ig_main_loop<T, false>(0, K, [&](int k0, int e, T (*As)[IG_M], T (*Bs)[IG_N],
                                  int (*)[IG_N]) {
        int kk = e / IG_N, m = e % IG_N;  // A is filled for m < IG_M only
        int o = row0 + m, k = k0 + kk, col = col0 + m;
        if (m < IG_M) As[kk][m] = (o < Og && k < K) ? w[(g * Og + o) * K + k] : T(0);
        Bs[kk][m] = (col < P && k < K)
            ? ig_column(x, k, col, g, Cg, C, H, W, kH, kW, Ho, Wo, sh, sw, pt, pl, dh, dw)
            : T(0);
    }, acc);
    for (int a = 0; a < IG_TM; ++a) {
        int o = row0 + ty + 16 * a;
        if (o >= Og) continue;
        T bias = has_bias ? b[g * Og + o] : T(0);
        for (int c2 = 0; c2 < IG_TN; ++c2) {
            int col = col0 + tx + 16 * c2;
            if (col >= P) continue;
            int hw = col % (Ho * Wo), n = col / (Ho * Wo);
            y[(n * O + g * Og + o) * (Ho * Wo) + hw] = acc[a][c2] + bias;
        }
    }
}

// Weight gradient, one GEMM for the whole batch (the reduction runs over all N·Ho·Wo):
//   for g, o < Og, k < K:
//     gw[g·Og + o, k] = Σ_{(n, i, j)} gy[n, g·Og + o, i, j] · cols_g[k, (n·Ho + i)·Wo + j]
// Here A = gy (rows o, reduction index col) and B = colsᵀ (reduction index col, columns k).
//
// Split-K: the output (Og × K, tiny) has far fewer tiles than the GPU has SMs, while the
// reduction (N·Ho·Wo) is long, so blockIdx.z = g·splits + s and split s reduces only over
// pixels [s·chunk, (s + 1)·chunk) (chunk a multiple of IG_K), writing
// partial[(g·Og + o)·K + k, s] — layout (O·K, splits). The host then adds the splits in a fixed
// order with channel_sum_finish (no atomics: the same bits every run). With splits = 1,
// partial is gw itself.
template <typename T>
__global__ void conv2d_implicit_backward_weight(const T* __restrict__ gy,
                                                const T* __restrict__ x, T* __restrict__ partial,
                                                int N, int C, int H, int W, int O, int groups,
                                                int kH, int kW, int Ho, int Wo, int sh, int sw,
                                                int pt, int pl, int dh, int dw, int splits,
                                                int chunk) {
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const int g = blockIdx.z / splits, s = blockIdx.z % splits;
    const int Cg = C / groups, Og = O / groups;
    const int K = Cg * kH * kW, P = N * Ho * Wo, HoWo = Ho * Wo;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    const int begin = s * chunk, end = imin(P, begin + chunk);
    T acc[IG_TM][IG_TN] = {};
    ig_main_loop<T, false>(begin, end, [&](int p0, int e, T (*As)[IG_M], T (*Bs)[IG_N],
                                           int (*)[IG_N]) {
        // consecutive threads take consecutive pixels: coalesced reads of gy and x
        int kk = e % IG_K, m = e / IG_K;
        int pix = p0 + kk, o = row0 + m, k = col0 + m;
        if (m < IG_M)
            As[kk][m] = (o < Og && pix < end)
                ? gy[((pix / HoWo) * O + g * Og + o) * HoWo + pix % HoWo] : T(0);
        Bs[kk][m] = (k < K && pix < end)
            ? ig_column(x, k, pix, g, Cg, C, H, W, kH, kW, Ho, Wo, sh, sw, pt, pl, dh, dw)
            : T(0);
    }, acc);
    for (int a = 0; a < IG_TM; ++a) {
        for (int c2 = 0; c2 < IG_TN; ++c2) {
            int o = row0 + ty + 16 * a, k = col0 + tx + 16 * c2;
            if (o < Og && k < K) partial[((g * Og + o) * K + k) * splits + s] = acc[a][c2];
        }
    }
}

// Input gradient as a gather (col2im folded into the B loader; each gx element is written by
// exactly one thread, so no atomics):
//   for g, c < Cg, (n, h, w):
//     gx[n, g·Cg + c, h, w] = Σ_{o < Og, p < kH, q < kW} w[g·Og + o, c, p, q] · gy[n, g·Og + o, i, j]
//   over the taps with h = i·sh + p·dh - pt, w = j·sw + q·dw - pl for an output (i, j) inside
//   [0, Ho) × [0, Wo). A = wᵀ (rows c, reduction r = (o·kH + p)·kW + q), B = the implicit
//   gcols (reduction r, columns (n·H + h)·W + w).
template <typename T>
__global__ void conv2d_implicit_backward_input(const T* __restrict__ gy,
                                               const T* __restrict__ w, T* __restrict__ gx,
                                               int N, int C, int H, int W, int O, int groups,
                                               int kH, int kW, int Ho, int Wo, int sh, int sw,
                                               int pt, int pl, int dh, int dw) {
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const int g = blockIdx.z, Cg = C / groups, Og = O / groups;
    const int taps = kH * kW, R = Og * taps, P = N * H * W, HW = H * W;
    const int row0 = blockIdx.y * IG_M, col0 = blockIdx.x * IG_N;
    T acc[IG_TM][IG_TN] = {};
    ig_main_loop<T, true>(0, R, [&](int r0, int e, T (*As)[IG_M], T (*Bs)[IG_N],
                                 int (*Ms)[IG_N]) {
        int kk = e / IG_N, m = e % IG_N;  // A is filled for m < IG_M only
        int r = r0 + kk, c = row0 + m, pix = col0 + m;
        int o = r / taps, tap = r % taps;
        if (m < IG_M)
            As[kk][m] = (c < Cg && r < R) ? w[((g * Og + o) * Cg + c) * taps + tap] : T(0);
        T v = T(0);
        bool valid = false;  // does tap r reach pixel pix from an output inside the image?
        if (r < R && pix < P) {
            int p = tap / kW, q = tap % kW;
            int ww = pix % W, h = (pix / W) % H, n = pix / HW;
            int hi = h + pt - p * dh, wj = ww + pl - q * dw;  // = i·sh, j·sw
            valid = hi >= 0 && wj >= 0 && hi % sh == 0 && wj % sw == 0 && hi / sh < Ho
                    && wj / sw < Wo;
            if (valid) v = gy[((n * O + g * Og + o) * Ho + hi / sh) * Wo + wj / sw];
        }
        Bs[kk][m] = v;
        Ms[kk][m] = valid;
    }, acc);
    for (int a = 0; a < IG_TM; ++a) {
        for (int c2 = 0; c2 < IG_TN; ++c2) {
            int c = row0 + ty + 16 * a, pix = col0 + tx + 16 * c2;
            if (c < Cg && pix < P)
                gx[((pix / HW) * C + g * Cg + c) * HW + pix % HW] = acc[a][c2];
        }
    }
}
