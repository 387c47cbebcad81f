// Shared definitions of jtorch's CUDA kernels (compiled ahead of time to PTX, see docs/cuda.md).
// Everything here must stay in step with org.jtorch.cuda.CudaBackend, which packs the arguments.
#pragma once

typedef long long i64;
typedef unsigned char b8;

// Up to MAXD dims (after merging contiguous dims on the Java side) and up to 4 operands.
#define MAXD 10
#define MAXOP 4

// Geometry of an iteration space: n elements over sizes[0..nd), operand k at off[k] + sum(c[d] * st[k][d]).
// Passed by value as plain ints (the Java side fills an int[GEO_INTS]).
struct Geo {
    int nd;
    int n;
    int size[MAXD];
    int st[MAXOP][MAXD];
    int off[MAXOP];
};

// Offsets of the first `nops` operands for linear index i (row-major over size).
template <int NOPS>
__device__ __forceinline__ void geo_offsets(const Geo& g, int i, int* o) {
#pragma unroll
    for (int k = 0; k < NOPS; k++) o[k] = g.off[k];
    for (int d = g.nd - 1; d >= 0; d--) {
        int s = g.size[d];
        int c = i % s;
        i /= s;
#pragma unroll
        for (int k = 0; k < NOPS; k++) o[k] += c * g.st[k][d];
    }
}

#define GRID_STRIDE(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// Element types by suffix: f32 float, f64 double, i64 long long, i32 int, b8 bool (one byte, 0/1).
#define FOR_ALL_TYPES(M) M(f32, float) M(f64, double) M(i64, i64) M(i32, int) M(b8, b8)

template <typename T> struct IsFloat { static const bool v = false; };
template <> struct IsFloat<float> { static const bool v = true; };
template <> struct IsFloat<double> { static const bool v = true; };

// Conversion rules of the CPU backend (Storage.setD/setL): bool is != 0, integers truncate.
template <typename T> __device__ __forceinline__ T from_double(double v) { return (T) v; }
template <> __device__ __forceinline__ b8 from_double<b8>(double v) { return v != 0 ? 1 : 0; }
template <> __device__ __forceinline__ i64 from_double<i64>(double v) { return v != v ? 0 : (i64) v; }
template <> __device__ __forceinline__ int from_double<int>(double v) { return v != v ? 0 : (int) (i64) v; }
template <typename T> __device__ __forceinline__ T from_long(i64 v) { return (T) v; }
template <> __device__ __forceinline__ b8 from_long<b8>(i64 v) { return v != 0 ? 1 : 0; }

// Error flag written by kernels that check indices (first bad index wins; read back by the host).
__device__ __forceinline__ void report_bad_index(int* err, i64 v, int dim, int size) {
    if (atomicCAS(err, 0, 1) == 0) {
        err[1] = (int) v;
        err[2] = dim;
        err[3] = size;
    }
}

// atomicAdd for every element type the scatter/index/pool kernels accumulate into.
__device__ __forceinline__ void atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(i64* p, i64 v) { atomicAdd((unsigned long long*) p, (unsigned long long) v); }
__device__ __forceinline__ void atomic_add(b8* p, b8 v) {
    // bool accumulation is logical or; done on the aligned 32-bit word holding the byte
    if (!v) return;
    unsigned int* w = (unsigned int*) ((size_t) p & ~(size_t) 3);
    unsigned int shift = ((size_t) p & 3) * 8;
    atomicOr(w, 1u << shift);
}
