// Max and average pooling over NCHW planes, with PyTorch's index, tie, NaN and divisor rules.
//
// Launch geometry (all kernels in this file): 1-D over the elements of the array each thread
// owns (noted per kernel), block = 256 threads, grid = min(ceil(total / 256), 4096) blocks,
// grid-stride loop.
#include "common.cuh"

// One thread per output element. For every plane (n, c) and output (i, j):
//     for p < kH, q < kW:  h = i·sh - ph + p·dh,  w = j·sw - pw + q·dw   (skip if outside)
//         if first in-bounds tap, or x[h, w] > best, or isnan(x[h, w]):  best = x[h, w], at = h·W + w
//     y[n, c, i, j] = best;  indices[n, c, i, j] = at
// Ties keep the first maximum; a NaN always wins, so NaN propagates.
template <typename T>
__global__ void max_pool2d_forward(const T* __restrict__ x, T* __restrict__ y,
                                   long long* __restrict__ indices,
                                   int N, int C, int H, int W, int Ho, int Wo,
                                   int kH, int kW, int sh, int sw, int ph, int pw,
                                   int dh, int dw) {
    long long total = (long long)N * C * Ho * Wo;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        int j = (int)(idx % Wo);
        int i = (int)((idx / Wo) % Ho);
        long long plane = idx / ((long long)Ho * Wo);  // n·C + c
        const T* xp = x + plane * H * W;
        T best = -Limits<T>::infinity();
        long long at = -1;
        for (int p = 0; p < kH; ++p) {
            int h = i * sh - ph + p * dh;
            if (h < 0 || h >= H) continue;
            for (int q = 0; q < kW; ++q) {
                int w = j * sw - pw + q * dw;
                if (w < 0 || w >= W) continue;
                T v = xp[(long long)h * W + w];
                if (at < 0 || v > best || isnan(v)) {
                    best = v;
                    at = (long long)h * W + w;
                }
            }
        }
        y[idx] = best;
        indices[idx] = at;
    }
}

// One thread per input element, gathering from the windows that may hold it (no zero fill,
// no atomics: every element written once, the sum in a fixed order, as PyTorch's CPU loop).
// For every plane (n, c) and input (h, w):
//     gx[n, c, h, w] = Σ_{i ascending, j ascending} gy[n, c, i, j]
//                        over the windows (i, j) with indices[n, c, i, j] == h·W + w
// Window i has row h among its taps only if h = i·sh - ph + p·dh for some p < kH, so
//     ceil((h + ph - (kH-1)·dh) / sh) ≤ i ≤ floor((h + ph) / sh),   0 ≤ i < Ho
// bounds the loops (likewise j); an index is always one of its window's taps, so testing it
// suffices. A window wholly in the padding records -1 and matches nothing. For 2 × 2 windows
// at stride 2 that is one window per element.
template <typename T>
__global__ void max_pool2d_backward(const T* __restrict__ gy, const long long* __restrict__ indices,
                                    T* __restrict__ gx, int N, int C, int H, int W, int Ho,
                                    int Wo, int kH, int kW, int sh, int sw, int ph, int pw,
                                    int dh, int dw) {
    long long total = (long long)N * C * H * W;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        int w = (int)(idx % W);
        int h = (int)((idx / W) % H);
        long long plane = idx / ((long long)H * W);
        const T* gp = gy + plane * Ho * Wo;
        const long long* ip = indices + plane * Ho * Wo;
        long long at = (long long)h * W + w;
        int lo_h = h + ph - (kH - 1) * dh, lo_w = w + pw - (kW - 1) * dw;
        int i_first = lo_h <= 0 ? 0 : (lo_h + sh - 1) / sh;
        int j_first = lo_w <= 0 ? 0 : (lo_w + sw - 1) / sw;
        int i_last = imin((h + ph) / sh, Ho - 1);
        int j_last = imin((w + pw) / sw, Wo - 1);
        T sum = T(0);
        for (int i = i_first; i <= i_last; ++i)
            for (int j = j_first; j <= j_last; ++j) {
                long long k = (long long)i * Wo + j;
                if (ip[k] == at) sum += gp[k];
            }
        gx[idx] = sum;
    }
}

