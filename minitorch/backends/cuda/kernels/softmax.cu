// Softmax, log-softmax and the fused cross-entropy, one thread per row.
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
//     loss[n]    = (1-ε)·w[t]·(-logp[n, t]) + (ε/C)·Σ_c w[c]·(-logp[n, c]),  t = target[n]
//     loss[n]    = 0 if t == ignore_index;  NaN (and the error flag) if t is out of range
// C may be 0 (every target must then be ignore_index): loss[n] = 0, logp is empty.
template <typename T>
__global__ void cross_entropy_forward(const T* __restrict__ logits,
                                      const long long* __restrict__ target,
                                      const T* __restrict__ weight, T* __restrict__ loss,
                                      T* __restrict__ logp, int N, int C,
                                      long long ignore_index, T label_smoothing,
                                      unsigned long long* __restrict__ error) {
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
        if (bad_target(t, C, ignore_index, error)) {
            loss[n] = Limits<T>::quiet_nan();
        } else if (t == ignore_index) {
            loss[n] = T(0);
        } else {
            loss[n] = (T(1) - label_smoothing) * weight[t] * (-out[t]);
            if (label_smoothing != T(0)) loss[n] += label_smoothing / T(C) * smooth.s;
        }
    }
}

// One thread per sample n < N, with softmax = exp(logp) and W = Σ_k w[k]:
//     gx[n, c] = gloss[n]·( softmax[n, c]·((1-ε)·w[t] + (ε/C)·W)
//                           - (1-ε)·w[t]·[c == t] - (ε/C)·w[c] )
//     gx[n, :] = softmax[n, :]·0 if t == ignore_index (NaN stays NaN, as torch's);  NaN (and the error flag) if t is out of range
template <typename T>
__global__ void cross_entropy_backward(const T* __restrict__ gloss, const T* __restrict__ logp,
                                       const long long* __restrict__ target,
                                       const T* __restrict__ weight, T* __restrict__ gx,
                                       int N, int C, long long ignore_index,
                                       T label_smoothing,
                                       unsigned long long* __restrict__ error) {
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
        KahanSum<T> wsum;
        for (int c = 0; c < C; ++c) wsum.add(weight[c]);
        T weight_sum = wsum.s;
        T eps_c = label_smoothing / T(C);
        T w_t = (T(1) - label_smoothing) * weight[t];
        T scale = w_t + eps_c * weight_sum;
        for (int c = 0; c < C; ++c) {
            T g = exp(logp[n * C + c]) * scale - eps_c * weight[c];
            if (c == t) g -= w_t;
            out[c] = gloss[n] * g;
        }
    }
}
