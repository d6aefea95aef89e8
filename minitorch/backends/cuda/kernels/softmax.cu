// Softmax, log-softmax and the fused cross-entropy (with its reduction), one thread per row.
//
// A tensor reduced along `dim` is viewed as (outer, D, inner): a row is the D elements
// base, base + inner, ..., base + (D-1)·inner with base = o·D·inner + k, for o < outer,
// k < inner. Launch geometry (all kernels in this file): 1-D over the rows, block = 256
// threads, grid = min(ceil(rows / 256), 4096) blocks, grid-stride loop.
#include "common.cuh"

// The maximum of a row (NaNs are skipped here; they reach the result through exp).
template <typename T>
__device__ T row_max(const T* row, int D, long long inner) {
    T m = -Limits<T>::infinity();
    for (int d = 0; d < D; ++d) {
        T v = row[d * inner];
        m = v > m ? v : m;
    }
    return m;
}

// Σ_d exp(row[d] - m), compensated
template <typename T>
__device__ T row_sum_exp(const T* row, int D, long long inner, T m) {
    KahanSum<T> s;
    for (int d = 0; d < D; ++d) s.add(exp(row[d * inner] - m));
    return s.s;
}

// for every row:  m = max_d x[d];  s = Σ_d exp(x[d] - m);  y[d] = exp(x[d] - m) / s
template <typename T>
__global__ void softmax_forward(const T* __restrict__ x, T* __restrict__ y,
                                long long outer, int D, long long inner) {
    long long rows = outer * inner;
    for (long long r = global_thread_index(); r < rows; r += grid_stride()) {
        long long base = (r / inner) * D * inner + r % inner;
        T m = row_max(x + base, D, inner);
        T s = row_sum_exp(x + base, D, inner, m);
        for (int d = 0; d < D; ++d) y[base + d * inner] = exp(x[base + d * inner] - m) / s;
    }
}

// for every row:  y[d] = x[d] - m - log(Σ_d exp(x[d] - m))
template <typename T>
__global__ void log_softmax_forward(const T* __restrict__ x, T* __restrict__ y,
                                    long long outer, int D, long long inner) {
    long long rows = outer * inner;
    for (long long r = global_thread_index(); r < rows; r += grid_stride()) {
        long long base = (r / inner) * D * inner + r % inner;
        T m = row_max(x + base, D, inner);
        // (x - m) - log Σ: subtracting m first keeps float32 exact at |x| ~ 1e4, where
        // m + log Σ would round to float32's spacing there (~1e-3).
        T log_sum = log(row_sum_exp(x + base, D, inner, m));
        for (int d = 0; d < D; ++d) y[base + d * inner] = (x[base + d * inner] - m) - log_sum;
    }
}

// for every row:  dot = Σ_d gy[d]·y[d];  gx[d] = y[d]·(gy[d] - dot)
template <typename T>
__global__ void softmax_backward(const T* __restrict__ gy, const T* __restrict__ y,
                                 T* __restrict__ gx, long long outer, int D, long long inner) {
    long long rows = outer * inner;
    for (long long r = global_thread_index(); r < rows; r += grid_stride()) {
        long long base = (r / inner) * D * inner + r % inner;
        KahanSum<T> acc;
        for (int d = 0; d < D; ++d) acc.add(gy[base + d * inner] * y[base + d * inner]);
        T dot = acc.s;
        for (int d = 0; d < D; ++d) {
            long long k = base + d * inner;
            gx[k] = y[k] * (gy[k] - dot);
        }
    }
}

// for every row:  total = Σ_d gy[d];  gx[d] = gy[d] - exp(y[d])·total
template <typename T>
__global__ void log_softmax_backward(const T* __restrict__ gy, const T* __restrict__ y,
                                     T* __restrict__ gx, long long outer, int D,
                                     long long inner) {
    long long rows = outer * inner;
    for (long long r = global_thread_index(); r < rows; r += grid_stride()) {
        long long base = (r / inner) * D * inner + r % inner;
        KahanSum<T> acc;
        for (int d = 0; d < D; ++d) acc.add(gy[base + d * inner]);
        T total = acc.s;
        for (int d = 0; d < D; ++d) {
            long long k = base + d * inner;
            gx[k] = gy[k] - exp(y[k]) * total;
        }
    }
}

// A target outside [0, C) that is not ignore_index: record it in the device-side error flag
// (error[0] = 1, error[1] = the target; the first thread to get here wins) for the host to
// raise at its next synchronisation (see errors.py), instead of reading outside the row.
__device__ __forceinline__ bool bad_target(long long t, int C, long long ignore_index,
                                           unsigned long long* error) {
    if (t == ignore_index || (t >= 0 && t < C)) return false;
    if (atomicCAS(&error[0], 0ULL, 1ULL) == 0ULL) error[1] = (unsigned long long)t;
    return true;
}

