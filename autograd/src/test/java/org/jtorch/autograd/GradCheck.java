package org.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.jtorch.engine.DType;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.junit.jupiter.api.DynamicTest;

/**
 * Gradient checking against central finite differences in float64.
 *
 * <p>The function's outputs are reduced to a scalar as {@code sum_k <out_k, W_k>} with fixed random weights
 * {@code W_k}; the analytic gradient comes from {@link Engine#backward} seeded with the W_k (no other op is
 * involved) and is compared with {@code (F(x+h) - F(x-h)) / 2h}. The same gradient is also computed with
 * {@link Engine#grad}, which must agree and must leave {@code .grad} alone.
 */
final class GradCheck {
    static final double H = 1e-6, ATOL = 1e-6, RTOL = 1e-6;

    private GradCheck() {}

    /** A function of the inputs with one or more outputs (non-floating outputs are ignored). */
    @FunctionalInterface
    interface Fn { Variable[] apply(Variable[] xs); }

    static Fn one(Function<Variable[], Variable> f) { return xs -> new Variable[] {f.apply(xs)}; }

    static DynamicTest test(String name, Function<Variable[], Variable> f, Tensor... inputs) {
        return DynamicTest.dynamicTest(name, () -> check(name, one(f), inputs));
    }

    static DynamicTest testMulti(String name, Fn f, Tensor... inputs) {
        return DynamicTest.dynamicTest(name, () -> check(name, f, inputs));
    }

    // ---------------------------------------------------------------- inputs

    static Tensor rnd(Random r, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Tensor.of(v, shape);
    }

    static Tensor uni(Random r, double lo, double hi, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return Tensor.of(v, shape);
    }

