package org.jtorch.autograd;

import static org.jtorch.autograd.GradCheck.away;
import static org.jtorch.autograd.GradCheck.rnd;
import static org.jtorch.autograd.GradCheck.test;
import static org.jtorch.autograd.GradCheck.uni;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.UnaryOp;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference gradient checks of the elementwise ops: binary (with broadcasting), scalar, unary, in-place. */
class GradcheckElementwiseTest {
    static final double NAN = Double.NaN;

    /** Operand pairs for a binary op: values chosen per op to stay away from kinks and singularities. */
    private static Tensor[] operands(Random r, BinaryOp op, int[] sa, int[] sb) {
        return switch (op) {
            case POW -> new Tensor[] {uni(r, 0.5, 2.0, sa), uni(r, -1.5, 1.5, sb)};
            case DIV -> new Tensor[] {rnd(r, sa), signed(r, uni(r, 0.5, 2.0, sb))};
            // a / b between 2.2 and 2.8 in magnitude: floor and trunc are locally constant
            case REMAINDER, FMOD -> new Tensor[] {signed(r, uni(r, 5.3, 5.7, sa)), uni(r, 2.05, 2.35, sb)};
            case ATAN2 -> new Tensor[] {rnd(r, sa), signed(r, uni(r, 0.3, 2.0, sb))};
            default -> new Tensor[] {rnd(r, sa), rnd(r, sb)};
        };
    }

