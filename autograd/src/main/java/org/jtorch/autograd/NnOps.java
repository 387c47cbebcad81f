package org.jtorch.autograd;

import static org.jtorch.autograd.G.*;

import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.jtorch.engine.Window2d;

/** Differentiable neural-network ops over NCHW tensors: convolution, transposed convolution, pooling. */
public final class NnOps {
    private NnOps() {}

    private static Tensor newZeros(DType dt, int[] shape, Tensor like) { return Tensor.zeros(dt, shape).to(like.device); }

    private static Tensor unfold(Tensor x, Window2d w) {
        int oh = w.outH(x.size(2), false), ow = w.outW(x.size(3), false);
        Tensor cols = Tensor.empty(x.dtype, x.size(0), x.size(1) * w.kh() * w.kw(), oh * ow).to(x.device);
        x.backend().unfold2d(x, w, cols);
        return cols;
    }

    private static Tensor fold(Tensor cols, Window2d w, int n, int c, int h, int wd) {
        Tensor out = newZeros(cols.dtype, new int[] {n, c, h, wd}, cols);
        cols.backend().fold2d(cols, w, out);
        return out;
    }

    private static void checkConv(Tensor x, Tensor wt, int groups, boolean transposed) {
        if (x.dim() != 4)
            throw TorchException.runtime("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: " + Shape.str(x.shapeRef()));
        if (wt.dim() != 4) throw TorchException.runtime("weight should have 4 dimensions, got " + wt.dim());
        if (x.dtype != wt.dtype)
            throw TorchException.runtime("Input type (" + x.dtype.pyName + ") and weight type (" + wt.dtype.pyName + ") should be the same");
        int cin = x.size(1);
        int expected = transposed ? wt.size(0) : wt.size(1) * groups;
        if (cin != expected)
            throw TorchException.runtime("Given groups=" + groups + ", weight of size " + Shape.str(wt.shapeRef()) + ", expected input"
                + Shape.str(x.shapeRef()) + " to have " + expected + " channels, but got " + cin + " channels instead");
    }

    /** conv2d(x [N,C,H,W], weight [O, C/groups, kh, kw], bias [O] or null). */
    public static Variable conv2d(Variable xv, Variable wv, Variable bv, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        Tensor x = xv.data.contiguous(), wt = wv.data;
        checkConv(x, wt, groups, false);
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = wt.size(0), kh = wt.size(2), kw = wt.size(3);
        Window2d w = new Window2d(kh, kw, sh, sw, ph, pw, dh, dw);
        int oh = w.outH(h, false), ow = w.outW(wd, false);
        if (oh <= 0 || ow <= 0)
            throw TorchException.runtime("Calculated padded input size per channel: (" + (h + 2 * ph) + " x " + (wd + 2 * pw)
                + "). Kernel size: (" + kh + " x " + kw + "). Kernel size can't be greater than actual input size");
        int cg = c / groups, og = o / groups, ck = cg * kh * kw;
        Tensor[] outs = new Tensor[groups];
        boolean gx = xv.requiresGrad, gw = wv.requiresGrad, gb = bv != null && bv.requiresGrad;
        boolean recording = GradMode.isEnabled() && (gx || gw || gb);
        // the columns are kept for the weight's gradient (PyTorch's slow_conv2d keeps them too)
        Tensor[] colsKept = recording && gw ? new Tensor[groups] : null;
        for (int g = 0; g < groups; g++) {
            Tensor xg = groups == 1 ? x : x.narrow(1, g * cg, cg);
            Tensor wg = (groups == 1 ? wt : wt.narrow(0, g * og, og)).reshape(og, ck);
            Tensor cols = unfold(xg, w);
            if (colsKept != null) colsKept[g] = cols;
            outs[g] = Ops.matmul(wg, cols);
        }
        Tensor out = (groups == 1 ? outs[0] : Ops.cat(outs, 1)).view(n, o, oh, ow);
        if (bv != null) out = add(out, bv.data.view(1, o, 1, 1));
        if (!recording) return new Variable(out);
        int l = oh * ow;
        return Torch.record("ConvolutionBackward0", out, Torch.saved(x, wt), gOut -> {
            Tensor gv = gOut.contiguous().view(n, o, l);
            Tensor[] dxs = new Tensor[groups], dws = new Tensor[groups];
            for (int g = 0; g < groups; g++) {
                Tensor gg = groups == 1 ? gv : gv.narrow(1, g * og, og);
                Tensor wg = (groups == 1 ? wt : wt.narrow(0, g * og, og)).reshape(og, ck);
                if (gw) {
                    // dW = sum over the batch of gg[b] @ cols[b]^T: one product with the batch folded into its depth
                    Tensor g2 = gg.transpose(0, 1).contiguous().view(og, n * l);
                    Tensor c2 = colsKept[g].transpose(0, 1).contiguous().view(ck, n * l);
                    dws[g] = Ops.mm(g2, c2.t()).view(og, cg, kh, kw);
                }
                if (gx) dxs[g] = fold(Ops.matmul(wg.t(), gg), w, n, cg, h, wd);
            }
            Tensor dx = gx ? (groups == 1 ? dxs[0] : Ops.cat(dxs, 1)) : null;
            Tensor dW = gw ? (groups == 1 ? dws[0] : Ops.cat(dws, 0)) : null;
            Tensor db = gb ? Ops.sum(gOut, new int[] {0, 2, 3}, false) : null;
            return new Tensor[] {dx, dW, db};
        }, xv, wv, bv);
    }

