package org.jtorch.autograd;

import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.UnaryOp;

/** Short names for engine arithmetic used inside backward functions (no autograd recording). */
final class G {
    private G() {}

    static Tensor add(Tensor a, Tensor b) { return Ops.binary(BinaryOp.ADD, a, b); }
    static Tensor sub(Tensor a, Tensor b) { return Ops.binary(BinaryOp.SUB, a, b); }
    static Tensor mul(Tensor a, Tensor b) { return Ops.binary(BinaryOp.MUL, a, b); }
    static Tensor div(Tensor a, Tensor b) { return Ops.binary(BinaryOp.DIV, a, b); }
    static Tensor mul(Tensor a, double s) { return Ops.binaryScalar(BinaryOp.MUL, a, s, 2, false); }
    static Tensor add(Tensor a, double s) { return Ops.binaryScalar(BinaryOp.ADD, a, s, 2, false); }
    static Tensor rsub(double s, Tensor a) { return Ops.binaryScalar(BinaryOp.SUB, a, s, 2, true); }
    static Tensor neg(Tensor a) { return Ops.unary(UnaryOp.NEG, a, 0, 0); }
    static Tensor un(UnaryOp op, Tensor a) { return Ops.unary(op, a, 0, 0); }
    static Tensor un(UnaryOp op, Tensor a, double p1) { return Ops.unary(op, a, p1, 0); }
    static Tensor cmp(BinaryOp op, Tensor a, Tensor b) { return Ops.binary(op, a, b); }
    static Tensor cmp(BinaryOp op, Tensor a, double s) { return Ops.binaryScalar(op, a, s, 2, false); }
    /** mask (bool) as a tensor of dtype dt. */
    static Tensor f(Tensor mask, DType dt) { return Ops.to(mask, dt); }
    static Tensor zeros(Tensor like) { return Tensor.zeros(like.dtype, like.shapeRef()).to(like.device); }
    static Tensor cast(Tensor t, DType dt) { return Ops.to(t, dt); }

    /** Sums a broadcast gradient back to shape (and dtype dt). */
    static Tensor sumTo(Tensor g, int[] shape, DType dt) {
        int[] gs = g.shapeRef();
        if (java.util.Arrays.equals(gs, shape)) return cast(g, dt);
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int k = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead) dims[k++] = i;
            else if (shape[i - lead] == 1 && gs[i] != 1) dims[k++] = i;
        }
        Tensor r = k == 0 ? g : Ops.sum(g, java.util.Arrays.copyOf(dims, k), true);
        return cast(r.reshape(shape), dt);
    }
}
