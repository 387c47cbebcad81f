package org.jtorch.engine;

import java.util.Arrays;

/** Shape arithmetic: sizes, strides, broadcasting, dimension wrapping. */
public final class Shape {
    private Shape() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw TorchException.runtime("tensor of " + n + " elements is too large");
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** Wraps a possibly negative dim into [0, ndim); IndexError like PyTorch otherwise. */
    public static int wrapDim(int dim, int ndim) {
        int n = Math.max(ndim, 1);
        if (dim < -n || dim >= n)
            throw TorchException.index("Dimension out of range (expected to be in range of [" + (-n) + ", " + (n - 1)
                + "], but got " + dim + ")");
        return dim < 0 ? dim + n : dim;
    }

    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int ai = i - (n - a.length), bi = i - (n - b.length);
            int x = ai >= 0 ? a[ai] : 1, y = bi >= 0 ? b[bi] : 1;
            if (x != y && x != 1 && y != 1)
                throw TorchException.runtime("The size of tensor a (" + x + ") must match the size of tensor b (" + y
                    + ") at non-singleton dimension " + i);
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    public static String str(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(']').toString();
    }

    public static boolean same(int[] a, int[] b) { return Arrays.equals(a, b); }
}
