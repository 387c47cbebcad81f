package org.jtorch.autograd;

import static org.jtorch.autograd.GradCheck.c;
import static org.jtorch.autograd.GradCheck.expectThrows;
import static org.jtorch.autograd.GradCheck.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException.Kind;
import org.jtorch.engine.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Autograd semantics: accumulation, graph freeing, grad mode, in-place checks, hooks, Engine.grad, node names. */
class AutogradBehaviourTest {
    @AfterEach
    void restoreGradMode() { GradMode.set(true); }

    static Variable leaf(double... v) { return new Variable(Tensor.of(v.clone(), v.length), true); }

    static Variable leaf32(float... v) { return new Variable(Tensor.of(v.clone(), v.length), true); }

    static double[] g(Variable v) { return v.grad().data.toDoubleArray(); }

    static Variable ones(Variable like) { return new Variable(Tensor.full(like.dtype(), 1.0, like.data.shapeRef())); }

    static Variable sum(Variable v) { return Torch.sum(v, null, false, null); }

    static Variable mul(Variable a, Variable b) { return Torch.binary(BinaryOp.MUL, a, b); }

    static Variable add(Variable a, Variable b) { return Torch.binary(BinaryOp.ADD, a, b); }

    static Variable muls(Variable a, double s) { return Torch.binaryScalar(BinaryOp.MUL, a, s, 2, false); }

    // ---------------------------------------------------------------- accumulation

    @Test
    void gradsAccumulateAcrossBackwardCalls() {
        Variable x = leaf(1, 2, 3);
        sum(muls(x, 2)).backward();
        assertArrayEquals(new double[] {2, 2, 2}, g(x));
        Variable firstGrad = x.grad();
        sum(mul(x, x)).backward();
        assertArrayEquals(new double[] {4, 6, 8}, g(x));
        assertSame(firstGrad, x.grad(), "accumulation is in place into the same .grad");
        x.setGrad(null);
        sum(x).backward();
        assertArrayEquals(new double[] {1, 1, 1}, g(x));
    }

    @Test
    void gradOfAVariableUsedTwiceIsSummed() {
        Variable x = leaf(1, 2);
        Variable y = add(mul(x, x), muls(x, 3)); // 2x + 3
        sum(y).backward();
        assertArrayEquals(new double[] {5, 7}, g(x));
    }

    @Test
    void diamondGraph() {
        Variable x = leaf(0.5, -1);
        Variable a = Torch.unary(UnaryOp.EXP, x, 0, 0);
        Variable b = mul(a, a);
        Variable c = add(a, b);
        sum(c).backward();
        double[] xs = {0.5, -1};
        for (int i = 0; i < 2; i++) assertEquals(Math.exp(xs[i]) + 2 * Math.exp(2 * xs[i]), g(x)[i], 1e-12);
    }

