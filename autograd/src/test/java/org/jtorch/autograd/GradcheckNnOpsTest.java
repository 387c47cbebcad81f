package org.jtorch.autograd;

import static org.jtorch.autograd.GradCheck.distinct;
import static org.jtorch.autograd.GradCheck.rnd;
import static org.jtorch.autograd.GradCheck.test;
import static org.jtorch.autograd.GradCheck.testMulti;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradient checks of the NCHW ops in {@link NnOps}, and their forward values against a direct (loop)
 * evaluation of the convolution definitions.
 */
class GradcheckNnOpsTest {
    /** conv geometry: stride, padding, dilation, groups. */
    record Geo(int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        @Override public String toString() { return "s" + sh + "x" + sw + "_p" + ph + "x" + pw + "_d" + dh + "x" + dw + "_g" + groups; }
    }

    static final Geo[] GEOS = {
        new Geo(1, 1, 0, 0, 1, 1, 1), new Geo(2, 1, 1, 0, 1, 1, 1), new Geo(1, 2, 1, 2, 2, 1, 1), new Geo(2, 2, 1, 1, 1, 2, 2),
    };

    @TestFactory
    Stream<DynamicTest> conv() {
        Random r = new Random(30);
        List<DynamicTest> t = new ArrayList<>();
        for (Geo g : GEOS) {
            int cin = 2 * g.groups, cout = 2 * g.groups;
            Tensor x = rnd(r, 2, cin, 5, 6), w = rnd(r, cout, cin / g.groups, 2, 3), b = rnd(r, cout);
            t.add(test("conv2d_" + g, v -> NnOps.conv2d(v[0], v[1], v[2], g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups), x, w, b));
            t.add(test("conv2d_nobias_" + g, v -> NnOps.conv2d(v[0], v[1], null, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups), x, w));
            int oph = g.sh > 1 ? 1 : 0, opw = g.sw > 1 ? 1 : 0;
            Tensor wt = rnd(r, cin, cout / g.groups, 2, 3);
            t.add(test("conv_transpose2d_" + g, v -> NnOps.convTranspose2d(v[0], v[1], v[2], g.sh, g.sw, g.ph, g.pw, oph, opw, g.dh, g.dw, g.groups),
                rnd(r, 2, cin, 3, 4), wt, rnd(r, cout)));
        }
        t.add(test("conv2d_noncontig_input", v -> NnOps.conv2d(Torch.transpose(v[0], 2, 3), v[1], null, 1, 1, 0, 0, 1, 1, 1),
            rnd(r, 1, 2, 5, 4), rnd(r, 3, 2, 2, 2)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> pooling() {
        Random r = new Random(31);
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = distinct(r, 2, 2, 5, 6);
        t.add(testMulti("max_pool2d_k2", v -> NnOps.maxPool2d(v[0], 2, 2, 2, 2, 0, 0, 1, 1, false), x));
        t.add(testMulti("max_pool2d_k3_s1_p1", v -> NnOps.maxPool2d(v[0], 3, 3, 1, 1, 1, 1, 1, 1, false), x));
        t.add(testMulti("max_pool2d_ceil", v -> NnOps.maxPool2d(v[0], 2, 2, 2, 2, 0, 0, 1, 1, true), x));
        t.add(testMulti("max_pool2d_dilated", v -> NnOps.maxPool2d(v[0], 2, 2, 1, 1, 0, 0, 2, 2, false), x));
        for (boolean cip : new boolean[] {true, false}) {
            t.add(test("avg_pool2d_k2_" + cip, v -> NnOps.avgPool2d(v[0], 2, 2, 2, 2, 0, 0, false, cip, 0), x));
            t.add(test("avg_pool2d_k3_p1_" + cip, v -> NnOps.avgPool2d(v[0], 3, 3, 2, 2, 1, 1, false, cip, 0), x));
            t.add(test("avg_pool2d_ceil_" + cip, v -> NnOps.avgPool2d(v[0], 2, 2, 2, 2, 1, 0, true, cip, 0), x));
        }
        t.add(test("avg_pool2d_divisor", v -> NnOps.avgPool2d(v[0], 2, 2, 2, 2, 0, 0, false, true, 3), x));
        t.add(test("adaptive_avg_pool2d_3x4", v -> NnOps.adaptiveAvgPool2d(v[0], 3, 4), x));
        t.add(test("adaptive_avg_pool2d_1x1", v -> NnOps.adaptiveAvgPool2d(v[0], 1, 1), x));
        t.add(test("adaptive_avg_pool2d_up", v -> NnOps.adaptiveAvgPool2d(v[0], 7, 6), x));
        return t.stream();
    }

    // ---------------------------------------------------------------- forward values from the definitions

    static double at(double[] a, int[] shape, int... i) {
        int o = 0;
        for (int k = 0; k < shape.length; k++) o = o * shape[k] + i[k];
        return a[o];
    }

    static double[] directConv(Tensor x, Tensor w, Tensor b, Geo g, int oh, int ow) {
        int[] xs = x.shape(), ws = w.shape();
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b.toDoubleArray();
        int n = xs[0], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], og = o / g.groups;
        double[] out = new double[n * o * oh * ow];
        int p = 0;
        for (int in = 0; in < n; in++)
            for (int io = 0; io < o; io++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double s = bv[io];
                        int grp = io / og;
                        for (int c = 0; c < cg; c++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int y = i * g.sh - g.ph + ki * g.dh, z = j * g.sw - g.pw + kj * g.dw;
                                    if (y < 0 || y >= h || z < 0 || z >= wd) continue;
                                    s += at(xv, xs, in, grp * cg + c, y, z) * at(wv, ws, io, c, ki, kj);
                                }
                        out[p++] = s;
                    }
        return out;
    }

    static double[] directConvTranspose(Tensor x, Tensor w, Tensor b, Geo g, int hOut, int wOut) {
        int[] xs = x.shape(), ws = w.shape();
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b.toDoubleArray();
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], cog = ws[1], kh = ws[2], kw = ws[3], cig = cin / g.groups, cout = cog * g.groups;
        double[] out = new double[n * cout * hOut * wOut];
        for (int in = 0; in < n; in++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < hOut; i++)
                    for (int j = 0; j < wOut; j++) out[((in * cout + co) * hOut + i) * wOut + j] = bv[co];
        for (int in = 0; in < n; in++)
            for (int ci = 0; ci < cin; ci++) {
                int grp = ci / cig;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int co = 0; co < cog; co++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int y = i * g.sh - g.ph + ki * g.dh, z = j * g.sw - g.pw + kj * g.dw;
                                    if (y < 0 || y >= hOut || z < 0 || z >= wOut) continue;
                                    out[((in * cout + grp * cog + co) * hOut + y) * wOut + z] += at(xv, xs, in, ci, i, j) * at(wv, ws, ci, co, ki, kj);
                                }
            }
        return out;
    }

