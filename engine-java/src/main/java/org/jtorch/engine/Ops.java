package org.jtorch.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Device-independent tensor operations: type promotion, broadcasting, shape checks and output allocation,
 * with the element work done by the operands' {@link Backend}. No autograd here.
 */
public final class Ops {
    private Ops() {}

    // ---------------------------------------------------------------- dtypes

    /** PyTorch's result_type for two tensors: dimensioned tensors outrank 0-dim ones of the same category. */
    public static DType resultType(Tensor a, Tensor b) {
        boolean da = a.dim() > 0, db = b.dim() > 0;
        if (da == db) return DType.promote(a.dtype, b.dtype);
        Tensor dimT = da ? a : b, zero = da ? b : a;
        if (zero.dtype.category > dimT.dtype.category) return zero.dtype;
        return dimT.dtype;
    }

    /** Result type of a tensor with a Python scalar (bool, int or float). */
    public static DType scalarResultType(DType t, int scalarCategory) {
        if (scalarCategory > t.category) return scalarCategory == 2 ? DType.defaultFloat() : DType.INT64;
        return t;
    }

    public static Tensor to(Tensor t, DType dt) {
        if (t.dtype == dt) return t;
        Tensor out = alloc(dt, t.shapeRef(), t.device);
        t.backend().copy(t, out);
        return out;
    }

    static Tensor alloc(DType dt, int[] shape, Device dev) {
        return new Tensor(Storage.allocate(dt, Shape.numel(shape), dev), shape.clone(), Shape.contiguousStrides(shape), 0, dev);
    }

    public static Tensor emptyLike(Tensor t) { return alloc(t.dtype, t.shapeRef(), t.device); }

    // ---------------------------------------------------------------- devices (the one place they are checked)

    private static boolean cpuScalar(Tensor t) { return t.dim() == 0 && t.device.type().equals("cpu"); }

    private static TorchException mixed(Device a, Device b) {
        Device first = a.type().equals("cpu") ? b : a, second = first == a ? b : a;
        return TorchException.runtime("Expected all tensors to be on the same device, but found at least two devices, "
            + first + " and " + second + "!");
    }

    /** Both operands must be on one device. */
    private static void sameDevice(Tensor a, Tensor b) {
        if (!a.device.equals(b.device)) throw mixed(a.device, b.device);
    }

    /** The device an op on a and b runs on: one device, except that 0-dim CPU tensors join any device (as in PyTorch). */
    static Device commonDevice(Tensor a, Tensor b) {
        if (a.device.equals(b.device)) return a.device;
        if (cpuScalar(b)) return a.device;
        if (cpuScalar(a)) return b.device;
        throw mixed(a.device, b.device);
    }

    /** t on device d (a 0-dim CPU scalar is moved; anything else must already be there). */
    static Tensor on(Tensor t, Device d) {
        if (t.device.equals(d)) return t;
        if (cpuScalar(t)) return t.to(d);
        throw mixed(d, t.device);
    }

