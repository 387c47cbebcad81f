package org.jtorch.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Device;
import org.jtorch.engine.Ops;
import org.jtorch.engine.ReduceOp;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.jtorch.engine.UnaryOp;
import org.jtorch.engine.Window2d;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each CUDA kernel against CpuBackend on random inputs (skipped, with one line, where there is no GPU). */
class CudaBackendTest {
    static final Device CUDA = Device.parse("cuda");
    final Random rnd = new Random(7);

    @BeforeEach void gpu() {
        assumeTrue(Cuda.isAvailable(), "no CUDA device (" + (Cuda.unavailableReason() != null ? Cuda.unavailableReason() : "cuInit found no GPU") + "): CUDA kernel tests skipped");
        Cuda.init();
    }

    Tensor randn(int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setD(i, rnd.nextGaussian());
        return t;
    }

    Tensor randint(int hi, int... shape) {
        Tensor t = Tensor.empty(DType.INT64, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setL(i, rnd.nextInt(hi));
        return t;
    }

    static Tensor cu(Tensor t) { return t.to(CUDA); }

    static void close(Tensor cpu, Tensor gpu, double tol) {
        assertEquals(CUDA, gpu.device);
        assertArrayEquals(cpu.shape(), gpu.shape());
        double[] a = cpu.toDoubleArray(), b = gpu.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i])) { assertTrue(Double.isNaN(b[i]), "NaN at " + i); continue; }
            assertEquals(a[i], b[i], tol * Math.max(1, Math.abs(a[i])), "element " + i);
        }
    }

    @Test void roundTripAndFill() {
        Tensor x = randn(3, 5);
        close(x, cu(x), 0);
        Tensor t = cu(x.transpose(0, 1)); // strided source made contiguous on the host
        close(x.transpose(0, 1).contiguous(), t, 0);
        Tensor f = cu(Tensor.empty(DType.FLOAT32, 4, 4));
        f.narrow(1, 1, 2).fill(3.5);
        Tensor ref = Tensor.empty(DType.FLOAT32, 4, 4);
        ref.narrow(1, 1, 2).fill(3.5);
        close(ref, f, 0);
        assertEquals(x.storage.getD(7), cu(x).reshape(-1).select(0, 7).item(), 0);
        for (DType dt : DType.values()) close(Ops.to(x, dt), Ops.to(cu(x), dt), 0);
    }

    @Test void elementwiseWithBroadcasting() {
        Tensor a = randn(4, 1, 3), b = randn(5, 1);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW, BinaryOp.MAXIMUM,
                BinaryOp.FLOOR_DIV, BinaryOp.REMAINDER, BinaryOp.ATAN2, BinaryOp.LT, BinaryOp.EQ, BinaryOp.GE})
            close(Ops.binary(op, a, b), Ops.binary(op, cu(a), cu(b)), 1e-6);
        close(Ops.binaryScalar(BinaryOp.MUL, a, 2.5, 2, false), Ops.binaryScalar(BinaryOp.MUL, cu(a), 2.5, 2, false), 0);
        Tensor i = randint(10, 6), j = randint(10, 6);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MUL, BinaryOp.FLOOR_DIV, BinaryOp.BITWISE_XOR, BinaryOp.GT})
            close(Ops.binary(op, i, Ops.binaryScalar(BinaryOp.ADD, j, 1, 1, false)), Ops.binary(op, cu(i), Ops.binaryScalar(BinaryOp.ADD, cu(j), 1, 1, false)), 0);
        for (UnaryOp op : UnaryOp.values()) {
            double p1 = op == UnaryOp.CLAMP || op == UnaryOp.HARDTANH ? -0.5 : op == UnaryOp.SOFTPLUS ? 1 : 0.1;
            double p2 = op == UnaryOp.SOFTPLUS ? 20 : 0.5;
            close(Ops.unary(op, a, p1, p2), Ops.unary(op, cu(a), p1, p2), 1e-6);
        }
        Tensor c = Ops.binary(BinaryOp.GT, a, Tensor.scalar(DType.FLOAT32, 0));
        close(Ops.where(c, a, Ops.binaryScalar(BinaryOp.MUL, a, -1, 2, false)), Ops.where(cu(c), cu(a), Ops.binaryScalar(BinaryOp.MUL, cu(a), -1, 2, false)), 0);
        Tensor y = cu(a.copy());
        Ops.binaryInPlace(BinaryOp.ADD, y, cu(b.view(5, 1).narrow(0, 0, 1).view(1, 1)));
        close(Ops.binary(BinaryOp.ADD, a, b.narrow(0, 0, 1)), y, 0);
    }

    @Test void mixedDevicesAreRefused() {
        TorchException e = assertThrows(TorchException.class, () -> Ops.binary(BinaryOp.ADD, cu(randn(3)), randn(3)));
        assertEquals("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!", e.getMessage());
        close(Ops.binary(BinaryOp.ADD, randn(3).fill(1), Tensor.scalar(DType.FLOAT32, 2)),
            Ops.binary(BinaryOp.ADD, cu(randn(3).fill(1)), Tensor.scalar(DType.FLOAT32, 2)), 0); // 0-dim CPU tensors are scalars
    }

    @Test void reductions() {
        Tensor x = randn(3, 4, 5);
        for (int[] dims : new int[][] {null, {0}, {1}, {2}, {0, 2}, {1, 2}}) {
            close(Ops.sum(x, dims, false), Ops.sum(cu(x), dims, false), 1e-6);
            close(Ops.mean(x, dims, true), Ops.mean(cu(x), dims, true), 1e-6);
            close(Ops.amax(x, dims, false), Ops.amax(cu(x), dims, false), 0);
            close(Ops.reduce(ReduceOp.PROD, x, dims, false, DType.FLOAT32), Ops.reduce(ReduceOp.PROD, cu(x), dims, false, DType.FLOAT32), 1e-5);
        }
        close(Ops.var(x, new int[] {1}, 1, false), Ops.var(cu(x), new int[] {1}, 1, false), 1e-6);
        Tensor big = randn(70000);
        close(Ops.sum(big, null, false), Ops.sum(cu(big), null, false), 1e-6);
        for (int d = 0; d < 3; d++) {
            Tensor[] c = Ops.maxDim(x, d, false, true), g = Ops.maxDim(cu(x), d, false, true);
            close(c[0], g[0], 0);
            close(c[1], g[1], 0);
            close(Ops.softmax(x, d, false), Ops.softmax(cu(x), d, false), 1e-6);
            close(Ops.softmax(x, d, true), Ops.softmax(cu(x), d, true), 1e-6);
            close(Ops.cumulative(x, d, false), Ops.cumulative(cu(x), d, false), 1e-6);
        }
        Tensor i = randint(100, 4, 6);
        close(Ops.sum(i, new int[] {1}, false), Ops.sum(cu(i), new int[] {1}, false), 0);
        close(Ops.argmax(x, null, false, true), Ops.argmax(cu(x), null, false, true), 0);
        Tensor[] s = Ops.sort(x, 2, true), sg = Ops.sort(cu(x), 2, true);
        close(s[0], sg[0], 0);
        close(s[1], sg[1], 0);
    }

    @Test void matmul() {
        for (int[] mkn : new int[][] {{1, 1, 1}, {7, 13, 5}, {64, 64, 64}, {65, 130, 33}, {128, 257, 100}}) {
            Tensor a = randn(mkn[0], mkn[1]), b = randn(mkn[1], mkn[2]);
            close(Ops.matmul(a, b), Ops.matmul(cu(a), cu(b)), 1e-4);
            close(Ops.matmul(b.t(), a.t()), Ops.matmul(cu(b).t(), cu(a).t()), 1e-4);
        }
        Tensor a = randn(3, 5, 7), b = randn(7, 4);
        close(Ops.matmul(a, b), Ops.matmul(cu(a), cu(b)), 1e-4);
        Tensor c = randn(3, 7, 2);
        close(Ops.bmm(a, c), Ops.bmm(cu(a), cu(c)), 1e-4);
        close(Ops.matmul(Ops.to(randint(5, 3, 4), DType.INT64), Ops.to(randint(5, 4, 2), DType.INT64)).fill(0),
            Ops.matmul(cu(Ops.to(randint(5, 3, 4), DType.INT64)), cu(Ops.to(randint(5, 4, 2), DType.INT64))).fill(0), 0);
    }

    @Test void indexing() {
        Tensor x = randn(5, 6);
        Tensor idx = randint(6, 5, 3);
        close(Ops.gather(x, 1, idx), Ops.gather(cu(x), 1, cu(idx)), 0);
        Tensor s1 = Tensor.zeros(DType.FLOAT32, 5, 6), s2 = cu(Tensor.zeros(DType.FLOAT32, 5, 6));
        Tensor src = randn(5, 3);
        Ops.scatterInPlace(s1, 1, idx, src, true);
        Ops.scatterInPlace(s2, 1, cu(idx), cu(src), true);
        close(s1, s2, 1e-6);
        Tensor rows = randint(5, 7);
        close(Ops.index(x, new Tensor[] {rows}), Ops.index(cu(x), new Tensor[] {cu(rows)}), 0);
        close(Ops.index(x, new Tensor[] {null, randint(6, 2).fill(3)}), Ops.index(cu(x), new Tensor[] {null, cu(randint(6, 2).fill(3))}), 0);
        Tensor a1 = Tensor.zeros(DType.FLOAT32, 5, 6), a2 = cu(Tensor.zeros(DType.FLOAT32, 5, 6));
        Tensor vals = randn(7, 6);
        Ops.indexPutInPlace(a1, new Tensor[] {rows}, vals, true);
        Ops.indexPutInPlace(a2, new Tensor[] {cu(rows)}, cu(vals), true);
        close(a1, a2, 1e-6);
        Tensor mask = Ops.binary(BinaryOp.GT, x, Tensor.scalar(DType.FLOAT32, 0));
        close(Ops.index(x, new Tensor[] {mask}), Ops.index(cu(x), new Tensor[] {cu(mask)}), 0);
        TorchException e = assertThrows(TorchException.class, () -> Ops.index(cu(x), new Tensor[] {cu(Tensor.of(new long[] {9}, 1))}));
        assertEquals("index 9 is out of bounds for dimension 0 with size 5", e.getMessage());
    }

    @Test void windows() {
        Tensor x = randn(2, 3, 9, 8);
        Window2d w = new Window2d(3, 3, 2, 1, 1, 1, 1, 2);
        int oh = w.outH(9, false), ow = w.outW(8, false);
        Tensor c1 = Tensor.empty(DType.FLOAT32, 2, 27, oh * ow), c2 = cu(Tensor.empty(DType.FLOAT32, 2, 27, oh * ow));
        Device cpu = Device.CPU;
        org.jtorch.engine.Backend.of(cpu).unfold2d(x, w, c1);
        c2.backend().unfold2d(cu(x), w, c2);
        close(c1, c2, 0);
        Tensor f1 = Tensor.zeros(DType.FLOAT32, 2, 3, 9, 8), f2 = cu(Tensor.zeros(DType.FLOAT32, 2, 3, 9, 8));
        org.jtorch.engine.Backend.of(cpu).fold2d(c1, w, f1);
        f2.backend().fold2d(c2, w, f2);
        close(f1, f2, 1e-6);
        Window2d p = new Window2d(2, 2, 2, 2, 0, 0, 1, 1);
        for (boolean max : new boolean[] {true, false}) {
            Tensor o1 = Tensor.empty(DType.FLOAT32, 2, 3, 4, 4), o2 = cu(o1.copy());
            Tensor i1 = Tensor.empty(DType.INT64, 2, 3, 4, 4), i2 = cu(i1.copy());
            org.jtorch.engine.Backend.of(cpu).pool2d(x, p, max, true, 0, o1, i1);
            o2.backend().pool2d(cu(x), p, max, true, 0, o2, i2);
            close(o1, o2, 1e-6);
            if (max) close(i1, i2, 0);
            Tensor g = randn(2, 3, 4, 4);
            Tensor g1 = Tensor.zeros(DType.FLOAT32, 2, 3, 9, 8), g2 = cu(g1.copy());
            org.jtorch.engine.Backend.of(cpu).pool2dBackward(g, p, max, true, 0, i1, g1);
            g2.backend().pool2dBackward(cu(g), p, max, true, 0, i2, g2);
            close(g1, g2, 1e-6);
        }
        Tensor a1 = Tensor.empty(DType.FLOAT32, 2, 3, 4, 3), a2 = cu(a1.copy());
        org.jtorch.engine.Backend.of(cpu).adaptiveAvgPool2d(x, a1, false);
        a2.backend().adaptiveAvgPool2d(cu(x), a2, false);
        close(a1, a2, 1e-6);
    }

    @Test void cachingAllocator() {
        long before = Cuda.memoryAllocated();
        Tensor t = cu(randn(1024, 1024));
        assertTrue(Cuda.memoryAllocated() >= before + 4L * 1024 * 1024);
        assertTrue(Cuda.memoryReserved() >= Cuda.memoryAllocated());
        t = null;
        Cuda.emptyCache();
        Cuda.synchronize();
    }
}
