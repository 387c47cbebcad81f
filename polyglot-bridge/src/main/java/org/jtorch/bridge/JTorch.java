package org.jtorch.bridge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.function.Function;
import org.graalvm.polyglot.Engine;
import org.jtorch.engine.DType;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;

/**
 * Entry point of the embedding API: sessions (GraalPy contexts running the jtorch {@code torch} package) and
 * tensors over Java memory.
 *
 * <pre>{@code
 * try (Session s = JTorch.session().addPythonPath(Path.of("models")).build()) {
 *     PyModule net = s.newModule("tiny", "Net");
 *     float[] x = {1, 2, 3, 4};
 *     Tensor y = net.call(JTorch.tensor(x, 1, 4));   // x is not copied; y is the tensor Python returned
 * }
 * }</pre>
 *
 * <h2>Zero copy</h2>
 * {@code tensor(array, shape)} and heap-backed buffers and heap segments of the matching element type are
 * wrapped without copying: the tensor's storage <em>is</em> the array, so writes on either side are seen on
 * the other. Off-heap {@link MemorySegment}s, direct or read-only buffers and segments whose element type
 * differs (a {@code byte[]} segment read as float32) are <b>copied</b>, because engine storage is a Java heap
 * array (docs/architecture.md); {@link #isShared} tells which happened, {@link #copyInto} writes results back.
 *
 * <h2>Threads</h2>
 * These static methods are thread-safe. A {@link Session} is used by one thread at a time; run several sessions
 * for parallelism, e.g. with {@link SessionPool}.
 */
public final class JTorch {
    private JTorch() {}

    // ------------------------------------------------------------------------------------------ sessions

    /** A builder for a session (defaults: full host access, torch package found by {@link ShimResources#locate()}). */
    public static Session.Builder session() { return Session.builder(); }

    /** A session with the defaults. */
    public static Session newSession() { return Session.builder().build(); }

    /** A polyglot engine to share between sessions ({@link Session.Builder#engine}); close it after them. */
    public static Engine newEngine() {
        return Engine.newBuilder("python").option("engine.WarnInterpreterOnly", "false").build();
    }

    /** A pool of {@code size} sessions sharing one engine, each prepared by {@code init}; see {@link SessionPool}. */
    public static <M> SessionPool<M> pool(int size, Session.Builder builder, Function<Session, M> init) {
        return SessionPool.create(size, builder, init);
    }

    // ------------------------------------------------------------------------------------------ arrays (no copy)

    /** A float32 tensor over {@code data} (no copy); no shape means 1-D of data.length. */
    public static Tensor tensor(float[] data, int... shape) { return over(Storage.wrap(data), 0, shapeOr(shape, data.length), data.length); }

    /** A float64 tensor over {@code data} (no copy). */
    public static Tensor tensor(double[] data, int... shape) { return over(Storage.wrap(data), 0, shapeOr(shape, data.length), data.length); }

    /** An int64 tensor over {@code data} (no copy). */
    public static Tensor tensor(long[] data, int... shape) { return over(Storage.wrap(data), 0, shapeOr(shape, data.length), data.length); }

    /** An int32 tensor over {@code data} (no copy). */
    public static Tensor tensor(int[] data, int... shape) { return over(Storage.wrap(data), 0, shapeOr(shape, data.length), data.length); }

    /** A bool tensor over {@code data} (no copy). */
    public static Tensor tensor(boolean[] data, int... shape) { return over(Storage.wrap(data), 0, shapeOr(shape, data.length), data.length); }

    // ------------------------------------------------------------------------------------------ buffers

    /**
     * A float32 tensor over the buffer's remaining elements (from its position). Heap buffers that are not
     * read-only ({@code hasArray()}) are shared; others (direct, read-only, views over byte buffers) are copied.
     */
    public static Tensor tensor(FloatBuffer b, int... shape) {
        int[] sh = shapeOr(shape, b.remaining());
        if (b.hasArray()) return over(Storage.wrap(b.array()), b.arrayOffset() + b.position(), sh, b.remaining());
        float[] a = new float[checkFits(sh, b.remaining())];
        b.duplicate().get(a);
        return Tensor.wrap(a, sh);
    }

    /** A float64 tensor over the buffer's remaining elements; shared when heap-backed, else copied. */
    public static Tensor tensor(DoubleBuffer b, int... shape) {
        int[] sh = shapeOr(shape, b.remaining());
        if (b.hasArray()) return over(Storage.wrap(b.array()), b.arrayOffset() + b.position(), sh, b.remaining());
        double[] a = new double[checkFits(sh, b.remaining())];
        b.duplicate().get(a);
        return Tensor.wrap(a, sh);
    }

    /** An int64 tensor over the buffer's remaining elements; shared when heap-backed, else copied. */
    public static Tensor tensor(LongBuffer b, int... shape) {
        int[] sh = shapeOr(shape, b.remaining());
        if (b.hasArray()) return over(Storage.wrap(b.array()), b.arrayOffset() + b.position(), sh, b.remaining());
        long[] a = new long[checkFits(sh, b.remaining())];
        b.duplicate().get(a);
        return Tensor.wrap(a, sh);
    }

    /** An int32 tensor over the buffer's remaining elements; shared when heap-backed, else copied. */
    public static Tensor tensor(IntBuffer b, int... shape) {
        int[] sh = shapeOr(shape, b.remaining());
        if (b.hasArray()) return over(Storage.wrap(b.array()), b.arrayOffset() + b.position(), sh, b.remaining());
        int[] a = new int[checkFits(sh, b.remaining())];
        b.duplicate().get(a);
        return Tensor.wrap(a, sh);
    }

