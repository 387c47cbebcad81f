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
        float r = Math.fma(k, -LN2_HI, v);
        r = Math.fma(k, -LN2_LO, r);
        float p = 1.9875691500E-4f;
        p = Math.fma(p, r, 1.3981999507E-3f);
        p = Math.fma(p, r, 8.3334519073E-3f);
        p = Math.fma(p, r, 4.1665795894E-2f);
        p = Math.fma(p, r, 1.6666665459E-1f);
        p = Math.fma(p, r, 5.0000001201E-1f);
        p = Math.fma(p * r, r, r) + 1f;
        // 2^k in two halves so that results down to the subnormal range come out right
        int k1 = ki >> 1, k2 = ki - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    static void exp(float[] s, int so, float[] t, int to, int n) {
        for (int i = 0; i < n; i++) t[to + i] = exp(s[so + i]);
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
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        float mx = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            if (v > mx) mx = v;
            else if (v != v) nan = true;
        }
        if (nan) mx = Float.NaN;
        if (mx == Float.NEGATIVE_INFINITY) mx = 0f; // a row of -inf: exp(-inf - 0) = 0, so 0/0 = NaN as in PyTorch
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        if (log) {
            for (; i + 3 < n; i += 4) {
                s0 += exp(x[xo + i] - mx); s1 += exp(x[xo + i + 1] - mx);
                s2 += exp(x[xo + i + 2] - mx); s3 += exp(x[xo + i + 3] - mx);
            }
            for (; i < n; i++) s0 += exp(x[xo + i] - mx);
            float ls = (float) Math.log((s0 + s1) + (s2 + s3));
            for (int j = 0; j < n; j++) out[oo + j] = (x[xo + j] - mx) - ls;
        } else {
            for (; i + 3 < n; i += 4) {
                float e0 = exp(x[xo + i] - mx), e1 = exp(x[xo + i + 1] - mx), e2 = exp(x[xo + i + 2] - mx), e3 = exp(x[xo + i + 3] - mx);
                out[oo + i] = e0; out[oo + i + 1] = e1; out[oo + i + 2] = e2; out[oo + i + 3] = e3;
                s0 += e0; s1 += e1; s2 += e2; s3 += e3;
            }
            for (; i < n; i++) { float e = exp(x[xo + i] - mx); out[oo + i] = e; s0 += e; }
            float inv = (float) (1.0 / ((s0 + s1) + (s2 + s3)));
            for (int j = 0; j < n; j++) out[oo + j] *= inv;
        }
    }
}