    @Test
    void convForwardMatchesDefinition() {
        Random r = new Random(32);
        for (Geo g : GEOS) {
            int cin = 2 * g.groups, cout = 2 * g.groups, kh = 2, kw = 3, h = 5, wd = 6;
            Tensor x = rnd(r, 2, cin, h, wd), w = rnd(r, cout, cin / g.groups, kh, kw), b = rnd(r, cout);
            Variable y = NnOps.conv2d(new Variable(x), new Variable(w), new Variable(b), g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups);
            int oh = (h + 2 * g.ph - g.dh * (kh - 1) - 1) / g.sh + 1, ow = (wd + 2 * g.pw - g.dw * (kw - 1) - 1) / g.sw + 1;
            assertArrayEquals(new int[] {2, cout, oh, ow}, y.shape(), "conv2d shape " + g);
            assertClose(directConv(x, w, b, g, oh, ow), y.data.toDoubleArray(), "conv2d " + g);

            int hi = 3, wi = 4, oph = g.sh > 1 ? 1 : 0, opw = g.sw > 1 ? 1 : 0;
            Tensor xt = rnd(r, 2, cin, hi, wi), wt = rnd(r, cin, cout / g.groups, kh, kw);
            Variable yt = NnOps.convTranspose2d(new Variable(xt), new Variable(wt), new Variable(b), g.sh, g.sw, g.ph, g.pw, oph, opw, g.dh, g.dw, g.groups);
            int hOut = (hi - 1) * g.sh - 2 * g.ph + g.dh * (kh - 1) + oph + 1, wOut = (wi - 1) * g.sw - 2 * g.pw + g.dw * (kw - 1) + opw + 1;
            assertArrayEquals(new int[] {2, cout, hOut, wOut}, yt.shape(), "conv_transpose2d shape " + g);
            assertClose(directConvTranspose(xt, wt, b, g, hOut, wOut), yt.data.toDoubleArray(), "conv_transpose2d " + g);
        }
    }

    static void assertClose(double[] e, double[] a, String what) {
        assertEquals(e.length, a.length, what + " numel");
        for (int i = 0; i < e.length; i++)
            if (Math.abs(e[i] - a[i]) > 1e-10 * (1 + Math.abs(e[i]))) assertEquals(e[i], a[i], 1e-10, what + " at " + i);
    }
}
