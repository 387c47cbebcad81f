package org.jtorch.engine;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed path of {@link Gemm} with an explicit register-tiled micro-kernel through the Vector API
 * ({@code jdk.incubator.vector}), used when the JVM was started with {@code --add-modules jdk.incubator.vector}
 * and has 512-bit vectors (AVX-512); otherwise Gemm keeps its auto-vectorised kernel.
 *
 * <p>GotoBLAS/BLIS blocking: per thread, a block of B ({@code KC} rows x up to {@code NC} columns) is packed into
 * panels of nr columns (kb x nr, contiguous), a block of A into strips of mr rows (kb x mr, contiguous, zero rows
 * past the end) or read in place (see {@link #packsA}); the micro-kernel keeps an mr x nr tile of C in vector
 * registers over the whole depth and stores it into (or, after the first depth block, adds it to) C directly where
 * the tile is whole, C's rows are contiguous and the tile lies within one batch entry of the side-by-side layout
 * (see Gemm.Problem); other tiles go through a scratch tile and {@link Gemm#scatter}. Two tiles (see {@link #wide}):
 * 6 x 64 (24 accumulators, 6 broadcasts per 24 FMAs; 110-114 GFLOP/s in L1 on one core of this machine, whose
 * peak is 116) for large products, 8 x 32 (16 accumulators; 100-105) for small or shallow ones.
 *
 * <p>Vectors are never passed to or returned from methods: one that is not inlined makes C2 box them on every
 * loop iteration (measured 10-20 GFLOP/s instead of 100).
 */
final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = 16;
    /** The narrow register tile: MR rows x NR columns (two vectors), for blocks of fewer than WIDE_NR columns. */
    static final int MR = 8, NR = 2 * L;
    /**
     * The wide register tile: WIDE_MR rows x WIDE_NR columns (four vectors, 24 accumulators): 6 broadcasts per 24
     * FMAs instead of 8 per 16, measured in L1 at 110-114 GFLOP/s on one core against 100-105 for the narrow one
     * (the core's FMA peak: 116).
     */
    static final int WIDE_MR = 6, WIDE_NR = 4 * L;
    /** Depth of a packed block, rows of A (narrow, wide tile) and columns of B per block. */
    static final int KC = 256, MC = 64, WIDE_MC = 66, NC = 1024;

    /**
     * Whether a block of rows x cols of C with this depth runs on the wide tile: at least one wide panel, a depth of
     * 128 or more and 4M multiply-adds or more. Measured (1 thread, plain JVM, GFLOP/s narrow / wide): 192^3 68-80 /
     * 106; 256x128x384 72-85 / 97-100; 64x784x256 61-70 / 82-84; conv-like 64x288x7744 53-58 / 63; but 128^3 95 / 88,
     * bmm 32 x 64^3 59-76 / 52-57 (short depth: the wide tile's 24 accumulators cost more per call).
     */
    static boolean wide(int rows, int k, int cols) { return cols >= WIDE_NR && k >= 128 && (long) rows * k * cols >= 1L << 22; }
    /** Rows of the register tile for such a block. */
    static int mr(int rows, int k, int cols) { return wide(rows, k, cols) ? WIDE_MR : MR; }
    /** Columns of the register tile for such a block. */
    static int nr(int rows, int k, int cols) { return wide(rows, k, cols) ? WIDE_NR : NR; }

    /** True when the CPU has 512-bit vectors (so S is not emulated); false or NoClassDefFoundError otherwise. */
    static boolean usable() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 && S.length() == L;
    }

    private static final class Work {
        float[] bp = new float[0];
        final float[] ap = new float[Math.max(MC, WIDE_MC) * KC], t = new float[Math.max(MR * NR, WIDE_MR * WIDE_NR)];
        final float[] row = new float[NC + WIDE_NR];

        float[] bp(int size) {
            if (bp.length < size) bp = new float[size];
            return bp;
        }
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    /**
     * Rows [i0, i1) x columns [j0, j1) of C = A B (or C += A B with acc), as in Gemm.packed: column J lies in
     * segment J / seg at column J % seg; segment s of B and C starts bSeg*s and cSeg*s further on.
     */
    static void packed(int i0, int i1, int j0, int j1, int k,
                       float[] a, int ao, int aRs, int aCs, float[] b, int bo, int bRs, int bCs,
                       float[] c, int co, int cRs, int cCs, int seg, int bSeg, int cSeg, boolean acc) {
        Work w = WORK.get();
        float[] ap = w.ap, t = w.t, row = w.row;
        for (int jc = j0; jc < j1; jc += NC) {
            int nb = Math.min(NC, j1 - jc);
            boolean wide = wide(i1 - i0, k, nb);
            int mr = wide ? WIDE_MR : MR, nr = wide ? WIDE_NR : NR, mc = wide ? WIDE_MC : MC;
            int panels = (nb + nr - 1) / nr, width = panels * nr;
            // depth blocks of equal size (k = 288 is 144 + 144, not 256 + 32)
            int kBlocks = (k + KC - 1) / KC, kStep = (k + kBlocks - 1) / kBlocks;
            for (int pc = 0; pc < k; pc += kStep) {
                int kb = Math.min(kStep, k - pc);
                float[] bp = w.bp(kb * width);
                if (bRs < bCs) packBColumns(b, bo + pc * bRs, bRs, bCs, bSeg, seg, jc, nb, kb, width, nr, bp);
                else for (int p = 0; p < kb; p++) {
                    Gemm.gather(b, bo + (pc + p) * bRs, bCs, bSeg, seg, jc, nb, row);
                    if (width > nb) Arrays.fill(row, nb, width, 0f);
                    for (int q = 0, o = p * nr; q < panels; q++, o += kb * nr)
                        for (int v = 0; v < nr; v += L) FloatVector.fromArray(S, row, q * nr + v).intoArray(bp, o + v);
                }
                boolean store = pc == 0 && !acc;
                for (int ic = i0; ic < i1; ic += mc) {
                    int mb = Math.min(mc, i1 - ic), strips = (mb + mr - 1) / mr, src = ao + ic * aRs + pc * aCs;
                    boolean pack = packsA(panels, mb, mr);
                    if (pack) packA(a, src, aRs, aCs, mb, kb, strips, mr, ap);
                    for (int q = 0; q < panels; q++) {
                        int jq = jc + q * nr, cols = Math.min(nr, jc + nb - jq), sg = jq / seg, js = jq - sg * seg;
                        for (int s = 0; s < strips; s++) {
                            int i = ic + s * mr, rows = Math.min(mr, ic + mb - i);
                            float[] x = pack ? ap : a;
                            int xo = pack ? s * kb * mr : src + s * mr * aRs, xr = pack ? 1 : aRs, xc = pack ? mr : aCs;
                            // a whole tile within one segment of a C with contiguous rows is written by the kernel
                            // itself; others go through the scratch tile
                            boolean direct = rows == mr && cols == nr && cCs == 1 && js + nr <= seg;
                            float[] d = direct ? c : t;
                            int dOff = direct ? co + i * cRs + sg * cSeg + js : 0, ld = direct ? cRs : nr;
                            boolean add = direct && !store;
                            if (wide) kernel6x64(kb, x, xo, xr, xc, bp, q * kb * nr, d, dOff, ld, add);
                            else kernel(kb, x, xo, xr, xc, bp, q * kb * nr, d, dOff, ld, add);
                            if (!direct) update(t, rows, cols, nr, c, co + i * cRs, cRs, cCs, jq, seg, cSeg, store);
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether a block of A with this many rows, used by this many panels of B, is packed: when its strips serve more
     * than a few panels (contiguous, in L1) or the last strip is short (zero rows); otherwise the kernel reads A in
     * place. Gemm's cost model asks the same.
     */
    static boolean packsA(int panels, int rows, int mr) {
        return panels > 4 || rows % mr != 0;
    }

    /**
     * Strips of mr rows: ap[s*kb*mr + p*mr + r] = A[s*mr + r][p] (element (i, p) at a[src + i*rs + p*cs]), zero past
     * mb; read along whichever of rows and depth has the smaller stride.
     */
    private static void packA(float[] a, int src, int rs, int cs, int mb, int kb, int strips, int mr, float[] ap) {
        for (int s = 0; s < strips; s++) {
            int base = s * kb * mr, rows = Math.min(mr, mb - s * mr), x = src + s * mr * rs;
            if (rows < mr) Arrays.fill(ap, base, base + kb * mr, 0f);
            if (rs < cs) {
                for (int p = 0; p < kb; p++)
                    for (int r = 0; r < rows; r++) ap[base + p * mr + r] = a[x + r * rs + p * cs];
            } else {
                for (int r = 0; r < rows; r++)
                    for (int p = 0; p < kb; p++) ap[base + p * mr + r] = a[x + r * rs + p * cs];
            }
        }
    }

    /**
     * B block (kb rows from b[src], row stride rs) x columns [jc, jc+nb) (column stride cs, segments as in packed)
     * into panels, read down the columns: for B stored by columns (rs < cs, a transposed operand) this reads
     * contiguously where the row-by-row gather would touch one cache line (and page) per element.
     */
    private static void packBColumns(float[] b, int src, int rs, int cs, int segStride, int seg, int jc, int nb, int kb, int width, int nr, float[] bp) {
        for (int jl = 0; jl < width; jl++) {
            int q = jl / nr, o = q * kb * nr + (jl - q * nr);
            if (jl >= nb) {
                for (int p = 0; p < kb; p++) bp[o + p * nr] = 0f;
                continue;
            }
            int j = jc + jl, sg = j / seg, x = src + sg * segStride + (j - sg * seg) * cs;
            for (int p = 0; p < kb; p++) bp[o + p * nr] = b[x + p * rs];
        }
    }

    /**
     * C tile (MR x NR at c[co], row stride ldc) = (or, with add, +=) A strip (MR rows x kb, element (r, p) at
     * a[ao + r*ar + p*ac]) x B panel (kb x NR, contiguous at bp[bo]).
     */
    static void kernel(int kb, float[] a, int ao, int ar, int ac, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        int r1 = ar, r2 = 2 * ar, r3 = 3 * ar, r4 = 4 * ar, r5 = 5 * ar, r6 = 6 * ar, r7 = 7 * ar;
        for (int p = 0; p < kb; p++) {
            int q = ao + p * ac, o = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, o), b1 = FloatVector.fromArray(S, bp, o + L), x;
            x = FloatVector.broadcast(S, a[q]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[q + r1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[q + r2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[q + r3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[q + r4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[q + r5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[q + r6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[q + r7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc, o4 = co + 4 * ldc, o5 = co + 5 * ldc, o6 = co + 6 * ldc, o7 = co + 7 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0)); c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1)); c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2)); c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3)); c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, o4)); c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, o5)); c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
            c60 = c60.add(FloatVector.fromArray(S, c, o6)); c61 = c61.add(FloatVector.fromArray(S, c, o6 + L));
            c70 = c70.add(FloatVector.fromArray(S, c, o7)); c71 = c71.add(FloatVector.fromArray(S, c, o7 + L));
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4); c41.intoArray(c, o4 + L); c50.intoArray(c, o5); c51.intoArray(c, o5 + L);
        c60.intoArray(c, o6); c61.intoArray(c, o6 + L); c70.intoArray(c, o7); c71.intoArray(c, o7 + L);
    }

    /**
     * C tile (WIDE_MR x WIDE_NR at c[co], row stride ldc) = (or, with add, +=) A strip (WIDE_MR rows x kb, element
     * (r, p) at a[ao + r*ar + p*ac]) x B panel (kb x WIDE_NR, contiguous at bp[bo]).
     */
    static void kernel6x64(int kb, float[] a, int ao, int ar, int ac, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        int r1 = ar, r2 = 2 * ar, r3 = 3 * ar, r4 = 4 * ar, r5 = 5 * ar;
        for (int p = 0; p < kb; p++) {
            int q = ao + p * ac, o = bo + p * WIDE_NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, o), b1 = FloatVector.fromArray(S, bp, o + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, o + 2 * L), b3 = FloatVector.fromArray(S, bp, o + 3 * L), x;
            x = FloatVector.broadcast(S, a[q]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[q + r1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[q + r2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[q + r3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[q + r4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[q + r5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc, o4 = co + 4 * ldc, o5 = co + 5 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0)); c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c02 = c02.add(FloatVector.fromArray(S, c, o0 + 2 * L)); c03 = c03.add(FloatVector.fromArray(S, c, o0 + 3 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1)); c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c12 = c12.add(FloatVector.fromArray(S, c, o1 + 2 * L)); c13 = c13.add(FloatVector.fromArray(S, c, o1 + 3 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2)); c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c22 = c22.add(FloatVector.fromArray(S, c, o2 + 2 * L)); c23 = c23.add(FloatVector.fromArray(S, c, o2 + 3 * L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3)); c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c32 = c32.add(FloatVector.fromArray(S, c, o3 + 2 * L)); c33 = c33.add(FloatVector.fromArray(S, c, o3 + 3 * L));
            c40 = c40.add(FloatVector.fromArray(S, c, o4)); c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
            c42 = c42.add(FloatVector.fromArray(S, c, o4 + 2 * L)); c43 = c43.add(FloatVector.fromArray(S, c, o4 + 3 * L));
            c50 = c50.add(FloatVector.fromArray(S, c, o5)); c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
            c52 = c52.add(FloatVector.fromArray(S, c, o5 + 2 * L)); c53 = c53.add(FloatVector.fromArray(S, c, o5 + 3 * L));
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L); c32.intoArray(c, o3 + 2 * L); c33.intoArray(c, o3 + 3 * L);
        c40.intoArray(c, o4); c41.intoArray(c, o4 + L); c42.intoArray(c, o4 + 2 * L); c43.intoArray(c, o4 + 3 * L);
        c50.intoArray(c, o5); c51.intoArray(c, o5 + L); c52.intoArray(c, o5 + 2 * L); c53.intoArray(c, o5 + 3 * L);
    }

    /**
     * C rows (starting at c[ro], row stride rs) columns [j, j+cols) = (store) or += (otherwise) the first rows x cols
     * of the tile t (rows of nr): the edges, tiles across segment boundaries, and C with strided rows.
     */
    private static void update(float[] t, int rows, int cols, int nr, float[] c, int ro, int rs, int cs, int j, int seg, int segStride, boolean store) {
        for (int r = 0; r < rows; r++) Gemm.scatter(t, r * nr, c, ro + r * rs, cs, segStride, seg, j, cols, !store);
    }
}
