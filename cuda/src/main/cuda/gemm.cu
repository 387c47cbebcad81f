// Batched matrix product with arbitrary strides (transposed or expanded operands need no copies):
// C[b] = A[b] (m x k) @ B[b] (k x n). The fallback when no cuBLAS library can be loaded.
// 64x64 output tiles, 16x16 threads with 4x4 outputs each, k in steps of 16 through shared memory.
#include "jt_common.cuh"

// 16 ints, packed in this order by the Java side.
struct GemmArgs {
    int bs, m, k, n;
    int aOff, aSb, aSm, aSk;
    int bOff, bSb, bSk, bSn;
    int cOff, cSb, cSm, cSn;
};

#define TM 64
#define TN 64
#define TK 16

template <typename T>
__device__ void gemm_impl(const T* A, const T* B, T* C, const GemmArgs& g) {
    __shared__ T As[TK][TM];
    __shared__ T Bs[TK][TN];
    int tx = threadIdx.x, ty = threadIdx.y, t = ty * 16 + tx;
    int m0 = blockIdx.y * TM, n0 = blockIdx.x * TN;
    for (int b = blockIdx.z; b < g.bs; b += gridDim.z) {
        const T* a = A + g.aOff + (size_t) b * g.aSb;
        const T* bb = B + g.bOff + (size_t) b * g.bSb;
        T acc[4][4];
#pragma unroll
        for (int r = 0; r < 4; r++)
#pragma unroll
            for (int c = 0; c < 4; c++) acc[r][c] = (T) 0;
        for (int k0 = 0; k0 < g.k; k0 += TK) {
#pragma unroll
            for (int l = 0; l < 4; l++) {
                int e = t + l * 256;
                int row = e / TK, kk = e % TK;
                int gm = m0 + row, gk = k0 + kk;
                As[kk][row] = (gm < g.m && gk < g.k) ? a[(size_t) gm * g.aSm + (size_t) gk * g.aSk] : (T) 0;
                int kb = e / TN, col = e % TN;
                int gk2 = k0 + kb, gn = n0 + col;
                Bs[kb][col] = (gk2 < g.k && gn < g.n) ? bb[(size_t) gk2 * g.bSk + (size_t) gn * g.bSn] : (T) 0;
            }
            __syncthreads();
#pragma unroll
            for (int kk = 0; kk < TK; kk++) {
                T av[4], bv[4];
#pragma unroll
                for (int r = 0; r < 4; r++) av[r] = As[kk][ty + 16 * r];
#pragma unroll
                for (int c = 0; c < 4; c++) bv[c] = Bs[kk][tx + 16 * c];
#pragma unroll
                for (int r = 0; r < 4; r++)
#pragma unroll
                    for (int c = 0; c < 4; c++) acc[r][c] += av[r] * bv[c];
            }
            __syncthreads();
        }
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int gm = m0 + ty + 16 * r;
            if (gm >= g.m) continue;
#pragma unroll
            for (int c = 0; c < 4; c++) {
                int gn = n0 + tx + 16 * c;
                if (gn < g.n) C[g.cOff + (size_t) b * g.cSb + (size_t) gm * g.cSm + (size_t) gn * g.cSn] = acc[r][c];
            }
        }
    }
}

extern "C" __global__ void gemm_f32(const float* A, const float* B, float* C, GemmArgs g) { gemm_impl<float>(A, B, C, g); }
extern "C" __global__ void gemm_f64(const double* A, const double* B, double* C, GemmArgs g) { gemm_impl<double>(A, B, C, g); }
extern "C" __global__ void gemm_i64(const i64* A, const i64* B, i64* C, GemmArgs g) { gemm_impl<i64>(A, B, C, g); }
extern "C" __global__ void gemm_i32(const int* A, const int* B, int* C, GemmArgs g) { gemm_impl<int>(A, B, C, g); }