// One thread per sample n < N (rows of the (N, C) logits), ε = label_smoothing:
//     logp[n, c] = logits[n, c] - m - log Σ_c exp(logits[n, c] - m)
//     l[n]       = (1-ε)·w[t]·(-logp[n, t]) + (ε/C)·Σ_c w[c]·(-logp[n, c]),  t = target[n]
//     l[n]       = 0 if t == ignore_index;  NaN (and the error flag) if t is out of range
// C may be 0 (every target must then be ignore_index): l[n] = 0, logp is empty.
// reduction 0 ("none"): loss[n] = l[n]. Otherwise, in the same launch and in a fixed order
// (the same bits on every run and schedule), in double:
//     L = Σ_n l[n],  D = Σ_{n kept} w[t]   (kept: t not ignored, in range)
// each thread over its grid-stride rows, the block by a tree over the threads, the blocks'
// (L, D) into partial[2·block]; the last block to arrive (arrive_last on *counter) adds
// them in block order and writes
//     reduction 1 ("sum"):  loss[0] = L
//     reduction 2 ("mean"): denominator[0] = D' = T(D) (NaN if 0 and ε ≠ 0: torch's NaN of
//                           (1-ε)·0/0 + ε·Σ/0), loss[0] = T(L / D')
template <typename T>
__global__ void cross_entropy_forward(const T* __restrict__ logits,
                                      const long long* __restrict__ target,
                                      const T* __restrict__ weight, T* __restrict__ loss,
                                      T* __restrict__ logp, int N, int C,
                                      long long ignore_index, T label_smoothing,
                                      unsigned long long* __restrict__ error, int reduction,
                                      double* __restrict__ partial,
                                      T* __restrict__ denominator, int* __restrict__ counter) {
    __shared__ double block_loss[256];  // block = 256 threads
    __shared__ double block_weight[256];
    double my_loss = 0.0, my_weight = 0.0;
    for (long long n = global_thread_index(); n < N; n += grid_stride()) {
        const T* row = logits + n * C;
        T* out = logp + n * C;
        T m = row_max(row, C, 1);
        T log_sum = log(row_sum_exp(row, C, 1, m));  // (x - m) - log Σ, as log_softmax
        KahanSum<T> smooth;  // formed only when ε ≠ 0: with a -inf logit it is +inf (0·inf)
        for (int c = 0; c < C; ++c) {
            out[c] = (row[c] - m) - log_sum;
            if (label_smoothing != T(0)) smooth.add(-weight[c] * out[c]);
        }
        long long t = target[n];
        T l = T(0);
        if (bad_target(t, C, ignore_index, error)) {
            l = Limits<T>::quiet_nan();
        } else if (t != ignore_index) {
            l = (T(1) - label_smoothing) * weight[t] * (-out[t]);
            if (label_smoothing != T(0)) l += label_smoothing / T(C) * smooth.s;
            my_weight += (double)weight[t];
        }
        if (reduction == 0) loss[n] = l;
        my_loss += (double)l;
    }
    if (reduction == 0) return;
    block_loss[threadIdx.x] = my_loss;
    block_weight[threadIdx.x] = my_weight;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            block_loss[threadIdx.x] += block_loss[threadIdx.x + half];
            block_weight[threadIdx.x] += block_weight[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partial[2 * blockIdx.x] = block_loss[0];
        partial[2 * blockIdx.x + 1] = block_weight[0];
    }
    if (!arrive_last(counter, gridDim.x) || threadIdx.x != 0) return;
    double total = 0.0, weights = 0.0;
    for (unsigned b = 0; b < gridDim.x; ++b) {
        total += __ldcg(&partial[2 * b]);
        weights += __ldcg(&partial[2 * b + 1]);
    }
    if (reduction == 1) {
        loss[0] = T(total);
        return;
    }
    T d = T(weights);
    if (d == T(0) && label_smoothing != T(0)) d = Limits<T>::quiet_nan();
    denominator[0] = d;
    loss[0] = T(total / (double)d);
}

// One thread per sample n < N, with softmax = exp(logp), W = Σ_k w[k] and the gradient of
// the sample's loss g[n] = gloss[n] (reduction 0, "none"), gloss[0] (1, "sum") or
// gloss[0] / denominator[0] (2, "mean": the forward's D'), read from device memory:
//     gx[n, c] = g[n]·( softmax[n, c]·((1-ε)·w[t] + (ε/C)·W)
//                       - (1-ε)·w[t]·[c == t] - (ε/C)·w[c] )
//     gx[n, :] = softmax[n, :]·0 if t == ignore_index (NaN stays NaN, as torch's);  NaN (and the error flag) if t is out of range
template <typename T>
__global__ void cross_entropy_backward(const T* __restrict__ gloss, const T* __restrict__ logp,
                                       const long long* __restrict__ target,
                                       const T* __restrict__ weight, T* __restrict__ gx,
                                       int N, int C, long long ignore_index,
                                       T label_smoothing,
                                       unsigned long long* __restrict__ error, int reduction,
                                       const T* __restrict__ denominator) {
    for (long long n = global_thread_index(); n < N; n += grid_stride()) {
        long long t = target[n];
        T* out = gx + n * C;
        bool bad = bad_target(t, C, ignore_index, error);
        if (bad || t == ignore_index) {
            // ignored: softmax·0 — 0, or NaN where the row's softmax is NaN (torch's chain)
            for (int c = 0; c < C; ++c)
                out[c] = bad ? Limits<T>::quiet_nan() : exp(logp[n * C + c]) * T(0);
            continue;
        }
        T g = reduction == 0 ? gloss[n] : reduction == 1 ? gloss[0] : gloss[0] / denominator[0];
        KahanSum<T> wsum;
        for (int c = 0; c < C; ++c) wsum.add(weight[c]);
        T weight_sum = wsum.s;
        T eps_c = label_smoothing / T(C);
        T w_t = (T(1) - label_smoothing) * weight[t];
        T scale = w_t + eps_c * weight_sum;
        for (int c = 0; c < C; ++c) {
            T d = exp(logp[n * C + c]) * scale - eps_c * weight[c];
            if (c == t) d -= w_t;
            out[c] = g * d;
        }
    }
}
