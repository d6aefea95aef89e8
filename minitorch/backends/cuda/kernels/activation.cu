// Elementwise activations and their gradients.
//
// Launch geometry (all kernels in this file): 1-D, block = 256 threads,
// grid = min(ceil(n / 256), 4096) blocks; a grid-stride loop covers the rest.
#include "common.cuh"

// for i in [0, n): y[i] = x[i] < 0 ? 0 : x[i]        (NaN < 0 is false, so NaN stays NaN)
template <typename T>
__global__ void relu_forward(const T* __restrict__ x, T* __restrict__ y, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        T v = x[i];
        y[i] = v < T(0) ? T(0) : v;
    }
}

// for i in [0, n): gx[i] = y[i] <= 0 ? 0 : gy[i]
// (PyTorch's threshold_backward: the gradient at exactly 0 is 0, and a NaN passes gy through)
template <typename T>
__global__ void relu_backward(const T* __restrict__ gy, const T* __restrict__ y,
                              T* __restrict__ gx, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        gx[i] = y[i] <= T(0) ? T(0) : gy[i];
    }
}

// for i in [0, n): y[i] = tanh(x[i])
template <typename T>
__global__ void tanh_forward(const T* __restrict__ x, T* __restrict__ y, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        y[i] = tanh(x[i]);
    }
}

// for i in [0, n): gx[i] = gy[i] * (1 - y[i]^2)
template <typename T>
__global__ void tanh_backward(const T* __restrict__ gy, const T* __restrict__ y,
                              T* __restrict__ gx, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        T v = y[i];
        gx[i] = gy[i] * (T(1) - v * v);
    }
}

// for i in [0, n): y[i] = 1 / (1 + exp(-x[i]))
// exp only ever sees a non-positive argument, so nothing overflows at x = ±1000.
template <typename T>
__global__ void sigmoid_forward(const T* __restrict__ x, T* __restrict__ y, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        T v = x[i];
        if (v >= T(0)) {
            y[i] = T(1) / (T(1) + exp(-v));
        } else {
            T e = exp(v);
            y[i] = e / (T(1) + e);
        }
    }
}

// for i in [0, n): gx[i] = gy[i] * y[i] * (1 - y[i])
template <typename T>
__global__ void sigmoid_backward(const T* __restrict__ gy, const T* __restrict__ y,
                                 T* __restrict__ gx, long long n) {
    for (long long i = global_thread_index(); i < n; i += grid_stride()) {
        T v = y[i];
        gx[i] = gy[i] * v * (T(1) - v);
    }
}
