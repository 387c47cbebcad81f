// Sliding-window kernels on contiguous NCHW tensors: im2col (unfold2d), col2im (fold2d), max/avg pooling
// forward and backward, adaptive average pooling. Same arithmetic as org.jtorch.engine.CpuWindows.
#include "jt_common.cuh"

// Geometry as 14 ints (the Java side packs them in this order).
struct Win { int n, c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw; };

// out [N, C*kh*kw, oh*ow]: one thread per output element
template <typename T>
__device__ void unfold_impl(const T* x, T* out, const Win& q) {
    int l = q.oh * q.ow;
    int total = q.n * q.c * q.kh * q.kw * l;
    GRID_STRIDE(i, total) {
        int pos = i % l, row = i / l;
        int oi = pos / q.ow, oj = pos % q.ow;
        int kj = row % q.kw, ki = (row / q.kw) % q.kh, plane = row / (q.kw * q.kh); // plane = b * c + ch
        int y = oi * q.sh - q.ph + ki * q.dh, xx = oj * q.sw - q.pw + kj * q.dw;
        bool in = y >= 0 && y < q.h && xx >= 0 && xx < q.w;
        out[i] = in ? x[(plane * q.h + y) * q.w + xx] : (T) 0;
    }
}

// out [N,C,H,W] += columns; one thread per output pixel, contributions added in the CPU's order (ki, kj)
template <typename T>
__device__ void fold_impl(const T* cols, T* out, const Win& q) {
    int l = q.oh * q.ow;
    int total = q.n * q.c * q.h * q.w;
    GRID_STRIDE(i, total) {
        int xx = i % q.w, y = (i / q.w) % q.h, plane = i / (q.w * q.h);
        T acc = out[i];
        for (int ki = 0; ki < q.kh; ki++) {
            int ty = y + q.ph - ki * q.dh;
            if (ty < 0 || ty % q.sh != 0) continue;
            int oi = ty / q.sh;
            if (oi >= q.oh) continue;
            for (int kj = 0; kj < q.kw; kj++) {
                int tx = xx + q.pw - kj * q.dw;
                if (tx < 0 || tx % q.sw != 0) continue;
                int oj = tx / q.sw;
                if (oj >= q.ow) continue;
                int row = (plane * q.kh + ki) * q.kw + kj;
                acc += cols[row * l + oi * q.ow + oj];
            }
        }
        out[i] = acc;
    }
}

__device__ __forceinline__ int avg_divisor(const Win& q, int y0, int x0, int includePad, int divisor, int count) {
    if (divisor > 0) return divisor;
    if (!includePad) return count > 1 ? count : 1;
    int y1 = min(y0 + q.kh, q.h + q.ph), x1 = min(x0 + q.kw, q.w + q.pw);
    int d = (y1 - y0) * (x1 - x0);
    return d > 1 ? d : 1;
}

// out/idx [N,C,oh,ow]; idx may be null; one thread per output
template <typename T>
__device__ void pool_impl(const T* x, T* out, i64* idx, const Win& q, int max, int includePad, int divisor) {
    int total = q.n * q.c * q.oh * q.ow;
    GRID_STRIDE(i, total) {
        int j = i % q.ow, oi = (i / q.ow) % q.oh, p = i / (q.ow * q.oh);
        const T* plane = x + (size_t) p * q.h * q.w;
        int y0 = oi * q.sh - q.ph, x0 = j * q.sw - q.pw;
        double acc = max ? -1.0 / 0.0 : 0.0;
        int arg = -1, count = 0;
        for (int ki = 0; ki < q.kh; ki++) {
            int y = y0 + ki * q.dh;
            if (y < 0 || y >= q.h) continue;
            for (int kj = 0; kj < q.kw; kj++) {
                int xx = x0 + kj * q.dw;
                if (xx < 0 || xx >= q.w) continue;
                double v = (double) plane[y * q.w + xx];
                if (max) {
                    if (arg < 0 || ((v > acc || v != v) && acc == acc)) { acc = v; arg = y * q.w + xx; }
                } else {
                    acc += v;
                    count++;
                }
            }
        }
        if (max) {
            out[i] = (T) acc;
            if (idx) idx[i] = arg;
        } else {
            out[i] = (T) (acc / avg_divisor(q, y0, x0, includePad, divisor, count));
        }
    }
}

