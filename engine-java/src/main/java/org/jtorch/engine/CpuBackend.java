package org.jtorch.engine;

import java.util.Arrays;

/**
 * Reference CPU kernels over heap arrays. General strided paths read and write through {@link Storage}'s
 * typed accessors (double for floating dtypes, long for integer ones); contiguous float32 fast paths cover
 * the hot cases.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public String deviceType() { return "cpu"; }

    @Override public void fill(Tensor out, double v) {
        Storage s = out.storage;
        if (out.isContiguous() && out.numel() > 0) {
            int from = out.offset, to = out.offset + out.numel();
            switch (s) {
                case Storage.F32 f -> Arrays.fill(f.a, from, to, (float) v);
                case Storage.F64 f -> Arrays.fill(f.a, from, to, v);
                case Storage.I64 f -> Arrays.fill(f.a, from, to, (long) v);
                case Storage.I32 f -> Arrays.fill(f.a, from, to, (int) v);
                case Storage.Bool f -> Arrays.fill(f.a, from, to, v != 0);
                case DeviceStorage f -> throw new IllegalStateException("device storage in the CPU backend");
            }
            return;
        }
        int[] in = new int[3];
        boolean integral = !out.dtype.isFloating();
        long lv = (long) v;
        Loop.rows(out.shapeRef(), out.stridesRef(), out.offset, null, 0, null, 0, in, (o, u1, u2, n) -> {
            int st = in[0];
            if (integral) for (int i = 0; i < n; i++, o += st) s.setL(o, lv);
            else for (int i = 0; i < n; i++, o += st) s.setD(o, v);
        });
    }

    @Override public void copy(Tensor src, Tensor dst) {
        Storage a = src.storage, d = dst.storage;
        if (src.dtype == dst.dtype && src.isContiguous() && dst.isContiguous()) {
            System.arraycopy(a.array(), src.offset, d.array(), dst.offset, src.numel());
            return;
        }
        int[] in = new int[3];
        boolean viaLong = !src.dtype.isFloating() && !dst.dtype.isFloating();
        if (a instanceof Storage.F32 fa && d instanceof Storage.F32 fd) {
            float[] x = fa.a, y = fd.a;
            if (transposeCopy(x, src, y, dst)) return;
            Loop.rows(src.shapeRef(), src.stridesRef(), src.offset, dst.stridesRef(), dst.offset, null, 0, in, (i0, i1, u, n) -> {
                int s0 = in[0], s1 = in[1];
                if (s0 == 1 && s1 == 1) System.arraycopy(x, i0, y, i1, n);
                else for (int i = 0; i < n; i++, i0 += s0, i1 += s1) y[i1] = x[i0];
            });
            return;
        }
        Loop.rows(src.shapeRef(), src.stridesRef(), src.offset, dst.stridesRef(), dst.offset, null, 0, in, (i0, i1, u, n) -> {
            int s0 = in[0], s1 = in[1];
            if (viaLong) for (int i = 0; i < n; i++, i0 += s0, i1 += s1) d.setL(i1, a.getL(i0));
            else for (int i = 0; i < n; i++, i0 += s0, i1 += s1) d.setD(i1, a.getD(i0));
        });
    }

    /**
     * A transposed matrix (or a batch of them) copied into a contiguous one (t().contiguous(), a gradient that
     * arrives transposed): in 32 x 32 tiles, so that neither side is walked with a long stride.
     */
    private static boolean transposeCopy(float[] x, Tensor src, float[] y, Tensor dst) {
        int nd = src.dim();
        if (nd < 2 || !dst.isContiguous()) return false;
        int[] sh = src.shapeRef(), ss = src.stridesRef();
        int rows = sh[nd - 2], cols = sh[nd - 1];
        if (ss[nd - 2] != 1 || ss[nd - 1] != rows || rows < 16 || cols < 16) return false;
        int batch = 1;
        for (int d = 0; d < nd - 2; d++) batch *= sh[d];
        if (batch > 1 && (nd != 3 || ss[0] != rows * cols)) return false;
        int so = src.offset, dOff = dst.offset, plane = rows * cols;
        Parallel.range(batch * ((rows + 31) / 32), Math.max(1, Parallel.GRAIN / (32 * cols)), (t0, t1) -> {
            int tilesPerPlane = (rows + 31) / 32;
            for (int t = t0; t < t1; t++) {
                int b = t / tilesPerPlane, i0 = (t % tilesPerPlane) * 32, i1 = Math.min(rows, i0 + 32);
                int sBase = so + b * plane, dBase = dOff + b * plane;
                for (int j0 = 0; j0 < cols; j0 += 32) {
                    int j1 = Math.min(cols, j0 + 32);
                    for (int j = j0; j < j1; j++) {
                        int sCol = sBase + j * rows;
                        for (int i = i0; i < i1; i++) y[dBase + i * cols + j] = x[sCol + i];
                    }
                }
            }
        });
        return true;
    }

    @Override public void unary(UnaryOp op, Tensor x, Tensor out, double p1, double p2) {
        Storage a = x.storage, d = out.storage;
        int[] in = new int[3];
        boolean integral = !x.dtype.isFloating() && (op.integerClosed()) && !out.dtype.isFloating();
        if (a instanceof Storage.F32 fa && d instanceof Storage.F32 fd && x.isContiguous() && out.isContiguous()) {
            float[] s = fa.a, t = fd.a;
            int o0 = x.offset, o1 = out.offset;
            Parallel.range(x.numel(), Parallel.GRAIN, (from, to) -> unaryF32(op, s, o0 + from, t, o1 + from, to - from, p1, p2));
            return;
        }
        Loop.rows(x.shapeRef(), x.stridesRef(), x.offset, out.stridesRef(), out.offset, null, 0, in, (i0, i1, u, n) -> {
            int s0 = in[0], s1 = in[1];
            if (integral) for (int i = 0; i < n; i++, i0 += s0, i1 += s1) d.setL(i1, op.applyLong(a.getL(i0), p1, p2));
            else for (int i = 0; i < n; i++, i0 += s0, i1 += s1) d.setD(i1, op.apply(a.getD(i0), p1, p2));
        });
    }

    private static void unaryF32(UnaryOp op, float[] s, int o0, float[] t, int o1, int n, double p1, double p2) {
        switch (op) {
            case RELU -> { for (int i = 0; i < n; i++) t[o1 + i] = Math.max(s[o0 + i], 0f); } // NaN stays NaN, -0 gives 0
            case NEG -> { for (int i = 0; i < n; i++) t[o1 + i] = -s[o0 + i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = s[o0 + i]; t[o1 + i] = v * v; } }
            case EXP -> FastMath.exp(s, o0, t, o1, n);
            default -> { for (int i = 0; i < n; i++) t[o1 + i] = (float) op.apply(s[o0 + i], p1, p2); }
        }
    }

    @Override public void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        Storage a = x.storage, b = y.storage, d = out.storage;
        if (a instanceof Storage.F32 fa && b instanceof Storage.F32 fb && d instanceof Storage.F32 fd
                && binaryF32(op, fa.a, x, fb.a, y, fd.a, out)) return;
        int[] in = new int[3];
        boolean integral = !x.dtype.isFloating();
        Loop.rows(out.shapeRef(), x.stridesRef(), x.offset, y.stridesRef(), y.offset, out.stridesRef(), out.offset, in,
            (i0, i1, i2, n) -> {
                int s0 = in[0], s1 = in[1], s2 = in[2];
                if (integral) for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d.setL(i2, op.applyLong(a.getL(i0), b.getL(i1)));
                else for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d.setD(i2, op.apply(a.getD(i0), b.getD(i1)));
            });
    }

    /** float32 add/sub/mul/div over strided rows; false when op is not one of them. */
    private static boolean binaryF32(BinaryOp op, float[] a, Tensor x, float[] b, Tensor y, float[] d, Tensor out) {
        if (op != BinaryOp.ADD && op != BinaryOp.SUB && op != BinaryOp.MUL && op != BinaryOp.DIV) return false;
        if (x.isContiguous() && y.isContiguous() && out.isContiguous()) {
            int xo = x.offset, yo = y.offset, oo = out.offset;
            Parallel.range(out.numel(), Parallel.GRAIN, (from, to) -> binaryF32Row(op, a, xo + from, b, yo + from, d, oo + from, to - from));
            return true;
        }
        int[] in = new int[3];
        Loop.rows(out.shapeRef(), x.stridesRef(), x.offset, y.stridesRef(), y.offset, out.stridesRef(), out.offset, in,
            (i0, i1, i2, n) -> {
                int s0 = in[0], s1 = in[1], s2 = in[2];
                if (s0 == 1 && s1 == 1 && s2 == 1) {
                    binaryF32Row(op, a, i0, b, i1, d, i2, n);
                    return;
                }
                // a row against one element of the other operand (a bias over a channel's plane, a per-row scale)
                if (s2 == 1 && (s0 == 1 && s1 == 0 || s0 == 0 && s1 == 1)) {
                    boolean left = s0 == 0;
                    binaryF32Scalar(op, left ? b : a, left ? i1 : i0, left ? a[i0] : b[i1], left, d, i2, n);
                    return;
                }
                switch (op) {
                    case ADD -> { for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d[i2] = a[i0] + b[i1]; }
                    case SUB -> { for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d[i2] = a[i0] - b[i1]; }
                    case MUL -> { for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d[i2] = a[i0] * b[i1]; }
                    default -> { for (int i = 0; i < n; i++, i0 += s0, i1 += s1, i2 += s2) d[i2] = a[i0] / b[i1]; }
                }
            });
        return true;
    }

    /** d[o + i] = x[xo + i] op v (or v op x[xo + i] with left) for i < n; op one of ADD, SUB, MUL, DIV. */
    private static void binaryF32Scalar(BinaryOp op, float[] x, int xo, float v, boolean left, float[] d, int o, int n) {
        if (Gemm.VECTOR_AVAILABLE) {
            VectorKernels.binaryScalar(op, x, xo, v, left, d, o, n);
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) d[o + i] = x[xo + i] + v; }
            case SUB -> { if (left) for (int i = 0; i < n; i++) d[o + i] = v - x[xo + i]; else for (int i = 0; i < n; i++) d[o + i] = x[xo + i] - v; }
            case MUL -> { for (int i = 0; i < n; i++) d[o + i] = x[xo + i] * v; }
            default -> { if (left) for (int i = 0; i < n; i++) d[o + i] = v / x[xo + i]; else for (int i = 0; i < n; i++) d[o + i] = x[xo + i] / v; }
        }
    }

    private static void binaryF32Row(BinaryOp op, float[] a, int i0, float[] b, int i1, float[] d, int i2, int n) {
        if (Gemm.VECTOR_AVAILABLE) {
            VectorKernels.binary(op, a, i0, b, i1, d, i2, n);
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) d[i2 + i] = a[i0 + i] + b[i1 + i]; }
            case SUB -> { for (int i = 0; i < n; i++) d[i2 + i] = a[i0 + i] - b[i1 + i]; }
            case MUL -> { for (int i = 0; i < n; i++) d[i2 + i] = a[i0 + i] * b[i1 + i]; }
            default -> { for (int i = 0; i < n; i++) d[i2 + i] = a[i0 + i] / b[i1 + i]; }
        }
    }

    @Override public void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        Tensor c = cond.contiguous(), xc = x.contiguous(), yc = y.contiguous();
        // three inputs plus output: iterate the output with a flat counter over contiguous copies
        Storage cs = c.storage, a = xc.storage, b = yc.storage, d = out.storage;
        int n = out.numel();
        boolean integral = !out.dtype.isFloating();
        int[] in = new int[3];
        int[] pos = {0};
        Loop.rows(out.shapeRef(), out.stridesRef(), out.offset, null, 0, null, 0, in, (o, u1, u2, len) -> {
            int st = in[0];
            for (int i = 0; i < len; i++, o += st) {
                int k = pos[0]++;
                boolean t = cs.getL(c.offset + k) != 0;
                if (integral) d.setL(o, t ? a.getL(xc.offset + k) : b.getL(yc.offset + k));
                else d.setD(o, t ? a.getD(xc.offset + k) : b.getD(yc.offset + k));
            }
        });
        assert pos[0] == n;
    }

    @Override public void reduce(ReduceOp op, Tensor x, boolean[] reduced, Tensor out) {
        int[] shape = x.shapeRef();
        int[] keep = out.shapeRef();
        int[] accStrides = Shape.contiguousStrides(keep);
        for (int d = 0; d < shape.length; d++) if (reduced[d]) accStrides[d] = 0;
        int m = out.numel();
        if (!x.dtype.isFloating() && !out.dtype.isFloating()) { reduceLong(op, x, accStrides, out); return; }
        double[] acc = new double[m];
        Arrays.fill(acc, op.identity());
        Storage a = x.storage;
        int[] in = new int[3];
        if (a instanceof Storage.F32 fa && op == ReduceOp.SUM) {
            float[] v = fa.a;
            Loop.rows(shape, x.stridesRef(), x.offset, accStrides, 0, null, 0, in, (i0, i1, u, n) -> {
                int s0 = in[0], s1 = in[1];
                if (s1 == 0) {
                    acc[i1] += s0 == 1 ? sumF32(v, i0, n) : FastMath.sum(v, i0, s0, n);
                } else for (int i = 0; i < n; i++, i0 += s0, i1 += s1) acc[i1] += v[i0];
            });
        } else {
            Loop.rows(shape, x.stridesRef(), x.offset, accStrides, 0, null, 0, in, (i0, i1, u, n) -> {
                int s0 = in[0], s1 = in[1];
                for (int i = 0; i < n; i++, i0 += s0, i1 += s1) {
                    double v = a.getD(i0);
                    double r = acc[i1];
                    acc[i1] = switch (op) {
                        case SUM -> r + v;
                        case PROD -> r * v;
                        case MAX -> (v > r || Double.isNaN(v)) && !Double.isNaN(r) ? v : r;
                        case MIN -> (v < r || Double.isNaN(v)) && !Double.isNaN(r) ? v : r;
                    };
                }
            });
        }
        boolean integral = !out.dtype.isFloating();
        Storage d = out.storage;
        int[] pos = {0};
        Loop.rows(keep, out.stridesRef(), out.offset, null, 0, null, 0, in, (o, u1, u2, n) -> {
            int st = in[0];
            for (int i = 0; i < n; i++, o += st) {
                double v = acc[pos[0]++];
                if (integral) d.setL(o, (long) v); else d.setD(o, v);
            }
        });
    }

    /** Integer reductions with exact 64-bit accumulators. */
    private static void reduceLong(ReduceOp op, Tensor x, int[] accStrides, Tensor out) {
        int m = out.numel();
        long[] acc = new long[m];
        long init = switch (op) { case SUM -> 0; case PROD -> 1; case MAX -> Long.MIN_VALUE; case MIN -> Long.MAX_VALUE; };
        Arrays.fill(acc, init);
        Storage a = x.storage;
        int[] in = new int[3];
        Loop.rows(x.shapeRef(), x.stridesRef(), x.offset, accStrides, 0, null, 0, in, (i0, i1, u, n) -> {
            int s0 = in[0], s1 = in[1];
            for (int i = 0; i < n; i++, i0 += s0, i1 += s1) {
                long v = a.getL(i0);
                acc[i1] = switch (op) {
                    case SUM -> acc[i1] + v;
                    case PROD -> acc[i1] * v;
                    case MAX -> Math.max(acc[i1], v);
                    case MIN -> Math.min(acc[i1], v);
                };
            }
        });
        Storage d = out.storage;
        int[] pos = {0};
        Loop.rows(out.shapeRef(), out.stridesRef(), out.offset, null, 0, null, 0, in, (o, u1, u2, n) -> {
            for (int i = 0; i < n; i++, o += in[0]) d.setL(o, acc[pos[0]++]);
        });
    }

    /** Walks every 1-D line along dim: calls body with the line's start offsets in in and the outputs. */
    private interface Line { void line(int inOff, int outOff, int outOff2); }

    private static void lines(Tensor x, int dim, Tensor o1, Tensor o2, Line body) {
        int[] shape = x.shape();
        shape[dim] = 1;
        int[] in = new int[3];
        int[] xs = x.stridesRef(), s1 = o1.stridesRef(), s2 = o2 == null ? new int[xs.length] : o2.stridesRef();
        Loop.rows(shape, xs, x.offset, s1, o1.offset, s2, o2 == null ? 0 : o2.offset, in, (a, b, c, n) -> {
            for (int i = 0; i < n; i++, a += in[0], b += in[1], c += in[2]) body.line(a, b, c);
        });
    }

    @Override public void argReduce(boolean max, Tensor x, int dim, Tensor values, Tensor indices) {
        int len = x.shapeRef()[dim], st = x.stridesRef()[dim];
        Storage a = x.storage, v = values.storage, ix = indices.storage;
        boolean integral = !x.dtype.isFloating();
        lines(x, dim, values, indices, (o, ov, oi) -> {
            double best = a.getD(o);
            int bi = 0;
            for (int i = 1; i < len && !Double.isNaN(best); i++) {
                double c = a.getD(o + i * st);
                if (Double.isNaN(c) || (max ? c > best : c < best)) { best = c; bi = i; }
            }
            if (integral) v.setL(ov, a.getL(o + bi * st)); else v.setD(ov, best);
            ix.setL(oi, bi);
        });
    }

    private static boolean f32(Tensor t) { return t == null || (t.storage instanceof Storage.F32 && t.isContiguous()); }

    private static float[] arr(Tensor t) { return t == null ? null : ((Storage.F32) t.storage).a; }

    @Override public boolean layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor y, Tensor mean, Tensor rstd) {
        if (!(f32(x) && f32(w) && f32(b) && f32(y) && f32(mean) && f32(rstd)) || x.dim() == 0) return false;
        int n = x.size(x.dim() - 1), rows = n == 0 ? 0 : x.numel() / n;
        float[] xa = arr(x), wa = arr(w), ba = arr(b), ya = arr(y), ma = arr(mean), ra = arr(rstd);
        int xo = x.offset, yo = y.offset, mo = mean.offset, ro = rstd.offset, wo = w == null ? 0 : w.offset, bo = b == null ? 0 : b.offset;
        Parallel.range(rows, Math.max(1, Parallel.GRAIN / Math.max(1, n)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = xo + r * n;
                double mu = FastMath.sum(xa, o, 1, n) / n, sq = 0;
                for (int j = 0; j < n; j++) {
                    double d = xa[o + j] - mu;
                    sq += d * d;
                }
                float m = (float) mu, rs = (float) (1.0 / Math.sqrt(sq / n + eps));
                ma[mo + r] = m;
                ra[ro + r] = rs;
                int q = yo + r * n;
                for (int j = 0; j < n; j++) {
                    float v = (xa[o + j] - m) * rs;
                    if (wa != null) v *= wa[wo + j];
                    if (ba != null) v += ba[bo + j];
                    ya[q + j] = v;
                }
            }
        });
        return true;
    }

    @Override public boolean layerNormBackward(Tensor g, Tensor x, Tensor mean, Tensor rstd, Tensor w, Tensor gx, Tensor gw, Tensor gb) {
        if (!(f32(g) && f32(x) && f32(mean) && f32(rstd) && f32(w) && f32(gx) && f32(gw) && f32(gb)) || x.dim() == 0) return false;
        int n = x.size(x.dim() - 1), rows = n == 0 ? 0 : x.numel() / n;
        float[] ga = arr(g), xa = arr(x), ma = arr(mean), ra = arr(rstd), wa = arr(w), gxa = arr(gx);
        int go = g.offset, xo = x.offset, mo = mean.offset, ro = rstd.offset, wo = w == null ? 0 : w.offset, gxo = gx.offset;
        Parallel.range(rows, Math.max(1, Parallel.GRAIN / Math.max(1, n)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int gr = go + r * n, xr = xo + r * n;
                float m = ma[mo + r], rs = ra[ro + r];
                double s1 = 0, s2 = 0; // sums of gy and gy * xhat over the row
                for (int j = 0; j < n; j++) {
                    float gy = wa != null ? ga[gr + j] * wa[wo + j] : ga[gr + j];
                    s1 += gy;
                    s2 += gy * ((xa[xr + j] - m) * rs);
                }
                float a = (float) (s1 / n), c = (float) (s2 / n);
                int q = gxo + r * n;
                for (int j = 0; j < n; j++) {
                    float gy = wa != null ? ga[gr + j] * wa[wo + j] : ga[gr + j];
                    float xh = (xa[xr + j] - m) * rs;
                    gxa[q + j] = rs * (gy - a - xh * c);
                }
            }
        });
        if (gw != null || gb != null) {
            double[] sw = new double[n], sb = new double[n];
            for (int r = 0; r < rows; r++) {
                int gr = go + r * n, xr = xo + r * n;
                float m = ma[mo + r], rs = ra[ro + r];
                for (int j = 0; j < n; j++) {
                    float gv = ga[gr + j];
                    sw[j] += gv * ((xa[xr + j] - m) * rs);
                    sb[j] += gv;
                }
            }
            if (gw != null) for (int j = 0; j < n; j++) arr(gw)[gw.offset + j] = (float) sw[j];
            if (gb != null) for (int j = 0; j < n; j++) arr(gb)[gb.offset + j] = (float) sb[j];
        }
        return true;
    }

    @Override public boolean gelu(Tensor x, Tensor g, Tensor y) {
        if (!(f32(x) && f32(g) && f32(y)) || (g != null && !g.sameShape(x)) || !y.sameShape(x)) return false;
        float[] xa = arr(x), ga = arr(g), ya = arr(y);
        int xo = x.offset, go = g == null ? 0 : g.offset, yo = y.offset;
        Parallel.range(x.numel(), Parallel.GRAIN / 8, (i0, i1) -> {
            if (Gemm.VECTOR_AVAILABLE) {
                VectorKernels.gelu(xa, xo + i0, ga, go + i0, ya, yo + i0, i1 - i0);
                return;
            }
            for (int i = i0; i < i1; i++) {
                // in float, step by step as PyTorch's CPU kernel (so that results round the same way)
                float v = xa[xo + i];
                float cdf = 0.5f * (1f + FastMath.erf(v * 0.70710678f));
                ya[yo + i] = ga == null ? v * cdf
                    : ga[go + i] * (cdf + v * (0.39894228f * FastMath.exp(v * v * -0.5f)));
            }
        });
        return true;
    }

    @Override public boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                                      float weightDecay, boolean decoupled, boolean maximize, float stepSize, float bc2Sqrt) {
        if (!(p.storage instanceof Storage.F32 ps && g.storage instanceof Storage.F32 gs && m.storage instanceof Storage.F32 ms
                && v.storage instanceof Storage.F32 vs) || !p.isContiguous() || !g.isContiguous() || !m.isContiguous() || !v.isContiguous())
            return false;
        float[] pa = ps.a, ga = gs.a, ma = ms.a, va = vs.a;
        int po = p.offset, go = g.offset, mo = m.offset, vo = v.offset;
        float w = 1 - beta1, omw = 1 - w, b2c = 1 - beta2, decay = 1 - lr * weightDecay, negStep = -stepSize;
        boolean l2 = weightDecay != 0 && !decoupled, dec = weightDecay != 0 && decoupled;
        Parallel.range(p.numel(), Parallel.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float pv = pa[po + i], gv = ga[go + i];
                if (maximize) gv = -gv;
                if (l2) gv = gv + weightDecay * pv;
                if (dec) pv = pv * decay;
                float mv = ma[mo + i];
                // lerp as PyTorch computes it: from the nearer end
                mv = Math.abs(w) < 0.5f ? mv + w * (gv - mv) : gv - (gv - mv) * omw;
                float vv = va[vo + i] * beta2;
                vv = vv + b2c * gv * gv;
                float denom = (float) Math.sqrt(vv) / bc2Sqrt + eps;
                pa[po + i] = pv + negStep * mv / denom;
                ma[mo + i] = mv;
                va[vo + i] = vv;
            }
        });
        return true;
    }

    @Override public void addScaled(Tensor self, Tensor other, double alpha) {
        if (self.storage instanceof Storage.F32 ss && other.storage instanceof Storage.F32 os && self.isContiguous() && other.isContiguous()) {
            float[] a = ss.a, b = os.a;
            int ao = self.offset, bo = other.offset;
            float al = (float) alpha;
            // as PyTorch's add kernel: self + alpha * other, alpha in the tensors' dtype
            Parallel.range(self.numel(), Parallel.GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) a[ao + i] = a[ao + i] + al * b[bo + i];
            });
            return;
        }
        Backend.super.addScaled(self, other, alpha);
    }

    @Override public void reluBackward(Tensor g, Tensor y, Tensor out) {
        if (g.storage instanceof Storage.F32 gs && y.storage instanceof Storage.F32 ys && out.storage instanceof Storage.F32 os
                && g.isContiguous() && y.isContiguous() && out.isContiguous()) {
            float[] ga = gs.a, ya = ys.a, oa = os.a;
            int go = g.offset, yo = y.offset, oo = out.offset;
            Parallel.range(out.numel(), Parallel.GRAIN, (from, to) -> {
                // out = y <= 0 ? 0 : g (PyTorch's threshold_backward; NaN passes g), without a branch to mispredict:
                // a mask of all ones when y's bits are a positive int (y > 0 or NaN), else zero
                for (int i = from; i < to; i++) {
                    int yb = Float.floatToRawIntBits(ya[yo + i]);
                    int mask = (-yb & ~yb) >> 31;
                    oa[oo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(ga[go + i]) & mask);
                }
            });
            return;
        }
        Backend.super.reluBackward(g, y, out);
    }

    @Override public void matmulAdd(Tensor a, Tensor b, Tensor out) {
        if (!sgemm(a, b, out, true)) Backend.super.matmulAdd(a, b, out);
    }

    /** The float32 GEMM on strided operands, when all three are float32 and out shares no storage; false otherwise. */
    private static boolean sgemm(Tensor a, Tensor b, Tensor out, boolean acc) {
        if (a.storage instanceof Storage.F32 fa && b.storage instanceof Storage.F32 fb && out.storage instanceof Storage.F32 fo
                && out.storage != a.storage && out.storage != b.storage) {
            int bs = a.shapeRef()[0], m = a.shapeRef()[1], k = a.shapeRef()[2], n = b.shapeRef()[2];
            int[] as = a.stridesRef(), bst = b.stridesRef(), os = out.stridesRef();
            Gemm.sgemm(bs, m, k, n, fa.a, a.offset, as[0], as[1], as[2], fb.a, b.offset, bst[0], bst[1], bst[2],
                fo.a, out.offset, os[0], os[1], os[2], acc);
            return true;
        }
        return false;
    }

    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        int bs = a.shapeRef()[0], m = a.shapeRef()[1], k = a.shapeRef()[2], n = b.shapeRef()[2];
        // float32: the GEMM packs its operands itself, so views (transposed, expanded) go in without copies
        if (sgemm(a, b, out, false)) return;
        Tensor ac = a.contiguous(), bc = b.contiguous();
        Storage A = ac.storage, B = bc.storage, C = out.storage;
        boolean integral = !out.dtype.isFloating();
        int[] os = out.stridesRef();
        for (int p = 0; p < bs; p++) {
            int ao = ac.offset + p * m * k, bo = bc.offset + p * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int co = out.offset + p * os[0] + i * os[1] + j * os[2];
                    if (integral) {
                        long s = 0;
                        for (int q = 0; q < k; q++) s += A.getL(ao + i * k + q) * B.getL(bo + q * n + j);
                        C.setL(co, s);
                    } else {
                        double s = 0;
                        for (int q = 0; q < k; q++) s += A.getD(ao + i * k + q) * B.getD(bo + q * n + j);
                        C.setD(co, s);
                    }
                }
            }
        }
    }

    @Override public void cumulative(Tensor x, int dim, boolean prod, Tensor out) {
        int len = x.shapeRef()[dim], st = x.stridesRef()[dim], so = out.stridesRef()[dim];
        Storage a = x.storage, d = out.storage;
        boolean integral = !out.dtype.isFloating();
        lines(x, dim, out, null, (o, oo, u) -> {
            if (integral) {
                long s = prod ? 1 : 0;
                for (int i = 0; i < len; i++) { long v = a.getL(o + i * st); s = prod ? s * v : s + v; d.setL(oo + i * so, s); }
            } else {
                double s = prod ? 1 : 0;
                for (int i = 0; i < len; i++) { double v = a.getD(o + i * st); s = prod ? s * v : s + v; d.setD(oo + i * so, s); }
            }
        });
    }

    /** Sum of n contiguous floats (double partial sums; split over threads when long, in fixed parts). */
    private static double sumF32(float[] v, int off, int n) {
        int parts = Parallel.parts(n, Parallel.GRAIN);
        if (parts <= 1) return sumF32Part(v, off, n);
        double[] partial = new double[parts];
        Parallel.eachPart(parts, t -> {
            int from = Parallel.bound(n, parts, t), to = Parallel.bound(n, parts, t + 1);
            partial[t] = sumF32Part(v, off + from, to - from);
        });
        double s = 0;
        for (double p : partial) s += p;
        return s;
    }

    private static double sumF32Part(float[] v, int off, int n) {
        return Gemm.VECTOR_AVAILABLE ? VectorKernels.sum(v, off, n) : FastMath.sum(v, off, 1, n);
    }

    @Override public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        int len = x.shapeRef()[dim], st = x.stridesRef()[dim], so = out.stridesRef()[dim];
        Storage a = x.storage, d = out.storage;
        if (a instanceof Storage.F32 fa && d instanceof Storage.F32 fd && st == 1 && so == 1 && x.isContiguous() && out.isContiguous() && len > 0) {
            // rows along the last dim: max, exp(x - max) into out and its sum, then scale (or subtract the log)
            float[] xv = fa.a, ov = fd.a;
            int rows = x.numel() / len, xo = x.offset, oo = out.offset;
            Parallel.range(rows, Math.max(1, Parallel.GRAIN / len), (r0, r1) -> {
                if (Gemm.VECTOR_AVAILABLE) {
                    for (int r = r0; r < r1; r++) VectorKernels.softmaxRow(xv, xo + r * len, ov, oo + r * len, len, log);
                    return;
                }
                FastMath.Scratch w = new FastMath.Scratch();
                for (int r = r0; r < r1; r++) FastMath.softmaxRow(xv, xo + r * len, ov, oo + r * len, len, log, w);
            });
            return;
        }
        lines(x, dim, out, null, (o, oo, u) -> {
            double mx = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) mx = Math.max(mx, a.getD(o + i * st));
            double s = 0;
            for (int i = 0; i < len; i++) s += Math.exp(a.getD(o + i * st) - mx);
            if (log) {
                double ls = Math.log(s);
                for (int i = 0; i < len; i++) d.setD(oo + i * so, a.getD(o + i * st) - mx - ls);
            } else {
                for (int i = 0; i < len; i++) d.setD(oo + i * so, Math.exp(a.getD(o + i * st) - mx) / s);
            }
        });
    }

    @Override public void sort(Tensor x, int dim, boolean descending, Tensor values, Tensor indices) {
        int len = x.shapeRef()[dim], st = x.stridesRef()[dim];
        int sv = values.stridesRef()[dim], si = indices.stridesRef()[dim];
        Storage a = x.storage, v = values.storage, ix = indices.storage;
        boolean integral = !x.dtype.isFloating();
        lines(x, dim, values, indices, (o, ov, oi) -> {
            Integer[] order = new Integer[len];
            double[] key = new double[len];
            long[] keyL = new long[len];
            for (int i = 0; i < len; i++) { order[i] = i; key[i] = a.getD(o + i * st); keyL[i] = a.getL(o + i * st); }
            java.util.Comparator<Integer> cmp = integral
                ? (p, q) -> Long.compare(keyL[p], keyL[q])
                : (p, q) -> {
                    double kp = key[p], kq = key[q];
                    if (Double.isNaN(kp)) return Double.isNaN(kq) ? 0 : 1;
                    if (Double.isNaN(kq)) return -1;
                    return Double.compare(kp + 0.0, kq + 0.0) == 0 ? 0 : (kp < kq ? -1 : (kp > kq ? 1 : 0));
                };
            Arrays.sort(order, descending ? cmp.reversed() : cmp);
            for (int i = 0; i < len; i++) {
                int src = order[i];
                if (integral) v.setL(ov + i * sv, keyL[src]); else v.setD(ov + i * sv, key[src]);
                ix.setL(oi + i * si, src);
            }
        });
    }

    @Override public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        int size = x.shapeRef()[dim];
        int[] xs = x.stridesRef().clone();
        int dimStride = xs[dim];
        xs[dim] = 0;
        Storage a = x.storage, ix = index.storage, d = out.storage;
        boolean integral = !x.dtype.isFloating();
        int nd = index.dim();
        int[] shape = index.shapeRef();
        // iterate index/out with x's strides (dim stride zeroed): offset into x is the row base + idx*stride
        int[] in = new int[3];
        Loop.rows(shape, index.stridesRef(), index.offset, out.stridesRef(), out.offset, nd == 0 ? new int[0] : xs, x.offset, in,
            (i0, i1, i2, n) -> {
                for (int i = 0; i < n; i++, i0 += in[0], i1 += in[1], i2 += in[2]) {
                    long k = ix.getL(i0);
                    if (k < -size || k >= size) throw TorchException.runtime("index " + k + " is out of bounds for dimension " + dim + " with size " + size);
                    if (k < 0) k += size;
                    int src = i2 + (int) k * dimStride;
                    if (integral) d.setL(i1, a.getL(src)); else d.setD(i1, a.getD(src));
                }
            });
    }

    @Override public void scatter(Tensor self, int dim, Tensor index, Tensor src, boolean accumulate) {
        int size = self.shapeRef()[dim];
        int[] ss = self.stridesRef().clone();
        int dimStride = ss[dim];
        ss[dim] = 0;
        Storage s = self.storage, ix = index.storage, v = src.storage;
        boolean integral = !self.dtype.isFloating();
        int[] in = new int[3];
        Loop.rows(index.shapeRef(), index.stridesRef(), index.offset, src.stridesRef(), src.offset, ss, self.offset, in,
            (i0, i1, i2, n) -> {
                for (int i = 0; i < n; i++, i0 += in[0], i1 += in[1], i2 += in[2]) {
                    long k = ix.getL(i0);
                    if (k < -size || k >= size) throw TorchException.runtime("index " + k + " is out of bounds for dimension " + dim + " with size " + size);
                    if (k < 0) k += size;
                    int dst = i2 + (int) k * dimStride;
                    if (integral) s.setL(dst, accumulate ? s.getL(dst) + v.getL(i1) : v.getL(i1));
                    else s.setD(dst, accumulate ? s.getD(dst) + v.getD(i1) : v.getD(i1));
                }
            });
    }

    @Override public void index(Tensor self, Tensor[] indices, Tensor out, Tensor values, boolean accumulate) {
        // indices cover the leading k dims of self (Ops arranges that); all share the broadcast shape B
        int k = indices.length;
        int[] bshape = indices[0].shapeRef();
        int nb = Shape.numel(bshape);
        int[] sshape = self.shapeRef(), sstr = self.stridesRef();
        int restDims = sshape.length - k;
        int[] restShape = Arrays.copyOfRange(sshape, k, sshape.length);
        int[] restStr = Arrays.copyOfRange(sstr, k, sstr.length);
        Tensor[] idx = new Tensor[k];
        for (int j = 0; j < k; j++) idx[j] = indices[j].contiguous();
        Tensor other = values != null ? values : out;
        int[] ostr = other.stridesRef();
        int[] bstr = Arrays.copyOfRange(ostr, 0, bshape.length);
        int[] orest = Arrays.copyOfRange(ostr, bshape.length, ostr.length);
        int[] bcontig = Shape.contiguousStrides(bshape);
        Storage s = self.storage, o = other.storage;
        boolean integral = !self.dtype.isFloating();
        int[] in = new int[3];
        for (int p = 0; p < nb; p++) {
            int base = self.offset;
            for (int j = 0; j < k; j++) {
                long v = idx[j].storage.getL(idx[j].offset + p);
                int size = sshape[j];
                if (v < -size || v >= size)
                    throw TorchException.index("index " + v + " is out of bounds for dimension " + j + " with size " + size);
                if (v < 0) v += size;
                base += (int) v * sstr[j];
            }
            int ob = other.offset;
            int rem = p;
            for (int d = 0; d < bshape.length; d++) { int c = rem / bcontig[d]; rem -= c * bcontig[d]; ob += c * bstr[d]; }
            if (restDims == 0) {
                copyElem(s, base, o, ob, values != null, accumulate, integral);
                continue;
            }
            boolean write = values != null;
            Loop.rows(restShape, restStr, base, orest, ob, null, 0, in, (i0, i1, u, n) -> {
                for (int i = 0; i < n; i++, i0 += in[0], i1 += in[1]) copyElem(s, i0, o, i1, write, accumulate, integral);
            });
        }
    }

    private static void copyElem(Storage s, int so, Storage o, int oo, boolean write, boolean accumulate, boolean integral) {
        if (write) {
            if (integral) s.setL(so, accumulate ? s.getL(so) + o.getL(oo) : o.getL(oo));
            else s.setD(so, accumulate ? s.getD(so) + o.getD(oo) : o.getD(oo));
        } else {
            if (integral) o.setL(oo, s.getL(so)); else o.setD(oo, s.getD(so));
        }
    }

    @Override public void unfold2d(Tensor x, Window2d w, Tensor out) { CpuWindows.unfold2d(x, w, out); }

    @Override public void fold2d(Tensor cols, Window2d w, Tensor out) { CpuWindows.fold2d(cols, w, out); }

    @Override public void pool2d(Tensor x, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor out, Tensor indices) {
        CpuWindows.pool2d(x, w, max, countIncludePad, divisor, out, indices);
    }

    @Override public void pool2dBackward(Tensor gradOut, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor indices, Tensor gradIn) {
        CpuWindows.pool2dBackward(gradOut, w, max, countIncludePad, divisor, indices, gradIn);
    }

    @Override public void adaptiveAvgPool2d(Tensor x, Tensor out, boolean backward) { CpuWindows.adaptiveAvgPool2d(x, out, backward); }

    @Override public Tensor toCpu(Tensor t) { return t; }

    @Override public Tensor fromCpu(Tensor t, Device device) { return t; }
}
