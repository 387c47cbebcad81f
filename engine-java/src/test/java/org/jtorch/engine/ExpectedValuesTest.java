package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jtorch.engine.MiniJson.Num;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the cases recorded from real PyTorch by {@code src/test/resources/record_expected.py} (stored in
 * {@code expected.json}) against {@link Ops} and compares dtype, shape and values, or the kind of error.
 */
class ExpectedValuesTest {
    static final double F32_RTOL = 1e-5, F32_ATOL = 1e-6, F64_RTOL = 1e-10, F64_ATOL = 1e-12;

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> loadCases() throws IOException {
        try (InputStream in = ExpectedValuesTest.class.getResourceAsStream("/expected.json")) {
            if (in == null) throw new IOException("expected.json not on the test class path");
            Map<String, Object> root = (Map<String, Object>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return (List<Map<String, Object>>) (List<?>) root.get("cases");
        }
    }

    @TestFactory
    Stream<DynamicTest> pytorchCases() throws IOException {
        List<Map<String, Object>> cases = loadCases();
        assertTrue(cases.size() > 500, "too few cases: " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> {
            try {
                check(c);
            } catch (AssertionError e) {
                // surefire names dynamic tests by position: put the case name in the message
                throw new AssertionError("[" + c.get("name") + "] " + e.getMessage(), e);
            }
        }));
    }

    // ---------------------------------------------------------------- building inputs

    static int[] ints(Object o) {
        @SuppressWarnings("unchecked") List<Object> l = (List<Object>) o;
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = ((Num) l.get(i)).asInt();
        return r;
    }

