package org.jtorch.engine;

/**
 * Iterates over the elements of up to three equally shaped strided operands, one innermost row at a time.
 * Dimensions that are contiguous with their neighbour in every operand are merged first, so a contiguous
 * tensor is one row of numel elements.
 */
public final class Loop {
    private Loop() {}

    /** Called once per innermost row: starting offsets of each operand and the row length. */
    @FunctionalInterface
    public interface Row { void row(int o0, int o1, int o2, int n); }

    /**
     * Runs {@code body} over all rows. Returns the innermost strides of the three operands via
     * {@code innerStrides} (filled before the first call) so the body can step through a row.
     */
    public static void rows(int[] shape, int[] s0, int off0, int[] s1, int off1, int[] s2, int off2,
                            int[] innerStrides, Row body) {
        int nd = shape.length;
        for (int x : shape) if (x == 0) return;
        // collapse: drop size-1 dims, merge mergeable neighbours
        int[] sh = new int[Math.max(nd, 1)];
        int[] a = new int[sh.length], b = new int[sh.length], c = new int[sh.length];
        int k = 0;
        for (int d = 0; d < nd; d++) {
            if (shape[d] == 1) continue;
            int st0 = s0[d], st1 = s1 == null ? 0 : s1[d], st2 = s2 == null ? 0 : s2[d];
            if (k > 0 && a[k - 1] == st0 * shape[d] && b[k - 1] == st1 * shape[d] && c[k - 1] == st2 * shape[d]) {
                sh[k - 1] *= shape[d];
                a[k - 1] = st0; b[k - 1] = st1; c[k - 1] = st2;
            } else {
                sh[k] = shape[d]; a[k] = st0; b[k] = st1; c[k] = st2;
                k++;
            }
        }
        if (k == 0) { sh[0] = 1; a[0] = 1; b[0] = 1; c[0] = 1; k = 1; }
        int last = k - 1, n = sh[last];
        innerStrides[0] = a[last]; innerStrides[1] = b[last]; innerStrides[2] = c[last];
        if (k == 1) { body.row(off0, off1, off2, n); return; }
        int[] idx = new int[k];
        int o0 = off0, o1 = off1, o2 = off2;
        while (true) {
            body.row(o0, o1, o2, n);
            int d = last - 1;
            while (d >= 0) {
                idx[d]++;
                o0 += a[d]; o1 += b[d]; o2 += c[d];
                if (idx[d] < sh[d]) break;
                o0 -= a[d] * sh[d]; o1 -= b[d] * sh[d]; o2 -= c[d] * sh[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }
}