    static Tensor signed(Random r, Tensor t) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) if (r.nextBoolean()) v[i] = -v[i];
        return Tensor.of(v, t.shape());
    }

    static final BinaryOp[] DIFF_BINARY = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW,
        BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.REMAINDER, BinaryOp.FMOD, BinaryOp.ATAN2};

    @TestFactory
    Stream<DynamicTest> binary() {
        Random r = new Random(1);
        List<DynamicTest> t = new ArrayList<>();
        int[][][] shapes = {
            {{2, 3}, {2, 3}},       // same shape
            {{2, 3}, {3}},          // b broadcast (fewer dims)
            {{4}, {2, 3, 4}},       // a broadcast (fewer dims)
            {{3, 1}, {1, 4}},       // both broadcast
            {{2, 1, 3}, {2, 4, 1}}, // both broadcast, 3-D
            {{2, 3}, {}},           // b 0-dim
            {{}, {2, 3}},           // a 0-dim
        };
        for (BinaryOp op : DIFF_BINARY) {
            for (int[][] s : shapes) {
                Tensor[] ab = operands(r, op, s[0], s[1]);
                String name = op + "_" + org.jtorch.engine.Shape.str(s[0]) + "_" + org.jtorch.engine.Shape.str(s[1]);
                t.add(test(name, x -> Torch.binary(op, x[0], x[1]), ab));
                // only one side requires grad
                t.add(test(name + "_const_b", x -> Torch.binary(op, x[0], GradCheck.c(ab[1])), ab[0]));
                t.add(test(name + "_const_a", x -> Torch.binary(op, GradCheck.c(ab[0]), x[0]), ab[1]));
            }
            // the same variable on both sides
            Tensor a = op == BinaryOp.POW ? uni(r, 0.5, 2, 5) : op == BinaryOp.ATAN2 || op == BinaryOp.DIV ? signed(r, uni(r, 0.5, 2, 5)) : rnd(r, 5);
            if (op != BinaryOp.MAXIMUM && op != BinaryOp.MINIMUM && op != BinaryOp.REMAINDER && op != BinaryOp.FMOD)
                t.add(test(op + "_self", x -> Torch.binary(op, x[0], x[0]), a));
            // non-contiguous operands
            Tensor[] ab = operands(r, op, new int[] {4, 3}, new int[] {3, 4});
            t.add(test(op + "_transposed", x -> Torch.binary(op, Torch.t(x[0]), x[1]), ab));
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> binaryScalar() {
        Random r = new Random(2);
        List<DynamicTest> t = new ArrayList<>();
        Tensor gen = rnd(r, 2, 3);
        Tensor pos = uni(r, 0.5, 2.0, 2, 3);
        Tensor nz = signed(r, uni(r, 0.5, 2.0, 2, 3));
        Tensor rem = signed(r, uni(r, 5.3, 5.7, 2, 3));
        for (boolean rev : new boolean[] {false, true}) {
            String s = rev ? "_rev" : "_fwd";
            t.add(test("ADD" + s, x -> Torch.binaryScalar(BinaryOp.ADD, x[0], 1.5, 2, rev), gen));
            t.add(test("ADD_int" + s, x -> Torch.binaryScalar(BinaryOp.ADD, x[0], 3, 1, rev), gen));
            t.add(test("SUB" + s, x -> Torch.binaryScalar(BinaryOp.SUB, x[0], 1.5, 2, rev), gen));
            t.add(test("MUL" + s, x -> Torch.binaryScalar(BinaryOp.MUL, x[0], -2.5, 2, rev), gen));
            t.add(test("DIV" + s, x -> Torch.binaryScalar(BinaryOp.DIV, x[0], 1.7, 2, rev), rev ? nz : gen));
            t.add(test("POW" + s, x -> Torch.binaryScalar(BinaryOp.POW, x[0], rev ? 1.8 : 2.5, 2, rev), rev ? gen : pos));
            t.add(test("POW_int" + s, x -> Torch.binaryScalar(BinaryOp.POW, x[0], 3, 1, rev), rev ? gen : gen));
            t.add(test("MAXIMUM" + s, x -> Torch.binaryScalar(BinaryOp.MAXIMUM, x[0], 0.1, 2, rev), away(r, -2, 2, new double[] {0.1}, 0.05, 2, 3)));
            t.add(test("MINIMUM" + s, x -> Torch.binaryScalar(BinaryOp.MINIMUM, x[0], 0.1, 2, rev), away(r, -2, 2, new double[] {0.1}, 0.05, 2, 3)));
            t.add(test("ATAN2" + s, x -> Torch.binaryScalar(BinaryOp.ATAN2, x[0], 0.7, 2, rev), nz));
        }
        t.add(test("REMAINDER_fwd", x -> Torch.binaryScalar(BinaryOp.REMAINDER, x[0], 2.2, 2, false), rem));
        t.add(test("FMOD_fwd", x -> Torch.binaryScalar(BinaryOp.FMOD, x[0], 2.2, 2, false), rem));
        t.add(test("REMAINDER_rev", x -> Torch.binaryScalar(BinaryOp.REMAINDER, x[0], 5.5, 2, true), uni(r, 2.05, 2.35, 2, 3)));
        t.add(test("POW_0dim", x -> Torch.binaryScalar(BinaryOp.POW, x[0], 2, 1, false), uni(r, 0.5, 2, new int[0])));
        return t.stream();
    }

    /** Unary ops with a backward, with a domain away from their kinks and singularities. */
    record U(UnaryOp op, double p1, double p2, double lo, double hi, double[] kinks) {
        U(UnaryOp op, double lo, double hi) { this(op, 0, 0, lo, hi, new double[0]); }
        U(UnaryOp op, double lo, double hi, double... kinks) { this(op, 0, 0, lo, hi, kinks); }
    }

    static double[] halves(double lo, double hi) {
        List<Double> l = new ArrayList<>();
        for (double k = Math.floor(lo); k <= hi; k += 0.5) l.add(k);
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static final U[] UNARY = {
        new U(UnaryOp.NEG, -3, 3),
        new U(UnaryOp.ABS, -3, 3, 0),
        new U(UnaryOp.SIGN, -3, 3, 0),
        new U(UnaryOp.EXP, -2, 2),
        new U(UnaryOp.LOG, 0.2, 4),
        new U(UnaryOp.LOG2, 0.2, 4),
        new U(UnaryOp.LOG10, 0.2, 4),
        new U(UnaryOp.LOG1P, -0.8, 4),
        new U(UnaryOp.EXPM1, -2, 2),
        new U(UnaryOp.SQRT, 0.2, 4),
        new U(UnaryOp.RSQRT, 0.2, 4),
        new U(UnaryOp.SIN, -3, 3),
        new U(UnaryOp.COS, -3, 3),
        new U(UnaryOp.TAN, -1.2, 1.2),
        new U(UnaryOp.ASIN, -0.9, 0.9),
        new U(UnaryOp.ACOS, -0.9, 0.9),
        new U(UnaryOp.ATAN, -3, 3),
        new U(UnaryOp.SINH, -2, 2),
        new U(UnaryOp.COSH, -2, 2),
        new U(UnaryOp.TANH, -2, 2),
        new U(UnaryOp.SIGMOID, -4, 4),
        new U(UnaryOp.RELU, -3, 3, 0),
        new U(UnaryOp.FLOOR, -3, 3, halves(-3, 3)),
        new U(UnaryOp.CEIL, -3, 3, halves(-3, 3)),
        new U(UnaryOp.ROUND, -3, 3, halves(-3, 3)),
        new U(UnaryOp.TRUNC, -3, 3, halves(-3, 3)),
        new U(UnaryOp.FRAC, -3, 3, halves(-3, 3)),
        new U(UnaryOp.RECIPROCAL, -3, 3, 0),
        new U(UnaryOp.SQUARE, -3, 3),
        new U(UnaryOp.CLAMP, -1, 1, -2, 2, new double[] {-1, 1}),
        new U(UnaryOp.CLAMP, -0.5, NAN, -2, 2, new double[] {-0.5}),
        new U(UnaryOp.CLAMP, NAN, 0.5, -2, 2, new double[] {0.5}),
        new U(UnaryOp.POW, 3, 0, -2, 2, new double[0]),
        new U(UnaryOp.POW, 2, 0, -2, 2, new double[0]),
        new U(UnaryOp.POW, 0.5, 0, 0.2, 3, new double[0]),
        new U(UnaryOp.POW, -2, 0, 0.3, 3, new double[0]),
        new U(UnaryOp.POW, 0, 0, -2, 2, new double[0]),
        new U(UnaryOp.POW, 1, 0, -2, 2, new double[0]),
        new U(UnaryOp.RPOW, 2, 0, -2, 2, new double[0]),
        new U(UnaryOp.RPOW, 0.5, 0, -2, 2, new double[0]),
        new U(UnaryOp.GELU, -3, 3),
        new U(UnaryOp.GELU_TANH, -3, 3),
        new U(UnaryOp.SILU, -3, 3),
        new U(UnaryOp.ERF, -2, 2),
        new U(UnaryOp.LEAKY_RELU, 0.1, 0, -3, 3, new double[] {0}),
        new U(UnaryOp.ELU, 1.5, 0, -3, 3, new double[] {0}),
        new U(UnaryOp.ELU, 1.0, 0, -3, 3, new double[] {0}),
        new U(UnaryOp.SOFTPLUS, 2, 3, -3, 3, new double[] {1.5}),
        new U(UnaryOp.SOFTPLUS, 1, 20, -3, 3, new double[0]),
        new U(UnaryOp.HARDTANH, -1, 0.5, -2, 2, new double[] {-1, 0.5}),
    };

    @TestFactory
    Stream<DynamicTest> unary() {
        Random r = new Random(3);
        List<DynamicTest> t = new ArrayList<>();
        for (U u : UNARY) {
            String name = u.op + (u.p1 != 0 || u.p2 != 0 ? "_" + u.p1 + "_" + u.p2 : "");
            Tensor x = away(r, u.lo, u.hi, u.kinks, 0.02, 3, 4);
            t.add(test(name, v -> Torch.unary(u.op, v[0], u.p1, u.p2), x));
            // through a non-contiguous view, and on a 0-dim input
            t.add(test(name + "_t", v -> Torch.unary(u.op, Torch.t(v[0]), u.p1, u.p2), x));
            t.add(test(name + "_0dim", v -> Torch.unary(u.op, v[0], u.p1, u.p2), away(r, u.lo, u.hi, u.kinks, 0.02)));
            // in place on a non-leaf (rebasing)
            t.add(test(name + "_inplace", v -> {
                Variable y = Torch.binaryScalar(BinaryOp.MUL, v[0], 1.0, 2, false);
                Torch.unaryInPlace(u.op, y, u.p1, u.p2);
                return y;
            }, x));
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> inPlaceOnNonLeaves() {
        Random r = new Random(4);
        List<DynamicTest> t = new ArrayList<>();
        for (BinaryOp op : DIFF_BINARY) {
            Tensor[] ab = operands(r, op, new int[] {2, 3}, new int[] {3});
            t.add(test(op + "_inplace", x -> {
                Variable y = Torch.clone(x[0]);
                Torch.binaryInPlace(op, y, x[1]);
                return y;
            }, ab));
            t.add(test(op + "_inplace_const_other", x -> {
                Variable y = Torch.clone(x[0]);
                Torch.binaryInPlace(op, y, GradCheck.c(ab[1]));
                return y;
            }, ab[0]));
            // self does not require grad, other does: the result starts requiring grad
            t.add(test(op + "_inplace_into_constant", x -> {
                Variable y = new Variable(ab[0].copy());
                Torch.binaryInPlace(op, y, x[0]);
                return y;
            }, ab[1]));
        }
        // a chain of in-place ops, the earlier value also used out of place
        t.add(test("chain", x -> {
            Variable y = Torch.binaryScalar(BinaryOp.MUL, x[0], 2.0, 2, false); // saves x, not y
            Variable z = Torch.binary(BinaryOp.ADD, y, x[1]); // uses y before the in-place ops (saves nothing)
            Torch.binaryInPlace(BinaryOp.MUL, y, x[1]);
            Torch.binaryScalarInPlace(BinaryOp.ADD, y, 2.0, 2);
            Torch.unaryInPlace(UnaryOp.SIN, y, 0, 0);
            return Torch.binary(BinaryOp.MUL, y, z);
        }, rnd(r, 2, 3), rnd(r, 2, 3)));
        // the variable is its own operand: y op= y (mul_/div_/pow_ save y and then change it: an error in
        // PyTorch too, see AutogradBehaviourTest)
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB}) {
            t.add(test(op + "_inplace_self", x -> {
                Variable y = Torch.binaryScalar(BinaryOp.MUL, x[0], 1.0, 2, false);
                Torch.binaryInPlace(op, y, y);
                return y;
            }, uni(r, 0.5, 2, 2, 3)));
        }
        // an in-place result feeding another in-place op on a second variable
        t.add(test("inplace_two_vars", x -> {
            Variable y = Torch.clone(x[0]);
            Variable z = Torch.clone(x[1]);
            Torch.binaryInPlace(BinaryOp.MUL, y, x[1]);
            Torch.binaryInPlace(BinaryOp.ADD, z, y);
            Torch.binaryInPlace(BinaryOp.MUL, y, z);
            return Torch.binary(BinaryOp.SUB, y, z);
        }, rnd(r, 2, 3), rnd(r, 2, 3)));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW}) {
            t.add(test(op + "_scalar_inplace", x -> {
                Variable y = Torch.clone(x[0]);
                Torch.binaryScalarInPlace(op, y, 1.5, 2);
                return y;
            }, uni(r, 0.5, 2, 2, 3)));
        }
        return t.stream();
    }
}