    /** Uniform in [lo, hi) but at least margin away from each kink. */
    static Tensor away(Random r, double lo, double hi, double[] kinks, double margin, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double x;
            boolean ok;
            do {
                x = lo + (hi - lo) * r.nextDouble();
                ok = true;
                for (double k : kinks) if (Math.abs(x - k) < margin) ok = false;
            } while (!ok);
            v[i] = x;
        }
        return Tensor.of(v, shape);
    }

    /** Distinct values (a shuffled, jittered ramp): no ties for max/sort/topk. */
    static Tensor distinct(Random r, int... shape) {
        int n = Shape.numel(shape);
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < n; i++) p.add(i);
        java.util.Collections.shuffle(p, r);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (p.get(i) - n / 2.0) * 0.37 + 0.1 * r.nextDouble();
        return Tensor.of(v, shape);
    }

    static Tensor idx(long[] v, int... shape) { return Tensor.of(v, shape); }

    static Tensor mask(boolean[] v, int... shape) { return Tensor.wrap(v, shape); }

    static Variable c(Tensor t) { return new Variable(t); }

    // ---------------------------------------------------------------- the check

    static void check(String name, Fn f, Tensor... inputs) {
        boolean prev = GradMode.set(true);
        try {
            for (Tensor t : inputs) assertEquals(DType.FLOAT64, t.dtype, "gradcheck inputs must be float64");
            Tensor[] base = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) base[i] = inputs[i].contiguous().copy();

            // analytic, by backward
            Variable[] leaves = leaves(base);
            Variable[] outs = f.apply(leaves);
            Random wr = new Random(name.hashCode());
            Tensor[] w = new Tensor[outs.length];
            List<Variable> roots = new ArrayList<>(), seeds = new ArrayList<>();
            for (int k = 0; k < outs.length; k++) {
                if (outs[k] == null || !outs[k].data.dtype.isFloating()) continue;
                w[k] = Ops_to(rnd(wr, outs[k].data.shapeRef()), outs[k].data.dtype);
                if (outs[k].requiresGrad()) { roots.add(outs[k]); seeds.add(new Variable(w[k])); }
            }
            assertFalse(roots.isEmpty(), name + ": no output requires grad");
            Engine.backward(roots.toArray(new Variable[0]), seeds.toArray(new Variable[0]), false);
            Tensor[] analytic = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Variable g = leaves[i].grad();
                if (g != null) {
                    assertEquals(DType.FLOAT64, g.data.dtype, name + ": grad dtype of input " + i);
                    assertArrayEquals(base[i].shapeRef(), g.data.shapeRef(), name + ": grad shape of input " + i);
                }
                analytic[i] = g == null ? Tensor.zeros(DType.FLOAT64, base[i].shapeRef()) : g.data;
            }

            // analytic, by Engine.grad on a fresh graph: same values, .grad untouched
            Variable[] leaves2 = leaves(base);
            Variable[] outs2 = f.apply(leaves2);
            List<Variable> roots2 = new ArrayList<>(), seeds2 = new ArrayList<>();
            for (int k = 0; k < outs2.length; k++)
                if (w[k] != null && outs2[k].requiresGrad()) { roots2.add(outs2[k]); seeds2.add(new Variable(w[k])); }
            Variable[] g2 = Engine.grad(roots2.toArray(new Variable[0]), seeds2.toArray(new Variable[0]), leaves2, false, true);
            for (int i = 0; i < inputs.length; i++) {
                if (leaves2[i].grad() != null) fail(name + ": Engine.grad wrote .grad of input " + i);
                double[] a = analytic[i].toDoubleArray();
                double[] b = g2[i] == null ? new double[a.length] : g2[i].data.toDoubleArray();
                for (int j = 0; j < a.length; j++)
                    if (Math.abs(a[j] - b[j]) > 1e-12 + 1e-12 * Math.abs(a[j]))
                        fail(name + ": Engine.grad and backward differ for input " + i + " at " + j + ": " + b[j] + " vs " + a[j]);
            }

            // numeric
            GradMode.set(false);
            for (int i = 0; i < inputs.length; i++) {
                double[] x = base[i].toDoubleArray();
                double[] num = new double[x.length];
                for (int j = 0; j < x.length; j++) {
                    double keep = x[j];
                    x[j] = keep + H;
                    double fp = eval(f, base, i, x, w);
                    x[j] = keep - H;
                    double fm = eval(f, base, i, x, w);
                    x[j] = keep;
                    num[j] = (fp - fm) / (2 * H);
                }
                double[] an = analytic[i].toDoubleArray();
                for (int j = 0; j < x.length; j++) {
                    if (!(Math.abs(an[j] - num[j]) <= ATOL + RTOL * Math.abs(num[j])))
                        fail(name + ": gradient of input " + i + " " + Shape.str(base[i].shapeRef()) + " at flat index " + j
                            + ": analytic " + an[j] + " numeric " + num[j] + "\n analytic " + Arrays.toString(an) + "\n numeric  " + Arrays.toString(num));
                }
            }
        } finally {
            GradMode.set(prev);
        }
    }

    private static Tensor Ops_to(Tensor t, DType dt) { return org.jtorch.engine.Ops.to(t, dt); }

    private static Variable[] leaves(Tensor[] base) {
        Variable[] v = new Variable[base.length];
        for (int i = 0; i < base.length; i++) v[i] = new Variable(base[i].copy(), true);
        return v;
    }

    private static double eval(Fn f, Tensor[] base, int which, double[] x, Tensor[] w) {
        Variable[] vs = new Variable[base.length];
        for (int i = 0; i < base.length; i++)
            vs[i] = new Variable(i == which ? Tensor.of(x.clone(), base[i].shape()) : base[i].copy());
        Variable[] outs = f.apply(vs);
        double s = 0;
        for (int k = 0; k < outs.length; k++) {
            if (w[k] == null) continue;
            double[] o = outs[k].data.toDoubleArray(), ww = w[k].toDoubleArray();
            for (int j = 0; j < o.length; j++) s += o[j] * ww[j];
        }
        return s;
    }

    /** Runs f expecting a TorchException of the given kind. */
    static TorchException expectThrows(TorchException.Kind kind, Runnable r) {
        try {
            r.run();
        } catch (TorchException e) {
            assertEquals(kind, e.kind, "exception kind of: " + e.getMessage());
            return e;
        }
        fail("expected a TorchException " + kind);
        return null;
    }
}