// gradIn [N,C,H,W] (zeroed by the caller) += gradOut spread back; one thread per gradOut element, atomicAdd
template <typename T>
__device__ void pool_backward_impl(const T* g, T* gin, const i64* idx, const Win& q, int max, int includePad, int divisor) {
    int total = q.n * q.c * q.oh * q.ow;
    GRID_STRIDE(i, total) {
        int j = i % q.ow, oi = (i / q.ow) % q.oh, p = i / (q.ow * q.oh);
        T* plane = gin + (size_t) p * q.h * q.w;
        double gv = (double) g[i];
        if (max) {
            i64 a = idx[i];
            if (a >= 0) atomic_add(plane + a, (T) gv);
            continue;
        }
        int y0 = oi * q.sh - q.ph, x0 = j * q.sw - q.pw;
        int count = 0;
        for (int ki = 0; ki < q.kh; ki++) {
            int y = y0 + ki * q.dh;
            if (y < 0 || y >= q.h) continue;
            for (int kj = 0; kj < q.kw; kj++) {
                int xx = x0 + kj * q.dw;
                if (xx >= 0 && xx < q.w) count++;
            }
        }
        T share = (T) (gv / avg_divisor(q, y0, x0, includePad, divisor, count));
        for (int ki = 0; ki < q.kh; ki++) {
            int y = y0 + ki * q.dh;
            if (y < 0 || y >= q.h) continue;
            for (int kj = 0; kj < q.kw; kj++) {
                int xx = x0 + kj * q.dw;
                if (xx < 0 || xx >= q.w) continue;
                atomic_add(plane + y * q.w + xx, share);
            }
        }
    }
}

// adaptive average pooling; q.h/q.w the big size, q.oh/q.ow the small one. Forward: one thread per output;
// backward (small = gradOut, big = gradIn zeroed by the caller): one thread per gradOut element, atomicAdd.
template <typename T>
__device__ void adaptive_impl(const T* small_or_x, T* out, const Win& q, int backward) {
    int total = q.n * q.c * q.oh * q.ow;
    GRID_STRIDE(i, total) {
        int j = i % q.ow, oi = (i / q.ow) % q.oh, p = i / (q.ow * q.oh);
        int y0 = (int) floor((double) oi * q.h / q.oh), y1 = (int) ceil((double) (oi + 1) * q.h / q.oh);
        int x0 = (int) floor((double) j * q.w / q.ow), x1 = (int) ceil((double) (j + 1) * q.w / q.ow);
        int cnt = (y1 - y0) * (x1 - x0);
        if (!backward) {
            const T* plane = small_or_x + (size_t) p * q.h * q.w;
            double s = 0;
            for (int y = y0; y < y1; y++) for (int xx = x0; xx < x1; xx++) s += (double) plane[y * q.w + xx];
            out[i] = (T) (s / cnt);
        } else {
            T* plane = out + (size_t) p * q.h * q.w;
            T share = (T) ((double) small_or_x[i] / cnt);
            for (int y = y0; y < y1; y++) for (int xx = x0; xx < x1; xx++) atomic_add(plane + y * q.w + xx, share);
        }
    }
}

#define WINDOW(S, T)                                                                                        \
extern "C" __global__ void unfold2d_##S(const T* x, T* out, Win q) { unfold_impl<T>(x, out, q); }          \
extern "C" __global__ void fold2d_##S(const T* cols, T* out, Win q) { fold_impl<T>(cols, out, q); }        \
extern "C" __global__ void pool2d_##S(const T* x, T* out, i64* idx, Win q, int max, int includePad, int divisor) { \
    pool_impl<T>(x, out, idx, q, max, includePad, divisor);                                                \
}                                                                                                           \
extern "C" __global__ void pool2d_backward_##S(const T* g, T* gin, const i64* idx, Win q, int max, int includePad, int divisor) { \
    pool_backward_impl<T>(g, gin, idx, q, max, includePad, divisor);                                       \
}                                                                                                           \
extern "C" __global__ void adaptive_avg_pool2d_##S(const T* x, T* out, Win q, int backward) {              \
    adaptive_impl<T>(x, out, q, backward);                                                                 \
}
WINDOW(f32, float)
WINDOW(f64, double)
