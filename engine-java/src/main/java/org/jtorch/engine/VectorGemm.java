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
 * {@code MR} = 8 rows (kb x 8, contiguous, zero rows past the end); the micro-kernel keeps an 8 x 32 tile of C in
 * 16 vector registers over the whole depth (8 broadcasts and 16 FMAs per step of p) and leaves it in a small
 * scratch tile, which is then added to (or, for the first depth block, stored into) C: with vector loads where
 * the tile is whole and C's rows are contiguous, element by element at the edges and across the segment
 * boundaries of side-by-side batch entries (see Gemm.Problem). Measured (1 thread, 8x32 kernel in L1) about
 * 100 GFLOP/s, near this VM's FMA peak of ~116; the auto-vectorised kernel peaks at 70-80.
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
            for (int pc = 0; pc < k; pc += KC) {
                int kb = Math.min(KC, k - pc);
                float[] bp = w.bp(kb * width);
                for (int p = 0; p < kb; p++) {
                    Gemm.gather(b, bo + (pc + p) * bRs, bCs, bSeg, seg, jc, nb, row);
                    if (width > nb) Arrays.fill(row, nb, width, 0f);
                    for (int q = 0; q < panels; q++) System.arraycopy(row, q * NR, bp, (q * kb + p) * NR, NR);
                }
                boolean store = pc == 0 && !acc;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mb = Math.min(MC, i1 - ic), strips = (mb + MR - 1) / MR, src = ao + ic * aRs + pc * aCs;
                    // A is packed when its strips are used by more than a few panels (contiguous, in L1) or the
                    // last strip is short (zero rows); otherwise the kernel reads it in place
                    boolean pack = panels > 4 || mb % MR != 0;
                    if (pack) packA(a, src, aRs, aCs, mb, kb, strips, ap);
                    for (int q = 0; q < panels; q++) {
                        int jq = jc + q * NR, cols = Math.min(NR, jc + nb - jq);
                        for (int s = 0; s < strips; s++) {
                            int i = ic + s * MR;
                            if (pack) kernel(kb, ap, s * kb * MR, 1, MR, bp, q * kb * NR, t);
                            else kernel(kb, a, src + s * MR * aRs, aRs, aCs, bp, q * kb * NR, t);
                            update(t, Math.min(MR, ic + mb - i), cols, c, co + i * cRs, cRs, cCs, jq, seg, cSeg, store);
                        }
                    }
                }
            }
        }
    }

    /** Strips of MR rows: ap[s*kb*MR + p*MR + r] = A[s*MR + r][p] (element (i, p) at a[src + i*rs + p*cs]), zero past mb. */
    private static void packA(float[] a, int src, int rs, int cs, int mb, int kb, int strips, float[] ap) {
        for (int s = 0; s < strips; s++) {
            int base = s * kb * MR;
            for (int r = 0; r < MR; r++) {
                int i = s * MR + r;
                if (i >= mb) {
                    for (int p = 0; p < kb; p++) ap[base + p * MR + r] = 0f;
                    continue;
                }
                int x = src + i * rs;
                for (int p = 0; p < kb; p++) ap[base + p * MR + r] = a[x + p * cs];
            }
        }
    }

    /**
     * t (MR x NR, row-major) = A strip (MR rows x kb, element (r, p) at a[ao + r*ar + p*ac]) x B panel (kb x NR,
     * contiguous at bp[bo]).
     */
    static void kernel(int kb, float[] a, int ao, int ar, int ac, float[] bp, int bo, float[] t) {
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
        c00.intoArray(t, 0 * NR); c01.intoArray(t, 0 * NR + L); c10.intoArray(t, 1 * NR); c11.intoArray(t, 1 * NR + L);
        c20.intoArray(t, 2 * NR); c21.intoArray(t, 2 * NR + L); c30.intoArray(t, 3 * NR); c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR); c41.intoArray(t, 4 * NR + L); c50.intoArray(t, 5 * NR); c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR); c61.intoArray(t, 6 * NR + L); c70.intoArray(t, 7 * NR); c71.intoArray(t, 7 * NR + L);
    }

    /**
     * C rows (starting at c[ro], row stride rs) columns [j, j+cols) = (store) or += (otherwise) the first
     * rows x cols of the tile t.
     */
    private static void update(float[] t, int rows, int cols, float[] c, int ro, int rs, int cs, int j, int seg, int segStride, boolean store) {
        int sg = j / seg, jj = j - sg * seg;
        if (cs == 1 && cols == NR && jj + NR <= seg) {
            int o = ro + sg * segStride + jj;
            for (int r = 0; r < rows; r++, o += rs) {
                FloatVector v0 = FloatVector.fromArray(S, t, r * NR), v1 = FloatVector.fromArray(S, t, r * NR + L);
                if (!store) {
                    v0 = v0.add(FloatVector.fromArray(S, c, o));
                    v1 = v1.add(FloatVector.fromArray(S, c, o + L));
                }
                v0.intoArray(c, o);
                v1.intoArray(c, o + L);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int d = 0, jr = j;
            while (d < cols) {
                int s = jr / seg, js = jr - s * seg, run = Math.min(seg - js, cols - d);
                int o = ro + r * rs + s * segStride + js * cs, to = r * NR + d;
                if (store) for (int e = 0; e < run; e++) c[o + e * cs] = t[to + e];
                else for (int e = 0; e < run; e++) c[o + e * cs] += t[to + e];
                d += run;
                jr += run;
            }
        }
    }
}
