package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float32 fast paths against double-precision references. */
class FastMathTest {
    static double ulps(float got, double want) {
        float w = (float) want;
        if (Float.isNaN(w)) return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        if (w == got) return 0;
        return Math.abs(got - want) / Math.ulp(w == 0 ? Float.MIN_VALUE : w);
    }

    @Test void expWithinOneUlpEverywhere() {
        double worst = 0;
        // every 97th float from -110 to 90 (about 11 million values), and the edges
        for (int bits = Float.floatToRawIntBits(-110f); bits < 0 && bits != Float.floatToRawIntBits(-0f); bits -= 97) {
            float v = Float.intBitsToFloat(bits);
            worst = Math.max(worst, ulps(FastMath.exp(v), Math.exp(v)));
        }
        for (int bits = 0; Float.intBitsToFloat(bits) < 90f; bits += 97) {
            float v = Float.intBitsToFloat(bits);
            worst = Math.max(worst, ulps(FastMath.exp(v), Math.exp(v)));
        }
        assertTrue(worst <= 1.01, "worst error " + worst + " ulp"); // measured 1.003
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, FastMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FastMath.exp(-104f));
        assertTrue(Float.isNaN(FastMath.exp(Float.NaN)));
        assertEquals(1f, FastMath.exp(0f));
        assertEquals((float) Math.exp(-100f), FastMath.exp(-100f), Math.ulp((float) Math.exp(-100f))); // subnormal
    }

    @Test void arrayExpMatchesScalarExp() {
        // the blocked (vectorised) path gives the scalar exp's result bit for bit, special values included
        Random r = new Random(5);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 88.7f, 88.73f, 89f,
            -87.3f, -87.4f, -100f, -103.9f, -104f, 0f, -0f};
        for (int n : new int[] {1, 5, 511, 512, 513, 1500}) {
            for (boolean special : new boolean[] {false, true}) {
                float[] s = new float[n + 3], t = new float[n + 7];
                for (int i = 0; i < s.length; i++) s[i] = (float) (r.nextGaussian() * 30);
                if (special) for (int i = 0; i < specials.length && i < n; i++) s[3 + (i * 37) % n] = specials[i];
                for (float shift : new float[] {0f, 2.5f}) {
                    FastMath.expShifted(s, 3, shift, t, 7, n, new FastMath.Scratch());
                    for (int i = 0; i < n; i++) {
                        float want = FastMath.exp(s[3 + i] - shift);
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(t[7 + i]), "exp(" + s[3 + i] + " - " + shift + ")");
                    }
                }
            }
        }
    }

    @Test void floatErfWithinAFewUlp() {
        double worst = 0, worstAbs = 0;
        for (float v = -6f; v <= 6f; v += 1e-4f) {
            double want = Erf.erf(v);
            float got = FastMath.erf(v);
            worstAbs = Math.max(worstAbs, Math.abs(got - want));
            if (Math.abs(want) > 1e-3) worst = Math.max(worst, ulps(got, want));
        }
        assertTrue(worst <= 6, "worst error " + worst + " ulp"); // measured 5.5 (where |erf| > 1e-3)
        assertTrue(worstAbs <= 4e-7, "worst absolute error " + worstAbs); // measured 3.3e-7
        assertEquals(1f, FastMath.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FastMath.erf(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FastMath.erf(Float.NaN)));
    }

    @Test void sumMatchesDouble() {
        Random r = new Random(3);
        for (int n : new int[] {0, 1, 7, 8, 9, 1000, 100_003}) {
            float[] v = new float[n + 5];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            for (int stride : new int[] {1, 3}) {
                int m = n / stride;
                double want = 0;
                for (int i = 0; i < m; i++) want += v[2 + i * stride];
                assertEquals(want, FastMath.sum(v, 2, stride, m), 1e-9 * Math.max(1, m));
            }
        }
    }

    @Test void softmaxRows() {
        Random r = new Random(4);
        for (int n : new int[] {1, 3, 4, 5, 17, 1000}) {
            float[] x = new float[n + 2], out = new float[n + 1];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 10);
            for (boolean log : new boolean[] {false, true}) {
                FastMath.softmaxRow(x, 2, out, 1, n, log);
                double mx = Double.NEGATIVE_INFINITY, s = 0;
                for (int i = 0; i < n; i++) mx = Math.max(mx, x[2 + i]);
                for (int i = 0; i < n; i++) s += Math.exp(x[2 + i] - mx);
                for (int i = 0; i < n; i++) {
                    double want = log ? x[2 + i] - mx - Math.log(s) : Math.exp(x[2 + i] - mx) / s;
                    assertTrue(ulps(out[1 + i], want) <= 3 || Math.abs(out[1 + i] - want) < 1e-6, n + " " + log + " " + i + ": " + out[1 + i] + " vs " + want);
                }
            }
        }
        float[] inf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, o = new float[2];
        FastMath.softmaxRow(inf, 0, o, 0, 2, false);
        assertTrue(Float.isNaN(o[0]) && Float.isNaN(o[1]), "a row of -inf gives NaN, as in PyTorch");
        float[] withNan = {1f, Float.NaN, 2f};
        o = new float[3];
        FastMath.softmaxRow(withNan, 0, o, 0, 3, true);
        assertTrue(Float.isNaN(o[0]) && Float.isNaN(o[2]));
    }
}
