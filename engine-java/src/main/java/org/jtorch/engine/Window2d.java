package org.jtorch.engine;

/** Geometry of a 2-D sliding window (convolution, pooling): kernel, stride, padding, dilation. */
public record Window2d(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    public int outH(int h, boolean ceil) { return outSize(h, kh, sh, ph, dh, ceil); }
    public int outW(int w, boolean ceil) { return outSize(w, kw, sw, pw, dw, ceil); }

    static int outSize(int in, int k, int s, int p, int d, boolean ceil) {
        int span = d * (k - 1) + 1;
        int num = in + 2 * p - span;
        if (num < 0) return 0;
        int o = (ceil ? (num + s - 1) / s : num / s) + 1;
        // PyTorch: the last window must start inside the input or left padding
        if (ceil && (o - 1) * s >= in + p) o--;
        return o;
    }
}