    /** conv_transpose2d(x [N,Cin,H,W], weight [Cin, Cout/groups, kh, kw], bias [Cout] or null). */
    public static Variable convTranspose2d(Variable xv, Variable wv, Variable bv, int sh, int sw, int ph, int pw, int oph, int opw,
                                           int dh, int dw, int groups) {
        Tensor x = xv.data.contiguous(), wt = wv.data;
        checkConv(x, wt, groups, true);
        int n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3), kh = wt.size(2), kw = wt.size(3);
        int cig = cin / groups, cog = wt.size(1), cout = cog * groups, ck = cog * kh * kw;
        int hOut = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1, wOut = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
        Window2d w = new Window2d(kh, kw, sh, sw, ph, pw, dh, dw);
        Tensor[] outs = new Tensor[groups];
        for (int g = 0; g < groups; g++) {
            Tensor xg = (groups == 1 ? x : x.narrow(1, g * cig, cig)).reshape(n, cig, h * wd);
            Tensor wg = (groups == 1 ? wt : wt.narrow(0, g * cig, cig)).reshape(cig, ck);
            outs[g] = fold(Ops.matmul(wg.t(), xg), w, n, cog, hOut, wOut);
        }
        Tensor out = groups == 1 ? outs[0] : Ops.cat(outs, 1);
        if (bv != null) out = add(out, bv.data.view(1, cout, 1, 1));
        boolean gx = xv.requiresGrad, gw = wv.requiresGrad, gb = bv != null && bv.requiresGrad;
        if (!GradMode.isEnabled() || !(gx || gw || gb)) return new Variable(out);
        return Torch.record("ConvolutionBackward0", out, Torch.saved(x, wt), gOut -> {
            Tensor go = gOut.contiguous();
            Tensor[] dxs = new Tensor[groups], dws = new Tensor[groups];
            for (int g = 0; g < groups; g++) {
                Tensor gg = groups == 1 ? go : go.narrow(1, g * cog, cog);
                Tensor cols = unfold(gg.contiguous(), w); // [N, cog*k, h*wd]
                Tensor wg = (groups == 1 ? wt : wt.narrow(0, g * cig, cig)).reshape(cig, ck);
                if (gx) dxs[g] = Ops.matmul(wg, cols).view(n, cig, h, wd);
                if (gw) {
                    Tensor xg = (groups == 1 ? x : x.narrow(1, g * cig, cig)).reshape(n, cig, h * wd);
                    dws[g] = Ops.sum(Ops.matmul(xg, cols.transpose(1, 2)), new int[] {0}, false).view(cig, cog, kh, kw);
                }
            }
            Tensor dx = gx ? (groups == 1 ? dxs[0] : Ops.cat(dxs, 1)) : null;
            Tensor dW = gw ? (groups == 1 ? dws[0] : Ops.cat(dws, 0)) : null;
            Tensor db = gb ? Ops.sum(gOut, new int[] {0, 2, 3}, false) : null;
            return new Tensor[] {dx, dW, db};
        }, xv, wv, bv);
    }

    private static void check4d(Tensor x, String op) {
        if (x.dim() != 4) throw TorchException.runtime(op + ": Expected 3D or 4D (batch mode) tensor for input, but got: " + Shape.str(x.shapeRef()));
    }

    /** max_pool2d with indices: {output, indices}. */
    public static Variable[] maxPool2d(Variable xv, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceil) {
        Tensor x = xv.data;
        check4d(x, "max_pool2d");
        if (ph * 2 > kh || pw * 2 > kw) throw TorchException.runtime("pad should be at most half of effective kernel size, but got pad=" + ph + ", kernel_size=" + kh + " and dilation=" + dh);
        Window2d w = new Window2d(kh, kw, sh, sw, ph, pw, dh, dw);
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), oh = w.outH(h, ceil), ow = w.outW(wd, ceil);
        if (oh <= 0 || ow <= 0) throw TorchException.runtime("Given input size: (" + c + "x" + h + "x" + wd + "). Calculated output size: (" + c + "x" + oh + "x" + ow + "). Output size is too small");
        Tensor out = Tensor.empty(x.dtype, n, c, oh, ow).to(x.device), idx = Tensor.empty(DType.INT64, n, c, oh, ow).to(x.device);
        x.backend().pool2d(x, w, true, false, 0, out, idx);
        Variable iv = new Variable(idx);
        if (!Torch.needs(xv)) return new Variable[] {new Variable(out), iv};
        int[] xs = x.shape();
        Variable ov = Torch.record("MaxPool2DWithIndicesBackward0", out, Torch.saved(idx), g -> {
            Tensor gi = newZeros(g.dtype, xs, g);
            g.backend().pool2dBackward(g, w, true, false, 0, idx, gi);
            return new Tensor[] {gi};
        }, xv);
        return new Variable[] {ov, iv};
    }

    public static Variable avgPool2d(Variable xv, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil, boolean countIncludePad, int divisor) {
        Tensor x = xv.data;
        check4d(x, "avg_pool2d");
        Window2d w = new Window2d(kh, kw, sh, sw, ph, pw, 1, 1);
        int n = x.size(0), c = x.size(1), oh = w.outH(x.size(2), ceil), ow = w.outW(x.size(3), ceil);
        if (oh <= 0 || ow <= 0) throw TorchException.runtime("Given input size: (" + c + "x" + x.size(2) + "x" + x.size(3) + "). Calculated output size: (" + c + "x" + oh + "x" + ow + "). Output size is too small");
        Tensor out = Tensor.empty(x.dtype, n, c, oh, ow).to(x.device);
        x.backend().pool2d(x, w, false, countIncludePad, divisor, out, null);
        if (!Torch.needs(xv)) return new Variable(out);
        int[] xs = x.shape();
        return Torch.record("AvgPool2DBackward0", out, null, g -> {
            Tensor gi = newZeros(g.dtype, xs, g);
            g.backend().pool2dBackward(g, w, false, countIncludePad, divisor, null, gi);
            return new Tensor[] {gi};
        }, xv);
    }

    public static Variable adaptiveAvgPool2d(Variable xv, int oh, int ow) {
        Tensor x = xv.data;
        check4d(x, "adaptive_avg_pool2d");
        Tensor out = Tensor.empty(x.dtype, x.size(0), x.size(1), oh, ow).to(x.device);
        x.backend().adaptiveAvgPool2d(x, out, false);
        if (!Torch.needs(xv)) return new Variable(out);
        int[] xs = x.shape();
        return Torch.record("AdaptiveAvgPool2DBackward0", out, null, g -> {
            Tensor gi = newZeros(g.dtype, xs, g);
            g.backend().adaptiveAvgPool2d(g, gi, true);
            return new Tensor[] {gi};
        }, xv);
    }
}
