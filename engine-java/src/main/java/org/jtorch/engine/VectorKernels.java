package org.jtorch.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Contiguous float32 loops through the Vector API, used where {@link Gemm#VECTOR_AVAILABLE} (the JVM has
 * {@code jdk.incubator.vector} and 512-bit vectors); callers keep their plain loops otherwise.
 *
 * <p>Why: HotSpot's C2 does not vectorise a loop whose arrays are indexed with different offsets when they could
 * be the same array (it cannot rule out overlap), so {@code d[k + i] = a[i0 + i] + b[i1 + i]} runs scalar; and it
 * does not vectorise a float sum (the order of additions would change). Explicit vectors do both.
 */
final class VectorKernels {
    private VectorKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;
    /** Elements per float block of a sum: each of the 64 lanes adds 64 values before the block goes to a double. */
    private static final int SUM_BLOCK = 4096;

    /** d[o + i] = a[i0 + i] op b[i1 + i] for i < n, op one of ADD, SUB, MUL, DIV (d may be a or b, same offsets). */
    static void binary(BinaryOp op, float[] a, int i0, float[] b, int i1, float[] d, int o, int n) {
        int i = 0, end = n - (n % L);
        switch (op) {
            case ADD -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).add(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] + b[i1 + i];
            }
            case SUB -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).sub(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] - b[i1 + i];
            }
            case MUL -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).mul(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] * b[i1 + i];
            }
            case DIV -> {
                for (; i < end; i += L) FloatVector.fromArray(S, a, i0 + i).div(FloatVector.fromArray(S, b, i1 + i)).intoArray(d, o + i);
                for (; i < n; i++) d[o + i] = a[i0 + i] / b[i1 + i];
            }
            default -> throw new IllegalArgumentException(op.name());
        }
    }

    /**
     * Sum of v[off .. off+n): four float vectors over blocks of {@link #SUM_BLOCK} elements, each block's total
     * added to a double (so the error stays that of a 64-term float sum per lane, not of n terms).
     */
    static double sum(float[] v, int off, int n) {
        double total = 0;
        int i = 0;
        while (n - i >= 4 * L) {
            int blockEnd = i + Math.min(SUM_BLOCK, (n - i) / (4 * L) * (4 * L));
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (; i < blockEnd; i += 4 * L) {
                int x = off + i;
                s0 = s0.add(FloatVector.fromArray(S, v, x));
                s1 = s1.add(FloatVector.fromArray(S, v, x + L));
                s2 = s2.add(FloatVector.fromArray(S, v, x + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, v, x + 3 * L));
            }
            total += s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        }
        float tail = 0;
        for (; i < n; i++) tail += v[off + i];
        return total + tail;
    }
}