// The divisor of window (i, j), PyTorch's rule:
//     h0 = i·sh - ph;  h1 = min(h0 + kH, H + ph)      (likewise w0, w1)
//     pool_size = (h1 - h0)·(w1 - w0)                  window clipped at the padded edge
//     h0, h1 = max(h0, 0), min(h1, H)                  then at the real edge
//     divisor = divisor_override, else pool_size if count_include_pad, else (h1-h0)·(w1-w0)
// Returns the clipped window through the pointers.
__device__ __forceinline__ int avg_pool_window(int i, int j, int H, int W, int kH, int kW,
                                               int sh, int sw, int ph, int pw,
                                               int count_include_pad, int divisor_override,
                                               int* h0, int* h1, int* w0, int* w1) {
    int hs = i * sh - ph, ws = j * sw - pw;
    int he = imin(hs + kH, H + ph), we = imin(ws + kW, W + pw);
    int pool_size = (he - hs) * (we - ws);
    *h0 = imax(hs, 0);
    *w0 = imax(ws, 0);
    *h1 = imin(he, H);
    *w1 = imin(we, W);
    if (divisor_override != 0) return divisor_override;
    return count_include_pad ? pool_size : (*h1 - *h0) * (*w1 - *w0);
}

// One thread per output element:
//     y[n, c, i, j] = Σ_{h0 ≤ h < h1, w0 ≤ w < w1} x[n, c, h, w] / divisor(i, j)
// (0 for a window that lies wholly in the padding, which ceil_mode can produce).
template <typename T>
__global__ void avg_pool2d_forward(const T* __restrict__ x, T* __restrict__ y,
                                   int N, int C, int H, int W, int Ho, int Wo,
                                   int kH, int kW, int sh, int sw, int ph, int pw,
                                   int count_include_pad, int divisor_override) {
    long long total = (long long)N * C * Ho * Wo;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        int j = (int)(idx % Wo);
        int i = (int)((idx / Wo) % Ho);
        long long plane = idx / ((long long)Ho * Wo);
        int h0, h1, w0, w1;
        int divisor = avg_pool_window(i, j, H, W, kH, kW, sh, sw, ph, pw, count_include_pad,
                                      divisor_override, &h0, &h1, &w0, &w1);
        if (h0 >= h1 || w0 >= w1) {
            y[idx] = T(0);
            continue;
        }
        const T* xp = x + plane * H * W;
        KahanSum<T> sum;  // a global pool sums a whole plane in this one thread
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) sum.add(xp[(long long)h * W + w]);
        y[idx] = sum.s / T(divisor);
    }
}

// One thread per input pixel, gathering from every window that contains it (no atomics):
//     gx[n, c, h, w] = Σ_{(i, j): h0 ≤ h < h1, w0 ≤ w < w1} gy[n, c, i, j] / divisor(i, j)
// Window i can contain row h only if i·sh - ph ≤ h < i·sh - ph + kH, which bounds the loops.
template <typename T>
__global__ void avg_pool2d_backward(const T* __restrict__ gy, T* __restrict__ gx,
                                    int N, int C, int H, int W, int Ho, int Wo,
                                    int kH, int kW, int sh, int sw, int ph, int pw,
                                    int count_include_pad, int divisor_override) {
    long long total = (long long)N * C * H * W;
    for (long long idx = global_thread_index(); idx < total; idx += grid_stride()) {
        int w = (int)(idx % W);
        int h = (int)((idx / W) % H);
        long long plane = idx / ((long long)H * W);
        const T* gp = gy + plane * Ho * Wo;
        int lo_h = h + ph - kH + 1, lo_w = w + pw - kW + 1;
        int i_first = lo_h <= 0 ? 0 : (lo_h + sh - 1) / sh;
        int j_first = lo_w <= 0 ? 0 : (lo_w + sw - 1) / sw;
        int i_last = imin((h + ph) / sh, Ho - 1);
        int j_last = imin((w + pw) / sw, Wo - 1);
        T sum = T(0);
        for (int i = i_first; i <= i_last; ++i) {
            for (int j = j_first; j <= j_last; ++j) {
                int h0, h1, w0, w1;
                int divisor = avg_pool_window(i, j, H, W, kH, kW, sh, sw, ph, pw,
                                              count_include_pad, divisor_override,
                                              &h0, &h1, &w0, &w1);
                if (h >= h0 && h < h1 && w >= w0 && w < w1)
                    sum += gp[(long long)i * Wo + j] / T(divisor);
            }
        }
        gx[idx] = sum;
    }
}
