package org.jtorch.bridge;

import org.jtorch.autograd.Variable;
import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;

/** Conveniences for the Python shim: building tensors from Python data and reading them back in bulk. */
public final class PyBridge {
    private PyBridge() {}

    public static Variable fromDoubles(double[] data, int[] shape, DType dt) {
        Tensor t = Tensor.empty(dt, shape);
        if (data.length != t.numel()) throw TorchException.value("expected " + t.numel() + " values, got " + data.length);
        Storage s = t.storage;
        for (int i = 0; i < data.length; i++) s.setD(i, data[i]);
        return new Variable(t);
    }

    public static Variable fromLongs(long[] data, int[] shape, DType dt) {
        Tensor t = Tensor.empty(dt, shape);
        if (data.length != t.numel()) throw TorchException.value("expected " + t.numel() + " values, got " + data.length);
        Storage s = t.storage;
        for (int i = 0; i < data.length; i++) s.setL(i, data[i]);
        return new Variable(t);
    }

    public static Variable full(int[] shape, double v, DType dt) { return new Variable(Tensor.full(dt, v, shape)); }

    public static Variable empty(int[] shape, DType dt) {
        for (int s : shape) if (s < 0) throw TorchException.runtime("Trying to create tensor with negative dimension " + s + ": " + Shape.str(shape));
        return new Variable(Tensor.empty(dt, shape));
    }

    public static Variable arange(double start, double end, double step, DType dt) { return new Variable(Ops.arange(start, end, step, dt)); }

    public static Variable linspace(double start, double end, int steps, DType dt) { return new Variable(Ops.linspace(start, end, steps, dt)); }

    public static Variable eye(int n, int m, DType dt) { return new Variable(Ops.eye(n, m, dt)); }

    /** Values in row-major order, as a Java array the shim turns into a list: double[] or long[] (bool as 0/1). */
    public static Object values(Variable v) {
        Tensor t = v.data;
        return t.dtype.isFloating() ? t.toDoubleArray() : t.toLongArray();
    }

    // ---- storage-level access (serialization keeps storage sharing between views)

    /** An identity key for v's storage (equal keys from {@link #sameStorage} mean shared memory). */
    public static int storageKey(Variable v) { return System.identityHashCode(v.data.storage); }

    public static boolean sameStorage(Variable a, Variable b) { return a.data.storage == b.data.storage; }

    public static int storageSize(Variable v) { return v.data.storage.size(); }

    /** v itself when its storage is on the CPU, else a host copy of its whole storage (for torch.save). */
    public static Variable storageOnCpu(Variable v) {
        Tensor t = v.data;
        if (t.device.type().equals("cpu")) return v;
        int n = t.storage.size();
        return new Variable(new Tensor(t.storage, new int[] {n}, new int[] {1}, 0, t.device).to(org.jtorch.engine.Device.CPU));
    }

    /** The whole storage of v (not just its view) as double[] or long[]. */
    public static Object storageValues(Variable v) {
        Storage s = v.data.storage;
        int n = s.size();
        if (s.dtype().isFloating()) {
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = s.getD(i);
            return r;
        }
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = s.getL(i);
        return r;
    }

    /** A 1-D tensor over a new storage holding the given values. */
    public static Variable storageFromDoubles(double[] data, DType dt) { return fromDoubles(data, new int[] {data.length}, dt); }

    public static Variable storageFromLongs(long[] data, DType dt) { return fromLongs(data, new int[] {data.length}, dt); }

    /** A view with the given geometry over base's storage. */
    public static Variable viewOf(Variable base, int[] shape, int[] strides, int offset) {
        Tensor b = base.data;
        long maxOff = offset;
        for (int i = 0; i < shape.length; i++) if (shape[i] > 0) maxOff += (long) (shape[i] - 1) * strides[i]; else maxOff = -1;
        if (offset < 0 || maxOff >= b.storage.size())
            throw TorchException.runtime("setStorage: sizes " + Shape.str(shape) + ", strides " + Shape.str(strides) + " and storage offset " + offset
                + " are out of bounds for storage of size " + b.storage.size());
        return new Variable(b.asStrided(shape.clone(), strides.clone(), offset));
    }

    /** A new leaf sharing v's data (for detach, nn.Parameter). */
    public static Variable alias(Variable v, boolean requiresGrad) { return new Variable(v.data, requiresGrad); }
}
