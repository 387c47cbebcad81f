// gather / scatter (scatter_add with atomicAdd) and advanced indexing (read, write, accumulate).
// Index values are checked; the first bad one is reported through err[0..3] and raised as IndexError by the host.
#include "jt_common.cuh"

// g over index's shape: st[0] index, st[1] out, st[2] x with the gathered dim's stride zeroed.
template <typename T>
__device__ void gather_impl(const T* x, const i64* index, T* out, const Geo& g, int dim, int dimStride, int size, int* err) {
    GRID_STRIDE(i, g.n) {
        int o[3];
        geo_offsets<3>(g, i, o);
        i64 k = index[o[0]];
        if (k < -size || k >= size) { report_bad_index(err, k, dim, size); continue; }
        if (k < 0) k += size;
        out[o[1]] = x[o[2] + (int) k * dimStride];
    }
}

// g over index's shape: st[0] index, st[1] src, st[2] self with the scattered dim's stride zeroed.
template <typename T>
__device__ void scatter_impl(T* self, const i64* index, const T* src, const Geo& g, int dim, int dimStride, int size, int acc, int* err) {
    GRID_STRIDE(i, g.n) {
        int o[3];
        geo_offsets<3>(g, i, o);
        i64 k = index[o[0]];
        if (k < -size || k >= size) { report_bad_index(err, k, dim, size); continue; }
        if (k < 0) k += size;
        T* p = self + o[2] + (int) k * dimStride;
        if (acc) atomic_add(p, src[o[1]]); else *p = src[o[1]];
    }
}

// Advanced indexing. g runs over the result layout [B..., rest...] (restN = elements of rest):
// st[0] other (out or values), st[1] self's strides for the rest dims (0 on the B dims).
// kdims: nd = k indexed dims of self, size[j]/st[0][j] their sizes and strides, n = nb (elements of B).
// idx: k contiguous rows of nb int64. mode 0 reads into other, 1 writes other into self, 2 accumulates.
template <typename T>
__device__ void index_impl(T* self, const i64* idx, T* other, const Geo& g, const Geo& kdims, int restN, int mode, int* err) {
    GRID_STRIDE(i, g.n) {
        int o[2];
        geo_offsets<2>(g, i, o);
        int p = i / restN;
        int base = o[1];
        bool ok = true;
        for (int j = 0; j < kdims.nd; j++) {
            i64 v = idx[(i64) j * kdims.n + p];
            int size = kdims.size[j];
            if (v < -size || v >= size) { report_bad_index(err, v, j, size); ok = false; break; }
            if (v < 0) v += size;
            base += (int) v * kdims.st[0][j];
        }
        if (!ok) continue;
        if (mode == 0) other[o[0]] = self[base];
        else if (mode == 1) self[base] = other[o[0]];
        else atomic_add(self + base, other[o[0]]);
    }
}

#define INDEX(S, T)                                                                                         \
extern "C" __global__ void gather_##S(const T* x, const i64* index, T* out, Geo g, int dim, int dimStride, int size, int* err) { \
    gather_impl<T>(x, index, out, g, dim, dimStride, size, err);                                           \
}                                                                                                           \
extern "C" __global__ void scatter_##S(T* self, const i64* index, const T* src, Geo g, int dim, int dimStride, int size, int acc, int* err) { \
    scatter_impl<T>(self, index, src, g, dim, dimStride, size, acc, err);                                  \
}                                                                                                           \
extern "C" __global__ void index_##S(T* self, const i64* idx, T* other, Geo g, Geo kdims, int restN, int mode, int* err) { \
    index_impl<T>(self, idx, other, g, kdims, restN, mode, err);                                           \
}
FOR_ALL_TYPES(INDEX)
