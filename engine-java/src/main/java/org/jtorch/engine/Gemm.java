package org.jtorch.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * float32 matrix product C = A @ B over contiguous row-major blocks (batched). Rows of A are processed
 * four at a time so each loaded row of B feeds four rows of C (the inner loop is vectorised by the JIT),
 * and the rows are split across the common ForkJoin pool when the product is large enough.
 * A dedicated packed, register-tiled GEMM is issue 5's work; this is the interim kernel.
 */
final class Gemm {
    private Gemm() {}

    /** Below this many multiply-adds a product stays on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;

    static void sgemm(int batch, int m, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        long work = (long) batch * m * k * n;
        int threads = ForkJoinPool.getCommonPoolParallelism();
        if (work < PARALLEL_THRESHOLD || threads < 2) {
            for (int p = 0; p < batch; p++) rows(m, k, n, a, aOff + p * m * k, b, bOff + p * k * n, c, cOff + p * m * n, 0, m);
            return;
        }
        int tasks = Math.max(1, Math.min(batch * ((m + 3) / 4), threads * 4));
        ForkJoinPool.commonPool().invoke(new RecursiveAction() {
            @Override protected void compute() {
                RecursiveAction[] parts = new RecursiveAction[tasks];
                int totalRows = batch * m;
                for (int t = 0; t < tasks; t++) {
                    int from = (int) ((long) totalRows * t / tasks), to = (int) ((long) totalRows * (t + 1) / tasks);
                    parts[t] = new RecursiveAction() {
                        @Override protected void compute() {
                            int r = from;
                            while (r < to) {
                                int p = r / m, i0 = r % m, i1 = Math.min(m, i0 + (to - r));
                                rows(m, k, n, a, aOff + p * m * k, b, bOff + p * k * n, c, cOff + p * m * n, i0, i1);
                                r += i1 - i0;
                            }
                        }
                    };
                }
                invokeAll(parts);
            }
        });
    }

    /** Rows [i0, i1) of one product. */
    private static void rows(int m, int k, int n, float[] a, int ao, float[] b, int bo, float[] c, int co, int i0, int i1) {
        int i = i0;
        for (; i + 3 < i1; i += 4) {
            int c0 = co + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
            java.util.Arrays.fill(c, c0, c0 + 4 * n, 0f);
            int a0 = ao + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            for (int q = 0; q < k; q++) {
                float v0 = a[a0 + q], v1 = a[a1 + q], v2 = a[a2 + q], v3 = a[a3 + q];
                int br = bo + q * n;
                for (int j = 0; j < n; j++) {
                    float bv = b[br + j];
                    c[c0 + j] += v0 * bv;
                    c[c1 + j] += v1 * bv;
                    c[c2 + j] += v2 * bv;
                    c[c3 + j] += v3 * bv;
                }
            }
        }
        for (; i < i1; i++) {
            int c0 = co + i * n;
            java.util.Arrays.fill(c, c0, c0 + n, 0f);
            int a0 = ao + i * k;
            for (int q = 0; q < k; q++) {
                float v0 = a[a0 + q];
                int br = bo + q * n;
                for (int j = 0; j < n; j++) c[c0 + j] += v0 * b[br + j];
            }
        }
    }
}