    @SuppressWarnings("unchecked")
    static Tensor tensorOf(String dtype, int[] shape, List<Object> data) {
        DType dt = DType.byName(dtype);
        int n = data.size();
        Object arr = switch (dt) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float) ((Num) data.get(i)).asDouble(); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = ((Num) data.get(i)).asDouble(); yield a; }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = ((Num) data.get(i)).asLong(); yield a; }
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = ((Num) data.get(i)).asInt(); yield a; }
            case BOOL -> { boolean[] a = new boolean[n]; for (int i = 0; i < n; i++) a[i] = ((Num) data.get(i)).asLong() != 0; yield a; }
        };
        Tensor t = Tensor.wrap(arr, shape);
        assertEquals(n, t.numel(), "fixture data size");
        return t;
    }

    @SuppressWarnings("unchecked")
    static Tensor input(Map<String, Object> spec) {
        Tensor t = tensorOf((String) spec.get("dtype"), ints(spec.get("shape")), (List<Object>) spec.get("data"));
        for (Object vo : (List<Object>) spec.get("views")) t = applyView(t, (List<Object>) vo);
        return t;
    }

    static int i(Object o) { return ((Num) o).asInt(); }

    static Tensor applyView(Tensor t, List<Object> v) {
        String name = (String) v.get(0);
        return switch (name) {
            case "t" -> t.t();
            case "permute" -> t.permute(ints(v.get(1)));
            case "transpose" -> t.transpose(i(v.get(1)), i(v.get(2)));
            case "narrow" -> t.narrow(i(v.get(1)), i(v.get(2)), i(v.get(3)));
            case "select" -> t.select(i(v.get(1)), i(v.get(2)));
            case "slice" -> t.slice(i(v.get(1)), i(v.get(2)), i(v.get(3)), i(v.get(4)));
            case "expand" -> t.expand(ints(v.get(1)));
            case "unsqueeze" -> t.unsqueeze(i(v.get(1)));
            case "squeeze" -> v.size() == 1 ? t.squeeze() : t.squeeze(i(v.get(1)));
            case "view" -> t.view(ints(v.get(1)));
            case "reshape" -> t.reshape(ints(v.get(1)));
            case "flatten" -> t.flatten(i(v.get(1)), i(v.get(2)));
            case "contiguous" -> t.contiguous();
            default -> throw new IllegalArgumentException("unknown view " + name);
        };
    }

    // ---------------------------------------------------------------- running an op

    static double d(Map<String, Object> a, String k) {
        if (!a.containsKey(k)) return 0;
        Object o = a.get(k);
        return o == null ? Double.NaN : ((Num) o).asDouble();
    }

    static int[] dimsOrNull(Object o) { return o == null ? null : ints(o); }

    static boolean b(Map<String, Object> a, String k) { return (Boolean) a.get(k); }

    @SuppressWarnings("unchecked")
    static Tensor[] indexList(Map<String, Object> a, Tensor[] ts) {
        List<Object> idx = (List<Object>) a.get("idx");
        Tensor[] r = new Tensor[idx.size()];
        for (int k = 0; k < r.length; k++) r[k] = idx.get(k) == null ? null : ts[i(idx.get(k))];
        return r;
    }

    static Object run(String op, Map<String, Object> a, Tensor[] ts) {
        Tensor x = ts.length > 0 ? ts[0] : null;
        switch (op) {
            case "identity": return x;
            case "binary": return Ops.binary(BinaryOp.valueOf((String) a.get("op")), ts[0], ts[1]);
            case "binary_scalar":
                return Ops.binaryScalar(BinaryOp.valueOf((String) a.get("op")), x, d(a, "s"), i(a.get("cat")), b(a, "reverse"));
            case "binary_inplace": return Ops.binaryInPlace(BinaryOp.valueOf((String) a.get("op")), ts[0], ts[1]);
            case "unary": return Ops.unary(UnaryOp.valueOf((String) a.get("op")), x, d(a, "p1"), d(a, "p2"));
            case "to": return Ops.to(x, DType.byName((String) a.get("dtype")));
            case "sum": return Ops.sum(x, dimsOrNull(a.get("dims")), b(a, "keepdim"));
            case "prod": return Ops.prod(x, dimsOrNull(a.get("dims")), b(a, "keepdim"));
            case "mean": return Ops.mean(x, dimsOrNull(a.get("dims")), b(a, "keepdim"));
            case "amax": return Ops.amax(x, dimsOrNull(a.get("dims")), b(a, "keepdim"));
            case "amin": return Ops.amin(x, dimsOrNull(a.get("dims")), b(a, "keepdim"));
            case "var": return Ops.var(x, dimsOrNull(a.get("dims")), i(a.get("correction")), b(a, "keepdim"));
            case "std": return Ops.unary(UnaryOp.SQRT, Ops.var(x, dimsOrNull(a.get("dims")), i(a.get("correction")), b(a, "keepdim")), 0, 0);
            case "max_dim": return Ops.maxDim(x, i(a.get("dim")), b(a, "keepdim"), b(a, "max"));
            case "argmax": return Ops.argmax(x, a.get("dim") == null ? null : i(a.get("dim")), b(a, "keepdim"), b(a, "max"));
            case "softmax": return Ops.softmax(x, i(a.get("dim")), b(a, "log"));
            case "cumulative": return Ops.cumulative(x, i(a.get("dim")), b(a, "prod"));
            case "matmul": return Ops.matmul(ts[0], ts[1]);
            case "mm": return Ops.mm(ts[0], ts[1]);
            case "bmm": return Ops.bmm(ts[0], ts[1]);
            case "cat": return Ops.cat(ts, i(a.get("dim")));
            case "stack": return Ops.stack(ts, i(a.get("dim")));
            case "split": return Ops.splitSizes(x, ints(a.get("sizes")), i(a.get("dim")));
            case "split_size": {
                int dim = i(a.get("dim"));
                return Ops.splitSizes(x, Ops.splitSizesFor(x.size(dim), i(a.get("size"))), dim);
            }
            case "chunk": {
                int dim = i(a.get("dim"));
                return Ops.splitSizes(x, Ops.chunkSizes(x.size(dim), i(a.get("chunks"))), dim);
            }
            case "flip": return Ops.flip(x, ints(a.get("dims")));
            case "repeat": return Ops.repeat(x, ints(a.get("reps")));
            case "triangle": return Ops.triangle(x, i(a.get("k")), b(a, "upper"));
            case "sort": return Ops.sort(x, i(a.get("dim")), b(a, "descending"));
            case "topk": return Ops.topk(x, i(a.get("k")), i(a.get("dim")), b(a, "largest"));
            case "gather": return Ops.gather(x, i(a.get("dim")), ts[1]);
            case "scatter": return Ops.scatterInPlace(x.copy(), i(a.get("dim")), ts[1], ts[2], b(a, "add"));
            case "index_select": return Ops.indexSelect(x, i(a.get("dim")), ts[1]);
            case "index_add": return Ops.indexAddInPlace(x.copy(), i(a.get("dim")), ts[1], ts[2], d(a, "alpha"));
            case "index": return Ops.index(x, indexList(a, ts));
            case "index_put": return Ops.indexPutInPlace(x.copy(), indexList(a, ts), ts[ts.length - 1], b(a, "accumulate"));
            case "nonzero": return Ops.nonzero(x);
            case "where": return Ops.where(ts[0], ts[1], ts[2]);
            case "masked_fill": return Ops.maskedFill(x, ts[1], d(a, "value"));
            case "arange": return Ops.arange(d(a, "start"), d(a, "end"), d(a, "step"), DType.byName((String) a.get("dtype")));
            case "linspace": return Ops.linspace(d(a, "start"), d(a, "end"), i(a.get("steps")), DType.byName((String) a.get("dtype")));
            case "eye": return Ops.eye(i(a.get("n")), i(a.get("m")), DType.byName((String) a.get("dtype")));
            case "equal": return boolScalar(Ops.equal(ts[0], ts[1]));
            case "allclose": return boolScalar(Ops.allclose(ts[0], ts[1], d(a, "rtol"), d(a, "atol"), b(a, "equal_nan")));
            default: throw new IllegalArgumentException("unknown op " + op);
        }
    }

    static Tensor boolScalar(boolean v) { return Tensor.wrap(new boolean[] {v}); }

    // ---------------------------------------------------------------- checking

    @SuppressWarnings("unchecked")
    static void check(Map<String, Object> c) {
        String op = (String) c.get("op");
        Map<String, Object> args = (Map<String, Object>) c.get("args");
        List<Object> inputs = (List<Object>) c.get("inputs");
        String err = (String) c.get("error");
        Object result;
        try {
            Tensor[] ts = new Tensor[inputs.size()];
            for (int k = 0; k < ts.length; k++) ts[k] = input((Map<String, Object>) inputs.get(k));
            result = run(op, args, ts);
        } catch (TorchException e) {
            if (err == null) fail("PyTorch gives a result but jtorch raised " + e.pyType() + ": " + e.getMessage(), e);
            assertEquals(err, e.pyType(), "error kind (PyTorch: " + c.get("message") + "; jtorch: " + e.getMessage() + ")");
            return;
        } catch (RuntimeException e) {
            fail("jtorch threw a non-TorchException " + e + (err == null ? "" : " where PyTorch raises " + err + ": " + c.get("message")), e);
            return;
        }
        if (err != null) fail("PyTorch raises " + err + " (" + c.get("message") + ") but jtorch returned " + describe(result));
        Object exp = c.get("expected");
        if (exp instanceof List<?> l) {
            assertTrue(result instanceof Tensor[], "expected a list of tensors, got " + describe(result));
            Tensor[] rs = (Tensor[]) result;
            assertEquals(l.size(), rs.length, "number of results");
            if (Boolean.TRUE.equals(c.get("topk_ties"))) { checkTopkTies(c, rs, (List<Object>) l); return; }
            for (int k = 0; k < rs.length; k++) compare("result[" + k + "]", (Map<String, Object>) l.get(k), rs[k], false);
        } else {
            assertTrue(result instanceof Tensor, "expected one tensor, got " + describe(result));
            compare("result", (Map<String, Object>) exp, (Tensor) result, Boolean.TRUE.equals(c.get("check_strides")));
        }
    }

    static String describe(Object r) {
        if (r instanceof Tensor[] a) return Arrays.toString(a);
        return String.valueOf(r);
    }

    @SuppressWarnings("unchecked")
    static void compare(String what, Map<String, Object> exp, Tensor got, boolean strides) {
        String dtype = (String) exp.get("dtype");
        int[] shape = ints(exp.get("shape"));
        assertEquals(dtype, got.dtype.pyName, what + " dtype");
        assertArrayEquals(shape, got.shape(), what + " shape: expected " + Shape.str(shape) + " got " + Shape.str(got.shapeRef()));
        List<Object> data = (List<Object>) exp.get("data");
        assertEquals(data.size(), got.numel(), what + " numel");
        DType dt = got.dtype;
        if (dt.isFloating()) {
            double[] v = got.toDoubleArray();
            double rtol = dt == DType.FLOAT32 ? F32_RTOL : F64_RTOL, atol = dt == DType.FLOAT32 ? F32_ATOL : F64_ATOL;
            for (int k = 0; k < v.length; k++) {
                double e = ((Num) data.get(k)).asDouble(), g = v[k];
                boolean ok = Double.isNaN(e) ? Double.isNaN(g) : (e == g || Math.abs(e - g) <= atol + rtol * Math.abs(e));
                if (!ok) fail(what + " value at flat index " + k + ": expected " + e + " got " + g + "\n expected " + data + "\n got      " + Arrays.toString(v));
            }
        } else {
            long[] v = got.toLongArray();
            for (int k = 0; k < v.length; k++) {
                long e = ((Num) data.get(k)).asLong();
                if (e != v[k]) fail(what + " value at flat index " + k + ": expected " + e + " got " + v[k] + "\n expected " + data + "\n got      " + Arrays.toString(v));
            }
        }
        if (strides) {
            int[] es = ints(exp.get("strides")), gs = got.strides();
            for (int k = 0; k < shape.length; k++)
                if (shape[k] > 1 && es[k] != gs[k])
                    fail(what + " strides: expected " + Shape.str(es) + " got " + Shape.str(gs) + " (shape " + Shape.str(shape) + ")");
            assertEquals(exp.get("contiguous"), got.isContiguous(), what + " is_contiguous");
        }
    }

    /** topk with ties: values must match; indices may pick any of the tied elements, so check them by value. */
    @SuppressWarnings("unchecked")
    static void checkTopkTies(Map<String, Object> c, Tensor[] rs, List<Object> exp) {
        compare("values", (Map<String, Object>) exp.get(0), rs[0], false);
        Map<String, Object> ie = (Map<String, Object>) exp.get(1);
        assertEquals("int64", rs[1].dtype.pyName);
        assertArrayEquals(ints(ie.get("shape")), rs[1].shape());
        Map<String, Object> args = (Map<String, Object>) c.get("args");
        Tensor x = input((Map<String, Object>) ((List<Object>) c.get("inputs")).get(0));
        int dim = i(args.get("dim"));
        assertArrayEquals(rs[0].toDoubleArray(), Ops.gather(x, dim, rs[1]).toDoubleArray(), "x.gather(indices) == values");
        // indices distinct along dim
        Tensor sorted = Ops.sort(rs[1], dim, false)[0];
        Tensor moved = sorted.transpose(dim, -1).contiguous();
        long[] v = moved.toLongArray();
        int len = moved.size(-1);
        for (int r = 0; r < v.length / Math.max(len, 1); r++) {
            Set<Long> seen = new HashSet<>();
            for (int k = 0; k < len; k++) assertTrue(seen.add(v[r * len + k]), "duplicate index in topk row " + r);
        }
    }

    /** Sanity checks of the reader itself. */
    @org.junit.jupiter.api.Test
    void miniJsonParses() {
        Object o = MiniJson.parse("{\"a\": [1, -2.5e3, NaN, -Infinity, true, null, \"x\\\"y\"], \"b\": {}, \"c\": 9007199254740993}");
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, ((Num) a.get(0)).asLong());
        assertEquals(-2500.0, ((Num) a.get(1)).asDouble());
        assertTrue(Double.isNaN(((Num) a.get(2)).asDouble()));
        assertEquals(Double.NEGATIVE_INFINITY, ((Num) a.get(3)).asDouble());
        assertEquals(Boolean.TRUE, a.get(4));
        assertEquals(null, a.get(5));
        assertEquals("x\"y", a.get(6));
        assertEquals(9007199254740993L, ((Num) m.get("c")).asLong());
        assertEquals(new ArrayList<>(List.of()).size(), ((Map<?, ?>) m.get("b")).size());
    }
}
