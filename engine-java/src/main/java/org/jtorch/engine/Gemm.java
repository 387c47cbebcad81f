package org.jtorch.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * float32 matrix product C = A @ B (batched, any element strides) for the CPU backend.
 *
 * <p>Structure (BLIS-like, shaped for what HotSpot's C2 auto-vectoriser can do, since the Vector API's
 * incubator module prints a warning at JVM start): per thread, the product is cut into blocks of
 * {@code KC} rows of B by {@code NC} columns; each block of B is packed into separate row arrays, each
 * 4-row strip of A into a small array, and the micro-kernel adds a rank-4 update per step into four tile
 * rows, also separate arrays, with every array indexed by the bare loop variable. That shape is what C2
 * turns into 512-bit FMA loops: with a common array and different offsets (rows of one matrix) it cannot
 * prove the rows do not overlap and falls back to scalar code. A kernel loop's vector width follows the
 * trip counts in its profile, so wide and narrow blocks run in separate (identical) kernel methods.
 * The problem is transposed (C^T = B^T A^T) when that gives the kernel longer rows.
 *
 * <p>Small products skip packing and threads and use a scalar 4x4 register-blocked loop; larger ones
 * are split over the common ForkJoin pool by batch entries, column ranges or row ranges.
 */
final class Gemm {
    private Gemm() {}

    /** Rows of A per micro-kernel strip and rows of B per kernel step (the kernel is 4 x 4 x width). */
    static final int MR = 4;
    /** Depth of a packed block of B (rows) and the maximum width of one (columns). */
    static final int KC = Integer.getInteger("gemm.kc", 256), NC = Integer.getInteger("gemm.nc", 1024);
    /** Kernel rows at least this wide run in the "wide" kernel method. */
    static final int WIDE = Integer.getInteger("gemm.wide", 256);
    /** Products with fewer multiply-adds than this (or a vector width below 16) use the scalar kernel. */
    static final long SMALL = 1L << 13;
    /** Below this many multiply-adds (in total) a product stays on the calling thread. */
    static final long PARALLEL_THRESHOLD = 1L << 20;
    /** Least work (multiply-adds) worth one parallel task. */
    static final long TASK_MIN = 1L << 18;
    /**
     * Threads a product may use: the calling thread plus the common pool's workers (whose parallelism is by
     * default one less than the processors, the caller being the other), at most the processors;
     * {@code -Djtorch.gemm.threads=N} overrides it.
     */
    static int threads() {
        int nproc = Runtime.getRuntime().availableProcessors();
        Integer set = Integer.getInteger("jtorch.gemm.threads");
        if (set != null) return Math.max(1, set);
        boolean inPool = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool();
        return Math.max(1, Math.min(nproc, ForkJoinPool.getCommonPoolParallelism() + (inPool ? 0 : 1)));
    }

    /** C = A @ B for contiguous row-major blocks, batched with strides m*k, k*n and m*n. */
    static void sgemm(int batch, int m, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        sgemm(batch, m, k, n, a, aOff, m * k, k, 1, b, bOff, k * n, n, 1, c, cOff, m * n, n, 1);
    }

