package org.jtorch.engine;

/**
 * A flat, typed buffer shared by every view of it. Data lives in a Java heap array of the element type
 * (see docs/architecture.md for why); {@link #version} counts in-place writes so that autograd can tell
 * when a tensor it saved has been changed.
 */
public abstract sealed class Storage permits Storage.F32, Storage.F64, Storage.I64, Storage.I32, Storage.Bool, DeviceStorage {
    /** Bumped by every in-place write through any view of this storage. */
    public int version;

    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();
    /** Order of creation: autograd can tell a buffer made during a backward pass from anything older. */
    public final long serial = SERIALS.getAndIncrement();

    /** The serial the next storage will get. */
    public static long nextSerial() { return SERIALS.get(); }

    public abstract DType dtype();
    public abstract int size();
    public abstract double getD(int i);
    public abstract void setD(int i, double v);
    public abstract long getL(int i);
    public abstract void setL(int i, long v);
    /** The backing Java array (float[], double[], long[], int[] or boolean[]). */
    public abstract Object array();

    /** A zeroed storage of n elements on the given device (device memory comes from that device's backend). */
    public static Storage allocate(DType dt, int n, Device device) {
        return device == Device.CPU || device.type().equals("cpu") ? allocate(dt, n) : Backend.of(device).allocate(dt, n, device);
    }

    public static Storage allocate(DType dt, int n) {
        return switch (dt) {
            case FLOAT32 -> new F32(new float[n]);
            case FLOAT64 -> new F64(new double[n]);
            case INT64 -> new I64(new long[n]);
            case INT32 -> new I32(new int[n]);
            case BOOL -> new Bool(new boolean[n]);
        };
    }

    /** Wraps an existing array without copying. */
    public static Storage wrap(Object array) {
        return switch (array) {
            case float[] a -> new F32(a);
            case double[] a -> new F64(a);
            case long[] a -> new I64(a);
            case int[] a -> new I32(a);
            case boolean[] a -> new Bool(a);
            default -> throw TorchException.type("cannot wrap " + array.getClass().getSimpleName() + " as a tensor storage");
        };
    }

    public static final class F32 extends Storage {
        public final float[] a;
        F32(float[] a) { this.a = a; }
        public DType dtype() { return DType.FLOAT32; }
        public int size() { return a.length; }
        public double getD(int i) { return a[i]; }
        public void setD(int i, double v) { a[i] = (float) v; }
        public long getL(int i) { return (long) a[i]; }
        public void setL(int i, long v) { a[i] = v; }
        public Object array() { return a; }
    }

    public static final class F64 extends Storage {
        public final double[] a;
        F64(double[] a) { this.a = a; }
        public DType dtype() { return DType.FLOAT64; }
        public int size() { return a.length; }
        public double getD(int i) { return a[i]; }
        public void setD(int i, double v) { a[i] = v; }
        public long getL(int i) { return (long) a[i]; }
        public void setL(int i, long v) { a[i] = v; }
        public Object array() { return a; }
    }

    public static final class I64 extends Storage {
        public final long[] a;
        I64(long[] a) { this.a = a; }
        public DType dtype() { return DType.INT64; }
        public int size() { return a.length; }
        public double getD(int i) { return a[i]; }
        public void setD(int i, double v) { a[i] = (long) v; }
        public long getL(int i) { return a[i]; }
        public void setL(int i, long v) { a[i] = v; }
        public Object array() { return a; }
    }

    public static final class I32 extends Storage {
        public final int[] a;
        I32(int[] a) { this.a = a; }
        public DType dtype() { return DType.INT32; }
        public int size() { return a.length; }
        public double getD(int i) { return a[i]; }
        public void setD(int i, double v) { a[i] = (int) (long) v; }
        public long getL(int i) { return a[i]; }
        public void setL(int i, long v) { a[i] = (int) v; }
        public Object array() { return a; }
    }

    public static final class Bool extends Storage {
        public final boolean[] a;
        Bool(boolean[] a) { this.a = a; }
        public DType dtype() { return DType.BOOL; }
        public int size() { return a.length; }
        public double getD(int i) { return a[i] ? 1 : 0; }
        public void setD(int i, double v) { a[i] = v != 0; }
        public long getL(int i) { return a[i] ? 1 : 0; }
        public void setL(int i, long v) { a[i] = v != 0; }
        public Object array() { return a; }
    }
}
