package org.jtorch.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * float32 matrix product C = A @ B (batched, any element strides) for the CPU backend.
 *
 * <p>Where the JVM was started with {@code --add-modules jdk.incubator.vector} (the jtorch daemon, the tests) and
 * the CPU has 512-bit vectors, the packed path runs {@link VectorGemm}'s register-tiled kernel. Elsewhere (the
 * interactive prompt and {@code JTORCH_DAEMON=0} runs, whose JVM must not print the incubator module's start-up
 * notice; an embedding application that does not add the module) it runs plain Java shaped for HotSpot's C2
 * auto-vectoriser. Measured rules that decide that shape:
 * <ul>
 * <li>C2 vectorises the kernel loop only if every array in it is indexed by the bare loop variable: rows of
 *     one matrix (one array, different offsets) or any invariant offset make it fall back to scalar code,
 *     since it cannot rule out overlap. So each packed row of B and each of the four tile rows of C is an
 *     array of its own.</li>
 * <li>A loop body of more than 16 multiply-adds is no longer vectorised, so the micro-kernel is a rank-4
 *     update of 4 rows per step (4 x 4 x width), accumulating in the tile rows (L1) rather than registers.</li>
 * <li>The vector width C2 picks follows the loop's trip count (profiled or constant): about 160 and more
 *     gives 512-bit vectors, 128 gives 256-bit, 64 gives 128-bit. Wide and narrow rows therefore go to two
 *     identical kernel methods, each compiled for the trip counts it sees; and every sweep of a row costs a
 *     scalar pre- and post-loop, so long rows pay off.</li>
 * </ul>
 * Per thread, B is packed in blocks of {@code KC} rows by up to {@code NC} columns; A is read in place (any
 * strides). When A is shared by all batch entries (stride 0, a convolution's weight) the entries are laid
 * side by side as one product with batch*n columns, and the problem is transposed (C^T = B^T A^T) when a
 * rough cost model says the kernel's rows get long enough to pay for the strided writes of C.
 *
 * <p>Small products use a scalar 4x4 register-blocked loop without packing or threads; larger ones are split
 * over the calling thread and the common ForkJoin pool by batch entries, rows or columns.
 */
final class Gemm {
    private Gemm() {}

    /** Whether the Vector API kernel ({@link VectorGemm}) can run here: its module is in the boot layer, 512-bit vectors. */
    static final boolean VECTOR_AVAILABLE = vectorAvailable();
    /** Whether the packed path uses it ({@code -Djtorch.gemm.vector=false} turns it off; tests switch it). */
    private static volatile boolean vector = VECTOR_AVAILABLE && !"false".equals(System.getProperty("jtorch.gemm.vector"));

    private static boolean vectorAvailable() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return VectorGemm.usable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Uses the Vector API kernel when on (and available); returns the previous setting. For tests and benchmarks. */
    static boolean useVector(boolean on) {
        boolean was = vector;
        vector = on && VECTOR_AVAILABLE;
        return was;
    }

    static boolean vector() { return vector; }

    /** Rows of A per micro-kernel strip and rows of B per kernel step (the kernel is 4 x 4 x width). */
    static final int MR = 4;
    /** Depth of a packed block of B (rows) and the maximum width of one (columns). */
    static final int KC = 256, NC = 1024;
    /** Kernel rows at least this wide run in the "wide" kernel method. */
    static final int WIDE = 256;
    /** Products with fewer multiply-adds than this (or with both sides below 8) use the scalar kernel. */
    static final long SMALL = 1L << 13;
    /** Below this many multiply-adds (in total) a product stays on the calling thread. */
    static final long PARALLEL_THRESHOLD = 1L << 22;
    /** Least work (multiply-adds) worth one parallel task. */
    static final long TASK_MIN = 1L << 18;
    /**
     * Threads a product may use: {@link Parallel#threads()} (torch.set_num_threads), at most the calling thread
     * plus the common pool's workers (whose parallelism is by default one less than the processors, the caller
     * being the other); {@code -Djtorch.gemm.threads=N} overrides it.
     */
    static int threads() {
        Integer set = Integer.getInteger("jtorch.gemm.threads");
        if (set != null) return Math.max(1, set);
        boolean inPool = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool();
        return Math.max(1, Math.min(Parallel.threads(), ForkJoinPool.getCommonPoolParallelism() + (inPool ? 0 : 1)));
    }

    /** C = A @ B for contiguous row-major blocks, batched with strides m*k, k*n and m*n. */
    static void sgemm(int batch, int m, int k, int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        sgemm(batch, m, k, n, a, aOff, m * k, k, 1, b, bOff, k * n, n, 1, c, cOff, m * n, n, 1, false);
    }

    /**
     * C[q][i][j] = sum_p A[q][i][p] B[q][p][j] with element strides (batch, row, column) for each operand.
     * A and B may have any non-negative strides (0 for broadcast); C must not overlap A or B. With acc the
     * product is added to C (C += A @ B) instead of replacing it.
     */
    static void sgemm(int batch, int m, int k, int n,
                      float[] a, int aOff, int aBs, int aRs, int aCs,
                      float[] b, int bOff, int bBs, int bRs, int bCs,
                      float[] c, int cOff, int cBs, int cRs, int cCs, boolean acc) {
        if (batch <= 0 || m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (acc) return;
            for (int q = 0; q < batch; q++) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + q * cBs + i * cRs + j * cCs] = 0f;
            return;
        }
        if (thin(batch, m, k, n, a, aOff, aBs, aRs, aCs, b, bOff, bBs, bRs, bCs, c, cOff, cBs, cRs, cCs, acc)) return;
        // The kernel vectorises along the columns of C; C^T = B^T A^T is the same product with rows and
        // columns exchanged. Take whichever the cost model prefers.
        Problem p = new Problem(batch, m, k, n, a, aOff, aBs, aRs, aCs, b, bOff, bBs, bRs, bCs, c, cOff, cBs, cRs, cCs, acc);
        Problem t = new Problem(batch, n, k, m, b, bOff, bBs, bCs, bRs, a, aOff, aBs, aCs, aRs, c, cOff, cBs, cCs, cRs, acc);
        (t.cost() < p.cost() ? t : p).run();
    }

    /**
     * One batched product in the orientation the kernel sees. When A is shared by all entries (batch
     * stride 0, as for a convolution's weight) the entries are laid side by side: one product with
     * batch*n columns, so the kernel's rows are long even when each entry is narrow.
     */
    private record Problem(int batch, int m, int k, int n,
                           float[] a, int aOff, int aBs, int aRs, int aCs,
                           float[] b, int bOff, int bBs, int bRs, int bCs,
                           float[] c, int cOff, int cBs, int cRs, int cCs, boolean acc) {

        boolean fused() { return batch > 1 && aBs == 0; }
        /** Number of separate products and the column count of each. */
        int groups() { return fused() ? 1 : batch; }
        int width() { return fused() ? batch * n : n; }
        boolean small() { return (long) m * k * n < SMALL || n < 8 && m < 8; }

        /**
         * Rough cycle count: row sweeps of the kernel (each with a fixed cost), columns at a rate set by the
         * vector width C2 will pick, and C written with a stride.
         */
        double cost() {
            if (small()) return (double) batch * m * k * n / 1.5;
            if (vector) {
                // cycles, roughly: 16-lane FMAs over whole register tiles (two per cycle), packing B (every
                // element once), packing A (when VectorGemm packs it: once per block of NC columns), and C
                // written element by element through the scratch tile when its rows are strided
                int w = width(), block = Math.min(w, VectorGemm.NC), mr = VectorGemm.mr(m, k, block), nr = VectorGemm.nr(m, k, block);
                double g = groups(), pw = (double) ((w + nr - 1) / nr * nr), pm = (double) ((m + mr - 1) / mr * mr);
                double fma = g * pm * pw * k / 32.0, packB = g * k * pw;
                boolean packsA = VectorGemm.packsA((block + nr - 1) / nr, m, mr);
                double packA = packsA ? g * m * k * Math.ceil((double) w / VectorGemm.NC) : 0;
                double strided = cCs == 1 ? 0 : (double) batch * m * n * ((k + VectorGemm.KC - 1) / VectorGemm.KC) * 2;
                return fma + packB + packA + strided;
            }
            int w = width(), ws = Math.min(w, NC);
            double perColumn = ws >= 160 ? 0.8 : ws >= 96 ? 1.6 : 3.2;
            double entries = (double) groups() * ((m + MR - 1) / MR) * ((k + 3) / 4) * ((w + NC - 1) / NC);
            double kernel = entries * ENTRY_COST + (double) groups() * ((m + MR - 1) / MR) * ((k + 3) / 4) * w * perColumn;
            double copies = cCs == 1 ? 0 : (double) batch * m * n * ((k + KC - 1) / KC) * 2;
            return kernel + copies;
        }

        void run() {
            long work = (long) batch * m * k * n;
            boolean small = small();
            int groups = small ? batch : groups(), width = small ? n : width();
            int threads = threads();
            if (work < PARALLEL_THRESHOLD || threads < 2) {
                for (int g = 0; g < groups; g++) block(g, 0, m, 0, width, small);
                return;
            }
            int tasks = (int) Math.min(threads, Math.max(1, work / TASK_MIN));
            List<RecursiveAction> parts = new ArrayList<>(tasks);
            if (groups >= tasks) {
                for (int t = 0; t < tasks; t++) {
                    int g0 = (int) ((long) groups * t / tasks), g1 = (int) ((long) groups * (t + 1) / tasks);
                    parts.add(action(() -> { for (int g = g0; g < g1; g++) block(g, 0, m, 0, width, small); }));
                }
            } else {
                // fewer products than tasks: split each one's rows (in 4s), which keeps the kernel's rows long,
                // or its columns (in 16s) when they are wide enough not to lose by it or the rows are few
                int per = (tasks + groups - 1) / groups;
                int rowUnit = vector ? VectorGemm.mr(m, k, Math.min(width, VectorGemm.NC)) : MR, colUnit = vector ? VectorGemm.NR : 16;
                for (int g = 0; g < groups; g++) {
                    int gg = g;
                    boolean byColumns = width >= per * NC || m < per * 4 * rowUnit && width >= per * 128;
                    if (byColumns) {
                        int units = (width + colUnit - 1) / colUnit;
                        for (int t = 0; t < per; t++) {
                            int j0 = Math.min(width, units * t / per * colUnit), j1 = Math.min(width, units * (t + 1) / per * colUnit);
                            if (j0 < j1) parts.add(action(() -> block(gg, 0, m, j0, j1, small)));
                        }
                    } else {
                        int units = (m + rowUnit - 1) / rowUnit, pp = Math.min(per, units);
                        for (int t = 0; t < pp; t++) {
                            int i0 = Math.min(m, units * t / pp * rowUnit), i1 = Math.min(m, units * (t + 1) / pp * rowUnit);
                            if (i0 < i1) parts.add(action(() -> block(gg, i0, i1, 0, width, small)));
                        }
                    }
                }
            }
            // the calling thread runs the first part while the pool's workers take the others
            for (int t = parts.size() - 1; t > 0; t--) parts.get(t).fork();
            parts.get(0).invoke();
            for (int t = 1; t < parts.size(); t++) parts.get(t).join();
        }

        /** Rows [i0, i1) and columns [j0, j1) of product g (an entry, or all entries side by side when fused). */
        void block(int g, int i0, int i1, int j0, int j1, boolean small) {
            if (small) {
                scalar(i0, i1, j0, j1, k, a, aOff + g * aBs, aRs, aCs, b, bOff + g * bBs, bRs, bCs, c, cOff + g * cBs, cRs, cCs, acc);
                return;
            }
            boolean fused = fused();
            // column segments: one per entry when fused (segment length n), else the whole row of entry g
            int seg = fused ? n : Integer.MAX_VALUE;
            int bo = bOff + (fused ? 0 : g * bBs), co = cOff + (fused ? 0 : g * cBs);
            int bSeg = fused ? bBs : 0, cSeg = fused ? cBs : 0;
            if (vector) VectorGemm.packed(i0, i1, j0, j1, k, a, aOff + g * aBs, aRs, aCs, b, bo, bRs, bCs, c, co, cRs, cCs, seg, bSeg, cSeg, acc);
            else packed(WS.get(), i0, i1, j0, j1, k, a, aOff + g * aBs, aRs, aCs, b, bo, bRs, bCs, c, co, cRs, cCs, seg, bSeg, cSeg, acc);
        }
    }

    private static RecursiveAction action(Runnable r) {
        return new RecursiveAction() { @Override protected void compute() { r.run(); } };
    }

    // ------------------------------------------------------------------ packed path

    /** Fixed cost of one kernel row sweep in the cost model (cycles: loop set-up, scalar pre- and post-loop). */
    static final double ENTRY_COST = 150;
    static final int PAD = 72;

    /** Per-thread packing buffers, grown on demand. */
    private static final class Workspace {
        final float[][] bRows = new float[KC][];
        int bLen;
        final float[] ap = new float[MR * KC];
        float[] t0, t1, t2, t3;
        float[][] tiles;

        void ensure(int width) {
            if (bLen < width) {
                // Rows are padded so that rows allocated one after another do not sit at the same offset
                // modulo 4 KiB (which makes the CPU see false store-to-load dependencies).
                int len = width + PAD;
                for (int p = 0; p < KC; p++) bRows[p] = new float[len];
                bLen = width;
                t0 = new float[len]; t1 = new float[len]; t2 = new float[len]; t3 = new float[len];
                tiles = new float[][] {t0, t1, t2, t3};
            }
        }
    }

    private static final ThreadLocal<Workspace> WS = ThreadLocal.withInitial(Workspace::new);

    /**
     * Rows [i0, i1) x columns [j0, j1) of C = A B. Column J lies in segment J / seg at column J % seg;
     * segment s of B and C starts bSeg*s and cSeg*s further on (for entries laid side by side).
     */
    private static void packed(Workspace ws, int i0, int i1, int j0, int j1, int k,
                               float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs, int bCs,
                               float[] c, int co, int cRs, int cCs, int seg, int bSeg, int cSeg, boolean acc) {
        for (int jc = j0; jc < j1; jc += NC) {
            int nb = Math.min(NC, j1 - jc), w = (nb + 15) & ~15;
            ws.ensure(w);
            float[][] br = ws.bRows, tiles = ws.tiles;
            for (int pc = 0; pc < k; pc += KC) {
                int kb = Math.min(KC, k - pc);
                // pack B[pc .. pc+kb) x [jc .. jc+nb) into separate rows, zero-padded to w
                for (int p = 0; p < kb; p++) {
                    float[] row = br[p];
                    gather(b, bo + (pc + p) * bRs, bCs, bSeg, seg, jc, nb, row);
                    if (w > nb) Arrays.fill(row, nb, w, 0f);
                }
                for (int i = i0; i < i1; i += MR) {
                    int rows = Math.min(MR, i1 - i);
                    // A is read in place, except for a last strip of fewer than 4 rows (padded with zero rows)
                    float[] as = a;
                    int as0 = ao + i * aRs + pc * aCs, asR = aRs, asC = aCs;
                    if (rows < MR) {
                        float[] ap = ws.ap;
                        for (int r = 0; r < MR; r++)
                            for (int p = 0; p < kb; p++) ap[p * MR + r] = r < rows ? a[as0 + r * aRs + p * aCs] : 0f;
                        as = ap; as0 = 0; asR = 1; asC = MR;
                    }
                    // tile = C rows so far (zero at the first block of k), += A strip x B block, back to C
                    for (int r = 0; r < MR; r++) {
                        float[] t = tiles[r];
                        if (pc == 0 || r >= rows) Arrays.fill(t, 0, w, 0f);
                        else {
                            gather(c, co + (i + r) * cRs, cCs, cSeg, seg, jc, nb, t);
                            if (w > nb) Arrays.fill(t, nb, w, 0f);
                        }
                    }
                    if (w >= WIDE) kernelWide(kb, as, as0, asR, asC, br, w, ws.t0, ws.t1, ws.t2, ws.t3);
                    else kernelNarrow(kb, as, as0, asR, asC, br, w, ws.t0, ws.t1, ws.t2, ws.t3);
                    // with acc, the first block's sums are added to C (C + AB, summed as BLAS does with beta = 1)
                    boolean add = acc && pc == 0;
                    for (int r = 0; r < rows; r++) scatter(tiles[r], 0, c, co + (i + r) * cRs, cCs, cSeg, seg, jc, nb, add);
                }
            }
        }
    }

    /** dst[0 .. len) = the elements at columns [j, j+len) of a row starting at src (column stride cs, segments as in packed). */
    static void gather(float[] x, int src, int cs, int segStride, int seg, int j, int len, float[] dst) {
        int d = 0;
        while (d < len) {
            int s = j / seg, jj = j - s * seg, run = Math.min(seg - jj, len - d);
            int o = src + s * segStride + jj * cs;
            if (cs == 1) System.arraycopy(x, o, dst, d, run);
            else for (int e = 0; e < run; e++) dst[d + e] = x[o + e * cs];
            d += run;
            j += run;
        }
    }

    /** The inverse of gather, from src[so ..]; with add the row is added to what x holds. */
    static void scatter(float[] src, int so, float[] x, int dst, int cs, int segStride, int seg, int j, int len, boolean add) {
        int d = 0;
        while (d < len) {
            int s = j / seg, jj = j - s * seg, run = Math.min(seg - jj, len - d);
            int o = dst + s * segStride + jj * cs;
            if (add) for (int e = 0; e < run; e++) x[o + e * cs] += src[so + d + e];
            else if (cs == 1) System.arraycopy(src, so + d, x, o, run);
            else for (int e = 0; e < run; e++) x[o + e * cs] = src[so + d + e];
            d += run;
            j += run;
        }
    }

    /*
     * The micro-kernel: t_r[j] += sum_q A[r][p+q] * br[p+q][j] for rows r < 4, with A[r][p] = a[ao + r*ar + p*ac],
     * in steps of 4 (q < 4), then single steps. Every array is indexed by j alone (see the class comment);
     * Math.fma both fuses and lets C2 emit vfmadd. The two methods are identical; they differ only in their
     * call sites (wide or narrow rows) so that each is compiled for the trip counts it actually sees.
     */

    static void kernelWide(int kb, float[] a, int ao, int ar, int ac, float[][] br, int w, float[] t0, float[] t1, float[] t2, float[] t3) {
        int p = 0;
        for (; p + 3 < kb; p += 4) {
            int x0 = ao + p * ac, x1 = x0 + ac, x2 = x1 + ac, x3 = x2 + ac;
            float a00 = a[x0], a10 = a[x0 + ar], a20 = a[x0 + 2 * ar], a30 = a[x0 + 3 * ar];
            float a01 = a[x1], a11 = a[x1 + ar], a21 = a[x1 + 2 * ar], a31 = a[x1 + 3 * ar];
            float a02 = a[x2], a12 = a[x2 + ar], a22 = a[x2 + 2 * ar], a32 = a[x2 + 3 * ar];
            float a03 = a[x3], a13 = a[x3 + ar], a23 = a[x3 + 2 * ar], a33 = a[x3 + 3 * ar];
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
            int x = ao + p * ac;
            float a0 = a[x], a1 = a[x + ar], a2 = a[x + 2 * ar], a3 = a[x + 3 * ar];
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

    static void kernelNarrow(int kb, float[] a, int ao, int ar, int ac, float[][] br, int w, float[] t0, float[] t1, float[] t2, float[] t3) {
        int p = 0;
        for (; p + 3 < kb; p += 4) {
            int x0 = ao + p * ac, x1 = x0 + ac, x2 = x1 + ac, x3 = x2 + ac;
            float a00 = a[x0], a10 = a[x0 + ar], a20 = a[x0 + 2 * ar], a30 = a[x0 + 3 * ar];
            float a01 = a[x1], a11 = a[x1 + ar], a21 = a[x1 + 2 * ar], a31 = a[x1 + 3 * ar];
            float a02 = a[x2], a12 = a[x2 + ar], a22 = a[x2 + 2 * ar], a32 = a[x2 + 3 * ar];
            float a03 = a[x3], a13 = a[x3 + ar], a23 = a[x3 + 2 * ar], a33 = a[x3 + 3 * ar];
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
            int x = ao + p * ac;
            float a0 = a[x], a1 = a[x + ar], a2 = a[x + 2 * ar], a3 = a[x + 3 * ar];
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

    // ------------------------------------------------------------------ thin products

    /** Fewer rows (or columns) than this, with a deep enough k, make a thin product. */
    static final int THIN = 4;

    /**
     * Products with a few rows or columns (matrix-vector, a batch of one through nn.Linear): packing B would cost as
     * much as the product, so these run in place: as dot products when rows of A and columns of B are contiguous
     * (x @ W.T), or as row updates C_i += A_ip B_p when rows of B and C are (x @ W), or the same on the
     * transposed product. False when none applies.
     */
    private static boolean thin(int batch, int m, int k, int n,
                                float[] a, int aOff, int aBs, int aRs, int aCs,
                                float[] b, int bOff, int bBs, int bRs, int bCs,
                                float[] c, int cOff, int cBs, int cRs, int cCs, boolean acc) {
        if (!(m < THIN || n < THIN) || k < 16) return false;
        if (aCs == 1 && bRs == 1) {
            for (int q = 0; q < batch; q++) dots(m, k, n, a, aOff + q * aBs, aRs, b, bOff + q * bBs, bCs, c, cOff + q * cBs, cRs, cCs, acc);
            return true;
        }
        if (m < THIN && bCs == 1 && cCs == 1) {
            for (int q = 0; q < batch; q++) rowUpdates(m, k, n, a, aOff + q * aBs, aRs, aCs, b, bOff + q * bBs, bRs, c, cOff + q * cBs, cRs, acc);
            return true;
        }
        if (n < THIN && aRs == 1 && cRs == 1) {
            // C^T = B^T A^T: rows of A^T (columns of A) and of C^T are contiguous
            for (int q = 0; q < batch; q++) rowUpdates(n, k, m, b, bOff + q * bBs, bCs, bRs, a, aOff + q * aBs, aCs, c, cOff + q * cBs, cCs, acc);
            return true;
        }
        return false;
    }

    /** C[i][j] (+)= dot(A row i, B column j), both contiguous along k; four columns at a time, two sums each. */
    private static void dots(int m, int k, int n, float[] a, int ao, int aRs, float[] b, int bo, int bCs,
                             float[] c, int co, int cRs, int cCs, boolean acc) {
        if (vector) {
            VectorKernels.dots(m, k, n, a, ao, aRs, b, bo, bCs, c, co, cRs, cCs, acc);
            return;
        }
        for (int i = 0; i < m; i++) {
            int ai = ao + i * aRs, ci = co + i * cRs;
            int j = 0;
            for (; j + 3 < n; j += 4) {
                int b0 = bo + j * bCs, b1 = b0 + bCs, b2 = b1 + bCs, b3 = b2 + bCs;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
                int p = 0;
                for (; p + 1 < k; p += 2) {
                    float x0 = a[ai + p], x1 = a[ai + p + 1];
                    s0 = Math.fma(x0, b[b0 + p], s0); t0 = Math.fma(x1, b[b0 + p + 1], t0);
                    s1 = Math.fma(x0, b[b1 + p], s1); t1 = Math.fma(x1, b[b1 + p + 1], t1);
                    s2 = Math.fma(x0, b[b2 + p], s2); t2 = Math.fma(x1, b[b2 + p + 1], t2);
                    s3 = Math.fma(x0, b[b3 + p], s3); t3 = Math.fma(x1, b[b3 + p + 1], t3);
                }
                if (p < k) {
                    float x0 = a[ai + p];
                    s0 = Math.fma(x0, b[b0 + p], s0); s1 = Math.fma(x0, b[b1 + p], s1);
                    s2 = Math.fma(x0, b[b2 + p], s2); s3 = Math.fma(x0, b[b3 + p], s3);
                }
                int o = ci + j * cCs;
                if (acc) {
                    c[o] += s0 + t0; c[o + cCs] += s1 + t1; c[o + 2 * cCs] += s2 + t2; c[o + 3 * cCs] += s3 + t3;
                } else {
                    c[o] = s0 + t0; c[o + cCs] = s1 + t1; c[o + 2 * cCs] = s2 + t2; c[o + 3 * cCs] = s3 + t3;
                }
            }
            for (; j < n; j++) {
                int bj = bo + j * bCs;
                float s = 0, t = 0;
                int p = 0;
                for (; p + 1 < k; p += 2) { s = Math.fma(a[ai + p], b[bj + p], s); t = Math.fma(a[ai + p + 1], b[bj + p + 1], t); }
                if (p < k) s = Math.fma(a[ai + p], b[bj + p], s);
                int o = ci + j * cCs;
                c[o] = acc ? c[o] + s + t : s + t;
            }
        }
    }

    /** C row i (+)= sum_p A[i][p] * B row p, rows of B and C contiguous (an axpy per p, which C2 vectorises). */
    private static void rowUpdates(int m, int k, int n, float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs,
                                   float[] c, int co, int cRs, boolean acc) {
        for (int i = 0; i < m; i++) {
            int ci = co + i * cRs, ai = ao + i * aRs;
            if (!acc) Arrays.fill(c, ci, ci + n, 0f);
            for (int p = 0; p < k; p++) {
                float av = a[ai + p * aCs];
                axpy(n, av, b, bo + p * bRs, c, ci);
            }
        }
    }

    private static void axpy(int n, float s, float[] x, int xo, float[] y, int yo) {
        if (vector) {
            VectorKernels.axpy(n, s, x, xo, y, yo);
            return;
        }
        for (int j = 0; j < n; j++) y[yo + j] = Math.fma(s, x[xo + j], y[yo + j]);
    }

    // ------------------------------------------------------------------ small products

    /** Rows [i0, i1) x columns [j0, j1) with a scalar 4x4 register block; no packing, no allocation. */
    private static void scalar(int i0, int i1, int j0, int j1, int k,
                               float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs, int bCs,
                               float[] c, int co, int cRs, int cCs, boolean acc) {
        if (acc) {
            // rare (addmm of a small product): compute, then add
            int rows = i1 - i0, cols = j1 - j0;
            float[] t = new float[rows * cols];
            scalar(i0, i1, j0, j1, k, a, ao, aRs, aCs, b, bo, bRs, bCs, t, -i0 * cols - j0, cols, 1, false);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) c[co + (i0 + i) * cRs + (j0 + j) * cCs] += t[i * cols + j];
            return;
        }
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