    // ------------------------------------------------------------------------------------------ memory segments

    /**
     * A tensor of the given dtype over a memory segment (elements in native byte order). A writable heap segment
     * over an array of that dtype's element type ({@code MemorySegment.ofArray(float[])} for float32, possibly a
     * slice at an element boundary) is shared; anything else, off-heap memory in particular, is <b>copied</b>
     * into a new array (engine storage is a Java heap array): use {@link #copyInto} to write results back.
     * No shape means 1-D over the whole segment. bool reads one byte per element (non-zero is true).
     */
    public static Tensor tensor(MemorySegment seg, DType dtype, int... shape) {
        long bytes = seg.byteSize();
        if (bytes % dtype.itemSize != 0) throw new IllegalArgumentException("segment size " + bytes + " is not a multiple of " + dtype.itemSize + " (" + dtype.pyName + ")");
        long n = bytes / dtype.itemSize;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("segment too large for a tensor: " + n + " elements");
        int[] sh = shapeOr(shape, (int) n);
        int numel = checkFits(sh, (int) n);
        Object base = seg.isReadOnly() ? null : seg.heapBase().orElse(null);
        if (base != null && base.getClass() == arrayClass(dtype) && seg.address() % dtype.itemSize == 0)
            return over(Storage.wrap(base), (int) (seg.address() / dtype.itemSize), sh, (int) n);
        return Tensor.wrap(copyOut(seg, dtype, numel), sh);
    }

    /**
     * Whether tensor {@code t} shares memory with {@code memory}: a Java array, a buffer's backing array, a heap
     * segment's array, or another tensor's storage.
     */
    public static boolean isShared(Tensor t, Object memory) {
        Object arr = switch (memory) {
            case Tensor o -> o.storage.array();
            case Buffer b -> b.hasArray() ? b.array() : null;
            case MemorySegment s -> s.heapBase().orElse(null);
            default -> memory;
        };
        return arr != null && t.storage.array() == arr;
    }

    /**
     * A memory segment over a contiguous tensor's elements (no copy; a heap segment, so it cannot be handed to
     * native code that needs off-heap memory: copy it with {@code MemorySegment.copy} then).
     */
    public static MemorySegment asSegment(Tensor t) {
        if (!t.isContiguous()) throw new IllegalArgumentException("asSegment needs a contiguous tensor (call contiguous() first)");
        MemorySegment whole = switch (t.storage.array()) {
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalArgumentException("no memory segment over " + t.dtype.pyName + " storage");
        };
        return whole.asSlice((long) t.offset * t.dtype.itemSize, (long) t.numel() * t.dtype.itemSize);
    }

    /** Copies t's elements, in row-major order, into {@code dst} (native byte order; e.g. an off-heap output buffer). */
    public static void copyInto(Tensor t, MemorySegment dst) {
        Tensor c = t.isContiguous() ? t : t.contiguous();
        long bytes = (long) c.numel() * c.dtype.itemSize;
        if (dst.byteSize() < bytes) throw new IllegalArgumentException("destination has " + dst.byteSize() + " bytes, need " + bytes);
        int off = c.offset, n = c.numel();
        switch (c.storage.array()) {
            case float[] a -> MemorySegment.copy(a, off, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, n);
            case double[] a -> MemorySegment.copy(a, off, dst, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, n);
            case long[] a -> MemorySegment.copy(a, off, dst, ValueLayout.JAVA_LONG_UNALIGNED, 0, n);
            case int[] a -> MemorySegment.copy(a, off, dst, ValueLayout.JAVA_INT_UNALIGNED, 0, n);
            case boolean[] a -> {
                for (int i = 0; i < n; i++) dst.set(ValueLayout.JAVA_BYTE, i, (byte) (a[off + i] ? 1 : 0));
            }
            default -> throw new IllegalStateException();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Object copyOut(MemorySegment seg, DType dt, int n) {
        return switch (dt) {
            case FLOAT32 -> { float[] a = new float[n]; MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a, 0, n); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; MemorySegment.copy(seg, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a, 0, n); yield a; }
            case INT64 -> { long[] a = new long[n]; MemorySegment.copy(seg, ValueLayout.JAVA_LONG_UNALIGNED, 0, a, 0, n); yield a; }
            case INT32 -> { int[] a = new int[n]; MemorySegment.copy(seg, ValueLayout.JAVA_INT_UNALIGNED, 0, a, 0, n); yield a; }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = seg.get(ValueLayout.JAVA_BYTE, i) != 0;
                yield a;
            }
        };
    }

    private static Class<?> arrayClass(DType dt) {
        return switch (dt) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case INT64 -> long[].class;
            case INT32 -> int[].class;
            case BOOL -> boolean[].class;  // never a segment base
        };
    }

    private static Tensor over(Storage s, int offset, int[] shape, int available) {
        checkFits(shape, available);
        return new Tensor(s, shape.clone(), Shape.contiguousStrides(shape), offset);
    }

    private static int[] shapeOr(int[] shape, int n) { return shape.length == 0 ? new int[] {n} : shape; }

    private static int checkFits(int[] shape, int available) {
        for (int d : shape) if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        int numel = Shape.numel(shape);
        if (numel > available) throw new IllegalArgumentException("shape " + Shape.str(shape) + " needs " + numel + " elements, only " + available + " available");
        return numel;
    }
}
