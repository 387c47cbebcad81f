package org.jtorch.engine;

import java.util.Arrays;

/**
 * A strided view over a {@link Storage}: dtype, shape, strides (in elements) and offset. Many tensors may
 * share one storage (views). This class holds only metadata and view operations; the arithmetic is in
 * {@link Ops}, which sends the work to the tensor's {@link Backend}. It knows nothing of autograd.
 */
public final class Tensor {
    public final Storage storage;
    public final DType dtype;
    private final int[] shape;
    private final int[] strides;
    public final int offset;
    public final Device device;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this(storage, shape, strides, offset, Device.CPU);
    }

    public Tensor(Storage storage, int[] shape, int[] strides, int offset, Device device) {
        this.storage = storage;
        this.dtype = storage.dtype();
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.device = device;
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(DType dt, int... shape) {
        for (int s : shape) if (s < 0) throw TorchException.runtime("Trying to create tensor with negative dimension " + s + ": " + Shape.str(shape));
        return new Tensor(Storage.allocate(dt, Shape.numel(shape)), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(DType dt, int... shape) { return empty(dt, shape); }

    public static Tensor full(DType dt, double value, int... shape) {
        Tensor t = empty(dt, shape);
        t.fill(value);
        return t;
    }

    /** A tensor over an existing array, without copying. */
    public static Tensor wrap(Object array, int... shape) {
        Storage s = Storage.wrap(array);
        if (Shape.numel(shape) > s.size()) throw TorchException.runtime("shape " + Shape.str(shape) + " is larger than the array (" + s.size() + ")");
        return new Tensor(s, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor of(float[] data, int... shape) { return wrap(data, shape); }
    public static Tensor of(double[] data, int... shape) { return wrap(data, shape); }
    public static Tensor of(long[] data, int... shape) { return wrap(data, shape); }

    public static Tensor scalar(DType dt, double v) {
        Tensor t = empty(dt);
        t.storage.setD(0, v);
        return t;
    }

    public static Tensor scalarLong(DType dt, long v) {
        Tensor t = empty(dt);
        t.storage.setL(0, v);
        return t;
    }

    // ---------------------------------------------------------------- metadata

    public int[] shape() { return shape.clone(); }
    public int[] strides() { return strides.clone(); }
    /** Direct access to the shape array; callers must not modify it. */
    public int[] shapeRef() { return shape; }
    public int[] stridesRef() { return strides; }
    public int dim() { return shape.length; }
    public int size(int d) { return shape[Shape.wrapDim(d, shape.length)]; }
    public int stride(int d) { return strides[Shape.wrapDim(d, shape.length)]; }
    public int numel() { return Shape.numel(shape); }
    public Backend backend() { return Backend.of(device); }

    public boolean isContiguous() {
        if (numel() == 0) return true;
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    // ---------------------------------------------------------------- element access

    public int offsetOf(int... idx) {
        int o = offset;
        for (int i = 0; i < idx.length; i++) o += idx[i] * strides[i];
        return o;
    }

    public double item() {
        if (numel() != 1) throw TorchException.runtime("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        return storage.getD(firstOffset());
    }

    public long itemLong() {
        if (numel() != 1) throw TorchException.runtime("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        return storage.getL(firstOffset());
    }

    private int firstOffset() { return offset; }

    /** The elements in logical (row-major) order as doubles. */
    public double[] toDoubleArray() {
        Tensor c = Ops.to(to(Device.CPU), DType.FLOAT64).contiguous();
        double[] src = ((Storage.F64) c.storage).a;
        return c.offset == 0 && src.length == c.numel() ? src.clone() : Arrays.copyOfRange(src, c.offset, c.offset + c.numel());
    }

    /** The elements in logical (row-major) order as longs. */
    public long[] toLongArray() {
        Tensor c = Ops.to(to(Device.CPU), DType.INT64).contiguous();
        long[] src = ((Storage.I64) c.storage).a;
        return Arrays.copyOfRange(src, c.offset, c.offset + c.numel());
    }

    public float[] toFloatArray() {
        Tensor c = Ops.to(to(Device.CPU), DType.FLOAT32).contiguous();
        float[] src = ((Storage.F32) c.storage).a;
        return Arrays.copyOfRange(src, c.offset, c.offset + c.numel());
    }

    // ---------------------------------------------------------------- in-place fills (bump the version)

    public Tensor fill(double v) {
        backend().fill(this, v);
        storage.version++;
        return this;
    }

    /** Copies src (broadcast to this shape, converted to this dtype) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        Tensor s = src.sameShape(this) ? src : src.expand(shape);
        if (!s.device.equals(device)) s = s.to(device); // copy_ across devices (one bulk transfer)
        backend().copy(s, this);
        storage.version++;
        return this;
    }

    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = Ops.alloc(dtype, shape, device);
        backend().copy(this, out);
        return out;
    }

    public Tensor copy() {
        Tensor out = Ops.alloc(dtype, shape, device);
        backend().copy(this, out);
        return out;
    }

    // ---------------------------------------------------------------- views

    public Tensor asStrided(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(storage, newShape, newStrides, newOffset, device);
    }

    /** Resolves one -1 in a requested shape. */
    public static int[] inferShape(int[] req, int numel) {
        int[] s = req.clone();
        int neg = -1, prod = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (neg >= 0) throw TorchException.runtime("only one dimension can be inferred");
                neg = i;
            } else if (s[i] < 0) {
                throw TorchException.runtime("invalid shape dimension " + s[i]);
            } else prod *= s[i];
        }
        if (neg >= 0) {
            if (prod == 0 || numel % prod != 0)
                throw TorchException.runtime("shape '" + Shape.str(req) + "' is invalid for input of size " + numel);
            s[neg] = numel / prod;
        } else if (prod != numel) {
            throw TorchException.runtime("shape '" + Shape.str(req) + "' is invalid for input of size " + numel);
        }
        return s;
    }

    /** Strides for viewing this tensor with newShape without copying, or null when impossible. */
    private int[] viewStrides(int[] newShape) {
        // PyTorch's computeStride: walk chunks of old dims that are contiguous among themselves
        int[] newStrides = new int[newShape.length];
        if (numel() == 0) return Shape.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        int chunkBase = shape.length == 0 ? 1 : strides[shape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            // remaining size-1 dims
            for (; viewD >= 0; viewD--) {
                if (newShape[viewD] != 1) return null;
                newStrides[viewD] = 1;
            }
        }
        return newStrides;
    }

    public Tensor view(int... req) {
        int[] s = inferShape(req, numel());
        if (shape.length == 0 && s.length == 0) return asStrided(s, new int[0], offset);
        int[] st = viewStrides(s);
        if (st == null)
            throw TorchException.runtime("view size is not compatible with input tensor's size and stride (at least one dimension "
                + "spans across two contiguous subspaces). Use .reshape(...) instead.");
        return asStrided(s, st, offset);
    }

    /** A view when possible, else a contiguous copy. */
    public Tensor reshape(int... req) {
        int[] s = inferShape(req, numel());
        int[] st = viewStrides(s);
        if (st != null) return asStrided(s, st, offset);
        return contiguous().view(s);
    }

    public boolean canView(int... req) { return viewStrides(inferShape(req, numel())) != null; }

    public Tensor permute(int... dims) {
        int n = shape.length;
        if (dims.length != n)
            throw TorchException.runtime("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = "
                + n + " is not equal to len(dims) = " + dims.length);
        int[] s = new int[n], st = new int[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            int d = Shape.wrapDim(dims[i], n);
            if (seen[d]) throw TorchException.runtime("permute(): duplicate dims are not allowed.");
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        return asStrided(s, st, offset);
    }

    public Tensor transpose(int d0, int d1) {
        int n = shape.length;
        if (n == 0) return this;
        d0 = Shape.wrapDim(d0, n);
        d1 = Shape.wrapDim(d1, n);
        int[] s = shape.clone(), st = strides.clone();
        s[d0] = shape[d1]; s[d1] = shape[d0];
        st[d0] = strides[d1]; st[d1] = strides[d0];
        return asStrided(s, st, offset);
    }

    public Tensor t() {
        if (shape.length > 2) throw TorchException.runtime("t() expects a tensor with <= 2 dimensions, but self is " + shape.length + "D");
        return shape.length < 2 ? this : transpose(0, 1);
    }

    public Tensor unsqueeze(int d) {
        d = Shape.wrapDim(d, shape.length + 1);
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j];
                j++;
            }
        }
        return asStrided(s, st, offset);
    }

    public Tensor squeeze() {
        int k = 0;
        for (int x : shape) if (x != 1) k++;
        int[] s = new int[k], st = new int[k];
        for (int i = 0, j = 0; i < shape.length; i++) if (shape[i] != 1) { s[j] = shape[i]; st[j] = strides[i]; j++; }
        return asStrided(s, st, offset);
    }

    public Tensor squeeze(int d) {
        if (shape.length == 0) { Shape.wrapDim(d, 0); return this; }
        d = Shape.wrapDim(d, shape.length);
        if (shape[d] != 1) return this;
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) { s[j] = shape[i]; st[j] = strides[i]; j++; }
        return asStrided(s, st, offset);
    }

    public Tensor expand(int... req) {
        int n = req.length;
        if (n < shape.length)
            throw TorchException.runtime("expand(torch.FloatTensor{" + Shape.str(shape) + "}, size=" + Shape.str(req)
                + "): the number of sizes provided (" + n + ") must be greater or equal to the number of dimensions in the tensor (" + shape.length + ")");
        int[] s = new int[n], st = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            int j = i - (n - shape.length);
            int want = req[i];
            if (j < 0) {
                if (want < 0) throw TorchException.runtime("The expanded size of the tensor (" + want + ") isn't allowed in a leading, non-existing dimension " + i);
                s[i] = want;
                st[i] = 0;
            } else {
                int have = shape[j];
                if (want == -1) want = have;
                if (have == want) { s[i] = have; st[i] = strides[j]; }
                else if (have == 1) { s[i] = want; st[i] = 0; }
                else throw TorchException.runtime("The expanded size of the tensor (" + want + ") must match the existing size (" + have
                        + ") at non-singleton dimension " + i + ".  Target sizes: " + Shape.str(req) + ".  Tensor sizes: " + Shape.str(shape));
            }
        }
        return asStrided(s, st, offset);
    }

    public Tensor narrow(int d, int start, int length) {
        d = Shape.wrapDim(d, shape.length);
        int size = shape[d];
        if (start < -size || start > size)
            throw TorchException.index("start out of range (expected to be in range of [" + (-size) + ", " + size + "], but got " + start + ")");
        if (start < 0) start += size;
        if (length < 0) throw TorchException.runtime("narrow(): length must be non-negative.");
        if (start + length > size)
            throw TorchException.runtime("start (" + start + ") + length (" + length + ") exceeds dimension size (" + size + ").");
        int[] s = shape.clone();
        s[d] = length;
        return asStrided(s, strides.clone(), offset + start * strides[d]);
    }

    /** x[..., i, ...] at dimension d: drops the dimension. */
    public Tensor select(int d, int i) {
        if (shape.length == 0) throw TorchException.index("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
        d = Shape.wrapDim(d, shape.length);
        int n = shape[d];
        if (i < -n || i >= n) throw TorchException.index("index " + i + " is out of bounds for dimension " + d + " with size " + n);
        if (i < 0) i += n;
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) if (k != d) { s[j] = shape[k]; st[j] = strides[k]; j++; }
        return asStrided(s, st, offset + i * strides[d]);
    }

    /** Python slicing start:stop:step (already clamped by {@link #sliceBounds}) along d. */
    public Tensor slice(int d, int start, int stop, int step) {
        d = Shape.wrapDim(d, shape.length);
        if (step <= 0) throw TorchException.value("step must be greater than zero");
        int n = shape[d];
        int[] b = sliceBounds(start, stop, n);
        int len = b[1] > b[0] ? (b[1] - b[0] + step - 1) / step : 0;
        int[] s = shape.clone(), st = strides.clone();
        s[d] = len;
        st[d] = strides[d] * step;
        return asStrided(s, st, offset + (len > 0 ? b[0] * strides[d] : 0));
    }

    /** Clamps Python-style slice bounds (Integer.MIN/MAX for missing) into [0, n]. */
    public static int[] sliceBounds(int start, int stop, int n) {
        if (start == Integer.MIN_VALUE) start = 0;
        if (stop == Integer.MAX_VALUE) stop = n;
        if (start < 0) start = Math.max(0, start + n);
        if (stop < 0) stop = Math.max(0, stop + n);
        start = Math.min(start, n);
        stop = Math.min(stop, n);
        return new int[] {start, stop};
    }

    /** The diagonal of dims d1, d2 with the given offset, as a view whose last dim runs along it. */
    public Tensor diagonal(int off, int d1, int d2) {
        int n = shape.length;
        d1 = Shape.wrapDim(d1, n);
        d2 = Shape.wrapDim(d2, n);
        if (d1 == d2) throw TorchException.runtime("diagonal dimensions cannot be identical " + d1 + ", " + d2);
        int len;
        int o = offset;
        if (off >= 0) {
            len = Math.max(Math.min(shape[d1], shape[d2] - off), 0);
            if (len > 0) o += off * strides[d2];
        } else {
            len = Math.max(Math.min(shape[d1] + off, shape[d2]), 0);
            if (len > 0) o -= off * strides[d1];
        }
        int[] s = new int[n - 1], st = new int[n - 1];
        for (int i = 0, j = 0; i < n; i++) if (i != d1 && i != d2) { s[j] = shape[i]; st[j] = strides[i]; j++; }
        s[n - 2] = len;
        st[n - 2] = strides[d1] + strides[d2];
        return asStrided(s, st, o);
    }

    public Tensor flatten(int startDim, int endDim) {
        if (shape.length == 0) return reshape(1);
        int s0 = Shape.wrapDim(startDim, shape.length), e0 = Shape.wrapDim(endDim, shape.length);
        if (s0 > e0) throw TorchException.runtime("flatten() has invalid args: start_dim cannot come after end_dim");
        int[] ns = new int[shape.length - (e0 - s0)];
        int k = 0;
        for (int i = 0; i < s0; i++) ns[k++] = shape[i];
        int p = 1;
        for (int i = s0; i <= e0; i++) p *= shape[i];
        ns[k++] = p;
        for (int i = e0 + 1; i < shape.length; i++) ns[k++] = shape[i];
        return reshape(ns);
    }

    /** Moves the tensor onto the given device (same tensor when already there). */
    public Tensor to(Device d) {
        if (d.equals(device)) return this;
        return Backend.of(d).fromCpu(Backend.of(device).toCpu(this), d);
    }

    @Override public String toString() {
        return "Tensor(" + dtype.pyName + ", " + Shape.str(shape) + ", " + device + ")";
    }
}
