package org.jtorch.autograd;

import static org.jtorch.autograd.GradCheck.distinct;
import static org.jtorch.autograd.GradCheck.rnd;
import static org.jtorch.autograd.GradCheck.test;
import static org.jtorch.autograd.GradCheck.testMulti;
import static org.jtorch.autograd.GradCheck.uni;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorch.engine.DType;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference gradient checks of reductions, scans and softmax. */
class GradcheckReductionTest {
    static final int[][] DIMS = {null, {0}, {1}, {-1}, {0, 2}, {2, 0}};

    static String dn(int[] d) { return d == null ? "all" : Arrays.toString(d).replace(" ", ""); }

    @TestFactory
    Stream<DynamicTest> reductions() {
        Random r = new Random(10);
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = rnd(r, 2, 3, 4);
        Tensor xd = distinct(r, 2, 3, 4);
        Tensor xp = signedAway(r, 2, 3, 4);
        for (int[] d : DIMS) {
            for (boolean keep : new boolean[] {false, true}) {
                String s = dn(d) + (keep ? "_keep" : "");
                t.add(test("sum_" + s, v -> Torch.sum(v[0], d, keep, null), x));
                t.add(test("mean_" + s, v -> Torch.mean(v[0], d, keep), x));
                t.add(test("prod_" + s, v -> Torch.prod(v[0], d, keep), xp));
                t.add(test("amax_" + s, v -> Torch.amax(v[0], d, keep, true, "AmaxBackward0"), xd));
                t.add(test("amin_" + s, v -> Torch.amax(v[0], d, keep, false, "AminBackward0"), xd));
                t.add(test("logsumexp_" + s, v -> Torch.logsumexp(v[0], d, keep), x));
                for (int corr : new int[] {0, 1}) {
                    t.add(test("var_c" + corr + "_" + s, v -> Torch.var(v[0], d, corr, keep, false), x));
                    t.add(test("std_c" + corr + "_" + s, v -> Torch.var(v[0], d, corr, keep, true), x));
                }
                for (double p : new double[] {2, 1, 3, 0.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    Tensor in = Double.isInfinite(p) ? xd : xp; // no ties for inf norms, no zeros for p = 1 / 0.5
                    t.add(test("norm_p" + p + "_" + s, v -> Torch.norm(v[0], p, d, keep), in));
                }
            }
        }
        t.add(test("sum_dtype_f64", v -> Torch.sum(v[0], null, false, DType.FLOAT64), x));
        t.add(test("sum_0dim", v -> Torch.sum(v[0], null, false, null), rnd(r)));
        t.add(test("sum_0dim_dim0", v -> Torch.sum(v[0], new int[] {0}, true, null), rnd(r)));
        t.add(test("mean_0dim", v -> Torch.mean(v[0], null, false), rnd(r)));
        t.add(test("sum_noncontig", v -> Torch.sum(Torch.transpose(v[0], 0, 2), new int[] {1}, false, null), x));
        t.add(test("prod_one_zero", v -> Torch.prod(v[0], null, false), Tensor.of(new double[] {1.5, 0, -2, 0.7}, 4)));
        t.add(test("prod_one_zero_dim", v -> Torch.prod(v[0], new int[] {1}, false),
            Tensor.of(new double[] {1.5, 0, -2, 0.7, 1.1, 0.9}, 2, 3)));
        t.add(test("prod_two_zeros", v -> Torch.prod(v[0], new int[] {1}, true),
            Tensor.of(new double[] {0, 0, -2, 0.7, 1.1, 0.9}, 2, 3)));
        t.add(test("norm_2_0dim", v -> Torch.norm(v[0], 2, null, false), uni(r, 0.5, 1)));
        return t.stream();
    }

    /** Random values with |x| in [0.3, 1.5] (no zeros for prod / p-norms). */
    static Tensor signedAway(Random r, int... shape) {
        Tensor u = uni(r, 0.3, 1.5, shape);
        double[] v = u.toDoubleArray();
        for (int i = 0; i < v.length; i++) if (r.nextBoolean()) v[i] = -v[i];
        return Tensor.of(v, shape);
    }

    @TestFactory
    Stream<DynamicTest> maxMinAlongDim() {
        Random r = new Random(11);
        List<DynamicTest> t = new ArrayList<>();
        Tensor xd = distinct(r, 2, 3, 4);
        for (int d : new int[] {0, 1, 2, -1})
            for (boolean keep : new boolean[] {false, true})
                for (boolean max : new boolean[] {true, false})
                    t.add(testMulti((max ? "max" : "min") + "_dim" + d + (keep ? "_keep" : ""), v -> Torch.maxDim(v[0], d, keep, max), xd));
        t.add(testMulti("max_0dim", v -> Torch.maxDim(v[0], 0, false, true), rnd(r)));
        t.add(testMulti("max_noncontig", v -> Torch.maxDim(Torch.t(v[0]), 1, false, true), distinct(r, 4, 3)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> scansAndSoftmax() {
        Random r = new Random(12);
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = rnd(r, 2, 3, 4);
        Tensor xp = signedAway(r, 2, 3, 4);
        for (int d : new int[] {0, 1, 2, -1}) {
            t.add(test("cumsum_" + d, v -> Torch.cumsum(v[0], d), x));
            t.add(test("cumprod_" + d, v -> Torch.cumprod(v[0], d), xp));
            t.add(test("softmax_" + d, v -> Torch.softmax(v[0], d, false), x));
            t.add(test("log_softmax_" + d, v -> Torch.softmax(v[0], d, true), x));
        }
        t.add(test("cumsum_0dim", v -> Torch.cumsum(v[0], 0), rnd(r)));
        t.add(test("cumprod_0dim", v -> Torch.cumprod(v[0], 0), uni(r, 0.5, 1)));
        t.add(test("softmax_0dim", v -> Torch.softmax(v[0], 0, false), rnd(r)));
        t.add(test("log_softmax_0dim", v -> Torch.softmax(v[0], 0, true), rnd(r)));
        t.add(test("softmax_noncontig", v -> Torch.softmax(Torch.t(v[0]), 1, false), rnd(r, 4, 3)));
        t.add(test("cumsum_noncontig", v -> Torch.cumsum(Torch.t(v[0]), 1), rnd(r, 4, 3)));
        t.add(test("cumprod_with_zero", v -> Torch.cumprod(v[0], 0), Tensor.of(new double[] {1.5, 0, -2, 0.7}, 4)));
        t.add(test("logsumexp_large", v -> Torch.logsumexp(v[0], new int[] {0}, false), Tensor.of(new double[] {1000, 1001, 999.5}, 3)));
        return t.stream();
    }
}
