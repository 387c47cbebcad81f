package org.jtorch.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;
import org.jtorch.engine.DType;
import org.jtorch.engine.Device;
import org.jtorch.engine.DeviceStorage;

/**
 * Tensor storage in CUDA device memory: a block of the caching allocator, returned to it when this object
 * becomes unreachable. Element accessors copy one element each way (for item() and scalars only).
 * bool is stored as one byte per element (0/1).
 */
final class CudaStorage extends DeviceStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    final CudaRuntime rt;
    final CudaAllocator.Block block;
    private final Device device;

    CudaStorage(CudaRuntime rt, DType dt, int n, Device device) {
        super(dt, n);
        this.rt = rt;
        this.device = device;
        this.block = rt.allocator.allocate((long) n * itemSize(dt));
        CudaAllocator alloc = rt.allocator;
        CudaAllocator.Block b = block;
        CLEANER.register(this, () -> alloc.release(b));
        // Storage.allocate promises zeros (as a fresh Java array is)
        CudaRuntime.check(cuMemsetD8Async(block.ptr(), (byte) 0, (long) n * itemSize(dt), rt.stream), "cuMemsetD8Async");
    }

    static int itemSize(DType dt) { return dt == DType.BOOL ? 1 : dt.itemSize; }

    @Override public Device device() { return device; }

    /** Device pointer to element i. */
    CUdeviceptr at(int i) { return block.ptr().withByteOffset((long) i * itemSize(dtype())); }

    /** Base pointer (element 0). */
    CUdeviceptr ptr() { return block.ptr(); }

    private Object read(int i) {
        rt.makeCurrent();
        Object a = switch (dtype()) {
            case FLOAT32 -> new float[1];
            case FLOAT64 -> new double[1];
            case INT64 -> new long[1];
            case INT32 -> new int[1];
            case BOOL -> new boolean[1];
        };
        rt.toHost(at(i), a, 0, 1, itemSize(dtype()));
        return a;
    }

    private void write(int i, Object a) {
        rt.makeCurrent();
        rt.toDevice(a, 0, 1, itemSize(dtype()), at(i));
    }

    @Override public double getD(int i) {
        return switch (read(i)) {
            case float[] a -> a[0];
            case double[] a -> a[0];
            case long[] a -> a[0];
            case int[] a -> a[0];
            case boolean[] a -> a[0] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    @Override public long getL(int i) {
        return switch (read(i)) {
            case float[] a -> (long) a[0];
            case double[] a -> (long) a[0];
            case long[] a -> a[0];
            case int[] a -> a[0];
            case boolean[] a -> a[0] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    @Override public void setD(int i, double v) {
        write(i, switch (dtype()) {
            case FLOAT32 -> new float[] {(float) v};
            case FLOAT64 -> new double[] {v};
            case INT64 -> new long[] {(long) v};
            case INT32 -> new int[] {(int) (long) v};
            case BOOL -> new boolean[] {v != 0};
        });
    }

    @Override public void setL(int i, long v) {
        write(i, switch (dtype()) {
            case FLOAT32 -> new float[] {v};
            case FLOAT64 -> new double[] {v};
            case INT64 -> new long[] {v};
            case INT32 -> new int[] {(int) v};
            case BOOL -> new boolean[] {v != 0};
        });
    }

}
