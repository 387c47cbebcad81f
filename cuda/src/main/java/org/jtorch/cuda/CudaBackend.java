package org.jtorch.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import org.jtorch.engine.Backend;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.CpuBackend;
import org.jtorch.engine.DType;
import org.jtorch.engine.Device;
import org.jtorch.engine.ReduceOp;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.jtorch.engine.UnaryOp;
import org.jtorch.engine.Window2d;

/**
 * The engine's {@link Backend} for {@code cuda} tensors: each kernel call packs sizes and strides and launches
 * one of the PTX kernels (src/main/cuda) on the runtime's stream. Operands arrive as the engine prepared them
 * (broadcast views, compute dtype), exactly as for {@link CpuBackend}. Sort runs on the host (documented).
 * Registered in META-INF/services/org.jtorch.engine.Backend.
 */
public final class CudaBackend implements Backend {
    public CudaBackend() {}

    @Override public String deviceType() { return "cuda"; }

    static CudaRuntime rt() { return CudaRuntime.get(); }

    static String sfx(DType dt) {
        return switch (dt) { case FLOAT32 -> "f32"; case FLOAT64 -> "f64"; case INT64 -> "i64"; case INT32 -> "i32"; case BOOL -> "b8"; };
    }

    /** The device memory of a cuda tensor (an error for anything else: the engine keeps devices apart). */
    static CudaStorage cs(Tensor t) {
        if (t.storage instanceof CudaStorage s) return s;
        throw TorchException.runtime("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and " + t.device + "!");
    }

    static CUdeviceptr ptr(Tensor t) { return cs(t).ptr(); }

    private static Tensor onDevice(Tensor t, Device d) { return t.device.equals(d) ? t : t.to(d); }

    private static Tensor emptyOn(DType dt, int[] shape, Device d) {
        return new Tensor(Storage.allocate(dt, Shape.numel(shape), d), shape.clone(), Shape.contiguousStrides(shape), 0, d);
    }

    private static Tensor contiguous(Tensor t) { return t.isContiguous() ? t : t.contiguous(); }

    // ---------------------------------------------------------------- memory

    @Override public Storage allocate(DType dt, int n, Device device) {
        if (device.index() > 0) throw TorchException.runtime("CUDA error: invalid device ordinal (jtorch uses one GPU, cuda:0)");
        return new CudaStorage(rt(), dt, n, device);
    }

    @Override public Tensor toCpu(Tensor t) {
        if (!(t.storage instanceof CudaStorage)) return t;
        CudaRuntime r = rt();
        Tensor c = contiguous(t);
        Tensor out = Tensor.empty(t.dtype, t.shapeRef());
        if (out.numel() > 0) r.toHost(cs(c).at(c.offset), out.storage.array(), 0, out.numel(), CudaStorage.itemSize(t.dtype));
        return out;
    }