    // ---------------------------------------------------------------- elementwise

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        DType ct = resultType(a, b);
        return binaryIn(op, a, b, ct);
    }

    /** Binary op computed in dtype ct (operands converted), output bool for comparisons. */
    public static Tensor binaryIn(BinaryOp op, Tensor a, Tensor b, DType ct) {
        return binaryIn(op, a, b, ct, null);
    }

    /**
     * The out= form: the result goes straight into {@code into} when that has the result's shape and dtype and
     * shares no storage with a or b; otherwise a new tensor is returned (the caller copies it over).
     */
    public static Tensor binaryOut(BinaryOp op, Tensor a, Tensor b, Tensor into) {
        sameDevice(a, into);
        return binaryIn(op, a, b, resultType(a, b), into);
    }

    private static boolean writable(Tensor into, DType dt, int[] shape, Tensor a, Tensor b) {
        return into != null && into.dtype == dt && Arrays.equals(into.shapeRef(), shape)
            && into.storage != a.storage && into.storage != b.storage;
    }

    private static Tensor binaryIn(BinaryOp op, Tensor a, Tensor b, DType ct, Tensor into) {
        if ((op == BinaryOp.DIV || op == BinaryOp.ATAN2) && !ct.isFloating()) ct = DType.defaultFloat();
        if (op == BinaryOp.POW && ct == DType.BOOL) ct = DType.INT64;
        if (op == BinaryOp.SUB && (a.dtype == DType.BOOL || b.dtype == DType.BOOL)) {
            if (a.dtype == DType.BOOL && b.dtype == DType.BOOL)
                throw TorchException.runtime("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
            throw TorchException.runtime("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        }
        if (op == BinaryOp.ADD && ct == DType.BOOL) op = BinaryOp.LOGICAL_OR;
        if (ct == DType.BOOL && op == BinaryOp.MUL) op = BinaryOp.LOGICAL_AND;
        if (ct.isFloating() && (op == BinaryOp.BITWISE_AND || op == BinaryOp.BITWISE_OR || op == BinaryOp.BITWISE_XOR))
            throw TorchException.runtime("\"" + op.name().toLowerCase() + "_cpu\" not implemented for '" + (ct == DType.FLOAT32 ? "Float" : "Double") + "'");
        if (ct == DType.BOOL && (op == BinaryOp.BITWISE_AND || op == BinaryOp.BITWISE_OR || op == BinaryOp.BITWISE_XOR))
            op = op == BinaryOp.BITWISE_AND ? BinaryOp.LOGICAL_AND : op == BinaryOp.BITWISE_OR ? BinaryOp.LOGICAL_OR : BinaryOp.LOGICAL_XOR;
        Device dev = commonDevice(a, b);
        int[] shape = Shape.broadcast(a.shapeRef(), b.shapeRef());
        Tensor x = to(on(a, dev), ct), y = to(on(b, dev), ct);
        if (!Arrays.equals(x.shapeRef(), shape)) x = x.expand(shape);
        if (!Arrays.equals(y.shapeRef(), shape)) y = y.expand(shape);
        DType outT = op.comparison() ? DType.BOOL : ct;
        boolean direct = writable(into, outT, shape, a, b) && into.device.equals(dev);
        Tensor out = direct ? into : alloc(outT, shape, dev);
        Backend.of(dev).binary(op, x, y, out);
        if (direct) into.storage.version++;
        return out;
    }

    /** self (op)= other, in place; other broadcast to self's shape and cast to self's dtype. */
    public static Tensor binaryInPlace(BinaryOp op, Tensor self, Tensor other) {
        other = on(other, self.device);
        DType ct = resultType(self, other);
        if (op == BinaryOp.DIV && !ct.isFloating()) ct = DType.defaultFloat();
        if (ct.category > self.dtype.category)
            throw TorchException.runtime("result type " + typeName(ct) + " can't be cast to the desired output type " + typeName(self.dtype));
        int[] shape = Shape.broadcast(self.shapeRef(), other.shapeRef());
        if (!Arrays.equals(shape, self.shapeRef()))
            throw TorchException.runtime("output with shape " + Shape.str(self.shapeRef()) + " doesn't match the broadcast shape " + Shape.str(shape));
        Tensor y = to(other, self.dtype);
        if (!y.sameShape(self)) y = y.expand(self.shapeRef());
        Tensor src = self;
        // reading and writing the same storage is fine elementwise, unless other overlaps self differently
        if (other.storage == self.storage) y = y.copy();
        self.backend().binary(op, src, y, self);
        self.storage.version++;
        return self;
    }

    public static String typeName(DType d) {
        return switch (d) { case FLOAT32 -> "Float"; case FLOAT64 -> "Double"; case INT64 -> "Long"; case INT32 -> "Int"; case BOOL -> "Bool"; };
    }

    public static Tensor scalarTensor(double v, int category, Device dev) {
        DType dt = category == 2 ? DType.FLOAT64 : category == 1 ? DType.INT64 : DType.BOOL;
        Tensor t = alloc(dt, new int[0], Device.CPU);
        if (category == 2) t.storage.setD(0, v); else t.storage.setL(0, (long) v);
        return t.to(dev);
    }

    /** a (op) python-scalar; reverse puts the scalar first. */
    public static Tensor binaryScalar(BinaryOp op, Tensor a, double s, int category, boolean reverse) {
        DType ct = scalarResultType(a.dtype, category);
        if (op == BinaryOp.POW && !reverse && !ct.isFloating() && s < 0)
            throw TorchException.runtime("Integers to negative integer powers are not allowed.");
        Tensor st = scalarTensor(s, category, a.device);
        return reverse ? binaryIn(op, st, a, ct) : binaryIn(op, a, st, ct);
    }

    public static Tensor unary(UnaryOp op, Tensor x, double p1, double p2) {
        if (op == UnaryOp.NEG && x.dtype == DType.BOOL)
            throw TorchException.runtime("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        DType outT;
        if (op.predicate()) outT = DType.BOOL;
        else if (x.dtype.isFloating() || op.integerClosed()) outT = x.dtype;
        else outT = DType.defaultFloat();
        if (op == UnaryOp.CLAMP && !x.dtype.isFloating() && ((!Double.isNaN(p1) && p1 != Math.rint(p1)) || (!Double.isNaN(p2) && p2 != Math.rint(p2))))
            outT = DType.defaultFloat();
        Tensor in = (outT.isFloating() && !x.dtype.isFloating()) ? to(x, outT) : x;
        Tensor out = alloc(outT, x.shapeRef(), x.device);
        x.backend().unary(op, in, out, p1, p2);
        return out;
    }

    public static Tensor unaryInPlace(UnaryOp op, Tensor x, double p1, double p2) {
        if (!x.dtype.isFloating() && !op.integerClosed())
            throw TorchException.runtime("result type Float can't be cast to the desired output type " + typeName(x.dtype));
        x.backend().unary(op, x, x, p1, p2);
        x.storage.version++;
        return x;
    }

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType ct = resultType(a, b);
        Device dev = commonDevice(a, b);
        if (!cond.device.equals(dev) && !cpuScalar(cond)) {
            if (cpuScalar(a) && cpuScalar(b)) dev = cond.device; else throw mixed(dev, cond.device);
        }
        int[] shape = Shape.broadcast(Shape.broadcast(cond.shapeRef(), a.shapeRef()), b.shapeRef());
        Tensor c = to(on(cond, dev), DType.BOOL).expand(shape), x = to(on(a, dev), ct).expand(shape), y = to(on(b, dev), ct).expand(shape);
        Tensor out = alloc(ct, shape, dev);
        Backend.of(dev).where(c, x, y, out);
        return out;
    }

    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype != DType.BOOL) throw TorchException.runtime("masked_fill_ only supports boolean masks, but got mask with dtype " + mask.dtype.pyName);
        Tensor v = scalarTensor(value, x.dtype.category, x.device);
        return where(mask, to(v, x.dtype), x);
    }

    // ---------------------------------------------------------------- reductions

    public static boolean[] reducedDims(int ndim, int[] dims) {
        boolean[] r = new boolean[ndim];
        if (dims == null || dims.length == 0) { Arrays.fill(r, true); return r; }
        for (int d : dims) {
            int w = Shape.wrapDim(d, ndim);
            if (ndim == 0) continue;
            if (r[w]) throw TorchException.runtime("dim " + w + " appears multiple times in the list of dims");
            r[w] = true;
        }
        return r;
    }

    static int[] keepShape(int[] shape, boolean[] red) {
        int[] k = shape.clone();
        for (int i = 0; i < k.length; i++) if (red[i]) k[i] = 1;
        return k;
    }

    static int[] dropShape(int[] shape, boolean[] red) {
        int c = 0;
        for (boolean b : red) if (!b) c++;
        int[] s = new int[c];
        for (int i = 0, j = 0; i < shape.length; i++) if (!red[i]) s[j++] = shape[i];
        return s;
    }

    /** A reduction; dims null or empty means all dims. */
    public static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim, DType outT) {
        boolean[] red = reducedDims(x.dim(), dims);
        int[] ks = keepShape(x.shapeRef(), red);
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && x.numel() == 0)
            throw TorchException.runtime(op.name().toLowerCase() + "(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        Tensor out = alloc(outT, ks, x.device);
        x.backend().reduce(op, x, red, out);
        return keepdim ? out : out.view(dropShape(x.shapeRef(), red));
    }

    public static DType sumType(DType d) { return d.isFloating() ? d : DType.INT64; }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) { return reduce(ReduceOp.SUM, x, dims, keepdim, sumType(x.dtype)); }

    public static Tensor prod(Tensor x, int[] dims, boolean keepdim) { return reduce(ReduceOp.PROD, x, dims, keepdim, sumType(x.dtype)); }

    public static int reducedCount(Tensor x, int[] dims) {
        boolean[] red = reducedDims(x.dim(), dims);
        int n = 1;
        for (int i = 0; i < red.length; i++) if (red[i]) n *= x.shapeRef()[i];
        return n;
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        if (!x.dtype.isFloating())
            throw TorchException.runtime("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: " + typeName(x.dtype));
        Tensor s = sum(x, dims, keepdim);
        return binaryScalar(BinaryOp.DIV, s, reducedCount(x, dims), 2, false);
    }

    /** var with the given correction (1 = unbiased). */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        Tensor xf = x.dtype.isFloating() ? x : to(x, DType.defaultFloat());
        Tensor m = mean(xf, dims, true);
        Tensor d = binary(BinaryOp.SUB, xf, m);
        Tensor s = sum(binary(BinaryOp.MUL, d, d), dims, keepdim);
        int n = reducedCount(x, dims);
        return binaryScalar(BinaryOp.DIV, s, Math.max(n - correction, 0), 2, false);
    }

    public static Tensor amax(Tensor x, int[] dims, boolean keepdim) { return reduce(ReduceOp.MAX, x, dims, keepdim, x.dtype); }

    public static Tensor amin(Tensor x, int[] dims, boolean keepdim) { return reduce(ReduceOp.MIN, x, dims, keepdim, x.dtype); }

    /** max/min along one dim: {values, indices}. */
    public static Tensor[] maxDim(Tensor x, int dim, boolean keepdim, boolean max) {
        int d = Shape.wrapDim(dim, x.dim());
        if (x.dim() == 0) {
            Tensor v = x.copy(), i = alloc(DType.INT64, new int[0], x.device);
            return new Tensor[] {v, i};
        }
        if (x.shapeRef()[d] == 0)
            throw TorchException.index((max ? "max" : "min") + "(): Expected reduction dim " + d + " to have non-zero size.");
        int[] ks = x.shape();
        ks[d] = 1;
        Tensor v = alloc(x.dtype, ks, x.device), i = alloc(DType.INT64, ks, x.device);
        x.backend().argReduce(max, x, d, v, i);
        if (!keepdim) { v = v.squeeze(d); i = i.squeeze(d); }
        return new Tensor[] {v, i};
    }

    public static Tensor argmax(Tensor x, Integer dim, boolean keepdim, boolean max) {
        if (dim == null) {
            if (x.numel() == 0) throw TorchException.runtime("argmax(): Expected reduction dim to be specified for input.numel() == 0.");
            Tensor flat = x.reshape(-1);
            Tensor r = maxDim(flat, 0, false, max)[1];
            return keepdim ? r.reshape(onesShape(x.dim())) : r;
        }
        return maxDim(x, dim, keepdim, max)[1];
    }

    static int[] onesShape(int n) { int[] s = new int[n]; Arrays.fill(s, 1); return s; }

    public static Tensor softmax(Tensor x, int dim, boolean log) {
        if (!x.dtype.isFloating())
            throw TorchException.runtime("\"" + (log ? "log_softmax" : "softmax") + "_lastdim_kernel_impl\" not implemented for '" + typeName(x.dtype) + "'");
        Tensor xf = x;
        if (xf.dim() == 0) xf = xf.reshape(1);
        int d = Shape.wrapDim(dim, xf.dim());
        Tensor out = alloc(xf.dtype, xf.shapeRef(), x.device);
        if (xf.numel() > 0) x.backend().softmax(xf, d, log, out);
        return x.dim() == 0 ? out.reshape() : out;
    }

    public static Tensor cumulative(Tensor x, int dim, boolean prod) {
        DType outT = x.dtype.isFloating() ? x.dtype : DType.INT64;
        Tensor xi = x.dim() == 0 ? x.reshape(1) : x;
        int d = Shape.wrapDim(dim, xi.dim());
        Tensor out = alloc(outT, xi.shapeRef(), x.device);
        if (xi.numel() > 0) x.backend().cumulative(xi, d, prod, out);
        return x.dim() == 0 ? out.reshape() : out;
    }

    // ---------------------------------------------------------------- linear algebra

    /** torch.matmul semantics for 1-D, 2-D and batched operands. */
    public static Tensor matmul(Tensor a, Tensor b) {
        sameDevice(a, b);
        int da = a.dim(), db = b.dim();
        if (da == 0 || db == 0) throw TorchException.runtime("both arguments to matmul need to be at least 1D, but they are " + da + "D and " + db + "D");
        if (a.dtype != b.dtype)
            throw TorchException.runtime("expected m1 and m2 to have the same dtype, but got: " + typeName(a.dtype).toLowerCase() + " != " + typeName(b.dtype).toLowerCase());
        if (da == 1 && db == 1) {
            if (a.size(0) != b.size(0))
                throw TorchException.runtime("inconsistent tensor size, expected tensor [" + a.size(0) + "] and src [" + b.size(0) + "] to have the same number of elements, but got " + a.size(0) + " and " + b.size(0) + " elements respectively");
            return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        }
        if (da == 2 && db == 1) return mm(a, b.unsqueeze(1)).squeeze(1);
        if (da == 1 && db == 2) return mm(a.unsqueeze(0), b).squeeze(0);
        if (da == 2 && db == 2) return mm(a, b);
        // batched with broadcasting of the batch dims
        Tensor a2 = da == 1 ? a.unsqueeze(0) : a, b2 = db == 1 ? b.unsqueeze(1) : b;
        int[] as = a2.shapeRef(), bs = b2.shapeRef();
        int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != k2) throw TorchException.runtime("mat1 and mat2 shapes cannot be multiplied (" + (Shape.numel(as) / k) + "x" + k + " and " + k2 + "x" + n + ")");
        int[] ba = Arrays.copyOf(as, as.length - 2), bb = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shape.broadcast(ba, bb);
        int nb = Shape.numel(batch);
        int[] ea = concat(batch, new int[] {m, k}), eb = concat(batch, new int[] {k, n});
        Tensor A = a2.expand(ea).reshape(nb, m, k), B = b2.expand(eb).reshape(nb, k, n);
        Tensor out = bmmRaw(A, B);
        Tensor r = out.view(concat(batch, new int[] {m, n}));
        if (da == 1) r = r.squeeze(-2);
        if (db == 1) r = r.squeeze(-1);
        return r;
    }

    public static Tensor mm(Tensor a, Tensor b) {
        checkMm(a, b);
        return bmmRaw(a.unsqueeze(0), b.unsqueeze(0)).squeeze(0);
    }

    /**
     * A fused Adam (or AdamW when decoupled) step on one parameter p with gradient g and moments m, v, all updated in
     * place, element by element in float32 in the order of PyTorch's single-tensor implementation and its CPU
     * kernels: g' = g + wd*p (or p *= 1 - lr*wd), m = lerp(m, g', 1 - beta1), v = v*beta2 + (1 - beta2)*g'*g',
     * p += (-lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps). Returns false (nothing changed) when the tensors are not
     * all float32, contiguous, of one shape and device; the caller then runs the step op by op.
     */
    public static boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                   double weightDecay, boolean decoupled, boolean maximize, double step) {
        if (!p.device.equals(g.device) || !p.device.equals(m.device) || !p.device.equals(v.device)) return false;
        if (!p.sameShape(g) || !p.sameShape(m) || !p.sameShape(v)) return false;
        if (p.storage == g.storage || p.storage == m.storage || p.storage == v.storage || m.storage == v.storage || g.storage == m.storage || g.storage == v.storage) return false;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        boolean done = p.backend().adamStep(p, g, m, v, (float) lr, (float) beta1, (float) beta2, (float) eps, (float) weightDecay,
            decoupled, maximize, (float) (lr / bc1), (float) Math.sqrt(bc2));
        if (done) {
            p.storage.version++;
            m.storage.version++;
            v.storage.version++;
        }
        return done;
    }

    /**
     * Fused layer_norm over the last dimension: {y, mean, rstd} (mean and rstd of shape x.shape[:-1] + [1]), or null
     * when the backend has no fused kernel for these tensors.
     */
    public static Tensor[] layerNorm(Tensor x, Tensor w, Tensor b, double eps) {
        if (x.dim() == 0 || (w != null && (w.dim() != 1 || w.size(0) != x.size(x.dim() - 1) || !w.device.equals(x.device)))
                || (b != null && (b.dim() != 1 || b.size(0) != x.size(x.dim() - 1) || !b.device.equals(x.device)))) return null;
        int[] stat = x.shape();
        stat[stat.length - 1] = 1;
        Tensor y = emptyLike(x), mean = alloc(x.dtype, stat, x.device), rstd = alloc(x.dtype, stat, x.device);
        return x.backend().layerNorm(x, w, b, eps, y, mean, rstd) ? new Tensor[] {y, mean, rstd} : null;
    }

    /** layer_norm's {gx, gw, gb} (gw/gb null unless wanted), or null when there is no fused kernel. */
    public static Tensor[] layerNormBackward(Tensor g, Tensor x, Tensor mean, Tensor rstd, Tensor w, boolean wantW, boolean wantB) {
        int n = x.size(x.dim() - 1);
        Tensor gx = emptyLike(x), gw = wantW ? alloc(x.dtype, new int[] {n}, x.device) : null, gb = wantB ? alloc(x.dtype, new int[] {n}, x.device) : null;
        return x.backend().layerNormBackward(g.contiguous(), x, mean, rstd, w, gx, gw, gb) ? new Tensor[] {gx, gw, gb} : null;
    }

    /** Exact GELU (g null) or its gradient g * gelu'(x); null when there is no fused kernel. */
    public static Tensor gelu(Tensor x, Tensor g) {
        Tensor y = emptyLike(x);
        if (g != null) g = g.contiguous();
        return x.backend().gelu(x, g, y) ? y : null;
    }

    /** self += alpha * other in place (add_ with alpha), with binaryInPlace's checks; one pass where the backend can. */
    public static Tensor addScaledInPlace(Tensor self, Tensor other, double alpha) {
        if (self.sameShape(other) && self.dtype == other.dtype && self.dtype.isFloating() && self.storage != other.storage
                && self.device.equals(other.device)) {
            self.backend().addScaled(self, other, alpha);
            self.storage.version++;
            return self;
        }
        return binaryInPlace(BinaryOp.ADD, self, binaryScalar(BinaryOp.MUL, other, alpha, 2, false));
    }

    /** relu's gradient g * (y > 0) for relu's output y, in g's dtype (one pass on the CPU). */
    public static Tensor reluBackward(Tensor g, Tensor y) {
        Device dev = commonDevice(g, y);
        Tensor gg = g.sameShape(y) ? g : g.expand(y.shapeRef());
        Tensor out = alloc(g.dtype, y.shapeRef(), dev);
        if (y.dtype != g.dtype) y = to(y, g.dtype);
        Backend.of(dev).reluBackward(gg, y, out);
        return out;
    }

    /** mm's out= form (see {@link #binaryOut}). */
    public static Tensor mmOut(Tensor a, Tensor b, Tensor into) {
        checkMm(a, b);
        sameDevice(a, into);
        if (!writable(into, a.dtype, new int[] {a.size(0), b.size(1)}, a, b)) return mm(a, b);
        a.backend().matmul(a.unsqueeze(0), b.unsqueeze(0), into.unsqueeze(0));
        into.storage.version++;
        return into;
    }

    /** bmm's out= form (see {@link #binaryOut}). */
    public static Tensor bmmOut(Tensor a, Tensor b, Tensor into) {
        Tensor r = bmm(a, b, into);
        if (r == into) into.storage.version++;
        return r;
    }

    /** matmul's out= form (see {@link #binaryOut}). */
    public static Tensor matmulOut(Tensor a, Tensor b, Tensor into) {
        return a.dim() == 2 && b.dim() == 2 ? mmOut(a, b, into) : matmul(a, b);
    }

    /**
     * addmm: beta * c + alpha * (a @ b), c broadcast to the product's shape. One pass: c goes into the output
     * first and the GEMM accumulates onto it (as PyTorch's addmm does with BLAS's beta).
     */
    public static Tensor addmm(Tensor c, Tensor a, Tensor b, double beta, double alpha) {
        checkMm(a, b);
        sameDevice(a, c);
        int[] shape = {a.size(0), b.size(1)};
        if (alpha != 1 || c.dtype != a.dtype || !Arrays.equals(Shape.broadcast(c.shapeRef(), shape), shape)) {
            Tensor prod = mm(a, b);
            if (alpha != 1) prod = binary(BinaryOp.MUL, prod, scalarTensor(alpha, 2, prod.device));
            Tensor out = binary(BinaryOp.ADD, beta == 1 ? c : binary(BinaryOp.MUL, c, scalarTensor(beta, 2, c.device)), prod);
            if (!out.sameShape(prod)) throw TorchException.runtime("The expanded size of the tensor (" + prod.size(-1) + ") must match the existing size");
            return out;
        }
        Tensor out = alloc(a.dtype, shape, a.device);
        if (beta == 0) a.backend().fill(out, 0);
        else {
            a.backend().copy(c.sameShape(out) ? c : c.expand(shape), out);
            if (beta != 1) a.backend().binary(BinaryOp.MUL, out, scalarTensor(beta, 2, out.device).expand(shape), out);
        }
        a.backend().matmulAdd(a.unsqueeze(0), b.unsqueeze(0), out.unsqueeze(0));
        return out;
    }

    /** mm's argument checks, with PyTorch's messages. */
    public static void checkMm(Tensor a, Tensor b) {
        if (a.dim() != 2) throw TorchException.runtime("self must be a matrix");
        if (b.dim() != 2) throw TorchException.runtime("mat2 must be a matrix");
        if (a.size(1) != b.size(0))
            throw TorchException.runtime("mat1 and mat2 shapes cannot be multiplied (" + a.size(0) + "x" + a.size(1) + " and " + b.size(0) + "x" + b.size(1) + ")");
        if (a.dtype != b.dtype)
            throw TorchException.runtime("expected m1 and m2 to have the same dtype, but got: " + typeName(a.dtype).toLowerCase() + " != " + typeName(b.dtype).toLowerCase());
    }

    public static Tensor bmm(Tensor a, Tensor b) { return bmm(a, b, null); }

    private static Tensor bmm(Tensor a, Tensor b, Tensor into) {
        if (a.dim() != 3) throw TorchException.runtime("batch1 must be a 3D tensor");
        if (b.dim() != 3) throw TorchException.runtime("batch2 must be a 3D tensor");
        if (a.size(0) != b.size(0) || a.size(2) != b.size(1))
            throw TorchException.runtime("Expected size for first two dimensions of batch2 tensor to be: [" + a.size(0) + ", " + a.size(2) + "] but got: [" + b.size(0) + ", " + b.size(1) + "].");
        if (into != null) {
            sameDevice(a, into);
            if (writable(into, a.dtype, new int[] {a.size(0), a.size(1), b.size(2)}, a, b)) {
                a.backend().matmul(a, b, into);
                return into;
            }
        }
        return bmmRaw(a, b);
    }

    private static Tensor bmmRaw(Tensor a, Tensor b) {
        Tensor out = alloc(a.dtype, new int[] {a.size(0), a.size(1), b.size(2)}, a.device);
        a.backend().matmul(a, b, out);
        return out;
    }

    static int[] concat(int[] x, int[] y) {
        int[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    // ---------------------------------------------------------------- joining and reshaping

    public static Tensor cat(Tensor[] ts, int dim) {
        if (ts.length == 0) throw TorchException.runtime("torch.cat(): expected a non-empty list of Tensors");
        for (Tensor t : ts) sameDevice(ts[0], t);
        Tensor ref = null;
        for (Tensor t : ts) if (!(t.dim() == 1 && t.numel() == 0)) { ref = t; break; }
        if (ref == null) return ts[0].copy();
        int d = Shape.wrapDim(dim, ref.dim());
        DType dt = ts[0].dtype;
        for (Tensor t : ts) dt = DType.promote(dt, t.dtype);
        int total = 0;
        for (int i = 0; i < ts.length; i++) {
            Tensor t = ts[i];
            if (t.dim() == 0) throw TorchException.runtime("zero-dimensional tensor (at position " + i + ") cannot be concatenated");
            if (t.dim() == 1 && t.numel() == 0) continue;
            if (t.dim() != ref.dim())
                throw TorchException.runtime("Tensors must have same number of dimensions: got " + ref.dim() + " and " + t.dim());
            for (int j = 0; j < ref.dim(); j++)
                if (j != d && t.shapeRef()[j] != ref.shapeRef()[j])
                    throw TorchException.runtime("Sizes of tensors must match except in dimension " + d + ". Expected size " + ref.shapeRef()[j]
                        + " but got size " + t.shapeRef()[j] + " for tensor number " + i + " in the list.");
            total += t.shapeRef()[d];
        }
        int[] shape = ref.shape();
        shape[d] = total;
        Tensor out = alloc(dt, shape, ref.device);
        int pos = 0;
        for (Tensor t : ts) {
            if (t.dim() == 1 && t.numel() == 0) continue;
            int len = t.shapeRef()[d];
            if (len > 0) out.backend().copy(t, out.narrow(d, pos, len));
            pos += len;
        }
        return out;
    }

    public static Tensor stack(Tensor[] ts, int dim) {
        if (ts.length == 0) throw TorchException.runtime("stack expects a non-empty TensorList");
        int d = Shape.wrapDim(dim, ts[0].dim() + 1);
        for (int i = 1; i < ts.length; i++)
            if (!ts[i].sameShape(ts[0]))
                throw TorchException.runtime("stack expects each tensor to be equal size, but got " + Shape.str(ts[0].shapeRef()) + " at entry 0 and " + Shape.str(ts[i].shapeRef()) + " at entry " + i);
        Tensor[] us = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) us[i] = ts[i].unsqueeze(d);
        return cat(us, d);
    }

    /** Views of x split along dim into pieces of the given sizes. */
    public static Tensor[] splitSizes(Tensor x, int[] sizes, int dim) {
        int d = Shape.wrapDim(dim, x.dim());
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != x.shapeRef()[d])
            throw TorchException.runtime("split_with_sizes expects split_sizes to sum exactly to " + x.shapeRef()[d] + " (input tensor's size at dimension " + d + "), but got split_sizes=" + Shape.str(sizes));
        Tensor[] r = new Tensor[sizes.length];
        int pos = 0;
        for (int i = 0; i < sizes.length; i++) { r[i] = x.narrow(d, pos, sizes[i]); pos += sizes[i]; }
        return r;
    }

    public static int[] splitSizesFor(int total, int size) {
        if (size <= 0) throw TorchException.runtime("split_size can only be 0 if dimension size is 0, but got dimension size of " + total);
        int n = Math.max(1, (total + size - 1) / size);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = Math.min(size, total - i * size);
        return s;
    }

    public static int[] chunkSizes(int total, int chunks) {
        if (chunks <= 0) throw TorchException.runtime("chunk expects `chunks` to be greater than 0, got: " + chunks);
        int size = (total + chunks - 1) / chunks;
        return splitSizesFor(total, Math.max(size, 1));
    }

    public static Tensor flip(Tensor x, int[] dims) {
        boolean[] f = reducedDims(x.dim(), dims);
        int off = x.offset;
        int[] st = x.strides();
        int[] sh = x.shapeRef();
        for (int i = 0; i < f.length; i++) if (f[i] && sh[i] > 0) { off += (sh[i] - 1) * st[i]; st[i] = -st[i]; }
        return x.asStrided(x.shape(), st, off).copy();
    }

    public static Tensor repeat(Tensor x, int[] reps) {
        if (reps.length < x.dim())
            throw TorchException.runtime("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        int pad = reps.length - x.dim();
        int[] xs = concat(onesShape(pad), x.shapeRef());
        Tensor xv = x.reshape(xs);
        // expand to [r0, s0, r1, s1, ...] then reshape
        int n = reps.length;
        int[] vshape = new int[2 * n], eshape = new int[2 * n], out = new int[n];
        for (int i = 0; i < n; i++) { vshape[2 * i] = 1; vshape[2 * i + 1] = xs[i]; eshape[2 * i] = reps[i]; eshape[2 * i + 1] = xs[i]; out[i] = reps[i] * xs[i]; }
        return xv.reshape(vshape).expand(eshape).contiguous().view(out);
    }

    /** Lower (upper=false) or upper triangle with diagonal offset k, over the last two dims. */
    public static Tensor triangle(Tensor x, int k, boolean upper) {
        if (x.dim() < 2) throw TorchException.runtime((upper ? "triu" : "tril") + ": input tensor must have at least 2 dimensions");
        int r = x.size(-2), c = x.size(-1);
        Tensor mask = alloc(DType.BOOL, new int[] {r, c}, Device.CPU);
        boolean[] m = ((Storage.Bool) mask.storage).a;
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i * c + j] = upper ? (j - i >= k) : (j - i <= k);
        Tensor zero = alloc(x.dtype, new int[0], x.device);
        return where(mask.to(x.device), x, zero);
    }

    public static Tensor[] sort(Tensor x, int dim, boolean descending) {
        Tensor xi = x.dim() == 0 ? x.reshape(1) : x;
        int d = Shape.wrapDim(dim, xi.dim());
        Tensor v = alloc(x.dtype, xi.shapeRef(), x.device), i = alloc(DType.INT64, xi.shapeRef(), x.device);
        if (xi.numel() > 0) x.backend().sort(xi, d, descending, v, i);
        if (x.dim() == 0) { v = v.reshape(); i = i.reshape(); }
        return new Tensor[] {v, i};
    }

    public static Tensor[] topk(Tensor x, int k, int dim, boolean largest) {
        int d = Shape.wrapDim(dim, x.dim());
        int n = x.dim() == 0 ? 1 : x.shapeRef()[d];
        if (k < 0 || k > n) throw TorchException.runtime("selected index k out of range");
        Tensor[] s = sort(x, d, largest);
        if (x.dim() == 0) return s;
        return new Tensor[] {s[0].narrow(d, 0, k).contiguous(), s[1].narrow(d, 0, k).contiguous()};
    }

    private static void checkIndexTensor(Tensor idx, String op) {
        if (idx.dtype != DType.INT64 && idx.dtype != DType.INT32)
            throw TorchException.runtime(op + "(): Expected dtype int64 for index");
    }

    public static Tensor gather(Tensor x, int dim, Tensor index) {
        checkIndexTensor(index, "gather");
        sameDevice(x, index);
        int d = Shape.wrapDim(dim, x.dim());
        if (index.dim() != x.dim() && !(x.dim() == 0 && index.dim() <= 1))
            throw TorchException.runtime("Index tensor must have the same number of dimensions as input tensor");
        for (int i = 0; i < x.dim(); i++)
            if (i != d && index.shapeRef()[i] > x.shapeRef()[i])
                throw TorchException.runtime("Size does not match at dimension " + i + " expected index " + Shape.str(index.shapeRef()) + " to be smaller than self " + Shape.str(x.shapeRef()) + " apart from dimension " + d);
        Tensor out = alloc(x.dtype, index.shapeRef(), x.device);
        Tensor xv = x.dim() == 0 ? x : x.asStrided(shapeWithDim(index.shapeRef(), d, x.shapeRef()[d]), x.strides(), x.offset);
        if (out.numel() > 0) x.backend().gather(xv, d, to(index, DType.INT64), out);
        return out;
    }

    /** In place: self.scatter_(dim, index, src) (or scatter_add_). */
    public static Tensor scatterInPlace(Tensor self, int dim, Tensor index, Tensor src, boolean add) {
        checkIndexTensor(index, "scatter");
        sameDevice(self, index);
        src = on(src, self.device);
        int d = Shape.wrapDim(dim, self.dim());
        Tensor sv = self.asStrided(shapeWithDim(index.shapeRef(), d, self.shapeRef()[d]), self.strides(), self.offset);
        Tensor srcv = src.asStrided(index.shape(), src.strides(), src.offset);
        if (index.numel() > 0) self.backend().scatter(sv, d, to(index, DType.INT64), to(srcv, self.dtype), add);
        self.storage.version++;
        return self;
    }

    private static int[] shapeWithDim(int[] shape, int d, int v) { int[] s = shape.clone(); s[d] = v; return s; }

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.dim() > 1) throw TorchException.index("index_select(): Index is supposed to be a vector");
        int d = Shape.wrapDim(dim, x.dim());
        Tensor[] idx = new Tensor[Math.max(x.dim(), 1)];
        idx[d] = to(index.reshape(-1), DType.INT64);
        return index(x, idx);
    }

    public static Tensor indexAddInPlace(Tensor self, int dim, Tensor index, Tensor src, double alpha) {
        int d = Shape.wrapDim(dim, self.dim());
        Tensor[] idx = new Tensor[self.dim()];
        idx[d] = to(index.reshape(-1), DType.INT64);
        Tensor s = alpha == 1 ? src : binaryScalar(BinaryOp.MUL, src, alpha, 2, false);
        return indexPutInPlace(self, idx, s, true);
    }

    // ---------------------------------------------------------------- advanced indexing

    /** Replaces bool masks by the int64 index tensors of their nonzero positions (each mask covers mask.dim() dims). */
    public static Tensor[] expandMasks(Tensor self, Tensor[] indices) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : indices) {
            if (t != null && t.dtype == DType.BOOL) {
                int start = out.size();
                for (int j = 0; j < t.dim(); j++) {
                    if (start + j >= self.dim() || t.shapeRef()[j] != self.shapeRef()[start + j])
                        throw TorchException.index("The shape of the mask " + Shape.str(t.shapeRef()) + " at index " + j
                            + " does not match the shape of the indexed tensor " + Shape.str(self.shapeRef()) + " at index " + (start + j));
                }
                Tensor nz = nonzero(t);
                for (int j = 0; j < t.dim(); j++) out.add(nz.select(1, j));
            } else {
                if (t != null && t.dtype.isFloating())
                    throw TorchException.index("tensors used as indices must be long, int, byte or bool tensors");
                out.add(t == null ? null : to(t, DType.INT64));
            }
        }
        if (out.size() > self.dim()) throw TorchException.index("too many indices for tensor of dimension " + self.dim() + " (got " + out.size() + ")");
        while (out.size() < self.dim()) out.add(null);
        return out.toArray(new Tensor[0]);
    }

    /** Layout of an advanced index: permutation bringing indexed dims first, and where the result dims go. */
    private record IndexPlan(Tensor self, Tensor[] idx, int[] bshape, int[] restShape, int insertAt) {}

    private static IndexPlan plan(Tensor self, Tensor[] indicesIn) {
        // a 0-dim bool index adds a dimension of size 1 (true) or 0 (false) at its place
        int pos = 0;
        Tensor[] in2 = indicesIn.clone();
        for (int i = 0; i < in2.length; i++) {
            Tensor t = in2[i];
            if (t != null && t.dtype == DType.BOOL && t.dim() == 0) {
                self = self.unsqueeze(pos);
                in2[i] = t.reshape(1);
                pos += 1;
            } else {
                pos += t != null && t.dtype == DType.BOOL ? t.dim() : 1;
            }
        }
        // CPU index tensors may index a tensor on another device (PyTorch moves them)
        for (int i = 0; i < in2.length; i++) if (in2[i] != null && !in2[i].device.equals(self.device)) in2[i] = in2[i].to(self.device);
        Tensor[] indices = expandMasks(self, in2);
        int n = self.dim();
        List<Integer> idxDims = new ArrayList<>(), rest = new ArrayList<>();
        for (int i = 0; i < n; i++) if (indices[i] != null) idxDims.add(i); else rest.add(i);
        if (idxDims.isEmpty()) throw TorchException.index("no tensor indices");
        boolean adjacent = idxDims.get(idxDims.size() - 1) - idxDims.get(0) == idxDims.size() - 1;
        int[] perm = new int[n];
        int p = 0;
        for (int d : idxDims) perm[p++] = d;
        for (int d : rest) perm[p++] = d;
        Tensor sp = self.permute(perm);
        int[] bshape = new int[0];
        try {
            for (int d : idxDims) bshape = Shape.broadcast(bshape, indices[d].shapeRef());
        } catch (TorchException e) {
            StringBuilder sb = new StringBuilder();
            for (int d : idxDims) sb.append(sb.length() > 0 ? ", " : "").append(Shape.str(indices[d].shapeRef()));
            throw TorchException.index("shape mismatch: indexing tensors could not be broadcast together with shapes " + sb);
        }
        Tensor[] idx = new Tensor[idxDims.size()];
        for (int j = 0; j < idx.length; j++) idx[j] = indices[idxDims.get(j)].expand(bshape);
        int[] restShape = new int[rest.size()];
        for (int j = 0; j < restShape.length; j++) restShape[j] = self.shapeRef()[rest.get(j)];
        int insertAt = adjacent ? idxDims.get(0) : 0;
        return new IndexPlan(sp, idx, bshape, restShape, insertAt);
    }

    /** Moves the B block (at the front of shape B+rest) to position insertAt of the rest dims. */
    private static Tensor placeResult(Tensor r, int nb, int nrest, int insertAt) {
        if (insertAt == 0) return r;
        int[] perm = new int[nb + nrest];
        int p = 0;
        for (int i = 0; i < insertAt; i++) perm[p++] = nb + i;
        for (int i = 0; i < nb; i++) perm[p++] = i;
        for (int i = insertAt; i < nrest; i++) perm[p++] = nb + i;
        return r.permute(perm);
    }

    public static Tensor index(Tensor self, Tensor[] indices) {
        IndexPlan pl = plan(self, indices);
        Tensor out = alloc(self.dtype, concat(pl.bshape, pl.restShape), self.device);
        if (out.numel() > 0 || Shape.numel(pl.bshape) > 0) {
            if (Shape.numel(pl.bshape) > 0) self.backend().index(pl.self, pl.idx, out, null, false);
        }
        return placeResult(out, pl.bshape.length, pl.restShape.length, pl.insertAt);
    }

    public static Tensor indexPutInPlace(Tensor self, Tensor[] indices, Tensor values, boolean accumulate) {
        IndexPlan pl = plan(self, indices);
        int nb = pl.bshape.length, nr = pl.restShape.length;
        int[] rshape = concat(pl.bshape, pl.restShape);
        // values are given in the result layout: bring them to B+rest layout
        int[] placed = placeResultShape(rshape, nb, nr, pl.insertAt);
        if (values.dtype != self.dtype)
            throw TorchException.runtime("Index put requires the source and destination dtypes match, got " + typeName(self.dtype)
                + " for the destination and " + typeName(values.dtype) + " for the source.");
        Tensor v = on(values, self.device);
        v = v.expand(placed);
        if (pl.insertAt != 0) {
            int[] inv = new int[nb + nr];
            int[] perm = new int[nb + nr];
            int p = 0;
            for (int i = 0; i < pl.insertAt; i++) perm[p++] = nb + i;
            for (int i = 0; i < nb; i++) perm[p++] = i;
            for (int i = pl.insertAt; i < nr; i++) perm[p++] = nb + i;
            for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
            v = v.permute(inv);
        }
        if (Shape.numel(pl.bshape) > 0) self.backend().index(pl.self, pl.idx, null, v, accumulate);
        self.storage.version++;
        return self;
    }

    private static int[] placeResultShape(int[] rshape, int nb, int nr, int insertAt) {
        if (insertAt == 0) return rshape;
        int[] s = new int[nb + nr];
        int p = 0;
        for (int i = 0; i < insertAt; i++) s[p++] = rshape[nb + i];
        for (int i = 0; i < nb; i++) s[p++] = rshape[i];
        for (int i = insertAt; i < nr; i++) s[p++] = rshape[nb + i];
        return s;
    }

    /** Indices of nonzero elements, [count, ndim] int64. */
    public static Tensor nonzero(Tensor x) {
        Tensor c = x.contiguous();
        int n = c.numel(), nd = x.dim();
        int[] st = Shape.contiguousStrides(x.shapeRef());
        List<Integer> hits = new ArrayList<>();
        Tensor cc = c.device.equals(Device.CPU) ? c : c.to(Device.CPU);
        for (int i = 0; i < n; i++) if (cc.storage.getD(cc.offset + i) != 0) hits.add(i);
        long[] out = new long[hits.size() * nd];
        for (int h = 0; h < hits.size(); h++) {
            int rem = hits.get(h);
            for (int d = 0; d < nd; d++) { out[h * nd + d] = rem / st[d]; rem %= st[d]; }
        }
        return Tensor.wrap(out, hits.size(), nd).to(x.device);
    }

    // ---------------------------------------------------------------- creation

    public static Tensor arange(double start, double end, double step, DType dt) {
        if (step == 0) throw TorchException.runtime("step must be nonzero");
        if ((step > 0 && start > end) || (step < 0 && start < end))
            throw TorchException.runtime("upper bound and larger bound inconsistent with step sign");
        int n = (int) Math.ceil((end - start) / step);
        Tensor t = Tensor.empty(dt, n);
        for (int i = 0; i < n; i++) {
            if (dt.isFloating()) t.storage.setD(i, start + i * step);
            else t.storage.setL(i, (long) (start + i * step));
        }
        return t;
    }

    public static Tensor linspace(double start, double end, int steps, DType dt) {
        if (steps < 0) throw TorchException.runtime("number of steps must be non-negative");
        Tensor t = Tensor.empty(dt, steps);
        if (steps == 1) { t.storage.setD(0, start); return t; }
        double step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            // PyTorch fills the second half backwards from the end for symmetry
            double v = i < half ? start + step * i : end - step * (steps - i - 1);
            if (dt.isFloating()) t.storage.setD(i, v); else t.storage.setL(i, (long) v);
        }
        return t;
    }

    public static Tensor eye(int n, int m, DType dt) {
        Tensor t = Tensor.empty(dt, n, m);
        for (int i = 0; i < Math.min(n, m); i++) t.storage.setD(i * m + i, 1);
        return t;
    }

    // ---------------------------------------------------------------- comparisons of whole tensors

    public static boolean equal(Tensor a, Tensor b) {
        if (!a.sameShape(b)) return false;
        Tensor ne = binary(BinaryOp.NE, a, b);
        return sum(ne, null, false).itemLong() == 0;
    }

    public static boolean allclose(Tensor a, Tensor b, double rtol, double atol, boolean equalNan) {
        Tensor x = to(a, DType.FLOAT64), y = to(b, DType.FLOAT64);
        int[] shape = Shape.broadcast(x.shapeRef(), y.shapeRef());
        double[] xv = x.expand(shape).toDoubleArray(), yv = y.expand(shape).toDoubleArray();
        for (int i = 0; i < xv.length; i++) {
            double p = xv[i], q = yv[i];
            if (Double.isNaN(p) || Double.isNaN(q)) { if (equalNan && Double.isNaN(p) && Double.isNaN(q)) continue; return false; }
            if (p == q) continue;
            if (Math.abs(p - q) > atol + rtol * Math.abs(q)) return false;
        }
        return true;
    }
}
