package org.jtorch.engine;

/** CPU kernels for sliding-window ops (im2col/col2im, pooling) on contiguous NCHW tensors. */
final class CpuWindows {
    private CpuWindows() {}

    static void unfold2d(Tensor xin, Window2d w, Tensor out) {
        Tensor x = xin.contiguous();
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int oh = w.outH(h, false), ow = w.outW(wd, false), l = oh * ow;
        Storage xs = x.storage, os = out.storage;
        int xo = x.offset, oo = out.offset;
        if (xs instanceof Storage.F32 xf && os instanceof Storage.F32 of && out.isContiguous()) {
            // one image per part: rows (ch, ki, kj) of the columns, each a copy of shifted input rows
            Parallel.range(n * c, Math.max(1, Parallel.GRAIN / (l * w.kh() * w.kw())), (p0, p1) -> {
                for (int p = p0; p < p1; p++) unfoldPlaneF32(xf.a, xo + p * h * wd, h, wd, w, oh, ow, of.a, oo + p * w.kh() * w.kw() * l);
            });
            return;
        }
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = xo + (b * c + ch) * h * wd;
                for (int ki = 0; ki < w.kh(); ki++) {
                    for (int kj = 0; kj < w.kw(); kj++) {
                        int row = ((b * c + ch) * w.kh() + ki) * w.kw() + kj;
                        int base = oo + row * l;
                        for (int i = 0; i < oh; i++) {
                            int y = i * w.sh() - w.ph() + ki * w.dh();
                            for (int j = 0; j < ow; j++) {
                                int xx = j * w.sw() - w.pw() + kj * w.dw();
                                boolean in = y >= 0 && y < h && xx >= 0 && xx < wd;
                                os.setD(base + i * ow + j, in ? xs.getD(plane + y * wd + xx) : 0);
                            }
                        }
                    }
                }
            }
        }
    }

    /** First and last+1 output column j whose input column j*sw - pw + kj*dw lies inside [0, wd). */
    private static int firstCol(int kj, Window2d w, int ow) {
        int off = kj * w.dw() - w.pw(); // input column of output 0
        int j = off >= 0 ? 0 : (-off + w.sw() - 1) / w.sw();
        return Math.min(j, ow);
    }

    private static int endCol(int kj, Window2d w, int wd, int ow) {
        int off = kj * w.dw() - w.pw();
        // largest j with off + j*sw <= wd - 1
        if (off > wd - 1) return 0;
        return Math.min(ow, (wd - 1 - off) / w.sw() + 1);
    }

    /** im2col of one channel plane into kh*kw rows of oh*ow columns. */
    private static void unfoldPlaneF32(float[] x, int plane, int h, int wd, Window2d w, int oh, int ow, float[] out, int base) {
        int l = oh * ow, sw = w.sw();
        for (int ki = 0; ki < w.kh(); ki++) {
            for (int kj = 0; kj < w.kw(); kj++) {
                int rowBase = base + (ki * w.kw() + kj) * l;
                int j0 = firstCol(kj, w, ow), j1 = Math.max(j0, endCol(kj, w, wd, ow));
                int xoff = kj * w.dw() - w.pw();
                for (int i = 0; i < oh; i++) {
                    int y = i * w.sh() - w.ph() + ki * w.dh();
                    int o = rowBase + i * ow;
                    if (y < 0 || y >= h) {
                        java.util.Arrays.fill(out, o, o + ow, 0f);
                        continue;
                    }
                    if (j0 > 0) java.util.Arrays.fill(out, o, o + j0, 0f);
                    int src = plane + y * wd + xoff;
                    if (sw == 1) System.arraycopy(x, src + j0, out, o + j0, j1 - j0);
                    else for (int j = j0; j < j1; j++) out[o + j] = x[src + j * sw];
                    if (j1 < ow) java.util.Arrays.fill(out, o + j1, o + ow, 0f);
                }
            }
        }
    }

    static void fold2d(Tensor colsIn, Window2d w, Tensor out) {
        Tensor cols = colsIn.contiguous();
        int n = out.size(0), c = out.size(1), h = out.size(2), wd = out.size(3);
        int oh = w.outH(h, false), ow = w.outW(wd, false), l = oh * ow;
        Storage cs = cols.storage, os = out.storage;
        int co = cols.offset, oo = out.offset;
        if (cs instanceof Storage.F32 cf && os instanceof Storage.F32 of && out.isContiguous()) {
            // each channel plane of the output is written by its own rows only: parallel over planes
            Parallel.range(n * c, Math.max(1, Parallel.GRAIN / (l * w.kh() * w.kw())), (p0, p1) -> {
                for (int p = p0; p < p1; p++) foldPlaneF32(cf.a, co + p * w.kh() * w.kw() * l, of.a, oo + p * h * wd, h, wd, w, oh, ow);
            });
            return;
        }
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = oo + (b * c + ch) * h * wd;
                for (int ki = 0; ki < w.kh(); ki++) {
                    for (int kj = 0; kj < w.kw(); kj++) {
                        int row = ((b * c + ch) * w.kh() + ki) * w.kw() + kj;
                        int base = co + row * l;
                        for (int i = 0; i < oh; i++) {
                            int y = i * w.sh() - w.ph() + ki * w.dh();
                            if (y < 0 || y >= h) continue;
                            for (int j = 0; j < ow; j++) {
                                int xx = j * w.sw() - w.pw() + kj * w.dw();
                                if (xx < 0 || xx >= wd) continue;
                                int src = base + i * ow + j, dst = plane + y * wd + xx;
                                os.setD(dst, os.getD(dst) + cs.getD(src));
                            }
                        }
                    }
                }
            }
        }
    }

    /** col2im of kh*kw rows into one channel plane (added to what it holds). */
    private static void foldPlaneF32(float[] cols, int base, float[] out, int plane, int h, int wd, Window2d w, int oh, int ow) {
        int l = oh * ow, sw = w.sw();
        for (int ki = 0; ki < w.kh(); ki++) {
            for (int kj = 0; kj < w.kw(); kj++) {
                int rowBase = base + (ki * w.kw() + kj) * l;
                int j0 = firstCol(kj, w, ow), j1 = Math.max(j0, endCol(kj, w, wd, ow));
                int xoff = kj * w.dw() - w.pw();
                for (int i = 0; i < oh; i++) {
                    int y = i * w.sh() - w.ph() + ki * w.dh();
                    if (y < 0 || y >= h) continue;
                    int src = rowBase + i * ow, dst = plane + y * wd + xoff;
                    if (sw == 1) for (int j = j0; j < j1; j++) out[dst + j] += cols[src + j];
                    else for (int j = j0; j < j1; j++) out[dst + j * sw] += cols[src + j];
                }
            }
        }
    }

    static void pool2d(Tensor xin, Window2d w, boolean max, boolean includePad, int divisor, Tensor out, Tensor idx) {
        Tensor x = xin.contiguous();
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int oh = out.size(2), ow = out.size(3);
        Storage xs = x.storage, os = out.storage;
        if (max && xs instanceof Storage.F32 xf && os instanceof Storage.F32 of && out.isContiguous()
                && (idx == null || idx.storage instanceof Storage.I64 && idx.isContiguous())) {
            long[] ix = idx == null ? null : ((Storage.I64) idx.storage).a;
            int xo = x.offset, oo = out.offset, io = idx == null ? 0 : idx.offset;
            Parallel.range(n * c, Math.max(1, Parallel.GRAIN / (oh * ow * w.kh() * w.kw())), (p0, p1) -> {
                for (int p = p0; p < p1; p++)
                    maxPlaneF32(xf.a, xo + p * h * wd, h, wd, w, oh, ow, of.a, oo + p * oh * ow, ix, io + p * oh * ow);
            });
            return;
        }
        for (int p = 0; p < n * c; p++) {
            int plane = x.offset + p * h * wd, oplane = out.offset + p * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int y0 = i * w.sh() - w.ph(), x0 = j * w.sw() - w.pw();
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int arg = -1, count = 0;
                    for (int ki = 0; ki < w.kh(); ki++) {
                        int y = y0 + ki * w.dh();
                        if (y < 0 || y >= h) continue;
                        for (int kj = 0; kj < w.kw(); kj++) {
                            int xx = x0 + kj * w.dw();
                            if (xx < 0 || xx >= wd) continue;
                            double v = xs.getD(plane + y * wd + xx);
                            if (max) {
                                if (arg < 0 || (v > acc || Double.isNaN(v)) && !Double.isNaN(acc)) { acc = v; arg = y * wd + xx; }
                            } else {
                                acc += v;
                                count++;
                            }
                        }
                    }
                    int o = oplane + i * ow + j;
                    if (max) {
                        os.setD(o, acc);
                        if (idx != null) idx.storage.setL(idx.offset + p * oh * ow + i * ow + j, arg);
                    } else {
                        os.setD(o, acc / avgDivisor(w, y0, x0, h, wd, includePad, divisor, count));
                    }
                }
            }
        }
    }

    /** Max pooling of one plane; indices (flat within the plane) where ix is not null. NaN wins, first max kept. */
    private static void maxPlaneF32(float[] x, int plane, int h, int wd, Window2d w, int oh, int ow, float[] out, int oo, long[] ix, int io) {
        if (w.kh() == 2 && w.kw() == 2 && w.sh() == 2 && w.sw() == 2 && w.ph() == 0 && w.pw() == 0 && w.dh() == 1 && w.dw() == 1
                && 2 * oh <= h && 2 * ow <= wd) {
            max2x2(x, plane, wd, oh, ow, out, oo, ix, io);
            return;
        }
        for (int i = 0; i < oh; i++) {
            int y0 = i * w.sh() - w.ph();
            for (int j = 0; j < ow; j++) {
                int x0 = j * w.sw() - w.pw();
                float best = Float.NEGATIVE_INFINITY;
                int arg = -1;
                search:
                for (int ki = 0; ki < w.kh(); ki++) {
                    int y = y0 + ki * w.dh();
                    if (y < 0 || y >= h) continue;
                    int rowOff = plane + y * wd;
                    for (int kj = 0; kj < w.kw(); kj++) {
                        int xx = x0 + kj * w.dw();
                        if (xx < 0 || xx >= wd) continue;
                        float v = x[rowOff + xx];
                        if (arg < 0 || v > best || v != v) {
                            best = v;
                            arg = y * wd + xx;
                            if (v != v) break search;
                        }
                    }
                }
                out[oo + i * ow + j] = best;
                if (ix != null) ix[io + i * ow + j] = arg;
            }
        }
    }

    /**
     * The common 2x2, stride 2 window: the first largest of the four (a NaN wins). The choice is made in integer
     * arithmetic on comparison results (non-short-circuit, so C2 emits no data-dependent branches: random data
     * mispredicts half of them, measured 17 ns per output with branches) and the value is loaded from the chosen
     * element, so it is that element bit for bit.
     */
    private static void max2x2(float[] x, int plane, int wd, int oh, int ow, float[] out, int oo, long[] ix, int io) {
        for (int i = 0; i < oh; i++) {
            int r0 = plane + 2 * i * wd, r1 = r0 + wd, o = oo + i * ow;
            for (int j = 0; j < ow; j++) {
                int c = 2 * j;
                float v0 = x[r0 + c], v1 = x[r0 + c + 1], v2 = x[r1 + c], v3 = x[r1 + c + 1];
                // pairwise: right replaces left when greater, or NaN while left is not
                int k01 = (v1 > v0 | (v1 != v1 & v0 == v0)) ? 1 : 0, k23 = (v3 > v2 | (v3 != v3 & v2 == v2)) ? 1 : 0;
                // Math.max has the pair winner's value up to the sign of a zero (which compares equal) and NaN
                float m01 = Math.max(v0, v1), m23 = Math.max(v2, v3);
                int t = (m23 > m01 | (m23 != m23 & m01 == m01)) ? 1 : 0;
                int k = t * (2 + k23) + (1 - t) * k01; // 0..3: row k >> 1, column k & 1
                int off = (k >> 1) * wd + (k & 1);
                out[o + j] = x[r0 + c + off];
                if (ix != null) ix[io + i * ow + j] = (long) 2 * i * wd + c + off;
            }
        }
    }

    private static int avgDivisor(Window2d w, int y0, int x0, int h, int wd, boolean includePad, int divisor, int count) {
        if (divisor > 0) return divisor;
        if (!includePad) return Math.max(count, 1);
        int y1 = Math.min(y0 + w.kh(), h + w.ph()), x1 = Math.min(x0 + w.kw(), wd + w.pw());
        return Math.max((y1 - y0) * (x1 - x0), 1);
    }

    static void pool2dBackward(Tensor gin, Window2d w, boolean max, boolean includePad, int divisor, Tensor idxIn, Tensor gradIn) {
        Tensor g = gin.contiguous();
        int n = gradIn.size(0), c = gradIn.size(1), h = gradIn.size(2), wd = gradIn.size(3);
        int oh = g.size(2), ow = g.size(3);
        Storage gs = g.storage, ds = gradIn.storage;
        Tensor idx = idxIn == null ? null : idxIn.contiguous();
        if (max && gs instanceof Storage.F32 gf && ds instanceof Storage.F32 df && gradIn.isContiguous() && idx.storage instanceof Storage.I64 il) {
            float[] ga = gf.a, da = df.a;
            long[] ia = il.a;
            int go = g.offset, dOff = gradIn.offset, io = idx.offset, l = oh * ow;
            Parallel.range(n * c, Math.max(1, Parallel.GRAIN / l), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int plane = dOff + p * h * wd, gp = go + p * l, ip = io + p * l;
                    for (int e = 0; e < l; e++) {
                        long a = ia[ip + e];
                        if (a >= 0) da[plane + (int) a] += ga[gp + e];
                    }
                }
            });
            return;
        }
        for (int p = 0; p < n * c; p++) {
            int plane = gradIn.offset + p * h * wd, gplane = g.offset + p * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double gv = gs.getD(gplane + i * ow + j);
                    if (max) {
                        long a = idx.storage.getL(idx.offset + p * oh * ow + i * ow + j);
                        if (a >= 0) ds.setD(plane + (int) a, ds.getD(plane + (int) a) + gv);
                        continue;
                    }
                    int y0 = i * w.sh() - w.ph(), x0 = j * w.sw() - w.pw();
                    int count = 0;
                    for (int ki = 0; ki < w.kh(); ki++) {
                        int y = y0 + ki * w.dh();
                        if (y < 0 || y >= h) continue;
                        for (int kj = 0; kj < w.kw(); kj++) {
                            int xx = x0 + kj * w.dw();
                            if (xx >= 0 && xx < wd) count++;
                        }
                    }
                    double share = gv / avgDivisor(w, y0, x0, h, wd, includePad, divisor, count);
                    for (int ki = 0; ki < w.kh(); ki++) {
                        int y = y0 + ki * w.dh();
                        if (y < 0 || y >= h) continue;
                        for (int kj = 0; kj < w.kw(); kj++) {
                            int xx = x0 + kj * w.dw();
                            if (xx < 0 || xx >= wd) continue;
                            int d = plane + y * wd + xx;
                            ds.setD(d, ds.getD(d) + share);
                        }
                    }
                }
            }
        }
    }

    static void adaptiveAvgPool2d(Tensor xin, Tensor out, boolean backward) {
        // forward: x [N,C,H,W] -> out [N,C,oh,ow]; backward: x is gradOut [N,C,oh,ow], out is gradIn [N,C,H,W]
        Tensor x = xin.contiguous();
        Tensor big = backward ? out : x, small = backward ? x : out;
        int n = big.size(0), c = big.size(1), h = big.size(2), wd = big.size(3), oh = small.size(2), ow = small.size(3);
        Storage bs = big.storage, ss = small.storage;
        for (int p = 0; p < n * c; p++) {
            int bplane = big.offset + p * h * wd, splane = small.offset + p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int y0 = (int) Math.floor((double) i * h / oh), y1 = (int) Math.ceil((double) (i + 1) * h / oh);
                for (int j = 0; j < ow; j++) {
                    int x0 = (int) Math.floor((double) j * wd / ow), x1 = (int) Math.ceil((double) (j + 1) * wd / ow);
                    int cnt = (y1 - y0) * (x1 - x0);
                    if (!backward) {
                        double s = 0;
                        for (int y = y0; y < y1; y++) for (int xx = x0; xx < x1; xx++) s += bs.getD(bplane + y * wd + xx);
                        ss.setD(splane + i * ow + j, s / cnt);
                    } else {
                        double share = ss.getD(splane + i * ow + j) / cnt;
                        for (int y = y0; y < y1; y++) for (int xx = x0; xx < x1; xx++) {
                            int d = bplane + y * wd + xx;
                            bs.setD(d, bs.getD(d) + share);
                        }
                    }
                }
            }
        }
    }
}
