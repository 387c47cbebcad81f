// Reductions along arbitrary dims, arg-max/min, softmax/log_softmax and cumulative scans.
// The Java side splits the input's dims into "outer" (kept) and "inner" (reduced or scanned) geometries.
#include "jt_common.cuh"
#include <math_constants.h>

#define RBLOCK 256

template <typename T> struct Acc { typedef double type; };
template <> struct Acc<i64> { typedef i64 type; };
template <> struct Acc<int> { typedef i64 type; };
template <> struct Acc<b8> { typedef i64 type; };

// ReduceOp order: SUM, PROD, MAX, MIN
template <typename A> __device__ __forceinline__ A identity(int op);
template <> __device__ __forceinline__ double identity<double>(int op) {
    return op == 0 ? 0.0 : op == 1 ? 1.0 : op == 2 ? -CUDART_INF : CUDART_INF;
}
template <> __device__ __forceinline__ i64 identity<i64>(int op) {
    return op == 0 ? 0 : op == 1 ? 1 : op == 2 ? (-9223372036854775807LL - 1) : 9223372036854775807LL;
}

template <typename A>
__device__ __forceinline__ A combine(int op, A r, A v) {
    switch (op) {
    case 0: return r + v;
    case 1: return r * v;
    case 2: return ((v > r || v != v) && r == r) ? v : r; // NaN propagates (integers are never NaN)
    default: return ((v < r || v != v) && r == r) ? v : r;
    }
}

// out (keepdim shape) [outer element] = reduce over inner of in. outer: st[0] input, st[1] output; inner: st[0] input.
template <typename T>
__device__ void reduce_impl(const T* in, T* out, const Geo& outer, const Geo& inner, int op) {
    typedef typename Acc<T>::type A;
    __shared__ A buf[RBLOCK];
    for (int b = blockIdx.x; b < outer.n; b += gridDim.x) {
        int o[2];
        geo_offsets<2>(outer, b, o);
        A r = identity<A>(op);
        for (int j = threadIdx.x; j < inner.n; j += blockDim.x) {
            int io[1];
            geo_offsets<1>(inner, j, io);
            r = combine<A>(op, r, (A) in[o[0] + io[0]]);
        }
        buf[threadIdx.x] = r;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) buf[threadIdx.x] = combine<A>(op, buf[threadIdx.x], buf[threadIdx.x + s]);
            __syncthreads();
        }
        if (threadIdx.x == 0) out[o[1]] = IsFloat<T>::v ? (T) buf[0] : from_long<T>((i64) buf[0]);
        __syncthreads();
    }
}

// argmax/argmin along one dim, one thread per line (first occurrence wins; NaN propagates as in CpuBackend).
// outer: st[0] input, st[1] values, st[2] indices.
template <typename T>
__device__ void arg_impl(const T* in, T* values, i64* idx, const Geo& outer, int len, int stride, int max) {
    GRID_STRIDE(i, outer.n) {
        int o[3];
        geo_offsets<3>(outer, i, o);
        T best = in[o[0]];
        int bi = 0;
        for (int k = 1; k < len && best == best; k++) {
            T c = in[o[0] + k * stride];
            if (c != c || (max ? c > best : c < best)) { best = c; bi = k; }
        }
        values[o[1]] = best;
        idx[o[2]] = bi;
    }
}

// softmax/log_softmax along one dim, one block per line; max and sum in double as on the CPU.
template <typename T>
__device__ void softmax_impl(const T* in, T* out, const Geo& outer, int len, int sin, int sout, int lg) {
    __shared__ double buf[RBLOCK];
    for (int b = blockIdx.x; b < outer.n; b += gridDim.x) {
        int o[2];
        geo_offsets<2>(outer, b, o);
        double mx = -1.0 / 0.0;
        for (int k = threadIdx.x; k < len; k += blockDim.x) mx = fmax(mx, (double) in[o[0] + k * sin]);
        buf[threadIdx.x] = mx;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) buf[threadIdx.x] = fmax(buf[threadIdx.x], buf[threadIdx.x + s]);
            __syncthreads();
        }
        mx = buf[0];
        __syncthreads();
        double sum = 0;
        for (int k = threadIdx.x; k < len; k += blockDim.x) sum += exp((double) in[o[0] + k * sin] - mx);
        buf[threadIdx.x] = sum;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
            __syncthreads();
        }
        sum = buf[0];
        __syncthreads();
        double ls = log(sum);
        for (int k = threadIdx.x; k < len; k += blockDim.x) {
            double v = (double) in[o[0] + k * sin] - mx;
            out[o[1] + k * sout] = (T) (lg ? v - ls : exp(v) / sum);
        }
    }
}

// inclusive scan along one dim, one thread per line (sequential, as on the CPU).
template <typename T>
__device__ void cumulative_impl(const T* in, T* out, const Geo& outer, int len, int sin, int sout, int prod) {
    typedef typename Acc<T>::type A;
    GRID_STRIDE(i, outer.n) {
        int o[2];
        geo_offsets<2>(outer, i, o);
        A s = prod ? (A) 1 : (A) 0;
        for (int k = 0; k < len; k++) {
            A v = (A) in[o[0] + k * sin];
            s = prod ? s * v : s + v;
            out[o[1] + k * sout] = IsFloat<T>::v ? (T) s : from_long<T>((i64) s);
        }
    }
}

#define REDUCE(S, T)                                                                                        \
extern "C" __global__ void reduce_##S(const T* in, T* out, Geo outer, Geo inner, int op) {                 \
    reduce_impl<T>(in, out, outer, inner, op);                                                             \
}                                                                                                           \
extern "C" __global__ void argreduce_##S(const T* in, T* values, i64* idx, Geo outer, int len, int stride, int max) { \
    arg_impl<T>(in, values, idx, outer, len, stride, max);                                                 \
}                                                                                                           \
extern "C" __global__ void cumulative_##S(const T* in, T* out, Geo outer, int len, int sin, int sout, int prod) { \
    cumulative_impl<T>(in, out, outer, len, sin, sout, prod);                                              \
}
FOR_ALL_TYPES(REDUCE)

extern "C" __global__ void softmax_f32(const float* in, float* out, Geo outer, int len, int sin, int sout, int lg) {
    softmax_impl<float>(in, out, outer, len, sin, sout, lg);
}
extern "C" __global__ void softmax_f64(const double* in, double* out, Geo outer, int len, int sin, int sout, int lg) {
    softmax_impl<double>(in, out, outer, len, sin, sout, lg);
}
