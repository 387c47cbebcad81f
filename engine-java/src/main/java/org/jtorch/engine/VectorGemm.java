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
 * panels of {@code NR} = 32 columns (kb x 32, contiguous), a block of A ({@code MC} rows x kb) into strips of
 * {@code MR} = 8 rows (kb x 8, contiguous, zero rows past the end) or read in place (see {@link #packsA}); the
 * micro-kernel keeps an 8 x 32 tile of C in 16 vector registers over the whole depth (8 broadcasts and 16 FMAs per
 * step of p) and stores it into (or, after the first depth block, adds it to) C directly where the tile is whole,
 * C's rows are contiguous and the tile lies within one batch entry of the side-by-side layout (see Gemm.Problem);
 * other tiles go through a scratch tile and {@link Gemm#scatter}. Measured (1 thread, 8x32 kernel in L1) about
 * 100 GFLOP/s against the auto-vectorised kernel's 70-80 (on this machine the two vCPUs share one core's vector
 * units, so both depend on what runs beside them; docs/performance.md).
 *
 * <p>Vectors are never passed to or returned from methods: one that is not inlined makes C2 box them on every
 * loop iteration (measured 10-20 GFLOP/s instead of 100).
 */
final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = 16;
    /** Register tile: MR rows x NR columns (two vectors). */
    static final int MR = 8, NR = 2 * L;
    /** Depth of a packed block, rows of A and columns of B per block. */
    static final int KC = 256, MC = 64, NC = 1024;

    /** True when the CPU has 512-bit vectors (so S is not emulated); false or NoClassDefFoundError otherwise. */
    static boolean usable() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 && S.length() == L;
    }

    private static final class Work {
        float[] bp = new float[0];
        final float[] ap = new float[MC * KC], t = new float[MR * NR], row = new float[NC + NR];

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
            int nb = Math.min(NC, j1 - jc), panels = (nb + NR - 1) / NR, width = panels * NR;
            // depth blocks of equal size (k = 288 is 144 + 144, not 256 + 32)
            int kBlocks = (k + KC - 1) / KC, kStep = (k + kBlocks - 1) / kBlocks;
            for (int pc = 0; pc < k; pc += kStep) {
                int kb = Math.min(kStep, k - pc);
                float[] bp = w.bp(kb * width);
                if (bRs < bCs) packBColumns(b, bo + pc * bRs, bRs, bCs, bSeg, seg, jc, nb, kb, width, bp);
                else for (int p = 0; p < kb; p++) {
                    Gemm.gather(b, bo + (pc + p) * bRs, bCs, bSeg, seg, jc, nb, row);
                    if (width > nb) Arrays.fill(row, nb, width, 0f);
                    for (int q = 0, o = p * NR; q < panels; q++, o += kb * NR) {
                        FloatVector.fromArray(S, row, q * NR).intoArray(bp, o);
                        FloatVector.fromArray(S, row, q * NR + L).intoArray(bp, o + L);
                    }
                }
                boolean store = pc == 0 && !acc;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mb = Math.min(MC, i1 - ic), strips = (mb + MR - 1) / MR, src = ao + ic * aRs + pc * aCs;
                    boolean pack = packsA(panels, mb);
                    if (pack) packA(a, src, aRs, aCs, mb, kb, strips, ap);
                    for (int q = 0; q < panels; q++) {
                        int jq = jc + q * NR, cols = Math.min(NR, jc + nb - jq), sg = jq / seg, js = jq - sg * seg;
                        for (int s = 0; s < strips; s++) {
                            int i = ic + s * MR, rows = Math.min(MR, ic + mb - i);
                            float[] x = pack ? ap : a;
                            int xo = pack ? s * kb * MR : src + s * MR * aRs, xr = pack ? 1 : aRs, xc = pack ? MR : aCs;
                            // a whole tile within one segment of a C with contiguous rows is written by the kernel
                            // itself; others go through the scratch tile
                            if (rows == MR && cols == NR && cCs == 1 && js + NR <= seg) {
                                kernel(kb, x, xo, xr, xc, bp, q * kb * NR, c, co + i * cRs + sg * cSeg + js, cRs, !store);
                            } else {
                                kernel(kb, x, xo, xr, xc, bp, q * kb * NR, t, 0, NR, false);
                                update(t, rows, cols, c, co + i * cRs, cRs, cCs, jq, seg, cSeg, store);
                            }
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
    static boolean packsA(int panels, int rows) {
        return panels > 4 || rows % MR != 0;
    }

    /**
     * Strips of MR rows: ap[s*kb*MR + p*MR + r] = A[s*MR + r][p] (element (i, p) at a[src + i*rs + p*cs]), zero past
     * mb; read along whichever of rows and depth has the smaller stride.
     */
    private static void packA(float[] a, int src, int rs, int cs, int mb, int kb, int strips, float[] ap) {
        for (int s = 0; s < strips; s++) {
            int base = s * kb * MR, rows = Math.min(MR, mb - s * MR), x = src + s * MR * rs;
            if (rows < MR) Arrays.fill(ap, base, base + kb * MR, 0f);
            if (rs < cs) {
                for (int p = 0; p < kb; p++)
                    for (int r = 0; r < rows; r++) ap[base + p * MR + r] = a[x + r * rs + p * cs];
            } else {
                for (int r = 0; r < rows; r++)
                    for (int p = 0; p < kb; p++) ap[base + p * MR + r] = a[x + r * rs + p * cs];
            }
        }
    }

    /**
     * B block (kb rows from b[src], row stride rs) x columns [jc, jc+nb) (column stride cs, segments as in packed)
     * into panels, read down the columns: for B stored by columns (rs < cs, a transposed operand) this reads
     * contiguously where the row-by-row gather would touch one cache line (and page) per element.
     */
    private static void packBColumns(float[] b, int src, int rs, int cs, int segStride, int seg, int jc, int nb, int kb, int width, float[] bp) {
        for (int jl = 0; jl < width; jl++) {
            int q = jl / NR, o = q * kb * NR + (jl - q * NR);
            if (jl >= nb) {
                for (int p = 0; p < kb; p++) bp[o + p * NR] = 0f;
                continue;
            }
            int j = jc + jl, sg = j / seg, x = src + sg * segStride + (j - sg * seg) * cs;
            for (int p = 0; p < kb; p++) bp[o + p * NR] = b[x + p * rs];
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
     * C rows (starting at c[ro], row stride rs) columns [j, j+cols) = (store) or += (otherwise) the first rows x cols
     * of the tile t: the edges, tiles across segment boundaries, and C with strided rows.
     */
    private static void update(float[] t, int rows, int cols, float[] c, int ro, int rs, int cs, int j, int seg, int segStride, boolean store) {
        for (int r = 0; r < rows; r++) Gemm.scatter(t, r * NR, c, ro + r * rs, cs, segStride, seg, j, cols, !store);
    }
}
