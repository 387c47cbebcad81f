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
        boolean f32 = xs instanceof Storage.F32 && os instanceof Storage.F32;
        float[] xf = f32 ? ((Storage.F32) xs).a : null, of = f32 ? ((Storage.F32) os).a : null;
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
                                int o = base + i * ow + j;
                                boolean in = y >= 0 && y < h && xx >= 0 && xx < wd;
                                if (f32) of[o] = in ? xf[plane + y * wd + xx] : 0f;
                                else os.setD(o, in ? xs.getD(plane + y * wd + xx) : 0);
                            }
                        }
                    }
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
        boolean f32 = cs instanceof Storage.F32 && os instanceof Storage.F32;
        float[] cf = f32 ? ((Storage.F32) cs).a : null, of = f32 ? ((Storage.F32) os).a : null;
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
                                if (f32) of[dst] += cf[src];
                                else os.setD(dst, os.getD(dst) + cs.getD(src));
                            }
                        }
                    }
                }
            }
        }
    }

    static void pool2d(Tensor xin, Window2d w, boolean max, boolean includePad, int divisor, Tensor out, Tensor idx) {
        Tensor x = xin.contiguous();
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int oh = out.size(2), ow = out.size(3);
        Storage xs = x.storage, os = out.storage;
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
