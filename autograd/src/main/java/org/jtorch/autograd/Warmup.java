package org.jtorch.autograd;

import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Parallel;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.UnaryOp;

/**
 * Runs the CPU kernels that training scripts spend their time in (GEMM shapes small and large, convolution and
 * pooling forward and backward, elementwise, reductions, softmax, layer_norm, GELU, linear) for a moment, so that
 * HotSpot compiles them before a script needs them. Used by the launcher daemon when it starts: there the
 * compiler's queue soon fills with the interpreter's own code, and a kernel first met in a script could wait
 * seconds for its compilation.
 */
public final class Warmup {
    private Warmup() {}

    /** Repeats the kernel mix for about {@code millis} milliseconds on 1 and 2 threads; restores the thread count. */
    public static void run(long millis) {
        int threads = Parallel.threads();
        long end = System.nanoTime() + millis * 1_000_000L;
        try {
            for (int round = 0; System.nanoTime() < end; round++) {
                Parallel.setThreads(1 + (round & 1));
                once();
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static Tensor filled(int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, shape);
        int n = t.numel();
        for (int i = 0; i < n; i++) t.storage.setD(i, Math.sin(i * 0.37) * 2);
        return t;
    }

    private static Variable param(int... shape) { return new Variable(filled(shape), true); }

    private static void once() {
        for (int n : new int[] {32, 64, 128, 256}) Ops.mm(filled(n, n), filled(n, n));
        Ops.mm(filled(512, 256), filled(256, 300).t().contiguous().t());
        Ops.bmm(filled(8, 64, 64), filled(8, 64, 64));
        Tensor big = filled(1 << 17);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.RELU, UnaryOp.NEG}) Ops.unary(op, big, 0, 0);
        Ops.binary(BinaryOp.ADD, big, big);
        Ops.binary(BinaryOp.MUL, big, big);
        Ops.sum(big, new int[] {0}, false);
        Tensor rows = filled(256, 512);
        Ops.softmax(rows, 1, false);
        Ops.softmax(rows, 1, true);
        Ops.sum(rows, new int[] {1}, true);

        // a small CNN and transformer-style MLP step through autograd (forward and backward)
        Variable x = new Variable(filled(8, 3, 16, 16)), w1 = param(8, 3, 3, 3), b1 = param(8);
        Variable h = NnOps.conv2d(x, w1, b1, 1, 1, 1, 1, 1, 1, 1);
        h = Torch.unary(UnaryOp.RELU, h, 0, 0);
        h = NnOps.maxPool2d(h, 2, 2, 2, 2, 0, 0, 1, 1, false)[0];
        Variable w2 = param(10, 8 * 8 * 8), b2 = param(10);
        Variable logits = Torch.linear(Torch.reshape(h, new int[] {8, 8 * 8 * 8}), w2, b2);
        Variable loss = Torch.sum(Torch.softmax(logits, 1, true), new int[] {0, 1}, false, null);
        loss.backward();

        Variable t = param(64, 128), g = param(128), b = param(128), wu = param(256, 128), bu = param(256);
        Variable y = Torch.layerNorm(t, g, b, 1e-5);
        if (y != null) {
            Variable u = Torch.gelu(Torch.linear(y, wu, bu));
            if (u != null) Torch.sum(u, new int[] {0, 1}, false, null).backward();
        }
    }
}
