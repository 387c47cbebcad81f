package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#sgemm} against a double-accumulating reference, over edge sizes, strides, batches and threads,
 * with the Vector API kernel ({@link VectorGemm}); {@link GemmAutoVectorisedTest} runs the same with the other.
 */
class GemmTest {
    /** Whether this class's cases run the Vector API kernel. */
    boolean vectorKernel() { return true; }

    private boolean saved;

    @BeforeEach void selectKernel() {
        saved = Gemm.useVector(vectorKernel());
    }

    @AfterEach void restoreKernel() {
        Gemm.useVector(saved);
    }

    @Test void kernelInUse() {
        if (vectorKernel()) {
            Assumptions.assumeTrue(Gemm.VECTOR_AVAILABLE, "no Vector API kernel here: this JVM lacks add-modules jdk.incubator.vector or the CPU 512-bit vectors");
            assertTrue(Gemm.vector());
        } else {
            assertTrue(!Gemm.vector());
        }
    }

    static final int[] EDGE = {1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129, 255, 257};

    /** Reference C = A @ B with double accumulation; returns also the sum of |a||b| per element for the tolerance. */
    static void reference(int batch, int m, int k, int n, float[] a, int aOff, int aBs, int aRs, int aCs,
                          float[] b, int bOff, int bBs, int bRs, int bCs, double[] c, double[] mag) {
        for (int q = 0; q < batch; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0, g = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[aOff + q * aBs + i * aRs + p * aCs], y = b[bOff + q * bBs + p * bRs + j * bCs];
                        s += x * y;
                        g += Math.abs(x * y);
                    }
                    c[(q * m + i) * n + j] = s;
                    mag[(q * m + i) * n + j] = g;
                }
    }

    static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /** Runs one contiguous product (with offsets) and checks it, including that nothing outside C was written. */
    static void check(Random rnd, int batch, int m, int k, int n) {
        int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5), cOff = rnd.nextInt(5);
        float[] a = random(rnd, aOff + batch * m * k), b = random(rnd, bOff + batch * k * n);
        float[] c = new float[cOff + batch * m * n + 3];
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(batch, m, k, n, a, aOff, b, bOff, c, cOff);
        double[] ref = new double[batch * m * n], mag = new double[batch * m * n];
        reference(batch, m, k, n, a, aOff, m * k, k, 1, b, bOff, k * n, n, 1, ref, mag);
        compare(batch + "x" + m + "x" + k + "x" + n, c, cOff, n, 1, m * n, batch, m, n, ref, mag, k);
        for (int i = 0; i < cOff; i++) if (!Float.isNaN(c[i])) fail("wrote before C at " + i);
        for (int i = cOff + batch * m * n; i < c.length; i++) if (!Float.isNaN(c[i])) fail("wrote after C at " + i);
    }

    static void compare(String what, float[] c, int cOff, int cRs, int cCs, int cBs, int batch, int m, int n,
                        double[] ref, double[] mag, int k) {
        double eps = Math.ulp(1f);
        for (int q = 0; q < batch; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double want = ref[(q * m + i) * n + j], got = c[cOff + q * cBs + i * cRs + j * cCs];
                    double tol = 2 * eps * (k + 2) * mag[(q * m + i) * n + j] + 1e-30;
                    if (!(Math.abs(got - want) <= tol))
                        fail(what + ": C[" + q + "][" + i + "][" + j + "] = " + got + ", expected " + want + " (tol " + tol + ")");
                }
    }

    @Test void edgeSizes() {
        Random rnd = new Random(1);
        for (int m : EDGE) for (int n : EDGE) check(rnd, 1, m, EDGE[rnd.nextInt(EDGE.length)], n);
        for (int k : EDGE) check(rnd, 1, 33, k, 65);
        for (int k : EDGE) check(rnd, 1, 65, k, 257);
    }

    @Test void randomSizes() {
        Random rnd = new Random(2);
        for (int t = 0; t < 150; t++) {
            int batch = 1 + rnd.nextInt(3);
            check(rnd, batch, 1 + rnd.nextInt(140), 1 + rnd.nextInt(300), 1 + rnd.nextInt(300));
        }
    }

    @Test void blockBoundaries() {
        Random rnd = new Random(3);
        // around the packed-block sizes (KC deep, NC wide) and the wide-kernel threshold
        check(rnd, 1, 9, Gemm.KC - 1, Gemm.NC + 17);
        check(rnd, 1, 6, Gemm.KC + 1, Gemm.WIDE - 1);
        check(rnd, 1, 5, 2 * Gemm.KC + 3, Gemm.WIDE + 1);
        check(rnd, 1, 70, 600, 2 * Gemm.NC + 5);
        // the Vector API kernel's blocks: MC rows of A, KC deep, NC wide, tiles of MR x NR
        check(rnd, 1, VectorGemm.MC + 9, VectorGemm.KC + 5, VectorGemm.NR * 3 + 1);
        check(rnd, 1, 2 * VectorGemm.MC - 1, 2 * VectorGemm.KC, VectorGemm.NC + VectorGemm.NR - 1);
        check(rnd, 1, VectorGemm.MR * 3, 70, VectorGemm.NR * 4);
        // the wide tile (WIDE_MR x WIDE_NR, blocks of WIDE_MC rows; products of 4M multiply-adds or more, 128 deep)
        // and the switch between the two tiles
        check(rnd, 1, VectorGemm.WIDE_MC * 2 + 7, VectorGemm.KC + 3, VectorGemm.WIDE_NR * 2 + 5);
        check(rnd, 1, VectorGemm.WIDE_MR * 50, 130, VectorGemm.WIDE_NR * 2);
        check(rnd, 1, VectorGemm.WIDE_MR * 40 + 1, 200, VectorGemm.WIDE_NR * 3 - 1);
        check(rnd, 1, 31, 140, VectorGemm.NC + VectorGemm.WIDE_NR - 3);
        check(rnd, 3, VectorGemm.WIDE_MR * 20 + 2, 129, VectorGemm.WIDE_NR * 4 + VectorGemm.NR + 1);
        if (Gemm.VECTOR_AVAILABLE) { // (VectorGemm cannot even load without the module)
            assertTrue(VectorGemm.wide(VectorGemm.WIDE_MR * 50, 130, VectorGemm.WIDE_NR * 2), "covers the wide tile");
            assertFalse(VectorGemm.wide(64, 64, 64), "and the narrow one");
        }
    }

    @Test void largeAndParallel() {
        // (with more than one thread: products above Gemm.PARALLEL_THRESHOLD multiply-adds are split)
        Random rnd = new Random(4);
        check(rnd, 1, 300, 200, 500);     // split over rows
        check(rnd, 1, 40, 100, 2100);     // split over columns (wide)
        check(rnd, 1, 20, 300, 800);      // split over columns (few rows)
        check(rnd, 1, 2000, 100, 40);     // narrow: transposed, split
        check(rnd, 2, 140, 150, 200);     // split over batch entries
        check(rnd, 12, 50, 80, 60);
        check(rnd, 40, 64, 288, 121);     // conv-like
        check(rnd, 64, 32, 676, 9);       // conv weight-gradient-like (transposed)
    }

    @Test void strides() {
        Random rnd = new Random(5);
        for (int t = 0; t < 60; t++) {
            int batch = 1 + rnd.nextInt(3), m = 1 + rnd.nextInt(90), k = 1 + rnd.nextInt(90), n = 1 + rnd.nextInt(300);
            if (t % 7 == 0) { m = 200 + rnd.nextInt(100); n = 1 + rnd.nextInt(40); }
            // A and B either row-major, column-major (transposed views) or broadcast over the batch
            boolean at = rnd.nextBoolean(), bt = rnd.nextBoolean(), abc = rnd.nextInt(4) == 0, bbc = rnd.nextInt(4) == 0;
            float[] a = random(rnd, 2 + (abc ? 1 : batch) * m * k), b = random(rnd, 3 + (bbc ? 1 : batch) * k * n);
            int aRs = at ? 1 : k, aCs = at ? m : 1, aBs = abc ? 0 : m * k;
            int bRs = bt ? 1 : n, bCs = bt ? k : 1, bBs = bbc ? 0 : k * n;
            // C either row-major or column-major
            boolean ct = rnd.nextInt(3) == 0;
            int cRs = ct ? 1 : n, cCs = ct ? m : 1;
            float[] c = new float[1 + batch * m * n];
            Gemm.sgemm(batch, m, k, n, a, 2, aBs, aRs, aCs, b, 3, bBs, bRs, bCs, c, 1, m * n, cRs, cCs, false);
            double[] ref = new double[batch * m * n], mag = new double[batch * m * n];
            reference(batch, m, k, n, a, 2, aBs, aRs, aCs, b, 3, bBs, bRs, bCs, ref, mag);
            compare("strided " + batch + "x" + m + "x" + k + "x" + n, c, 1, cRs, cCs, m * n, batch, m, n, ref, mag, k);
        }
    }

    /** A general strided product checked against the reference. */
    static void checkStrided(Random rnd, String what, int batch, int m, int k, int n, boolean aShared, boolean aT, boolean bShared, boolean bT, boolean cT) {
        float[] a = random(rnd, 2 + (aShared ? 1 : batch) * m * k), b = random(rnd, 3 + (bShared ? 1 : batch) * k * n);
        int aRs = aT ? 1 : k, aCs = aT ? m : 1, aBs = aShared ? 0 : m * k;
        int bRs = bT ? 1 : n, bCs = bT ? k : 1, bBs = bShared ? 0 : k * n;
        int cRs = cT ? 1 : n, cCs = cT ? m : 1;
        float[] c = new float[1 + batch * m * n];
        Gemm.sgemm(batch, m, k, n, a, 2, aBs, aRs, aCs, b, 3, bBs, bRs, bCs, c, 1, m * n, cRs, cCs, false);
        double[] ref = new double[batch * m * n], mag = new double[batch * m * n];
        reference(batch, m, k, n, a, 2, aBs, aRs, aCs, b, 3, bBs, bRs, bCs, ref, mag);
        compare(what + " " + batch + "x" + m + "x" + k + "x" + n, c, 1, cRs, cCs, m * n, batch, m, n, ref, mag, k);
    }

    /** Thin products (a few rows or columns): the dot-product and row-update paths, every operand layout. */
    @Test void thin() {
        Random rnd = new Random(11);
        for (int[] z : new int[][] {{1, 1, 784, 256}, {2, 3, 100, 70}, {1, 200, 64, 1}, {3, 2, 17, 3}, {1, 1, 16, 1}, {2, 90, 33, 2}})
            for (int layout = 0; layout < 8; layout++)
                checkStrided(rnd, "thin", z[0], z[1], z[2], z[3], false, (layout & 1) != 0, false, (layout & 2) != 0, (layout & 4) != 0);
    }

    /** With acc the product is added to what C holds, on the scalar and the packed paths, any C layout. */
    @Test void accumulate() {
        Random rnd = new Random(9);
        int[][] sizes = {{1, 3, 5, 4}, {2, 7, 9, 13}, {1, 64, 300, 200}, {3, 40, 64, 121}, {1, 513, 70, 9}};
        for (int[] z : sizes) for (boolean ct : new boolean[] {false, true}) {
            int batch = z[0], m = z[1], k = z[2], n = z[3];
            float[] a = random(rnd, batch * m * k), b = random(rnd, batch * k * n), c0 = random(rnd, 1 + batch * m * n);
            int cRs = ct ? 1 : n, cCs = ct ? m : 1;
            float[] c = c0.clone();
            Gemm.sgemm(batch, m, k, n, a, 0, m * k, k, 1, b, 0, k * n, n, 1, c, 1, m * n, cRs, cCs, true);
            double[] ref = new double[batch * m * n], mag = new double[batch * m * n];
            reference(batch, m, k, n, a, 0, m * k, k, 1, b, 0, k * n, n, 1, ref, mag);
            for (int q = 0; q < batch; q++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        int e = (q * m + i) * n + j, ci = 1 + q * m * n + i * cRs + j * cCs;
                        ref[e] += c0[ci];
                        mag[e] += Math.abs(c0[ci]);
                    }
            compare("acc " + batch + "x" + m + "x" + k + "x" + n, c, 1, cRs, cCs, m * n, batch, m, n, ref, mag, k + 1);
        }
    }

    @Test void sharedOperands() {
        Random rnd = new Random(6);
        // a weight shared by all entries (convolution forward: entries laid side by side)
        checkStrided(rnd, "conv1", 5, 32, 9, 676, true, false, false, false, false);
        checkStrided(rnd, "conv2", 7, 64, 288, 121, true, false, false, false, false);
        // the transposed weight shared (convolution input gradient)
        checkStrided(rnd, "convT", 4, 288, 64, 121, true, true, false, false, false);
        // shared B (transposed orientation fuses it), transposed B, column-major C
        checkStrided(rnd, "sharedB", 6, 300, 40, 20, false, false, true, false, false);
        checkStrided(rnd, "sharedBT", 3, 20, 50, 700, false, true, true, true, true);
        checkStrided(rnd, "fusedSplit", 3, 8, 60, 4000, true, false, false, false, false);
    }

    @Test void singleThreadMatches() {
        String old = System.setProperty("jtorch.gemm.threads", "1");
        try {
            Random rnd = new Random(7);
            check(rnd, 1, 300, 200, 500);
            check(rnd, 12, 50, 80, 60);
            checkStrided(rnd, "conv2", 7, 64, 288, 121, true, false, false, false, false);
        } finally {
            if (old == null) System.clearProperty("jtorch.gemm.threads"); else System.setProperty("jtorch.gemm.threads", old);
        }
    }

    @Test void emptyAndZeroDepth() {
        float[] c = {5, 5, 5, 5, 5, 5};
        Gemm.sgemm(1, 2, 0, 3, new float[0], 0, new float[0], 0, c, 0);
        for (float v : c) assertEquals(0f, v);
        Gemm.sgemm(1, 0, 3, 3, new float[0], 0, new float[9], 0, new float[0], 0);
        Gemm.sgemm(0, 3, 3, 3, new float[0], 0, new float[0], 0, new float[0], 0);
    }

    @Test void specialValuesPropagate() {
        float[] a = new float[8 * 300], b = new float[300 * 40];
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(b, 1f);
        a[3 * 300 + 7] = Float.NaN;
        b[11 * 40 + 5] = Float.POSITIVE_INFINITY;
        float[] c = new float[8 * 40];
        Gemm.sgemm(1, 8, 300, 40, a, 0, b, 0, c, 0);
        assertEquals(Float.NaN, c[3 * 40], "NaN row");
        assertEquals(Float.POSITIVE_INFINITY, c[0 * 40 + 5]);
        assertEquals(300f, c[0]);
    }
}
