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
