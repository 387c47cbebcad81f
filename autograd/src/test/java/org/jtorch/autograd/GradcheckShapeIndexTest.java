package org.jtorch.autograd;

import static org.jtorch.autograd.GradCheck.c;
import static org.jtorch.autograd.GradCheck.distinct;
import static org.jtorch.autograd.GradCheck.idx;
import static org.jtorch.autograd.GradCheck.mask;
import static org.jtorch.autograd.GradCheck.rnd;
import static org.jtorch.autograd.GradCheck.test;
import static org.jtorch.autograd.GradCheck.testMulti;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.UnaryOp;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference gradient checks of matmul, views, joins, selection and indexing ops. */
class GradcheckShapeIndexTest {

    @TestFactory
    Stream<DynamicTest> matmul() {
        Random r = new Random(20);
        List<DynamicTest> t = new ArrayList<>();
        int[][][] shapes = {
            {{4}, {4}}, {{3, 4}, {4}}, {{4}, {4, 5}}, {{3, 4}, {4, 5}},
            {{2, 3, 4}, {2, 4, 5}}, {{2, 3, 4}, {4, 5}}, {{3, 4}, {2, 4, 5}},
            {{4}, {2, 4, 5}}, {{2, 3, 4}, {4}}, {{2, 1, 3, 4}, {5, 4, 2}}, {{2, 2, 3, 4}, {4}}, {{4}, {2, 1, 4, 3}},
            {{1, 3, 4}, {2, 4, 5}},
        };
        for (int[][] s : shapes) {
            String name = "matmul_" + Shape.str(s[0]) + "_" + Shape.str(s[1]);
            Tensor a = rnd(r, s[0]), b = rnd(r, s[1]);
            t.add(test(name, v -> Torch.matmul(v[0], v[1]), a, b));
            t.add(test(name + "_const_b", v -> Torch.matmul(v[0], c(b)), a));
            t.add(test(name + "_const_a", v -> Torch.matmul(c(a), v[0]), b));
        }
        t.add(test("matmul_transposed", v -> Torch.matmul(Torch.t(v[0]), Torch.t(v[1])), rnd(r, 4, 3), rnd(r, 2, 4)));
        t.add(test("mm", v -> Torch.mm(v[0], v[1]), rnd(r, 3, 4), rnd(r, 4, 2)));
        t.add(test("mm_same", v -> Torch.mm(v[0], v[0]), rnd(r, 3, 3)));
        t.add(test("bmm", v -> Torch.bmm(v[0], v[1]), rnd(r, 2, 3, 4), rnd(r, 2, 4, 2)));
        t.add(test("bmm_transposed", v -> Torch.bmm(Torch.transpose(v[0], 1, 2), v[1]), rnd(r, 2, 4, 3), rnd(r, 2, 4, 2)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> viewsAndShapes() {
        Random r = new Random(21);
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = rnd(r, 2, 3, 4);
        t.add(test("view", v -> Torch.view(v[0], new int[] {6, 4}), x));
        t.add(test("view_infer", v -> Torch.view(v[0], new int[] {-1, 3}), x));
        t.add(test("view_0dim", v -> Torch.view(v[0], new int[] {}), rnd(r, 1)));
        t.add(test("reshape_view", v -> Torch.reshape(v[0], new int[] {4, 6}), x));
        t.add(test("reshape_copy", v -> Torch.reshape(Torch.transpose(v[0], 0, 2), new int[] {-1}), x));
        t.add(test("flatten", v -> Torch.flatten(v[0], 0, -1), x));
        t.add(test("flatten_mid", v -> Torch.flatten(v[0], 1, 2), x));
        t.add(test("flatten_noncontig", v -> Torch.flatten(Torch.permute(v[0], new int[] {2, 0, 1}), 0, 1), x));
        t.add(test("flatten_noop", v -> Torch.flatten(v[0], 1, 1), x));
        t.add(test("permute", v -> Torch.permute(v[0], new int[] {2, 0, 1}), x));
        t.add(test("permute_neg", v -> Torch.permute(v[0], new int[] {-1, -3, -2}), x));
        t.add(test("transpose", v -> Torch.transpose(v[0], 0, 2), x));
        t.add(test("transpose_neg", v -> Torch.transpose(v[0], -1, 1), x));
        t.add(test("t", v -> Torch.t(v[0]), rnd(r, 3, 4)));
        t.add(test("t_1d", v -> Torch.t(v[0]), rnd(r, 3)));
        t.add(test("unsqueeze0", v -> Torch.unsqueeze(v[0], 0), x));
        t.add(test("unsqueeze_last", v -> Torch.unsqueeze(v[0], -1), x));
        t.add(test("unsqueeze_mid", v -> Torch.unsqueeze(v[0], 2), x));
        t.add(test("squeeze", v -> Torch.squeeze(v[0]), rnd(r, 1, 3, 1, 2)));
        t.add(test("squeeze_dim", v -> Torch.squeezeDim(v[0], 2), rnd(r, 1, 3, 1, 2)));
        t.add(test("squeeze_dim_neg", v -> Torch.squeezeDim(v[0], -4), rnd(r, 1, 3, 1, 2)));
        t.add(test("squeeze_dim_noop", v -> Torch.squeezeDim(v[0], 1), rnd(r, 1, 3, 1, 2)));
        t.add(test("expand", v -> Torch.expand(v[0], new int[] {2, 3, 4}), rnd(r, 3, 1)));
        t.add(test("expand_minus1", v -> Torch.expand(v[0], new int[] {-1, 5}), rnd(r, 3, 1)));
        t.add(test("expand_0dim", v -> Torch.expand(v[0], new int[] {2, 2}), rnd(r)));
        t.add(test("narrow", v -> Torch.narrow(v[0], 2, 1, 2), x));
        t.add(test("narrow_neg_start", v -> Torch.narrow(v[0], 1, -2, 2), x));
        t.add(test("slice_step", v -> Torch.slice(v[0], 2, 0, 4, 2), x));
        t.add(test("slice_neg", v -> Torch.slice(v[0], 2, -3, -1, 1), x));
        t.add(test("slice_clamped", v -> Torch.slice(v[0], 1, 1, 100, 2), x));
        t.add(test("select", v -> Torch.select(v[0], 1, 2), x));
        t.add(test("select_neg", v -> Torch.select(v[0], -1, -1), x));
        t.add(test("contiguous", v -> Torch.contiguous(Torch.t(v[0])), rnd(r, 3, 4)));
        t.add(test("contiguous_noop", v -> Torch.contiguous(v[0]), rnd(r, 3, 4)));
        t.add(test("clone", v -> Torch.clone(v[0]), x));
        t.add(test("clone_noncontig", v -> Torch.clone(Torch.t(v[0])), rnd(r, 3, 4)));
        t.add(test("chain", v -> Torch.view(Torch.contiguous(Torch.select(Torch.narrow(Torch.permute(v[0], new int[] {1, 2, 0}), 1, 1, 3), 0, 2)), new int[] {6}), x));
        t.add(test("view_reuse", v -> Torch.binary(BinaryOp.MUL, Torch.view(v[0], new int[] {4, 6}), Torch.reshape(Torch.t(Torch.view(v[0], new int[] {6, 4})), new int[] {4, 6})), x));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> joins() {
        Random r = new Random(22);
        List<DynamicTest> t = new ArrayList<>();
        for (int d : new int[] {0, 1, -1}) {
            t.add(test("cat_" + d, v -> Torch.cat(new Variable[] {v[0], v[1], v[2]}, d), rnd(r, 2, 3), rnd(r, 2, 3), rnd(r, 2, 3)));
        }
        t.add(test("cat_uneven", v -> Torch.cat(new Variable[] {v[0], v[1]}, 1), rnd(r, 2, 1), rnd(r, 2, 3)));
        Tensor k = rnd(r, 2, 2);
        t.add(test("cat_with_const", v -> Torch.cat(new Variable[] {c(k), v[0], c(k)}, 1), rnd(r, 2, 3)));
        t.add(test("cat_same_twice", v -> Torch.cat(new Variable[] {v[0], v[0]}, 0), rnd(r, 2, 3)));
        t.add(test("cat_legacy_empty", v -> Torch.cat(new Variable[] {c(Tensor.zeros(DType.FLOAT64, 0)), v[0]}, 0), rnd(r, 2, 3)));
        t.add(test("cat_noncontig", v -> Torch.cat(new Variable[] {Torch.t(v[0]), v[1]}, 0), rnd(r, 3, 2), rnd(r, 1, 3)));
        for (int d : new int[] {0, 1, 2, -1, -3})
            t.add(test("stack_" + d, v -> Torch.stack(new Variable[] {v[0], v[1]}, d), rnd(r, 2, 3), rnd(r, 2, 3)));
        t.add(test("stack_0dim", v -> Torch.stack(new Variable[] {v[0], v[1]}, 0), rnd(r), rnd(r)));
        t.add(test("stack_with_const", v -> Torch.stack(new Variable[] {c(k), v[0]}, 0), rnd(r, 2, 2)));
        t.add(testMulti("split", v -> Torch.split(v[0], new int[] {1, 3, 2}, 1), rnd(r, 2, 6)));
        t.add(testMulti("split_dim0_with_empty", v -> Torch.split(v[0], new int[] {2, 0, 2}, 0), rnd(r, 4, 2)));
        t.add(testMulti("split_some_used", v -> {
            Variable[] p = Torch.split(v[0], new int[] {2, 2}, -1);
            return new Variable[] {Torch.unary(UnaryOp.EXP, p[1], 0, 0)};
        }, rnd(r, 3, 4)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> selection() {
        Random r = new Random(23);
        List<DynamicTest> t = new ArrayList<>();
        Tensor m = mask(new boolean[] {true, false, true, false, false, true}, 2, 3);
        t.add(test("where", v -> Torch.where(c(m), v[0], v[1]), rnd(r, 2, 3), rnd(r, 2, 3)));
        t.add(test("where_bcast", v -> Torch.where(c(mask(new boolean[] {true, false, true}, 3)), v[0], v[1]), rnd(r, 2, 1), rnd(r, 1, 3)));
        t.add(test("where_0dim_b", v -> Torch.where(c(m), v[0], v[1]), rnd(r, 2, 3), rnd(r)));
        t.add(test("where_const_a", v -> Torch.where(c(m), c(Tensor.zeros(DType.FLOAT64, 2, 3)), v[0]), rnd(r, 2, 3)));
        t.add(test("masked_fill", v -> Torch.maskedFill(v[0], c(m), -2.0), rnd(r, 2, 3)));
        t.add(test("masked_fill_bcast", v -> Torch.maskedFill(v[0], c(mask(new boolean[] {false, true, true}, 3)), 5.0), rnd(r, 2, 3)));
        t.add(test("masked_fill_inplace", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.maskedFillInPlace(y, c(m), 1.5);
            return Torch.binary(BinaryOp.MUL, y, v[0]);
        }, rnd(r, 2, 3)));
        for (int kk : new int[] {-1, 0, 2})
            for (boolean up : new boolean[] {false, true})
                t.add(test((up ? "triu_" : "tril_") + kk, v -> Torch.triangle(v[0], kk, up), rnd(r, 4, 5)));
        t.add(test("tril_batched", v -> Torch.triangle(v[0], 0, false), rnd(r, 2, 3, 3)));
        t.add(test("flip_0", v -> Torch.flip(v[0], new int[] {0}), rnd(r, 2, 3, 4)));
        t.add(test("flip_02", v -> Torch.flip(v[0], new int[] {0, 2}), rnd(r, 2, 3, 4)));
        t.add(test("flip_noncontig", v -> Torch.flip(Torch.t(v[0]), new int[] {-1}), rnd(r, 4, 3)));
        t.add(test("repeat", v -> Torch.repeat(v[0], new int[] {2, 3}), rnd(r, 2, 2)));
        t.add(test("repeat_more_dims", v -> Torch.repeat(v[0], new int[] {2, 1, 3}), rnd(r, 2, 3)));
        t.add(test("repeat_0dim", v -> Torch.repeat(v[0], new int[] {3}), rnd(r)));
        t.add(test("repeat_noncontig", v -> Torch.repeat(Torch.t(v[0]), new int[] {1, 2}), rnd(r, 3, 2)));
        for (int d : new int[] {0, 1, -1})
            for (boolean desc : new boolean[] {false, true})
                t.add(testMulti("sort_" + d + (desc ? "_desc" : ""), v -> Torch.sort(v[0], d, desc), distinct(r, 3, 4)));
        t.add(testMulti("sort_0dim", v -> Torch.sort(v[0], 0, false), rnd(r)));
        t.add(testMulti("sort_noncontig", v -> Torch.sort(Torch.t(v[0]), 1, false), distinct(r, 4, 3)));
        for (int d : new int[] {0, 1})
            for (boolean largest : new boolean[] {true, false})
                t.add(testMulti("topk_" + d + (largest ? "_largest" : "_smallest"), v -> Torch.topk(v[0], 2, d, largest), distinct(r, 3, 4)));
        t.add(testMulti("topk_all", v -> Torch.topk(v[0], 5, 0, true), distinct(r, 5)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> gatherScatterIndex() {
        Random r = new Random(24);
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = rnd(r, 3, 4);
        Tensor gi0 = idx(new long[] {0, 1, 2, 0, 2, 2, 1, 0}, 2, 4);
        Tensor gi1 = idx(new long[] {3, 0, 1, 1, 0, 2}, 3, 2);
        t.add(test("gather_d0", v -> Torch.gather(v[0], 0, c(gi0)), x));
        t.add(test("gather_d1_dup", v -> Torch.gather(v[0], 1, c(gi1)), x));
        t.add(test("gather_d1_smaller", v -> Torch.gather(v[0], 1, c(idx(new long[] {3, 1}, 2, 1))), x));
        t.add(test("gather_neg_dim", v -> Torch.gather(v[0], -1, c(gi1)), x));
        t.add(test("gather_noncontig", v -> Torch.gather(Torch.t(v[0]), 0, c(idx(new long[] {2, 1, 0, 0}, 1, 4))), rnd(r, 4, 3)));
        // scatter (no duplicates: the overwritten value is then well defined), scatter_add (duplicates fine)
        Tensor si = idx(new long[] {0, 1, 2, 0, 2, 0, 1, 1}, 2, 4);
        Tensor sid = idx(new long[] {0, 1, 2, 0, 0, 1, 0, 2}, 2, 4);
        t.add(test("scatter_d0", v -> Torch.scatter(v[0], 0, c(si), v[1], false), x, rnd(r, 2, 4)));
        t.add(test("scatter_add_d0", v -> Torch.scatter(v[0], 0, c(sid), v[1], true), x, rnd(r, 2, 4)));
        t.add(test("scatter_d1", v -> Torch.scatter(v[0], 1, c(idx(new long[] {3, 0, 1, 2}, 2, 2)), v[1], false), x, rnd(r, 2, 2)));
        t.add(test("scatter_add_d1", v -> Torch.scatter(v[0], 1, c(idx(new long[] {3, 3, 1, 1}, 2, 2)), v[1], true), x, rnd(r, 2, 2)));
        t.add(test("scatter_const_src", v -> Torch.scatter(v[0], 0, c(si), c(Tensor.zeros(DType.FLOAT64, 2, 4)), false), x));
        t.add(test("scatter_const_self", v -> Torch.scatter(c(x), 0, c(si), v[0], false), rnd(r, 2, 4)));
        t.add(test("scatter_inplace", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.scatterInPlace(y, 0, c(si), v[1], false);
            return y;
        }, x, rnd(r, 2, 4)));
        t.add(test("scatter_add_inplace", v -> {
            Variable y = Torch.binaryScalar(BinaryOp.MUL, v[0], 2.0, 2, false);
            Torch.scatterInPlace(y, 1, c(idx(new long[] {3, 3, 1, 1}, 2, 2)), v[1], true);
            return y;
        }, x, rnd(r, 2, 2)));
        t.add(test("scatter_value_inplace", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.scatterValueInPlace(y, 1, c(idx(new long[] {0, 2}, 2, 1)), 7.0);
            return y;
        }, x));
        Tensor ii = idx(new long[] {2, 0, 2}, 3);
        t.add(test("index_select_d0", v -> Torch.indexSelect(v[0], 0, c(ii)), x));
        t.add(test("index_select_d1", v -> Torch.indexSelect(v[0], 1, c(idx(new long[] {3, 1, 3}, 3))), x));
        t.add(test("index_select_noncontig", v -> Torch.indexSelect(Torch.t(v[0]), -1, c(idx(new long[] {0, 3}, 2))), rnd(r, 4, 3)));
        t.add(test("index_add_d0", v -> Torch.indexAdd(v[0], 0, c(ii), v[1], 1.0), x, rnd(r, 3, 4)));
        t.add(test("index_add_d1_alpha", v -> Torch.indexAdd(v[0], 1, c(idx(new long[] {3, 3}, 2)), v[1], 2.5), x, rnd(r, 3, 2)));
        t.add(test("index_add_const_src", v -> Torch.indexAdd(v[0], 0, c(ii), c(rnd(new Random(5), 3, 4)), 1.0), x));
        t.add(test("index_add_const_self", v -> Torch.indexAdd(c(x), 0, c(ii), v[0], -1.5), rnd(r, 3, 4)));
        t.add(test("index_add_inplace", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexAddInPlace(y, 0, c(ii), v[1], 0.5);
            return y;
        }, x, rnd(r, 3, 4)));

        Tensor x3 = rnd(r, 4, 5, 6);
        Tensor i0 = idx(new long[] {0, 2, 3}, 3), i1 = idx(new long[] {1, 4, 0}, 3), i2 = idx(new long[] {1, 5, 0}, 3);
        t.add(test("index_first", v -> Torch.index(v[0], new Variable[] {c(i0)}), x3));
        t.add(test("index_middle", v -> Torch.index(v[0], new Variable[] {null, c(i1)}), x3));
        t.add(test("index_last_neg", v -> Torch.index(v[0], new Variable[] {null, null, c(idx(new long[] {5, 0, -1}, 3))}), x3));
        t.add(test("index_adjacent", v -> Torch.index(v[0], new Variable[] {null, c(i1), c(i2)}), x3));
        t.add(test("index_nonadjacent", v -> Torch.index(v[0], new Variable[] {c(i0), null, c(i2)}), x3));
        t.add(test("index_all", v -> Torch.index(v[0], new Variable[] {c(i0), c(i1), c(i2)}), x3));
        t.add(test("index_bcast", v -> Torch.index(v[0], new Variable[] {c(idx(new long[] {0, 3}, 2, 1)), c(idx(new long[] {1, 2, 4}, 3))}), x3));
        t.add(test("index_dup", v -> Torch.index(v[0], new Variable[] {c(idx(new long[] {2, 2, 0, 2}, 4))}), x3));
        t.add(test("index_mask", v -> Torch.index(v[0], new Variable[] {c(mask(new boolean[] {true, false, true, false, false, true, true, true, false, false, false, true}, 3, 4))}), rnd(r, 3, 4)));
        t.add(test("index_mask_rows", v -> Torch.index(v[0], new Variable[] {null, c(mask(new boolean[] {true, false, true, true, false}, 5))}), x3));
        t.add(test("index_noncontig", v -> Torch.index(Torch.t(v[0]), new Variable[] {null, c(idx(new long[] {0, 3, 3}, 3))}), rnd(r, 5, 4)));

        t.add(test("index_put", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {0, 2}, 2))}, v[1], false);
            return y;
        }, rnd(r, 4, 3), rnd(r, 2, 3)));
        t.add(test("index_put_bcast_values", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {0, 2}, 2))}, v[1], false);
            return y;
        }, rnd(r, 4, 3), rnd(r, 3)));
        t.add(test("index_put_acc_dup", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {0, 2, 0, 0, 4}, 5))}, v[1], true);
            return y;
        }, rnd(r, 5), rnd(r, 5)));
        t.add(test("index_put_nonadjacent", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(i0), null, c(i2)}, v[1], false);
            return y;
        }, x3, rnd(r, 3, 5)));
        t.add(test("index_put_nonadjacent_acc", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {0, 0, 3}, 3)), null, c(idx(new long[] {1, 1, 0}, 3))}, v[1], true);
            return y;
        }, x3, rnd(r, 3, 5)));
        t.add(test("index_put_mask", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.indexPutInPlace(y, new Variable[] {c(mask(new boolean[] {true, false, true}, 3))}, v[1], false);
            return y;
        }, rnd(r, 3, 4), rnd(r, 4)));
        t.add(test("index_put_into_constant", v -> {
            Variable y = new Variable(Tensor.zeros(DType.FLOAT64, 4, 3));
            Torch.indexPutInPlace(y, new Variable[] {c(idx(new long[] {1, 3}, 2))}, v[0], false);
            return y;
        }, rnd(r, 2, 3)));
        t.add(test("copy_inplace", v -> {
            Variable y = Torch.binaryScalar(BinaryOp.MUL, v[0], 3.0, 2, false);
            Torch.copyInPlace(y, v[1]);
            return Torch.binary(BinaryOp.MUL, y, v[0]);
        }, rnd(r, 2, 3), rnd(r, 3)));
        t.add(test("copy_inplace_into_constant", v -> {
            Variable y = new Variable(Tensor.zeros(DType.FLOAT64, 2, 3));
            Torch.copyInPlace(y, v[0]);
            return y;
        }, rnd(r, 2, 1)));
        t.add(test("fill_inplace", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.fillInPlace(y, 2.0);
            return Torch.binary(BinaryOp.MUL, y, v[0]);
        }, rnd(r, 2, 3)));
        t.add(test("to_dtype_same", v -> Torch.toDtype(v[0], DType.FLOAT64), rnd(r, 2, 3)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> inPlaceThroughViews() {
        // PyTorch rebases the base of a view modified in place: y = x.clone(); y[0].mul_(3) makes
        // y's gradient 3 at row 0 (torch gives x.grad == [3, 1] for x = [1, 2] and y.sum())
        Random r = new Random(25);
        List<DynamicTest> t = new ArrayList<>();
        t.add(test("inplace_on_select_view", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.binaryScalarInPlace(BinaryOp.MUL, Torch.select(y, 0, 0), 3.0, 2);
            return y;
        }, rnd(r, 2, 3)));
        t.add(test("inplace_on_transposed_view", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.binaryInPlace(BinaryOp.ADD, Torch.t(y), v[1]);
            return y;
        }, rnd(r, 2, 3), rnd(r, 3, 2)));
        t.add(test("copy_into_narrow_view", v -> {
            Variable y = Torch.clone(v[0]);
            Torch.copyInPlace(Torch.narrow(y, 1, 1, 2), v[1]);
            return y;
        }, rnd(r, 2, 3), rnd(r, 2, 2)));
        return t.stream();
    }
}
