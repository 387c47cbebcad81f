package org.jtorch.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Contiguous float32 loops through the Vector API, used where {@link Gemm#VECTOR_AVAILABLE} (the JVM has
 * {@code jdk.incubator.vector} and 512-bit vectors); callers keep their plain loops otherwise.
 *
 * <p>Why: HotSpot's C2 does not vectorise a loop whose arrays are indexed with different offsets when they could
 * be the same array (it cannot rule out overlap), so {@code d[k + i] = a[i0 + i] + b[i1 + i]} runs scalar; and it
 * does not vectorise a float sum (the order of additions would change). Explicit vectors do both.
 */
final class VectorKernels {
    private VectorKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;
    /** Elements per float block of a sum: each of the 64 lanes adds 64 values before the block goes to a double. */
    private static final int SUM_BLOCK = 4096;

    /** d[o + i] = a[i0 + i] op b[i1 + i] for i < n, op one of ADD, SUB, MUL, DIV (d may be a or b, same offsets). */
    static void binary(BinaryOp op, float[] a, int i0, float[] b, int i1, float[] d, int o, int n) {
        int i = 0, end = n - (n % L);
        switch (op) {
            case ADD -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).add(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] + b[i1 + i];
            }
            case SUB -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).sub(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] - b[i1 + i];
            }
            case MUL -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).mul(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] * b[i1 + i];
            }
            case DIV -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).div(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] / b[i1 + i];
            }
            default -> throw new IllegalArgumentException(op.name());
        }
    }

    /** d[o + i] = x[xo + i] op v, or v op x[xo + i] with left, for i < n; op one of ADD, SUB, MUL, DIV. */
    static void binaryScalar(BinaryOp op, float[] x, int xo, float v, boolean left, float[] d, int o, int n) {
        FloatVector s = FloatVector.broadcast(S, v);
        int i = 0, end = n - (n % L);
        switch (op) {
            case ADD -> {
                for (; i < end; i += L) FloatVector.fromArray(S, x, xo + i).add(s).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = x[xo + i] + v;
            }
            case MUL -> {
                for (; i < end; i += L) FloatVector.fromArray(S, x, xo + i).mul(s).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = x[xo + i] * v;
            }
            case SUB -> {
                if (left) {
                    for (; i < end; i += L) s.sub(FloatVector.fromArray(S, x, xo + i)).intoArray(d, o + i);
                    for (; i < n; i++) d[o + i] = v - x[xo + i];
                } else {
                    for (; i < end; i += L) FloatVector.fromArray(S, x, xo + i).sub(s).intoArray(d, o + i);
                    for (; i < n; i++) d[o + i] = x[xo + i] - v;
                }
            }
            case DIV -> {
                if (left) {
                    for (; i < end; i += L) s.div(FloatVector.fromArray(S, x, xo + i)).intoArray(d, o + i);
                    for (; i < n; i++) d[o + i] = v / x[xo + i];
                } else {
                    for (; i < end; i += L) FloatVector.fromArray(S, x, xo + i).div(s).intoArray(d, o + i);
                    for (; i < n; i++) d[o + i] = x[xo + i] / v;
                }
            }
            default -> throw new IllegalArgumentException(op.name());
        }
    }

    /**
     * Sum of v[off .. off+n): four float vectors over blocks of {@link #SUM_BLOCK} elements, each block's total
     * added to a double (so the error stays that of a 64-term float sum per lane, not of n terms).
     */
    static double sum(float[] v, int off, int n) {
        double total = 0;
        int i = 0;
        while (n - i >= 4 * L) {
            int blockEnd = i + Math.min(SUM_BLOCK, (n - i) / (4 * L) * (4 * L));
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (; i < blockEnd; i += 4 * L) {
                int x = off + i;
                s0 = s0.add(FloatVector.fromArray(S, v, x));
                s1 = s1.add(FloatVector.fromArray(S, v, x + L));
                s2 = s2.add(FloatVector.fromArray(S, v, x + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, v, x + 3 * L));
            }
            total += s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        }
        float tail = 0;
        for (; i < n; i++) tail += v[off + i];
        return total + tail;
    }

    /**
     * C[i][j] (+)= dot(A row i, B column j) with both contiguous along k (x @ W.T for a batch of one): four
     * columns at a time, one vector accumulator each, the lanes added at the end.
     */
    static void dots(int m, int k, int n, float[] a, int ao, int aRs, float[] b, int bo, int bCs,
                     float[] c, int co, int cRs, int cCs, boolean acc) {
        int kv = k - (k % L);
        for (int i = 0; i < m; i++) {
            int ai = ao + i * aRs, ci = co + i * cRs;
            int j = 0;
            for (; j + 3 < n; j += 4) {
                int b0 = bo + j * bCs, b1 = b0 + bCs, b2 = b1 + bCs, b3 = b2 + bCs;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < kv; p += L) {
                    FloatVector x = FloatVector.fromArray(S, a, ai + p);
                    s0 = FloatVector.fromArray(S, b, b0 + p).fma(x, s0);
                    s1 = FloatVector.fromArray(S, b, b1 + p).fma(x, s1);
                    s2 = FloatVector.fromArray(S, b, b2 + p).fma(x, s2);
                    s3 = FloatVector.fromArray(S, b, b3 + p).fma(x, s3);
                }
                float r0 = s0.reduceLanes(VectorOperators.ADD), r1 = s1.reduceLanes(VectorOperators.ADD);
                float r2 = s2.reduceLanes(VectorOperators.ADD), r3 = s3.reduceLanes(VectorOperators.ADD);
                for (int p = kv; p < k; p++) {
                    float x = a[ai + p];
                    r0 = Math.fma(x, b[b0 + p], r0); r1 = Math.fma(x, b[b1 + p], r1);
                    r2 = Math.fma(x, b[b2 + p], r2); r3 = Math.fma(x, b[b3 + p], r3);
                }
                int o = ci + j * cCs;
                if (acc) {
                    c[o] += r0; c[o + cCs] += r1; c[o + 2 * cCs] += r2; c[o + 3 * cCs] += r3;
                } else {
                    c[o] = r0; c[o + cCs] = r1; c[o + 2 * cCs] = r2; c[o + 3 * cCs] = r3;
                }
            }
            for (; j < n; j++) {
                int bj = bo + j * bCs;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < kv; p += L) s0 = FloatVector.fromArray(S, b, bj + p).fma(FloatVector.fromArray(S, a, ai + p), s0);
                float r = s0.reduceLanes(VectorOperators.ADD);
                for (int p = kv; p < k; p++) r = Math.fma(a[ai + p], b[bj + p], r);
                int o = ci + j * cCs;
                c[o] = acc ? c[o] + r : r;
            }
        }
    }

    /** y[yo + j] += s * x[xo + j] for j < n (x and y may be the same array). */
    static void axpy(int n, float s, float[] x, int xo, float[] y, int yo) {
        FloatVector sv = FloatVector.broadcast(S, s);
        int j = 0, end = n - (n % L);
        for (; j < end; j += L) FloatVector.fromArray(S, x, xo + j).fma(sv, FloatVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        for (; j < n; j++) y[yo + j] = Math.fma(s, x[xo + j], y[yo + j]);
    }

    /**
     * GELU (exact, erf form) of x[xo ..] into y, or with g its gradient g * GELU'(x): the float steps of
     * CpuBackend.gelu in the same order (the erf rational polynomial of FastMath.erf), with the Vector API's exp
     * (within 1 ulp) for the normal density.
     */
    static void gelu(float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        int i = 0, end = n - (n % L);
        for (; i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.mul(0.70710678f).max(-4f).min(4f), a2 = a.mul(a);
            FloatVector p = FloatVector.broadcast(S, -2.72614225801306e-10f);
            p = p.fma(a2, FloatVector.broadcast(S, 2.77068142495902e-08f));
            p = p.fma(a2, FloatVector.broadcast(S, -2.10102402082508e-06f));
            p = p.fma(a2, FloatVector.broadcast(S, -5.69250639462346e-05f));
            p = p.fma(a2, FloatVector.broadcast(S, -7.34990630326855e-04f));
            p = p.fma(a2, FloatVector.broadcast(S, -2.95459980854025e-03f));
            p = p.fma(a2, FloatVector.broadcast(S, -1.60960333262415e-02f));
            FloatVector q = FloatVector.broadcast(S, -1.45660718464996e-05f);
            q = q.fma(a2, FloatVector.broadcast(S, -2.13374055278905e-04f));
            q = q.fma(a2, FloatVector.broadcast(S, -1.68282697438203e-03f));
            q = q.fma(a2, FloatVector.broadcast(S, -7.37332916720468e-03f));
            q = q.fma(a2, FloatVector.broadcast(S, -1.42647390514189e-02f));
            FloatVector cdf = a.mul(p).div(q).add(1f).mul(0.5f);
            if (g == null) {
                v.mul(cdf).intoArray(y, yo + i);
            } else {
                FloatVector pdf = v.mul(v).mul(-0.5f).lanewise(VectorOperators.EXP).mul(0.39894228f);
                FloatVector.fromArray(S, g, go + i).mul(cdf.add(v.mul(pdf))).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float cdf = 0.5f * (1f + FastMath.erf(v * 0.70710678f));
            y[yo + i] = g == null ? v * cdf : g[go + i] * (cdf + v * (0.39894228f * FastMath.exp(v * v * -0.5f)));
        }
    }

    /**
     * softmax (or log_softmax) of one contiguous row, as FastMath.softmaxRow (a NaN anywhere makes the row NaN, a
     * row of -inf gives NaN) with vector max, the Vector API's exp (within 1 ulp), a float vector sum and vector
     * scaling.
     */
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        int end = n - (n % L), i = 0;
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; i < end; i += L) mv = mv.max(FloatVector.fromArray(S, x, xo + i));
        float mx = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) mx = Math.max(mx, x[xo + i]);
        if (mx == Float.NEGATIVE_INFINITY) mx = 0f;
        FloatVector m = FloatVector.broadcast(S, mx), sv = FloatVector.zero(S);
        float tail = 0;
        if (log) {
            for (i = 0; i < end; i += L) sv = sv.add(FloatVector.fromArray(S, x, xo + i).sub(m).lanewise(VectorOperators.EXP));
            for (; i < n; i++) tail += (float) Math.exp(x[xo + i] - mx);
            FloatVector ls = FloatVector.broadcast(S, (float) Math.log((double) sv.reduceLanes(VectorOperators.ADD) + tail));
            for (i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).sub(m).sub(ls).intoArray(out, oo + i);
            float l = ls.lane(0);
            for (; i < n; i++) out[oo + i] = (x[xo + i] - mx) - l;
        } else {
            for (i = 0; i < end; i += L) {
                FloatVector e = FloatVector.fromArray(S, x, xo + i).sub(m).lanewise(VectorOperators.EXP);
                e.intoArray(out, oo + i);
                sv = sv.add(e);
            }
            for (; i < n; i++) { float e = (float) Math.exp(x[xo + i] - mx); out[oo + i] = e; tail += e; }
            float inv = (float) (1.0 / ((double) sv.reduceLanes(VectorOperators.ADD) + tail));
            for (i = 0; i < end; i += L) FloatVector.fromArray(S, out, oo + i).mul(inv).intoArray(out, oo + i);
            for (; i < n; i++) out[oo + i] *= inv;
        }
    }
}