    @Test
    void gradDtypeFollowsLeafDtype() {
        Variable x = leaf32(1f, 2f);
        Variable y = Torch.toDtype(x, DType.FLOAT64);
        assertEquals("ToCopyBackward0", y.gradFnName());
        Torch.sum(Torch.binaryScalar(BinaryOp.MUL, y, 3, 2, false), null, false, null).backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {3, 3}, g(x));
        // float64 leaf through float32
        Variable z = leaf(1, 2);
        Variable w = Torch.toDtype(z, DType.FLOAT32);
        assertEquals(DType.FLOAT32, w.dtype());
        Torch.sum(w, null, false, null).backward();
        assertEquals(DType.FLOAT64, z.grad().dtype());
        assertArrayEquals(new double[] {1, 1}, g(z));
        // to an integer dtype: no grad
        assertFalse(Torch.toDtype(z, DType.INT64).requiresGrad());
    }

    @Test
    void backwardWithExplicitGradient() {
        Variable x = leaf(1, 2, 3);
        Variable y = muls(x, 2);
        y.backward(new Variable(Tensor.of(new double[] {1, 10, 100}, 3)), false);
        assertArrayEquals(new double[] {2, 20, 200}, g(x));
        expectThrows(Kind.RUNTIME, () -> muls(x, 2).backward()); // non-scalar without gradient
        expectThrows(Kind.RUNTIME, () -> muls(x, 2).backward(new Variable(Tensor.zeros(DType.FLOAT64, 2)), false));
    }

    @Test
    void backwardFromSeveralRootsOneDependingOnTheOther() {
        Variable x = leaf(1, 2);
        Variable y = mul(x, x);                 // dy/dx = 2x
        Variable z = sum(muls(y, 3));           // dz/dx = 6x
        Engine.backward(new Variable[] {sum(y), z}, null, false);
        assertArrayEquals(new double[] {8, 16}, g(x));
    }

    @Test
    void mixedDtypeGradientsKeepEachLeafDtype() {
        Variable a = leaf32(1f, 2f, 3f);
        Variable b = new Variable(Tensor.scalar(DType.FLOAT64, 2.5), true); // 0-dim float64: result stays float32
        Variable y = mul(a, b);
        assertEquals(DType.FLOAT32, y.dtype());
        sum(y).backward();
        assertEquals(DType.FLOAT32, a.grad().dtype());
        assertEquals(DType.FLOAT64, b.grad().dtype());
        assertArrayEquals(new int[0], b.grad().shape());
        assertArrayEquals(new double[] {2.5, 2.5, 2.5}, g(a));
        assertEquals(6.0, g(b)[0], 1e-6);
        // int constant times a float leaf
        Variable k = new Variable(Tensor.of(new long[] {1, 2, 3}, 3));
        Variable c = leaf(0.5, 0.5, 0.5);
        sum(mul(k, c)).backward();
        assertArrayEquals(new double[] {1, 2, 3}, g(c));
    }

    @Test
    void backwardOnLeafItself() {
        Variable x = new Variable(Tensor.of(new double[] {4}), true);
        x.backward();
        assertArrayEquals(new double[] {1}, g(x));
    }

    // ---------------------------------------------------------------- graph freeing

    @Test
    void secondBackwardThroughFreedGraphThrows() {
        Variable x = leaf(1, 2);
        Variable y = sum(mul(x, x));
        y.backward();
        expectThrows(Kind.RUNTIME, y::backward);
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Variable x = leaf(1, 2);
        Variable y = sum(mul(x, x));
        y.backward(null, true);
        y.backward(null, true);
        assertArrayEquals(new double[] {4, 8}, g(x));
        y.backward(null, false);
        assertArrayEquals(new double[] {6, 12}, g(x));
        expectThrows(Kind.RUNTIME, y::backward);
    }

    @Test
    void secondBackwardWithoutSavedTensorsIsAllowed() {
        // PyTorch: x = torch.ones(2, requires_grad=True); y = (x + 1).sum(); y.backward(); y.backward()
        // works (no saved tensor was freed) and leaves x.grad == [2, 2]
        Variable x = leaf(1, 1);
        Variable y = sum(Torch.binaryScalar(BinaryOp.ADD, x, 1, 1, false));
        y.backward();
        y.backward();
        assertArrayEquals(new double[] {2, 2}, g(x));
    }

    // ---------------------------------------------------------------- grad mode

    @Test
    void noGradRecordsNothing() {
        Variable x = leaf(1, 2);
        boolean prev = GradMode.set(false);
        try {
            Variable y = mul(x, x);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            Variable z = Torch.matmul(x, x);
            assertFalse(z.requiresGrad());
            Variable v = Torch.view(x, new int[] {2, 1});
            assertFalse(v.requiresGrad());
            Variable[] s = Torch.sort(x, 0, false);
            assertFalse(s[0].requiresGrad());
            Variable cc = Torch.cat(new Variable[] {x, x}, 0);
            assertFalse(cc.requiresGrad());
            // in-place on a leaf that requires grad is fine under no_grad (like torch.no_grad)
            Torch.binaryScalarInPlace(BinaryOp.ADD, x, 1, 2);
            assertArrayEquals(new double[] {2, 3}, x.data.toDoubleArray());
            assertTrue(x.isLeaf());
            assertTrue(x.requiresGrad());
        } finally {
            GradMode.set(prev);
        }
        assertTrue(GradMode.isEnabled());
        Variable y = mul(x, x);
        assertTrue(y.requiresGrad());
        assertEquals("MulBackward0", y.gradFnName());
    }

    @Test
    void gradModeIsPerThread() throws InterruptedException {
        GradMode.set(false);
        boolean[] other = new boolean[1];
        Thread th = new Thread(() -> other[0] = GradMode.isEnabled());
        th.start();
        th.join();
        assertTrue(other[0]);
        assertFalse(GradMode.isEnabled());
    }

    @Test
    void constantsDoNotRequireGrad() {
        Variable a = new Variable(Tensor.of(new double[] {1, 2}, 2));
        Variable b = mul(a, a);
        assertFalse(b.requiresGrad());
        assertNull(b.gradFnName());
        expectThrows(Kind.RUNTIME, b::backward);
        expectThrows(Kind.RUNTIME, () -> new Variable(Tensor.of(new long[] {1}, 1), true));
        // comparisons and integer results never require grad
        Variable x = leaf(1, 2);
        assertFalse(Torch.binary(BinaryOp.GT, x, x).requiresGrad());
        assertFalse(Torch.maxDim(x, 0, false, true)[1].requiresGrad());
        assertFalse(Torch.argmax(x, null, false, true).requiresGrad());
    }

    // ---------------------------------------------------------------- in-place checks

    @Test
    void inPlaceOnLeafRequiringGradThrows() {
        Variable x = leaf(1, 2);
        expectThrows(Kind.RUNTIME, () -> Torch.binaryInPlace(BinaryOp.ADD, x, c(Tensor.of(new double[] {1, 1}, 2))));
        expectThrows(Kind.RUNTIME, () -> Torch.binaryScalarInPlace(BinaryOp.MUL, x, 2, 2));
        expectThrows(Kind.RUNTIME, () -> Torch.unaryInPlace(UnaryOp.EXP, x, 0, 0));
        expectThrows(Kind.RUNTIME, () -> Torch.fillInPlace(x, 0));
        expectThrows(Kind.RUNTIME, () -> Torch.copyInPlace(x, c(Tensor.of(new double[] {1, 1}, 2))));
        expectThrows(Kind.RUNTIME, () -> Torch.maskedFillInPlace(x, c(Tensor.wrap(new boolean[] {true, false}, 2)), 0));
        expectThrows(Kind.RUNTIME, () -> Torch.indexPutInPlace(x, new Variable[] {c(idx(new long[] {0}, 1))}, c(Tensor.of(new double[] {5}, 1)), false));
        expectThrows(Kind.RUNTIME, () -> Torch.scatterInPlace(x, 0, c(idx(new long[] {0}, 1)), c(Tensor.of(new double[] {5}, 1)), false));
        expectThrows(Kind.RUNTIME, () -> Torch.indexAddInPlace(x, 0, c(idx(new long[] {0}, 1)), c(Tensor.of(new double[] {5}, 1)), 1));
        assertArrayEquals(new double[] {1, 2}, x.data.toDoubleArray(), "failed in-place ops leave the data alone");
    }

    @Test
    void inPlaceOnViewOfLeafRequiringGradThrows() {
        // torch: x[0].mul_(2) -> RuntimeError "a view of a leaf Variable that requires grad is being used in
        // an in-place operation."
        Variable x = leaf(1, 2);
        expectThrows(Kind.RUNTIME, () -> Torch.binaryScalarInPlace(BinaryOp.MUL, Torch.select(x, 0, 0), 2, 2));
        expectThrows(Kind.RUNTIME, () -> Torch.fillInPlace(Torch.narrow(x, 0, 0, 1), 0));
        assertArrayEquals(new double[] {1, 2}, x.data.toDoubleArray(), "the leaf's values must not change");
    }

    @Test
    void inPlaceOnNonLeafRebases() {
        Variable x = leaf(1, 2);
        Variable y = muls(x, 1);
        Torch.binaryInPlace(BinaryOp.ADD, y, x);
        assertEquals("AddBackward0", y.gradFnName());
        Torch.binaryScalarInPlace(BinaryOp.MUL, y, 3, 2);
        assertEquals("MulBackward0", y.gradFnName());
        sum(y).backward();
        assertArrayEquals(new double[] {6, 6}, g(x));
    }

    @Test
    void modifyingASavedTensorInPlaceThenBackwardThrows() {
        Variable x = leaf(1, 2);
        Variable y = muls(x, 2);                    // non-leaf
        Variable z = sum(mul(y, y));                // MulBackward0 saves y
        Torch.binaryScalarInPlace(BinaryOp.ADD, y, 1, 2);
        expectThrows(Kind.RUNTIME, z::backward);
        // an op that saves its output (exp): changing that output breaks its own backward
        Variable a = Torch.unary(UnaryOp.EXP, x, 0, 0);
        Variable e = sum(a);
        Torch.unaryInPlace(UnaryOp.NEG, a, 0, 0);
        expectThrows(Kind.RUNTIME, e::backward);
        // nothing saved on the path (add, sum): in-place changes are fine
        Variable p = muls(x, 1);
        Variable q = sum(Torch.binaryScalar(BinaryOp.ADD, p, 1, 1, false));
        Torch.binaryScalarInPlace(BinaryOp.ADD, p, 5, 2);
        q.backward();
        assertArrayEquals(new double[] {1, 1}, g(x));
    }

    @Test
    void inPlaceWithItselfAsOperand() {
        // torch: y = x * 1; y.add_(y) is fine (grad 2); y.mul_(y) saves y and then changes it: RuntimeError
        Variable x = leaf(1, 2);
        Variable y = muls(x, 1);
        Torch.binaryInPlace(BinaryOp.ADD, y, y);
        sum(y).backward();
        assertArrayEquals(new double[] {2, 2}, g(x));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW}) {
            Variable z = muls(leaf(1, 2), 1);
            Torch.binaryInPlace(op, z, z);
            expectThrows(Kind.RUNTIME, () -> sum(z).backward());
        }
    }

    @Test
    void modifyingAViewOfASavedTensorThrows() {
        Variable x = leaf(1, 2, 3, 4);
        Variable y = muls(x, 1);
        Variable z = sum(mul(y, y));
        Variable v = Torch.narrow(y, 0, 1, 2);
        Torch.binaryScalarInPlace(BinaryOp.ADD, v, 1, 2);
        expectThrows(Kind.RUNTIME, z::backward);
    }

    @Test
    void inPlaceOnViewOfNonLeafPropagatesToBase() {
        // torch: x = tensor([1., 2.], requires_grad=True); y = x.clone(); y[0].mul_(3); y.sum().backward()
        // gives x.grad == [3, 1]
        Variable x = leaf(1, 2);
        Variable y = Torch.clone(x);
        Torch.binaryScalarInPlace(BinaryOp.MUL, Torch.select(y, 0, 0), 3, 2);
        assertArrayEquals(new double[] {3, 2}, y.data.toDoubleArray());
        sum(y).backward();
        assertArrayEquals(new double[] {3, 1}, g(x));
    }

    // ---------------------------------------------------------------- hooks and retain_grad

    @Test
    void leafHookSeesAndReplacesGrad() {
        Variable x = leaf(1, 2);
        List<double[]> seen = new ArrayList<>();
        x.registerHook(gr -> { seen.add(gr.data.toDoubleArray()); return new Variable(G.mul(gr.data, 10.0)); });
        sum(add(x, x)).backward();
        assertEquals(1, seen.size(), "the hook sees the total gradient once");
        assertArrayEquals(new double[] {2, 2}, seen.get(0));
        assertArrayEquals(new double[] {20, 20}, g(x));
    }

    @Test
    void nonLeafHookChangesUpstreamGrad() {
        Variable x = leaf(1, 2);
        Variable y = muls(x, 3);
        List<double[]> seen = new ArrayList<>();
        y.registerHook(gr -> { seen.add(gr.data.toDoubleArray()); return new Variable(G.mul(gr.data, 2.0)); });
        sum(mul(y, y)).backward();
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {6, 12}, seen.get(0)); // 2y
        assertArrayEquals(new double[] {36, 72}, g(x));      // 2 * 2y * 3
        assertNull(y.grad(), "non-leaf grads are not kept without retainGrad");
    }

    @Test
    void hookReturningNullKeepsGrad() {
        Variable x = leaf(1, 2);
        int[] calls = {0};
        x.registerHook(gr -> { calls[0]++; return null; });
        sum(muls(x, 4)).backward();
        assertEquals(1, calls[0]);
        assertArrayEquals(new double[] {4, 4}, g(x));
    }

    @Test
    void removedHookIsNotCalled() {
        Variable x = leaf(1, 2);
        int[] calls = {0};
        java.util.function.UnaryOperator<Variable> h = gr -> { calls[0]++; return null; };
        x.registerHook(h);
        x.removeHook(h);
        sum(x).backward();
        assertEquals(0, calls[0]);
    }

    @Test
    void retainGradKeepsNonLeafGrad() {
        Variable x = leaf(1, 2);
        Variable y = muls(x, 3);
        y.retainGrad();
        assertTrue(y.retainsGrad());
        sum(mul(y, y)).backward();
        assertArrayEquals(new double[] {6, 12}, g(y));
        expectThrows(Kind.RUNTIME, () -> new Variable(Tensor.of(new double[] {1}, 1)).retainGrad());
        expectThrows(Kind.RUNTIME, () -> new Variable(Tensor.of(new double[] {1}, 1)).registerHook(v -> v));
    }

    // ---------------------------------------------------------------- Engine.grad

    @Test
    void engineGradLeavesDotGradUntouched() {
        Variable x = leaf(1, 2), w = leaf(3, 4);
        Variable y = sum(mul(mul(x, x), w));
        Variable[] gs = Engine.grad(new Variable[] {y}, null, new Variable[] {x}, true, false);
        assertArrayEquals(new double[] {6, 16}, gs[0].data.toDoubleArray());
        assertNull(x.grad());
        assertNull(w.grad());
        // the graph was retained: backward still works and fills .grad
        y.backward();
        assertArrayEquals(new double[] {6, 16}, g(x));
        assertArrayEquals(new double[] {1, 4}, g(w));
    }

    @Test
    void engineGradOfNonLeafAndUnused() {
        Variable x = leaf(1, 2), unused = leaf(5);
        Variable y = muls(x, 2);
        Variable z = sum(mul(y, y));
        Variable[] gs = Engine.grad(new Variable[] {z}, null, new Variable[] {y, x, unused}, false, true);
        assertArrayEquals(new double[] {4, 8}, gs[0].data.toDoubleArray());
        assertArrayEquals(new double[] {8, 16}, gs[1].data.toDoubleArray());
        assertNull(gs[2]);
        Variable z2 = sum(mul(x, x));
        expectThrows(Kind.RUNTIME, () -> Engine.grad(new Variable[] {z2}, null, new Variable[] {unused}, false, false));
        expectThrows(Kind.RUNTIME, () -> Engine.grad(new Variable[] {sum(x)}, null, new Variable[] {c(Tensor.of(new double[] {1}, 1))}, false, true));
    }

    @Test
    void engineGradWithSeveralOutputs() {
        Variable x = leaf(1, 2);
        Variable a = sum(mul(x, x)), b = sum(muls(x, 5));
        Variable[] gs = Engine.grad(new Variable[] {a, b}, null, new Variable[] {x}, false, false);
        assertArrayEquals(new double[] {7, 9}, gs[0].data.toDoubleArray());
    }

    // ---------------------------------------------------------------- special gradients (values from PyTorch 1.13)

    @Test
    void tieAndKinkGradientsMatchPyTorch() {
        Variable x = leaf(1, 3, 3);
        Torch.amax(x, null, false, true, "AmaxBackward0").backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5}, g(x), "amax shares ties evenly");
        Variable x2 = leaf(1, 3, 3);
        Torch.maxDim(x2, 0, false, true)[0].backward();
        assertArrayEquals(new double[] {0, 1, 0}, g(x2), "max(dim) sends all to the first index");
        Variable x3 = leaf(1, -3, 3);
        Torch.norm(x3, Double.POSITIVE_INFINITY, null, false).backward();
        assertArrayEquals(new double[] {0, -0.5, 0.5}, g(x3), "inf-norm ties");
        Variable a = leaf(2, 2), b = leaf(2, 2);
        sum(Torch.binary(BinaryOp.MAXIMUM, a, b)).backward();
        assertArrayEquals(new double[] {0.5, 0.5}, g(a));
        assertArrayEquals(new double[] {0.5, 0.5}, g(b));
        Variable p = leaf(0, 0, 3);
        Torch.prod(p, null, false).backward();
        assertArrayEquals(new double[] {0, 0, 0}, g(p));
        Variable p2 = new Variable(Tensor.of(new double[] {0, 2, 3, 0, 0, 1}, 2, 3), true);
        sum(Torch.prod(p2, new int[] {1}, false)).backward();
        assertArrayEquals(new double[] {6, 0, 0, 0, 0, 0}, g(p2));
        Variable k = leaf(0, -1);
        sum(Torch.unary(UnaryOp.ABS, k, 0, 0)).backward();
        assertArrayEquals(new double[] {0, -1}, g(k));
        Variable rl = leaf(0, -1);
        sum(Torch.unary(UnaryOp.RELU, rl, 0, 0)).backward();
        assertArrayEquals(new double[] {0, 0}, g(rl));
        Variable cl = leaf(-1, 1);
        sum(Torch.unary(UnaryOp.CLAMP, cl, -1, 1)).backward();
        assertArrayEquals(new double[] {1, 1}, g(cl), "clamp passes the gradient at its bounds");
        Variable ht = leaf(-1, 0.5);
        sum(Torch.unary(UnaryOp.HARDTANH, ht, -1, 0.5)).backward();
        assertArrayEquals(new double[] {0, 0}, g(ht), "hardtanh blocks it at its bounds");
        Variable pw = leaf(0, 2);
        sum(Torch.unary(UnaryOp.POW, pw, 0, 0)).backward();
        assertArrayEquals(new double[] {0, 0}, g(pw));
        Variable pb = leaf(0, 2);
        sum(Torch.binary(BinaryOp.POW, pb, c(Tensor.of(new double[] {0, 1}, 2)))).backward();
        assertArrayEquals(new double[] {0, 1}, g(pb));
        Variable n0 = leaf(0, 0);
        Torch.norm(n0, 2, null, false).backward();
        assertArrayEquals(new double[] {0, 0}, g(n0));
        Variable sq = leaf(0, 1);
        sum(Torch.unary(UnaryOp.SQRT, sq, 0, 0)).backward();
        assertEquals(Double.POSITIVE_INFINITY, g(sq)[0]);
        assertEquals(0.5, g(sq)[1]);
    }

    @Test
    void cumprodWithZerosMatchesPyTorch() {
        // torch.cumprod(tensor([2., 0., 3.]), 0).sum().backward() -> grad [1, 8, 0]
        Variable x = leaf(2, 0, 3);
        sum(Torch.cumprod(x, 0)).backward();
        assertArrayEquals(new double[] {1, 8, 0}, g(x));
    }

    // ---------------------------------------------------------------- node names (PyTorch 1.13 grad_fn names)

    @Test
    void gradFnNames() {
        Variable a = leaf(1, 2);
        Variable m = new Variable(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), true);
        assertNull(a.gradFnName());
        assertEquals("AddBackward0", Torch.binaryScalar(BinaryOp.ADD, a, 1, 1, false).gradFnName());
        assertEquals("AddBackward0", add(a, a).gradFnName());
        assertEquals("SubBackward0", Torch.binaryScalar(BinaryOp.SUB, a, 1, 1, false).gradFnName());
        assertEquals("SubBackward0", Torch.binary(BinaryOp.SUB, a, a).gradFnName());
        assertEquals("RsubBackward1", Torch.binaryScalar(BinaryOp.SUB, a, 1, 1, true).gradFnName());
        assertEquals("MulBackward0", muls(a, 2).gradFnName());
        assertEquals("DivBackward0", Torch.binaryScalar(BinaryOp.DIV, a, 2, 1, false).gradFnName());
        assertEquals("PowBackward0", Torch.binaryScalar(BinaryOp.POW, a, 2, 1, false).gradFnName());
        assertEquals("PowBackward1", Torch.binary(BinaryOp.POW, a, a).gradFnName());
        assertEquals("MaximumBackward0", Torch.binary(BinaryOp.MAXIMUM, a, a).gradFnName());
        assertEquals("SumBackward0", sum(a).gradFnName());
        assertEquals("SumBackward1", Torch.sum(a, new int[] {0}, false, null).gradFnName());
        assertEquals("MeanBackward0", Torch.mean(a, null, false).gradFnName());
        assertEquals("MeanBackward1", Torch.mean(a, new int[] {0}, false).gradFnName());
        assertEquals("ProdBackward0", Torch.prod(a, null, false).gradFnName());
        assertEquals("MaxBackward0", Torch.maxDim(a, 0, false, true)[0].gradFnName());
        assertEquals("MinBackward0", Torch.maxDim(a, 0, false, false)[0].gradFnName());
        assertEquals("VarBackward0", Torch.var(a, null, 1, false, false).gradFnName());
        assertEquals("StdBackward0", Torch.var(a, null, 1, false, true).gradFnName());
        assertEquals("LogsumexpBackward0", Torch.logsumexp(a, new int[] {0}, false).gradFnName());
        assertEquals("CumsumBackward0", Torch.cumsum(a, 0).gradFnName());
        assertEquals("CumprodBackward0", Torch.cumprod(a, 0).gradFnName());
        assertEquals("SoftmaxBackward0", Torch.softmax(a, 0, false).gradFnName());
        assertEquals("LogSoftmaxBackward0", Torch.softmax(a, 0, true).gradFnName());
        assertEquals("ExpBackward0", Torch.unary(UnaryOp.EXP, a, 0, 0).gradFnName());
        assertEquals("SigmoidBackward0", Torch.unary(UnaryOp.SIGMOID, a, 0, 0).gradFnName());
        assertEquals("ReluBackward0", Torch.unary(UnaryOp.RELU, a, 0, 0).gradFnName());
        assertEquals("Log1PBackward0", Torch.unary(UnaryOp.LOG1P, a, 0, 0).gradFnName());
        assertEquals("GeluBackward0", Torch.unary(UnaryOp.GELU, a, 0, 0).gradFnName());
        assertEquals("ClampBackward1", Torch.unary(UnaryOp.CLAMP, a, 0, 1).gradFnName());
        assertEquals("TanhBackward0", Torch.unary(UnaryOp.TANH, a, 0, 0).gradFnName());
        assertEquals("MmBackward0", Torch.matmul(m, m).gradFnName());
        assertEquals("DotBackward0", Torch.matmul(a, a).gradFnName());
        assertEquals("MvBackward0", Torch.matmul(m, a).gradFnName());
        assertEquals("BmmBackward0", Torch.bmm(Torch.unsqueeze(m, 0), Torch.unsqueeze(m, 0)).gradFnName());
        assertEquals("ViewBackward0", Torch.view(a, new int[] {2, 1}).gradFnName());
        assertEquals("UnsafeViewBackward0", Torch.reshape(Torch.t(m), new int[] {4}).gradFnName());
        assertEquals("TBackward0", Torch.t(m).gradFnName());
        assertEquals("TransposeBackward0", Torch.transpose(m, 0, 1).gradFnName());
        assertEquals("PermuteBackward0", Torch.permute(m, new int[] {1, 0}).gradFnName());
        assertEquals("SelectBackward0", Torch.select(a, 0, 0).gradFnName());
        assertEquals("SliceBackward0", Torch.slice(a, 0, 0, 1, 1).gradFnName());
        assertEquals("UnsqueezeBackward0", Torch.unsqueeze(a, 0).gradFnName());
        assertEquals("SqueezeBackward0", Torch.squeeze(Torch.unsqueeze(a, 0)).gradFnName());
        assertEquals("ExpandBackward0", Torch.expand(a, new int[] {2, 2}).gradFnName());
        assertEquals("CloneBackward0", Torch.clone(a).gradFnName());
        assertEquals("CatBackward0", Torch.cat(new Variable[] {a, a}, 0).gradFnName());
        assertEquals("StackBackward0", Torch.stack(new Variable[] {a, a}, 0).gradFnName());
        assertEquals("SplitWithSizesBackward0", Torch.split(a, new int[] {1, 1}, 0)[0].gradFnName());
        assertEquals("WhereBackward0", Torch.where(c(Tensor.wrap(new boolean[] {true, false}, 2)), a, a).gradFnName());
        assertEquals("MaskedFillBackward0", Torch.maskedFill(a, c(Tensor.wrap(new boolean[] {true, false}, 2)), 0).gradFnName());
        assertEquals("TrilBackward0", Torch.triangle(m, 0, false).gradFnName());
        assertEquals("TriuBackward0", Torch.triangle(m, 0, true).gradFnName());
        assertEquals("FlipBackward0", Torch.flip(a, new int[] {0}).gradFnName());
        assertEquals("RepeatBackward0", Torch.repeat(a, new int[] {2}).gradFnName());
        assertEquals("SortBackward0", Torch.sort(a, 0, false)[0].gradFnName());
        assertEquals("TopkBackward0", Torch.topk(a, 1, 0, true)[0].gradFnName());
        assertEquals("GatherBackward0", Torch.gather(a, 0, c(idx(new long[] {0}, 1))).gradFnName());
        assertEquals("IndexBackward0", Torch.index(a, new Variable[] {c(idx(new long[] {0}, 1))}).gradFnName());
        assertEquals("IndexSelectBackward0", Torch.indexSelect(a, 0, c(idx(new long[] {0}, 1))).gradFnName());
        assertEquals("ToCopyBackward0", Torch.toDtype(a, DType.FLOAT32).gradFnName());
        Variable y = muls(a, 1);
        Torch.binaryInPlace(BinaryOp.ADD, y, a);
        assertEquals("AddBackward0", y.gradFnName());
        Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {0}, 1))}, Torch.select(a, 0, 0), false);
        assertEquals("IndexPutBackward0", y.gradFnName());
    }

    @Test
    void nextFunctionsFollowTheGraph() {
        Variable x = leaf(1, 2);
        Variable y = Torch.unary(UnaryOp.EXP, x, 0, 0);
        Variable z = mul(y, c(Tensor.of(new double[] {1, 1}, 2)));
        List<Node> next = z.gradFn().nextFunctions();
        assertEquals(2, next.size());
        assertNotNull(next.get(0));
        assertEquals("ExpBackward0", next.get(0).name());
        assertNull(next.get(1));
        assertNull(y.gradFn().nextFunctions().get(0), "leaf edges are null");
    }

    @Test
    void detachCutsTheGraph() {
        Variable x = leaf(1, 2);
        Variable y = muls(x, 2).detach();
        assertFalse(y.requiresGrad());
        Variable z = add(mul(y, x), x);
        sum(z).backward();
        assertArrayEquals(new double[] {3, 5}, g(x));
        Variable w = muls(x, 2);
        w.detachInPlace();
        assertTrue(w.isLeaf());
        assertFalse(w.requiresGrad());
        expectThrows(Kind.RUNTIME, () -> muls(x, 2).setRequiresGrad(false));
    }

    @Test
    void setGradChecksTypeAndShape() {
        Variable x = leaf(1, 2);
        expectThrows(Kind.TYPE, () -> x.setGrad(new Variable(Tensor.of(new float[] {1, 2}, 2))));
        expectThrows(Kind.RUNTIME, () -> x.setGrad(new Variable(Tensor.of(new double[] {1, 2, 3}, 3))));
        x.setGrad(new Variable(Tensor.of(new double[] {5, 5}, 2)));
        sum(x).backward();
        assertArrayEquals(new double[] {6, 6}, g(x));
    }

    @Test
    void customFunctionBackward() {
        Variable x = leaf(1, 2);
        Variable out = new Variable(G.mul(x.data, 3.0));
        Torch.recordCustom("MyFnBackward", new Variable[] {out}, new Variable[] {x},
            gs -> new Variable[] {new Variable(G.mul(gs[0].data, 3.0))});
        assertEquals("MyFnBackward", out.gradFnName());
        sum(out).backward();
        assertArrayEquals(new double[] {3, 3}, g(x));
    }
}