    @Override public Tensor fromCpu(Tensor t, Device device) {
        CudaRuntime r = rt();
        Tensor c = t.isContiguous() ? t : t.contiguous();
        Tensor out = emptyOn(t.dtype, t.shapeRef(), device);
        if (out.numel() > 0) r.toDevice(c.storage.array(), c.offset, c.numel(), CudaStorage.itemSize(t.dtype), ptr(out));
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    @Override public void fill(Tensor out, double value) {
        int[] g = Geo.of(out.shapeRef(), new int[][] {out.stridesRef()}, new int[] {out.offset});
        rt().launch1d("elementwise", "fill_" + sfx(out.dtype), Geo.count(g), ptr(out), g, value);
    }

    @Override public void copy(Tensor src, Tensor dst) {
        CudaRuntime r = rt();
        Tensor s = onDevice(src, dst.device);
        if (s.numel() == 0) return;
        if (s.dtype == dst.dtype && s.isContiguous() && dst.isContiguous()) {
            int isz = CudaStorage.itemSize(s.dtype);
            CudaRuntime.check(cuMemcpyDtoDAsync(cs(dst).at(dst.offset), cs(s).at(s.offset), (long) s.numel() * isz, r.stream), "cuMemcpyDtoDAsync");
            return;
        }
        int[] g = Geo.of(dst.shapeRef(), new int[][] {s.stridesRef(), dst.stridesRef()}, new int[] {s.offset, dst.offset});
        r.launch1d("elementwise", "copy_" + sfx(s.dtype) + "_" + sfx(dst.dtype), Geo.count(g), ptr(s), ptr(dst), g);
    }

    @Override public void unary(UnaryOp op, Tensor in, Tensor out, double p1, double p2) {
        int[] g = Geo.of(out.shapeRef(), new int[][] {in.stridesRef(), out.stridesRef()}, new int[] {in.offset, out.offset});
        Tensor x = in;
        if (out.dtype != DType.BOOL && x.dtype != out.dtype) x = org.jtorch.engine.Ops.to(x, out.dtype);
        String k = (out.dtype == DType.BOOL && (op.predicate() || x.dtype != DType.BOOL) ? "predicate_" : "unary_") + sfx(x.dtype);
        if (x != in) g = Geo.of(out.shapeRef(), new int[][] {x.stridesRef(), out.stridesRef()}, new int[] {x.offset, out.offset});
        rt().launch1d("elementwise", k, Geo.count(g), ptr(x), ptr(out), g, op.ordinal(), p1, p2);
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int[] g = Geo.of(out.shapeRef(), new int[][] {a.stridesRef(), b.stridesRef(), out.stridesRef()}, new int[] {a.offset, b.offset, out.offset});
        String k = (out.dtype == DType.BOOL && a.dtype != DType.BOOL ? "compare_" : "binary_") + sfx(a.dtype);
        rt().launch1d("elementwise", k, Geo.count(g), ptr(a), ptr(b), ptr(out), g, op.ordinal());
    }

    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] g = Geo.of(out.shapeRef(), new int[][] {cond.stridesRef(), a.stridesRef(), b.stridesRef(), out.stridesRef()},
            new int[] {cond.offset, a.offset, b.offset, out.offset});
        rt().launch1d("elementwise", "where_" + sfx(out.dtype), Geo.count(g), ptr(cond), ptr(a), ptr(b), ptr(out), g);
    }

    // ---------------------------------------------------------------- reductions

    /** Splits dims into kept (outer) and reduced (inner) lists. */
    private static int[][] split(int[] shape, int[] strides, boolean[] reduced, boolean wantReduced) {
        int c = 0;
        for (int d = 0; d < shape.length; d++) if (reduced[d] == wantReduced) c++;
        int[] s = new int[c], st = new int[c];
        for (int d = 0, j = 0; d < shape.length; d++) if (reduced[d] == wantReduced) { s[j] = shape[d]; st[j] = strides[d]; j++; }
        return new int[][] {s, st};
    }

    private static int pow2Block(int n) {
        int b = 32;
        while (b < n && b < CudaRuntime.BLOCK) b <<= 1;
        return b;
    }

    @Override public void reduce(ReduceOp op, Tensor in, boolean[] reduced, Tensor out) {
        Tensor x = in.dtype == out.dtype ? in : org.jtorch.engine.Ops.to(in, out.dtype); // integer sums accumulate in int64
        int[][] outerIn = split(x.shapeRef(), x.stridesRef(), reduced, false);
        int[][] outerOut = split(out.shapeRef(), out.stridesRef(), reduced, false);
        int[][] inner = split(x.shapeRef(), x.stridesRef(), reduced, true);
        int[] go = Geo.of(outerIn[0], new int[][] {outerIn[1], outerOut[1]}, new int[] {x.offset, out.offset});
        int[] gi = Geo.of(inner[0], new int[][] {inner[1]}, new int[] {0});
        int nOut = Geo.count(go);
        if (nOut == 0) return;
        int grid = Math.min(nOut, 65535);
        rt().launch("reduce", "reduce_" + sfx(x.dtype), grid, 1, 1, pow2Block(Geo.count(gi)), 1, ptr(x), ptr(out), go, gi, op.ordinal());
    }

    @Override public void argReduce(boolean max, Tensor in, int dim, Tensor values, Tensor indices) {
        int[] shape = in.shape();
        int len = shape[dim];
        shape[dim] = 1;
        int[] g = Geo.of(shape, new int[][] {in.stridesRef(), values.stridesRef(), indices.stridesRef()}, new int[] {in.offset, values.offset, indices.offset});
        rt().launch1d("reduce", "argreduce_" + sfx(in.dtype), Geo.count(g), ptr(in), ptr(values), ptr(indices), g, len, in.stridesRef()[dim], max ? 1 : 0);
    }

    /** Geometry over every dim but dim (operands in, out), for line-wise kernels. */
    private static int[] lines(Tensor in, Tensor out, int dim) {
        boolean[] along = new boolean[in.dim()];
        along[dim] = true;
        int[][] a = split(in.shapeRef(), in.stridesRef(), along, false), b = split(out.shapeRef(), out.stridesRef(), along, false);
        return Geo.of(a[0], new int[][] {a[1], b[1]}, new int[] {in.offset, out.offset});
    }

    @Override public void cumulative(Tensor in, int dim, boolean prod, Tensor out) {
        Tensor x = in.dtype == out.dtype ? in : org.jtorch.engine.Ops.to(in, out.dtype);
        int[] g = lines(x, out, dim);
        rt().launch1d("reduce", "cumulative_" + sfx(x.dtype), Geo.count(g), ptr(x), ptr(out), g, x.shapeRef()[dim],
            x.stridesRef()[dim], out.stridesRef()[dim], prod ? 1 : 0);
    }

    @Override public void softmax(Tensor in, int dim, boolean log, Tensor out) {
        if (!in.dtype.isFloating()) throw TorchException.runtime("softmax on CUDA needs a floating tensor");
        int[] g = lines(in, out, dim);
        int n = Geo.count(g);
        if (n == 0) return;
        int len = in.shapeRef()[dim];
        rt().launch("reduce", "softmax_" + sfx(in.dtype), Math.min(n, 65535), 1, 1, pow2Block(len), 1, ptr(in), ptr(out), g, len,
            in.stridesRef()[dim], out.stridesRef()[dim], log ? 1 : 0);
    }

    /** On the host: copies to the CPU, sorts there, copies back (a GPU sort is future work; docs/cuda.md). */
    @Override public void sort(Tensor in, int dim, boolean descending, Tensor values, Tensor indices) {
        Tensor x = toCpu(in);
        Tensor v = Tensor.empty(values.dtype, values.shapeRef()), i = Tensor.empty(DType.INT64, indices.shapeRef());
        CpuBackend.INSTANCE.sort(x, dim, descending, v, i);
        copy(fromCpu(v, values.device), values);
        copy(fromCpu(i, indices.device), indices);
    }

    // ---------------------------------------------------------------- matmul

    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        int bs = a.shapeRef()[0], m = a.shapeRef()[1], k = a.shapeRef()[2], n = b.shapeRef()[2];
        if (bs == 0 || m == 0 || n == 0) return;
        if (k == 0) { fill(out, 0); return; }
        if (out.dtype == DType.BOOL) throw TorchException.runtime("\"addmm_cuda\" not implemented for 'Bool'");
        CudaRuntime r = rt();
        int[] as = a.stridesRef(), bst = b.stridesRef(), os = out.stridesRef();
        if (out.dtype == DType.FLOAT32 && out.isContiguous() && cs(a) != cs(out) && cs(b) != cs(out)) {
            Cublas cb = Cublas.get();
            long pa = cs(a).block.address(), pb = cs(b).block.address(), po = cs(out).block.address();
            if (cb != null && pa != 0 && pb != 0 && po != 0) {
                try {
                    if (cb.sgemm(bs, m, k, n, pa + 4L * a.offset, bs == 1 ? 0 : as[0], as[1], as[2], pb + 4L * b.offset, bs == 1 ? 0 : bst[0],
                            bst[1], bst[2], po + 4L * out.offset, (long) m * n)) return;
                } catch (TorchException e) {
                    throw e;
                } catch (Throwable t) {
                    throw TorchException.runtime("cuBLAS SGEMM failed: " + t.getMessage());
                }
            }
        }
        int[] args = {bs, m, k, n, a.offset, as[0], as[1], as[2], b.offset, bst[0], bst[1], bst[2], out.offset, os[0], os[1], os[2]};
        Tensor aa = a, bb = b;
        if (cs(a) == cs(out)) aa = a.copy();
        if (cs(b) == cs(out)) bb = b.copy();
        if (aa != a) { int[] s = aa.stridesRef(); args[4] = aa.offset; args[5] = s[0]; args[6] = s[1]; args[7] = s[2]; }
        if (bb != b) { int[] s = bb.stridesRef(); args[8] = bb.offset; args[9] = s[0]; args[10] = s[1]; args[11] = s[2]; }
        r.launch("gemm", "gemm_" + sfx(out.dtype), (n + 63) / 64, (m + 63) / 64, Math.min(bs, 65535), 16, 16, ptr(aa), ptr(bb), ptr(out), args);
    }

    // ---------------------------------------------------------------- indexing

    private static void raiseIndex(int[] e, boolean indexError, int dimOffset) {
        if (e == null) return;
        String msg = "index " + e[0] + " is out of bounds for dimension " + (e[1] + dimOffset) + " with size " + e[2];
        throw indexError ? TorchException.index(msg) : TorchException.runtime(msg);
    }

    @Override public void gather(Tensor in, int dim, Tensor index, Tensor out) {
        CudaRuntime r = rt();
        int[] xs = in.stridesRef().clone();
        int dimStride = in.dim() == 0 ? 0 : xs[dim];
        if (in.dim() > 0) xs[dim] = 0;
        int[] shape = index.shapeRef();
        if (in.dim() == 0) xs = new int[shape.length];
        int[] g = Geo.of(shape, new int[][] {index.stridesRef(), out.stridesRef(), xs}, new int[] {index.offset, out.offset, in.offset});
        int size = in.dim() == 0 ? 1 : in.shapeRef()[dim];
        r.clearError();
        r.launch1d("index", "gather_" + sfx(in.dtype), Geo.count(g), ptr(in), ptr(index), ptr(out), g, dim, dimStride, size, r.errorFlag);
        raiseIndex(r.readError(), false, 0);
    }

    @Override public void scatter(Tensor self, int dim, Tensor index, Tensor src, boolean accumulate) {
        CudaRuntime r = rt();
        int[] ss = self.stridesRef().clone();
        int dimStride = ss[dim];
        ss[dim] = 0;
        int[] g = Geo.of(index.shapeRef(), new int[][] {index.stridesRef(), src.stridesRef(), ss}, new int[] {index.offset, src.offset, self.offset});
        r.clearError();
        r.launch1d("index", "scatter_" + sfx(self.dtype), Geo.count(g), ptr(self), ptr(index), ptr(src), g, dim, dimStride,
            self.shapeRef()[dim], accumulate ? 1 : 0, r.errorFlag);
        raiseIndex(r.readError(), false, 0);
    }

    @Override public void index(Tensor self, Tensor[] indices, Tensor out, Tensor values, boolean accumulate) {
        CudaRuntime r = rt();
        int k = indices.length;
        int[] bshape = indices[0].shapeRef();
        int nb = Shape.numel(bshape);
        if (nb == 0) return;
        if (k > Geo.MAXD) throw TorchException.index("too many indices for a CUDA tensor (at most " + Geo.MAXD + ")");
        // the k index tensors as k contiguous rows of nb int64
        Tensor idx = emptyOn(DType.INT64, new int[] {k, nb}, self.device);
        for (int j = 0; j < k; j++) copy(onDevice(indices[j], self.device).reshape(nb), idx.select(0, j));
        int[] sshape = self.shapeRef(), sstr = self.stridesRef();
        int[] restShape = Arrays.copyOfRange(sshape, k, sshape.length);
        int restN = Shape.numel(restShape);
        if (restN == 0) return;
        Tensor other = values != null ? values : out;
        int[] oshape = other.shapeRef();
        int[] selfRest = new int[oshape.length];
        for (int d = 0; d < restShape.length; d++) selfRest[bshape.length + d] = sstr[k + d];
        int[] g = Geo.of(oshape, new int[][] {other.stridesRef(), selfRest}, new int[] {other.offset, self.offset});
        int[] kd = new int[Geo.INTS];
        kd[0] = k;
        kd[1] = nb;
        for (int j = 0; j < k; j++) { kd[2 + j] = sshape[j]; kd[2 + Geo.MAXD + j] = sstr[j]; }
        int mode = values == null ? 0 : accumulate ? 2 : 1;
        if (values != null && values.dtype != self.dtype) other = org.jtorch.engine.Ops.to(values, self.dtype);
        r.clearError();
        r.launch1d("index", "index_" + sfx(self.dtype), Geo.count(g), ptr(self), ptr(idx), ptr(other), g, kd, restN, mode, r.errorFlag);
        raiseIndex(r.readError(), true, 0);
    }

    // ---------------------------------------------------------------- sliding windows (contiguous NCHW)

    private static int[] win(int n, int c, int h, int w, int oh, int ow, Window2d q) {
        return new int[] {n, c, h, w, oh, ow, q.kh(), q.kw(), q.sh(), q.sw(), q.ph(), q.pw(), q.dh(), q.dw()};
    }

    /** Runs body on out, or on a contiguous stand-in copied back afterwards. */
    private void intoContiguous(Tensor out, java.util.function.Consumer<Tensor> body) {
        if (out.isContiguous()) { body.accept(out); return; }
        Tensor tmp = out.contiguous();
        body.accept(tmp);
        copy(tmp, out);
    }

    private static CUdeviceptr at(Tensor t) { return cs(t).at(t.offset); }

    @Override public void unfold2d(Tensor xin, Window2d w, Tensor out) {
        Tensor x = contiguous(xin);
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int[] q = win(n, c, h, wd, w.outH(h, false), w.outW(wd, false), w);
        intoContiguous(out, o -> rt().launch1d("window", "unfold2d_" + sfx(x.dtype), (long) o.numel(), at(x), at(o), q));
    }

    @Override public void fold2d(Tensor colsIn, Window2d w, Tensor out) {
        Tensor cols = contiguous(colsIn);
        int n = out.size(0), c = out.size(1), h = out.size(2), wd = out.size(3);
        int[] q = win(n, c, h, wd, w.outH(h, false), w.outW(wd, false), w);
        intoContiguous(out, o -> rt().launch1d("window", "fold2d_" + sfx(o.dtype), (long) o.numel(), at(cols), at(o), q));
    }

    @Override public void pool2d(Tensor xin, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor out, Tensor indices) {
        Tensor x = contiguous(xin);
        int[] q = win(x.size(0), x.size(1), x.size(2), x.size(3), out.size(2), out.size(3), w);
        Tensor idx = indices == null ? null : contiguous(indices);
        intoContiguous(out, o -> rt().launch1d("window", "pool2d_" + sfx(x.dtype), (long) o.numel(), at(x), at(o),
            idx == null ? null : at(idx), q, max ? 1 : 0, countIncludePad ? 1 : 0, divisor));
        if (idx != null && idx != indices) copy(idx, indices);
    }

    @Override public void pool2dBackward(Tensor gradOut, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor indices, Tensor gradIn) {
        Tensor g = contiguous(gradOut);
        Tensor idx = indices == null ? null : contiguous(indices);
        int[] q = win(gradIn.size(0), gradIn.size(1), gradIn.size(2), gradIn.size(3), g.size(2), g.size(3), w);
        intoContiguous(gradIn, o -> rt().launch1d("window", "pool2d_backward_" + sfx(o.dtype), (long) g.numel(), at(g), at(o),
            idx == null ? null : at(idx), q, max ? 1 : 0, countIncludePad ? 1 : 0, divisor));
    }

    @Override public void adaptiveAvgPool2d(Tensor xin, Tensor out, boolean backward) {
        Tensor x = contiguous(xin);
        Tensor big = backward ? out : x, small = backward ? x : out;
        int[] q = win(big.size(0), big.size(1), big.size(2), big.size(3), small.size(2), small.size(3), new Window2d(1, 1, 1, 1, 0, 0, 1, 1));
        intoContiguous(out, o -> rt().launch1d("window", "adaptive_avg_pool2d_" + sfx(x.dtype), (long) small.numel(), at(x), at(o), q, backward ? 1 : 0));
    }
}