    /**
     * C[q][i][j] = sum_p A[q][i][p] B[q][p][j] with element strides (batch, row, column) for each operand.
     * A and B may have any non-negative strides (0 for broadcast); C must not overlap A or B.
     */
    static void sgemm(int batch, int m, int k, int n,
                      float[] a, int aOff, int aBs, int aRs, int aCs,
                      float[] b, int bOff, int bBs, int bRs, int bCs,
                      float[] c, int cOff, int cBs, int cRs, int cCs) {
        if (batch <= 0 || m <= 0 || n <= 0) return;
        if (k <= 0) {
            for (int q = 0; q < batch; q++) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + q * cBs + i * cRs + j * cCs] = 0f;
            return;
        }
        // The kernel vectorises along the columns of C; transpose the problem when that gives longer rows.
        if (transpose(m, n)) {
            Problem p = new Problem(batch, n, k, m, b, bOff, bBs, bCs, bRs, a, aOff, aBs, aCs, aRs, c, cOff, cBs, cCs, cRs);
            p.run();
        } else {
            new Problem(batch, m, k, n, a, aOff, aBs, aRs, aCs, b, bOff, bBs, bRs, bCs, c, cOff, cBs, cRs, cCs).run();
        }
    }

    /** Transposing costs strided writes of C, so only do it when the columns are too few to vectorise well. */
    private static boolean transpose(int m, int n) {
        return n < 64 && m >= 2 * n;
    }

    /** One (possibly transposed) batched product; run() splits it into tasks. */
    private record Problem(int batch, int m, int k, int n,
                           float[] a, int aOff, int aBs, int aRs, int aCs,
                           float[] b, int bOff, int bBs, int bRs, int bCs,
                           float[] c, int cOff, int cBs, int cRs, int cCs) {

        void run() {
            long work = (long) batch * m * k * n;
            boolean small = (long) m * k * n < SMALL || n < 16;
            int threads = threads();
            if (work < PARALLEL_THRESHOLD || threads < 2) {
                for (int q = 0; q < batch; q++) block(q, 0, m, 0, n, small);
                return;
            }
            int tasks = (int) Math.min(threads, Math.max(1, work / TASK_MIN));
            List<RecursiveAction> parts = new ArrayList<>(tasks);
            if (batch >= tasks) {
                for (int t = 0; t < tasks; t++) {
                    int q0 = (int) ((long) batch * t / tasks), q1 = (int) ((long) batch * (t + 1) / tasks);
                    parts.add(action(() -> { for (int q = q0; q < q1; q++) block(q, 0, m, 0, n, small); }));
                }
            } else {
                // fewer entries than tasks: split each entry's columns (in 16s) or, if too narrow, its rows (in 4s)
                int per = (tasks + batch - 1) / batch;
                for (int q = 0; q < batch; q++) {
                    int qq = q;
                    if (n >= per * 128) {
                        int units = (n + 15) / 16;
                        for (int t = 0; t < per; t++) {
                            int j0 = Math.min(n, units * t / per * 16), j1 = Math.min(n, units * (t + 1) / per * 16);
                            if (j0 < j1) parts.add(action(() -> block(qq, 0, m, j0, j1, small)));
                        }
                    } else {
                        int units = (m + MR - 1) / MR;
                        int pp = Math.min(per, units);
                        for (int t = 0; t < pp; t++) {
                            int i0 = Math.min(m, units * t / pp * MR), i1 = Math.min(m, units * (t + 1) / pp * MR);
                            if (i0 < i1) parts.add(action(() -> block(qq, i0, i1, 0, n, small)));
                        }
                    }
                }
            }
            // the calling thread runs the first part while the pool's workers take the others
            for (int t = parts.size() - 1; t > 0; t--) parts.get(t).fork();
            parts.get(0).invoke();
            for (int t = 1; t < parts.size(); t++) parts.get(t).join();
        }

        /** Rows [i0, i1) and columns [j0, j1) of entry q. */
        void block(int q, int i0, int i1, int j0, int j1, boolean small) {
            int ao = aOff + q * aBs, bo = bOff + q * bBs, co = cOff + q * cBs;
            if (small) scalar(i0, i1, j0, j1, k, a, ao, aRs, aCs, b, bo, bRs, bCs, c, co, cRs, cCs);
            else packed(WS.get(), i0, i1, j0, j1, k, a, ao, aRs, aCs, b, bo, bRs, bCs, c, co, cRs, cCs);
        }
    }

    private static RecursiveAction action(Runnable r) {
        return new RecursiveAction() { @Override protected void compute() { r.run(); } };
    }

    // ------------------------------------------------------------------ packed path

    static final int PAD = Integer.getInteger("gemm.pad", 40);

    /** Per-thread packing buffers, grown on demand. */
    private static final class Workspace {
        float[][] bRows = new float[KC][];
        int bLen;
        final float[] ap = new float[MR * KC];
        float[] t0 = new float[0], t1 = t0, t2 = t0, t3 = t0;
        float[][] tiles = {t0, t1, t2, t3};

        void ensure(int width) {
            if (bLen < width) {
                // Rows are padded so that rows allocated one after another do not sit at the same offset
                // modulo 4 KiB (which would make the CPU see false store-to-load dependencies).
                int len = width + PAD;
                for (int p = 0; p < KC; p++) bRows[p] = new float[len];
                bLen = width;
                t0 = new float[len]; t1 = new float[len]; t2 = new float[len]; t3 = new float[len];
                tiles = new float[][] {t0, t1, t2, t3};
            }
        }
    }

    private static final ThreadLocal<Workspace> WS = ThreadLocal.withInitial(Workspace::new);

    private static void packed(Workspace ws, int i0, int i1, int j0, int j1, int k,
                               float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs, int bCs,
                               float[] c, int co, int cRs, int cCs) {
        for (int jc = j0; jc < j1; jc += NC) {
            int nb = Math.min(NC, j1 - jc), w = (nb + 15) & ~15;
            ws.ensure(w);
            float[][] br = ws.bRows;
            for (int pc = 0; pc < k; pc += KC) {
                int kb = Math.min(KC, k - pc);
                // pack B[pc .. pc+kb) x [jc .. jc+nb) into separate rows, zero-padded to w
                for (int p = 0; p < kb; p++) {
                    float[] row = br[p];
                    int src = bo + (pc + p) * bRs + jc * bCs;
                    if (bCs == 1) System.arraycopy(b, src, row, 0, nb);
                    else for (int j = 0; j < nb; j++) row[j] = b[src + j * bCs];
                    if (w > nb) Arrays.fill(row, nb, w, 0f);
                }
                float[] ap = ws.ap;
                for (int i = i0; i < i1; i += MR) {
                    int rows = Math.min(MR, i1 - i);
                    // pack A[i .. i+4) x [pc .. pc+kb) interleaved by row (zeros for missing rows)
                    for (int r = 0; r < MR; r++) {
                        if (r < rows) {
                            int src = ao + (i + r) * aRs + pc * aCs;
                            for (int p = 0; p < kb; p++) ap[p * MR + r] = a[src + p * aCs];
                        } else {
                            for (int p = 0; p < kb; p++) ap[p * MR + r] = 0f;
                        }
                    }
                    // tile = C rows so far (or zero), then += A strip x B block, then back to C
                    float[][] tiles = ws.tiles;
                    for (int r = 0; r < MR; r++) {
                        float[] t = tiles[r];
                        if (pc == 0 || r >= rows) Arrays.fill(t, 0, w, 0f);
                        else {
                            int src = co + (i + r) * cRs + jc * cCs;
                            if (cCs == 1) System.arraycopy(c, src, t, 0, nb);
                            else for (int j = 0; j < nb; j++) t[j] = c[src + j * cCs];
                            if (w > nb) Arrays.fill(t, nb, w, 0f);
                        }
                    }
                    if (w >= WIDE) kernelWide(kb, ap, br, w, ws.t0, ws.t1, ws.t2, ws.t3);
                    else kernelNarrow(kb, ap, br, w, ws.t0, ws.t1, ws.t2, ws.t3);
                    for (int r = 0; r < rows; r++) {
                        float[] t = tiles[r];
                        int dst = co + (i + r) * cRs + jc * cCs;
                        if (cCs == 1) System.arraycopy(t, 0, c, dst, nb);
                        else for (int j = 0; j < nb; j++) c[dst + j * cCs] = t[j];
                    }
                }
            }
        }
    }

    /*
     * The micro-kernel: t_r[j] += sum_q ap[p+q][r] * br[p+q][j] for rows r < 4, in steps of 4 (q < 4),
     * then single steps. Every array is indexed by j alone (see the class comment); Math.fma both fuses
     * and lets C2 emit vfmadd. The two methods are identical; they differ only in their call sites
     * (wide or narrow rows) so that each is compiled for the trip counts it actually sees.
     */

    static void kernelWide(int kb, float[] ap, float[][] br, int w, float[] t0, float[] t1, float[] t2, float[] t3) {
        int p = 0;
        for (; p + 3 < kb; p += 4) {
            int x = p * MR;
            float a00 = ap[x], a10 = ap[x + 1], a20 = ap[x + 2], a30 = ap[x + 3];
            float a01 = ap[x + 4], a11 = ap[x + 5], a21 = ap[x + 6], a31 = ap[x + 7];
            float a02 = ap[x + 8], a12 = ap[x + 9], a22 = ap[x + 10], a32 = ap[x + 11];
            float a03 = ap[x + 12], a13 = ap[x + 13], a23 = ap[x + 14], a33 = ap[x + 15];
            float[] b0 = br[p], b1 = br[p + 1], b2 = br[p + 2], b3 = br[p + 3];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j], v1 = b1[j], v2 = b2[j], v3 = b3[j];
                t0[j] = Math.fma(a03, v3, Math.fma(a02, v2, Math.fma(a01, v1, Math.fma(a00, v0, t0[j]))));
                t1[j] = Math.fma(a13, v3, Math.fma(a12, v2, Math.fma(a11, v1, Math.fma(a10, v0, t1[j]))));
                t2[j] = Math.fma(a23, v3, Math.fma(a22, v2, Math.fma(a21, v1, Math.fma(a20, v0, t2[j]))));
                t3[j] = Math.fma(a33, v3, Math.fma(a32, v2, Math.fma(a31, v1, Math.fma(a30, v0, t3[j]))));
            }
        }
        for (; p < kb; p++) {
            int x = p * MR;
            float a0 = ap[x], a1 = ap[x + 1], a2 = ap[x + 2], a3 = ap[x + 3];
            float[] b0 = br[p];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j];
                t0[j] = Math.fma(a0, v0, t0[j]);
                t1[j] = Math.fma(a1, v0, t1[j]);
                t2[j] = Math.fma(a2, v0, t2[j]);
                t3[j] = Math.fma(a3, v0, t3[j]);
            }
        }
    }

    static void kernelNarrow(int kb, float[] ap, float[][] br, int w, float[] t0, float[] t1, float[] t2, float[] t3) {
        int p = 0;
        for (; p + 3 < kb; p += 4) {
            int x = p * MR;
            float a00 = ap[x], a10 = ap[x + 1], a20 = ap[x + 2], a30 = ap[x + 3];
            float a01 = ap[x + 4], a11 = ap[x + 5], a21 = ap[x + 6], a31 = ap[x + 7];
            float a02 = ap[x + 8], a12 = ap[x + 9], a22 = ap[x + 10], a32 = ap[x + 11];
            float a03 = ap[x + 12], a13 = ap[x + 13], a23 = ap[x + 14], a33 = ap[x + 15];
            float[] b0 = br[p], b1 = br[p + 1], b2 = br[p + 2], b3 = br[p + 3];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j], v1 = b1[j], v2 = b2[j], v3 = b3[j];
                t0[j] = Math.fma(a03, v3, Math.fma(a02, v2, Math.fma(a01, v1, Math.fma(a00, v0, t0[j]))));
                t1[j] = Math.fma(a13, v3, Math.fma(a12, v2, Math.fma(a11, v1, Math.fma(a10, v0, t1[j]))));
                t2[j] = Math.fma(a23, v3, Math.fma(a22, v2, Math.fma(a21, v1, Math.fma(a20, v0, t2[j]))));
                t3[j] = Math.fma(a33, v3, Math.fma(a32, v2, Math.fma(a31, v1, Math.fma(a30, v0, t3[j]))));
            }
        }
        for (; p < kb; p++) {
            int x = p * MR;
            float a0 = ap[x], a1 = ap[x + 1], a2 = ap[x + 2], a3 = ap[x + 3];
            float[] b0 = br[p];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j];
                t0[j] = Math.fma(a0, v0, t0[j]);
                t1[j] = Math.fma(a1, v0, t1[j]);
                t2[j] = Math.fma(a2, v0, t2[j]);
                t3[j] = Math.fma(a3, v0, t3[j]);
            }
        }
    }

    // ------------------------------------------------------------------ small products

    /** Rows [i0, i1) x columns [j0, j1) with a scalar 4x4 register block; no packing, no allocation. */
    private static void scalar(int i0, int i1, int j0, int j1, int k,
                               float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs, int bCs,
                               float[] c, int co, int cRs, int cCs) {
        int i = i0;
        for (; i + 3 < i1; i += 4) {
            int a0 = ao + i * aRs, a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
            int j = j0;
            for (; j + 3 < j1; j += 4) {
                float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
                float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
                int bj = bo + j * bCs;
                for (int p = 0; p < k; p++) {
                    int bp = bj + p * bRs, ap = p * aCs;
                    float b0 = b[bp], b1 = b[bp + bCs], b2 = b[bp + 2 * bCs], b3 = b[bp + 3 * bCs];
                    float x0 = a[a0 + ap], x1 = a[a1 + ap], x2 = a[a2 + ap], x3 = a[a3 + ap];
                    c00 = Math.fma(x0, b0, c00); c01 = Math.fma(x0, b1, c01); c02 = Math.fma(x0, b2, c02); c03 = Math.fma(x0, b3, c03);
                    c10 = Math.fma(x1, b0, c10); c11 = Math.fma(x1, b1, c11); c12 = Math.fma(x1, b2, c12); c13 = Math.fma(x1, b3, c13);
                    c20 = Math.fma(x2, b0, c20); c21 = Math.fma(x2, b1, c21); c22 = Math.fma(x2, b2, c22); c23 = Math.fma(x2, b3, c23);
                    c30 = Math.fma(x3, b0, c30); c31 = Math.fma(x3, b1, c31); c32 = Math.fma(x3, b2, c32); c33 = Math.fma(x3, b3, c33);
                }
                int r0 = co + i * cRs + j * cCs, r1 = r0 + cRs, r2 = r1 + cRs, r3 = r2 + cRs;
                c[r0] = c00; c[r0 + cCs] = c01; c[r0 + 2 * cCs] = c02; c[r0 + 3 * cCs] = c03;
                c[r1] = c10; c[r1 + cCs] = c11; c[r1 + 2 * cCs] = c12; c[r1 + 3 * cCs] = c13;
                c[r2] = c20; c[r2 + cCs] = c21; c[r2 + 2 * cCs] = c22; c[r2 + 3 * cCs] = c23;
                c[r3] = c30; c[r3 + cCs] = c31; c[r3 + 2 * cCs] = c32; c[r3 + 3 * cCs] = c33;
            }
            for (; j < j1; j++) {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int p = 0; p < k; p++) {
                    float bv = b[bo + p * bRs + j * bCs];
                    int ap = p * aCs;
                    s0 = Math.fma(a[a0 + ap], bv, s0); s1 = Math.fma(a[a1 + ap], bv, s1);
                    s2 = Math.fma(a[a2 + ap], bv, s2); s3 = Math.fma(a[a3 + ap], bv, s3);
                }
                int r0 = co + i * cRs + j * cCs;
                c[r0] = s0; c[r0 + cRs] = s1; c[r0 + 2 * cRs] = s2; c[r0 + 3 * cRs] = s3;
            }
        }
        for (; i < i1; i++) {
            int a0 = ao + i * aRs;
            for (int j = j0; j < j1; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) s = Math.fma(a[a0 + p * aCs], b[bo + p * bRs + j * bCs], s);
                c[co + i * cRs + j * cCs] = s;
            }
        }
    }
}
