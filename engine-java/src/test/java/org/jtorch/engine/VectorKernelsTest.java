package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link VectorKernels} against plain loops: bit-for-bit for elementwise ops, within float rounding for sums. */
class VectorKernelsTest {
    @BeforeEach void needsVectorApi() {
        Assumptions.assumeTrue(Gemm.VECTOR_AVAILABLE, "no Vector API here: this JVM lacks add-modules jdk.incubator.vector or the CPU 512-bit vectors");
    }

    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (rnd.nextFloat() - 0.3f) * 10;
        return x;
    }

    @Test void binaryMatchesScalarAtEveryLengthAndOffset() {
        Random rnd = new Random(1);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            for (int n : new int[] {0, 1, 15, 16, 17, 31, 33, 64, 100, 1000, 4099}) {
                int i0 = rnd.nextInt(7), i1 = rnd.nextInt(7), o = rnd.nextInt(7);
                float[] a = random(rnd, i0 + n), b = random(rnd, i1 + n), d = new float[o + n + 5];
                java.util.Arrays.fill(d, Float.NaN);
                VectorKernels.binary(op, a, i0, b, i1, d, o, n);
                for (int i = 0; i < n; i++) {
                    float want = (float) op.apply(a[i0 + i], b[i1 + i]);
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(d[o + i]), op + " n=" + n + " at " + i);
                }
                for (int i = 0; i < o; i++) assertTrue(Float.isNaN(d[i]), "wrote before the output");
                for (int i = o + n; i < d.length; i++) assertTrue(Float.isNaN(d[i]), "wrote after the output");
            }
        }
    }

    @Test void binaryScalarMatchesScalar() {
        Random rnd = new Random(5);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV})
            for (boolean left : new boolean[] {false, true})
                for (int n : new int[] {0, 1, 15, 16, 17, 121, 1000}) {
                    int xo = rnd.nextInt(5), o = rnd.nextInt(5);
                    float[] x = random(rnd, xo + n), d = new float[o + n];
                    float v = rnd.nextFloat() * 4 - 1;
                    VectorKernels.binaryScalar(op, x, xo, v, left, d, o, n);
                    for (int i = 0; i < n; i++) {
                        float want = (float) (left ? op.apply(v, x[xo + i]) : op.apply(x[xo + i], v));
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(d[o + i]), op + " left=" + left + " n=" + n + " at " + i);
                    }
                }
    }

    @Test void geluMatchesScalarSteps() {
        Random rnd = new Random(6);
        int n = 1000 + 7;
        float[] x = new float[n + 3], g = random(rnd, n + 2), y = new float[n + 1], dy = new float[n + 1];
        for (int i = 0; i < x.length; i++) x[i] = (rnd.nextFloat() - 0.5f) * 12;
        x[5] = 0f; x[6] = -0f; x[7] = Float.NaN; x[8] = 4.5f; x[9] = -6f;
        VectorKernels.gelu(x, 3, null, 0, y, 1, n);
        VectorKernels.gelu(x, 3, g, 2, dy, 1, n);
        for (int i = 0; i < n; i++) {
            float v = x[3 + i], cdf = 0.5f * (1f + FastMath.erf(v * 0.70710678f));
            assertEquals(Float.floatToIntBits(v * cdf), Float.floatToIntBits(y[1 + i]), "gelu(" + v + ")");
            double want = g[2 + i] * (cdf + v * (0.39894228 * Math.exp(v * (double) v * -0.5)));
            if (Float.isNaN(v)) assertTrue(Float.isNaN(dy[1 + i]));
            else assertEquals(want, dy[1 + i], 1e-6 * (Math.abs(want) + Math.abs(g[2 + i])), "gelu'(" + v + ")");
        }
    }

    @Test void softmaxRowsMatchScalarRoutine() {
        Random rnd = new Random(8);
        for (boolean log : new boolean[] {false, true})
            for (int n : new int[] {1, 5, 16, 17, 100, 4096}) {
                float[] x = new float[n + 2], want = new float[n], got = new float[n + 1];
                for (int i = 0; i < x.length; i++) x[i] = (rnd.nextFloat() - 0.5f) * 30;
                FastMath.softmaxRow(x, 2, want, 0, n, log);
                VectorKernels.softmaxRow(x, 2, got, 1, n, log);
                for (int i = 0; i < n; i++)
                    assertEquals(want[i], got[1 + i], 2e-6 * Math.max(1, Math.abs(want[i])), "log=" + log + " n=" + n + " at " + i);
            }
        float[] nan = {1, Float.NaN, 2, 3}, ninf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, out = new float[4];
        VectorKernels.softmaxRow(nan, 0, out, 0, 4, false);
        for (float v : out) assertTrue(Float.isNaN(v));
        VectorKernels.softmaxRow(ninf, 0, out, 0, 2, false);
        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]));
        float[] big = new float[40];
        java.util.Arrays.fill(big, Float.NEGATIVE_INFINITY);
        big[33] = 5f;
        VectorKernels.softmaxRow(big, 0, out = new float[40], 0, 40, false);
        for (int i = 0; i < 40; i++) assertEquals(i == 33 ? 1f : 0f, out[i], 0f);
        big[7] = Float.NaN;
        VectorKernels.softmaxRow(big, 0, out, 0, 40, true);
        for (float v : out) assertTrue(Float.isNaN(v));
    }

    @Test void binaryInPlace() {
        Random rnd = new Random(2);
        float[] a = random(rnd, 1037), b = random(rnd, 1037), want = new float[1037];
        for (int i = 0; i < a.length; i++) want[i] = a[i] * b[i];
        VectorKernels.binary(BinaryOp.MUL, a, 0, b, 0, a, 0, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(want[i], a[i], 0f);
    }

    @Test void sumIsExactOnIntegers() {
        // integers below 1000 in magnitude: every partial sum is exact in float, so the result must be exact,
        // and a skipped or repeated element shows
        Random rnd = new Random(3);
        for (int n : new int[] {0, 1, 63, 64, 65, 4095, 4096, 4097, 100_003, 1 << 20}) {
            int off = rnd.nextInt(9);
            float[] v = new float[off + n];
            long exact = 0;
            for (int i = 0; i < n; i++) { v[off + i] = rnd.nextInt(2000) - 1000; exact += (long) v[off + i]; }
            assertEquals((double) exact, VectorKernels.sum(v, off, n), 0.0, "n=" + n);
        }
    }

    @Test void sumIsAccurate() {
        Random rnd = new Random(4);
        for (int n : new int[] {100, 4097, 1 << 20}) {
            float[] v = random(rnd, n);
            double exact = 0, mag = 0;
            for (int i = 0; i < n; i++) { exact += v[i]; mag += Math.abs(v[i]); }
            // 64 float additions per lane within a block, blocks added in double: below 70 float ulps of the magnitude
            assertEquals(exact, VectorKernels.sum(v, 0, n), 70 * Math.ulp(1f) * mag, "n=" + n);
        }
        float[] special = {1, Float.NaN, 2};
        assertTrue(Double.isNaN(VectorKernels.sum(special, 0, 3)));
        float[] inf = new float[100];
        inf[70] = Float.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, VectorKernels.sum(inf, 0, 100));
    }
}
