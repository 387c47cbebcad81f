package org.jtorch.engine;

/**
 * float32 kernels for the CPU backend's hot loops: exp (at most 1.01 ulp from the exact value, like the
 * SLEEF routines PyTorch uses), sums with several partial sums (no serial dependency on one accumulator) and
 * softmax rows.
 */
final class FastMath {
    private FastMath() {}

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer kept in the low bits

    /** e^v in float: range reduction by ln 2 (two parts) and a degree-6 polynomial (Cephes expf). */
    static float exp(float v) {
        if (!(v < 88.72283f)) return v != v ? v : Float.POSITIVE_INFINITY; // NaN, overflow
        if (v < -103.97208f) return 0f;
        float t = Math.fma(v, LOG2E, MAGIC);
        float k = t - MAGIC;
        int ki = Float.floatToRawIntBits(t) - 0x4B400000;
        float p = reduced(v, k);
        // 2^k in two halves so that results down to the subnormal range come out right
        int k1 = ki >> 1, k2 = ki - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    static void exp(float[] s, int so, float[] t, int to, int n) { expShifted(s, so, 0f, t, to, n, new Scratch()); }

    /** Work arrays for the blocked kernels, kept by one thread across the rows it works on. */
    static final class Scratch {
        final float[] x = new float[BLOCK], k = new float[BLOCK];
        float[] row = new float[0];

        float[] row(int n) { return row.length >= n ? row : (row = new float[n]); }
    }

    private static final int BLOCK = 512;
    private static final float EXP_LO = -87.33654f, EXP_HI = 88.3f; // k = round(v / ln 2) in [-126, 127]: 2^k is a normal float

    /**
     * e^(s[i] - shift) for n floats into t. Blocks of 512 go through two scratch arrays indexed like each
     * other, which C2 turns into 512-bit vector code (it does not vectorise the polynomial when source and
     * destination are two offsets into arrays that might be one); only the final 2^k scaling (float/int bit
     * moves) stays scalar, and elements outside the normal range (overflow, subnormal results, NaN) are redone
     * by the scalar {@link #exp(float)}.
     */
    static void expShifted(float[] s, int so, float shift, float[] t, int to, int n, Scratch w) {
        float[] x = w.x, k = w.k;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            System.arraycopy(s, so + b, x, 0, m);
            boolean normal = inExpRange(x, m, shift);
            expPoly(x, k, m, shift);
            expScale(x, k, t, to + b, m);
            if (!normal) {
                for (int j = 0; j < m; j++) {
                    float v = s[so + b + j] - shift;
                    if (!(v >= EXP_LO && v <= EXP_HI)) t[to + b + j] = exp(v);
                }
            }
        }
    }

    /** Whether every x[j] - shift is in [EXP_LO, EXP_HI] (false for NaN). */
    private static boolean inExpRange(float[] x, int m, float shift) {
        float lo = 0f, hi = 0f;
        for (int j = 0; j < m; j++) {
            lo = Math.min(lo, x[j]);
            hi = Math.max(hi, x[j]);
        }
        return lo - shift >= EXP_LO && hi - shift <= EXP_HI;
    }

    /** x[j] := the polynomial part of e^(x[j] - shift), k[j] := the rounded multiple of ln 2 (plus MAGIC). */
    private static void expPoly(float[] x, float[] k, int m, float shift) {
        for (int j = 0; j < m; j++) {
            float v = Math.min(Math.max(x[j] - shift, EXP_LO), EXP_HI);
            float t = Math.fma(v, LOG2E, MAGIC);
            k[j] = t;
            x[j] = reduced(v, t - MAGIC);
        }
    }

    /** e^(v - k ln 2) for the integer-valued k nearest v / ln 2: ln 2 in two parts, a degree-6 polynomial. */
    private static float reduced(float v, float k) {
        float r = Math.fma(k, -LN2_HI, v);
        r = Math.fma(k, -LN2_LO, r);
        float p = 1.9875691500E-4f;
        p = Math.fma(p, r, 1.3981999507E-3f);
        p = Math.fma(p, r, 8.3334519073E-3f);
        p = Math.fma(p, r, 4.1665795894E-2f);
        p = Math.fma(p, r, 1.6666665459E-1f);
        p = Math.fma(p, r, 5.0000001201E-1f);
        return Math.fma(p * r, r, r) + 1f;
    }

    /** t[to + j] := x[j] * 2^k[j] (k in the normal exponent range here). */
    private static void expScale(float[] x, float[] k, float[] t, int to, int m) {
        for (int j = 0; j < m; j++) t[to + j] = x[j] * Float.intBitsToFloat((Float.floatToRawIntBits(k[j]) - (0x4B400000 - 127)) << 23);
    }

    /**
     * erf in float: a rational approximation on [-4, 4] (odd degree-13 numerator over a degree-8 denominator in
     * x^2, the coefficients Eigen and XLA use for float erf), +-1 beyond; within 6 ulp and 4e-7 absolute (FastMathTest).
     */
    static float erf(float a) {
        float x = Math.min(Math.max(a, -4f), 4f), x2 = x * x;
        float p = -2.72614225801306e-10f;
        p = Math.fma(p, x2, 2.77068142495902e-08f);
        p = Math.fma(p, x2, -2.10102402082508e-06f);
        p = Math.fma(p, x2, -5.69250639462346e-05f);
        p = Math.fma(p, x2, -7.34990630326855e-04f);
        p = Math.fma(p, x2, -2.95459980854025e-03f);
        p = Math.fma(p, x2, -1.60960333262415e-02f);
        float q = -1.45660718464996e-05f;
        q = Math.fma(q, x2, -2.13374055278905e-04f);
        q = Math.fma(q, x2, -1.68282697438203e-03f);
        q = Math.fma(q, x2, -7.37332916720468e-03f);
        q = Math.fma(q, x2, -1.42647390514189e-02f);
        return x * p / q;
    }

    /** Sum of n floats at off, off+stride, ... in double, with eight partial sums. */
    static double sum(float[] v, int off, int stride, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        if (stride == 1) {
            for (; i + 7 < n; i += 8) {
                int o = off + i;
                s0 += v[o]; s1 += v[o + 1]; s2 += v[o + 2]; s3 += v[o + 3];
                s4 += v[o + 4]; s5 += v[o + 5]; s6 += v[o + 6]; s7 += v[o + 7];
            }
        }
        for (; i < n; i++) s0 += v[off + i * stride];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** softmax (or log_softmax) of one contiguous row of n floats into out. */
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) { softmaxRow(x, xo, out, oo, n, log, new Scratch()); }

    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log, Scratch w) {
        float mx = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            if (v > mx) mx = v;
            else if (v != v) nan = true;
        }
        if (nan) mx = Float.NaN;
        if (mx == Float.NEGATIVE_INFINITY) mx = 0f; // a row of -inf: exp(-inf - 0) = 0, so 0/0 = NaN as in PyTorch
        if (log) {
            float[] e = w.row(n);
            expShifted(x, xo, mx, e, 0, n, w);
            float ls = (float) Math.log(sum(e, 0, 1, n));
            for (int j = 0; j < n; j++) out[oo + j] = (x[xo + j] - mx) - ls;
        } else {
            expShifted(x, xo, mx, out, oo, n, w);
            float inv = (float) (1.0 / sum(out, oo, 1, n));
            for (int j = 0; j < n; j++) out[oo + j] *= inv;
        }
    }
}
