package org.jtorch.cuda;

import org.jtorch.engine.TorchException;

/**
 * Packs the kernels' {@code struct Geo} (jt_common.cuh): an iteration space and up to four strided operands,
 * as 56 ints. Size-1 dims are dropped and neighbours that are contiguous in every operand are merged first,
 * which keeps the linear (row-major) element order, so a contiguous tensor is one dimension.
 */
final class Geo {
    static final int MAXD = 10, MAXOP = 4;
    static final int INTS = 2 + MAXD + MAXOP * MAXD + MAXOP;

    private Geo() {}

    /** shape: the iteration space; strides[k], offsets[k]: operand k (at most four). */
    static int[] of(int[] shape, int[][] strides, int[] offsets) {
        int ops = strides.length;
        if (ops > MAXOP) throw new IllegalArgumentException("at most " + MAXOP + " operands");
        int nd = shape.length;
        int[] sh = new int[nd];
        int[][] st = new int[ops][nd];
        int k = 0;
        long n = 1;
        for (int d = 0; d < nd; d++) {
            n *= shape[d];
            if (shape[d] == 1) continue;
            boolean merge = k > 0;
            for (int o = 0; o < ops && merge; o++) merge = st[o][k - 1] == (long) strides[o][d] * shape[d];
            if (merge) {
                sh[k - 1] *= shape[d];
                for (int o = 0; o < ops; o++) st[o][k - 1] = strides[o][d];
            } else {
                sh[k] = shape[d];
                for (int o = 0; o < ops; o++) st[o][k] = strides[o][d];
                k++;
            }
        }
        if (n > Integer.MAX_VALUE) throw TorchException.runtime("CUDA kernels here index with 32-bit ints: " + n + " elements is too many");
        if (k > MAXD) throw TorchException.runtime("CUDA kernels take at most " + MAXD + " non-mergeable dimensions, got " + k);
        int[] g = new int[INTS];
        g[0] = k;
        g[1] = (int) n;
        for (int d = 0; d < k; d++) {
            g[2 + d] = sh[d];
            for (int o = 0; o < ops; o++) g[2 + MAXD + o * MAXD + d] = st[o][d];
        }
        for (int o = 0; o < ops; o++) g[2 + MAXD + MAXOP * MAXD + o] = offsets[o];
        return g;
    }

    static int count(int[] geo) { return geo[1]; }
}
