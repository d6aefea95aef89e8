// Optimizer updates: one launch steps up to 16 parameters (torch's multi-tensor "foreach"
// SGD), so a model's whole update is ceil(parameters / 16) launches instead of five
// elementwise operations per parameter.
//
// Launch geometry: grid = (min(ceil(max n_k / 256), 4096), tensors), block = 256 threads:
// block row y = k updates tensor k (a uniform choice for the whole block) with a grid-stride
// loop over its n_k elements. Each thread reads and writes only element i of w_k and buf_k
// (and reads grad_k[i]): no two threads touch one element.
#include "common.cuh"

// Products and sums rounded one at a time, in the order written: NVRTC contracts a * b + c
// into one fused multiply-add (rounded once) unless told not to, which would change the last
// bit against the same step made of separate elementwise operations (NumPy, CuPy, torch's
// foreach SGD). g++ for x86-64 without -mfma, the emulator's compiler, never contracts.
#ifdef __CUDACC__
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
#else
template <typename T> inline T mul_rn(T a, T b) { return a * b; }
template <typename T> inline T add_rn(T a, T b) { return a + b; }
#endif

// Argument k (< 16) of the sixteen: the tensor block row k works on.
template <typename P>
__device__ __forceinline__ P pick(int k, P a0, P a1, P a2, P a3, P a4, P a5, P a6, P a7,
                                  P a8, P a9, P a10, P a11, P a12, P a13, P a14, P a15) {
    switch (k) {
        case 0: return a0;   case 1: return a1;   case 2: return a2;   case 3: return a3;
        case 4: return a4;   case 5: return a5;   case 6: return a6;   case 7: return a7;
        case 8: return a8;   case 9: return a9;   case 10: return a10; case 11: return a11;
        case 12: return a12; case 13: return a13; case 14: return a14; default: return a15;
    }
}

// torch.optim.SGD for tensor k = blockIdx.y: parameter w_k, gradient g_k, momentum buffer
// b_k, n[k] elements (flags: bit 0 maximize, bit 1 nesterov, bit 2 momentum on, bit 3 first
// step, which fills b_k; b_k is not touched without momentum). For i in [0, n[k]):
//     g = maximize ? -g_k[i] : g_k[i]
//     g = g + weight_decay · w_k[i]                            (if weight_decay != 0)
//     b_k[i] = first ? g : b_k[i] · momentum + one_minus_dampening · g   (momentum on:)
//     g = nesterov ? g + momentum · b_k[i] : b_k[i]
//     w_k[i] = w_k[i] - lr · g
// Every · and + rounds on its own, in this order: the bits of the step written with
// elementwise array operations, the scalars rounded to T first.
template <typename T>
__global__ void sgd_update(
    T* __restrict__ w0, const T* __restrict__ g0, T* __restrict__ b0,
    T* __restrict__ w1, const T* __restrict__ g1, T* __restrict__ b1,
    T* __restrict__ w2, const T* __restrict__ g2, T* __restrict__ b2,
    T* __restrict__ w3, const T* __restrict__ g3, T* __restrict__ b3,
    T* __restrict__ w4, const T* __restrict__ g4, T* __restrict__ b4,
    T* __restrict__ w5, const T* __restrict__ g5, T* __restrict__ b5,
    T* __restrict__ w6, const T* __restrict__ g6, T* __restrict__ b6,
    T* __restrict__ w7, const T* __restrict__ g7, T* __restrict__ b7,
    T* __restrict__ w8, const T* __restrict__ g8, T* __restrict__ b8,
    T* __restrict__ w9, const T* __restrict__ g9, T* __restrict__ b9,
    T* __restrict__ w10, const T* __restrict__ g10, T* __restrict__ b10,
    T* __restrict__ w11, const T* __restrict__ g11, T* __restrict__ b11,
    T* __restrict__ w12, const T* __restrict__ g12, T* __restrict__ b12,
    T* __restrict__ w13, const T* __restrict__ g13, T* __restrict__ b13,
    T* __restrict__ w14, const T* __restrict__ g14, T* __restrict__ b14,
    T* __restrict__ w15, const T* __restrict__ g15, T* __restrict__ b15,
    const long long* __restrict__ n, T lr, T momentum, T one_minus_dampening, T weight_decay,
    int flags) {
    const int k = blockIdx.y;
    T* __restrict__ w = pick(k, w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15);
    const T* __restrict__ grad = pick(k, g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, g12, g13, g14, g15);
    T* __restrict__ buf = pick(k, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15);
    const bool maximize = flags & 1, nesterov = flags & 2, use_momentum = flags & 4,
               first = flags & 8;
    for (long long i = global_thread_index(); i < n[k]; i += grid_stride()) {
        T p = w[i];
        T g = maximize ? -grad[i] : grad[i];
        if (weight_decay != T(0)) g = add_rn(g, mul_rn(weight_decay, p));
        if (use_momentum) {
            T b = first ? g : add_rn(mul_rn(buf[i], momentum), mul_rn(one_minus_dampening, g));
            buf[i] = b;
            g = nesterov ? add_rn(g, mul_rn(momentum, b)) : b;
        }
        w[i] = add_rn(p, -mul_rn(lr, g));
    }
}
