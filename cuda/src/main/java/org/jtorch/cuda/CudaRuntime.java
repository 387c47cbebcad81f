package org.jtorch.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import org.jtorch.engine.TorchException;

/**
 * One CUDA device's driver state (JCuda driver API): the primary context (shared with cuBLAS, which uses
 * the runtime API), the kernel modules loaded from the PTX resources with cuModuleLoadData, one stream on
 * which every kernel and copy is queued in order, pinned staging buffers with events for host transfers,
 * and the translation of CUDA errors into RuntimeErrors. Created on first use; only device 0 today.
 */
final class CudaRuntime {
    static final String[] MODULES = {"elementwise", "reduce", "index", "window", "gemm"};
    /** Bytes of each pinned staging buffer (two, used alternately). */
    static final int STAGING = 8 << 20;
    static final int BLOCK = 256;

    private static volatile CudaRuntime instance;
    private static volatile TorchException initFailure;

    final int ordinal;
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String name;
    final int ccMajor, ccMinor;
    final long totalMemory;
    final String ptxArch;
    final CudaAllocator allocator;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Pointer[] staging = {new Pointer(), new Pointer()};
    private final ByteBuffer[] stagingBuf = new ByteBuffer[2];
    private final CUevent[] stagingDone = {new CUevent(), new CUevent()};
    /** int[4] on the device: flag, bad index, dim, size (written by index-checking kernels). */
    final CUdeviceptr errorFlag = new CUdeviceptr();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaRuntime(int ordinal) {
        this.ordinal = ordinal;
        setExceptionsEnabled(false);
        check(cuInit(0), "cuInit");
        int[] n = new int[1];
        check(cuDeviceGetCount(n), "cuDeviceGetCount");
        if (ordinal >= n[0]) throw TorchException.runtime("CUDA error: invalid device ordinal");
        check(cuDeviceGet(device, ordinal), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        byte[] nm = new byte[256];
        check(cuDeviceGetName(nm, nm.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < nm.length && nm[len] != 0) len++;
        name = new String(nm, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        int[] v = new int[1];
        check(cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
        ccMajor = v[0];
        check(cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute");
        ccMinor = v[0];
        long[] mem = new long[1];
        check(cuDeviceTotalMem(mem, device), "cuDeviceTotalMem");
        totalMemory = mem[0];
        ptxArch = ptxArchFor(ccMajor, ccMinor);
        check(cuStreamCreate(stream, 0), "cuStreamCreate"); // a blocking stream: ordered with the legacy default stream (cuBLAS)
        for (String m : MODULES) loadModule(m);
        for (int i = 0; i < 2; i++) {
            check(cuMemAllocHost(staging[i], STAGING), "cuMemAllocHost");
            stagingBuf[i] = staging[i].getByteBuffer(0, STAGING).order(ByteOrder.nativeOrder());
            check(cuEventCreate(stagingDone[i], 0), "cuEventCreate");
            check(cuEventRecord(stagingDone[i], stream), "cuEventRecord");
        }
        check(cuMemAlloc(errorFlag, 16), "cuMemAlloc");
        allocator = new CudaAllocator(this);
    }

    /** The runtime of device 0, created on first use; a RuntimeError when CUDA cannot be used. */
    static CudaRuntime get() {
        CudaRuntime r = instance;
        if (r != null) { r.makeCurrent(); return r; }
        synchronized (CudaRuntime.class) {
            if (instance == null) {
                if (initFailure != null) throw TorchException.runtime(initFailure.getMessage());
                String why = Cuda.unavailableReason();
                if (why != null) throw TorchException.runtime(Cuda.NO_DRIVER_MESSAGE);
                try {
                    instance = new CudaRuntime(0);
                } catch (TorchException e) {
                    initFailure = e;
                    throw e;
                } catch (Throwable t) {
                    initFailure = new TorchException(TorchException.Kind.RUNTIME, "CUDA initialisation failed: " + t);
                    throw TorchException.runtime(initFailure.getMessage());
                }
            }
            return instance;
        }
    }

    static CudaRuntime peek() { return instance; }

    /** The PTX directory for a compute capability: the newest compiled architecture not above it (PTX JIT-compiles forward). */
    static String ptxArchFor(int major, int minor) {
        int cc = major * 10 + minor;
        return cc >= 90 ? "sm_90" : "sm_80";
    }

    void makeCurrent() {
        if (!current.get()) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    private void loadModule(String m) {
        String res = "ptx/" + ptxArch + "/" + m + ".ptx";
        byte[] ptx;
        try (InputStream in = CudaRuntime.class.getResourceAsStream(res)) {
            if (in == null) throw TorchException.runtime("CUDA kernels missing from the class path: org/jtorch/cuda/" + res);
            byte[] b = in.readAllBytes();
            ptx = java.util.Arrays.copyOf(b, b.length + 1); // NUL-terminated
        } catch (IOException e) {
            throw TorchException.runtime("cannot read org/jtorch/cuda/" + res + ": " + e.getMessage());
        }
        CUmodule mod = new CUmodule();
        check(cuModuleLoadData(mod, ptx), "cuModuleLoadData(" + m + ".ptx, " + ptxArch + ")");
        modules.put(m, mod);
        signatures.putAll(PtxSignatures.parse(new String(ptx, 0, ptx.length - 1, java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, int[]> signatures = new HashMap<>();

    /** A kernel by name; module is one of {@link #MODULES}. */
    synchronized CUfunction function(String module, String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            f = new CUfunction();
            check(cuModuleGetFunction(f, modules.get(module), name), "cuModuleGetFunction(" + name + ")");
            functions.put(name, f);
        }
        return f;
    }

    // ---------------------------------------------------------------- launching

    /**
     * Queues a kernel on the stream. Arguments: CUdeviceptr (or null for a null pointer), Integer, Double,
     * int[] (a struct of ints passed by value: Geo, Win, GemmArgs).
     */
    void launch(String module, String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, Object... args) {
        String bad = PtxSignatures.mismatch(kernel, signatures.get(kernel), args);
        if (bad != null) throw TorchException.runtime("jtorch CUDA launch error: " + bad);
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            ps[i] = switch (a) {
                case null -> Pointer.to(new CUdeviceptr());
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Double v -> Pointer.to(new double[] {v});
                case int[] v -> Pointer.to(v);
                default -> throw new IllegalArgumentException("kernel argument " + a.getClass());
            };
        }
        check(cuLaunchKernel(function(module, kernel), gridX, gridY, gridZ, blockX, blockY, 1, 0, stream, Pointer.to(ps), null),
            "cuLaunchKernel(" + kernel + ")");
    }

    /** One thread per element, grid-stride loops in the kernels. */
    void launch1d(String module, String kernel, long n, Object... args) {
        if (n <= 0) return;
        int grid = (int) Math.min((n + BLOCK - 1) / BLOCK, 8192);
        launch(module, kernel, grid, 1, 1, BLOCK, 1, args);
    }

    void synchronize() { check(cuStreamSynchronize(stream), "cuStreamSynchronize"); }

    /** Resets the index-error flag before a checking kernel. */
    void clearError() { check(cuMemsetD32Async(errorFlag, 0, 4, stream), "cuMemsetD32Async"); }

    /** Reads the index-error flag (waits for the stream): null, or {bad index, dim, size}. */
    int[] readError() {
        int[] e = new int[4];
        check(cuMemcpyDtoHAsync(Pointer.to(e), errorFlag, 16, stream), "cuMemcpyDtoHAsync");
        synchronize();
        return e[0] == 0 ? null : new int[] {e[1], e[2], e[3]};
    }

    // ---------------------------------------------------------------- host transfers through pinned buffers

    /** Host array region (elements [from, from+count) of a float[]/double[]/long[]/int[]/boolean[]) to device memory. */
    void toDevice(Object array, int from, int count, int itemSize, CUdeviceptr dst) {
        long done = 0, total = (long) count * itemSize;
        int which = 0;
        while (done < total) {
            int chunk = (int) Math.min(STAGING, total - done);
            check(cuEventSynchronize(stagingDone[which]), "cuEventSynchronize");
            ByteBuffer b = stagingBuf[which];
            b.clear();
            int e0 = from + (int) (done / itemSize), ne = chunk / itemSize;
            put(b, array, e0, ne);
            check(cuMemcpyHtoDAsync(dst.withByteOffset(done), staging[which], chunk, stream), "cuMemcpyHtoDAsync");
            check(cuEventRecord(stagingDone[which], stream), "cuEventRecord");
            done += chunk;
            which ^= 1;
        }
    }

    /** Device memory to a host array region. */
    void toHost(CUdeviceptr src, Object array, int from, int count, int itemSize) {
        long done = 0, total = (long) count * itemSize;
        while (done < total) {
            int chunk = (int) Math.min(STAGING, total - done);
            check(cuEventSynchronize(stagingDone[0]), "cuEventSynchronize");
            check(cuMemcpyDtoHAsync(staging[0], src.withByteOffset(done), chunk, stream), "cuMemcpyDtoHAsync");
            check(cuEventRecord(stagingDone[0], stream), "cuEventRecord");
            check(cuEventSynchronize(stagingDone[0]), "cuEventSynchronize");
            ByteBuffer b = stagingBuf[0];
            b.clear();
            get(b, array, from + (int) (done / itemSize), chunk / itemSize);
            done += chunk;
        }
    }

    /** Largest element count per staging chunk is a whole number of items (STAGING is a multiple of 8). */
    private static void put(ByteBuffer b, Object array, int from, int n) {
        switch (array) {
            case float[] a -> b.asFloatBuffer().put(a, from, n);
            case double[] a -> b.asDoubleBuffer().put(a, from, n);
            case long[] a -> b.asLongBuffer().put(a, from, n);
            case int[] a -> b.asIntBuffer().put(a, from, n);
            case boolean[] a -> { for (int i = 0; i < n; i++) b.put(i, a[from + i] ? (byte) 1 : 0); }
            default -> throw new IllegalArgumentException(String.valueOf(array));
        }
    }

    private static void get(ByteBuffer b, Object array, int from, int n) {
        switch (array) {
            case float[] a -> b.asFloatBuffer().get(a, from, n);
            case double[] a -> b.asDoubleBuffer().get(a, from, n);
            case long[] a -> b.asLongBuffer().get(a, from, n);
            case int[] a -> b.asIntBuffer().get(a, from, n);
            case boolean[] a -> { for (int i = 0; i < n; i++) a[from + i] = b.get(i) != 0; }
            default -> throw new IllegalArgumentException(String.valueOf(array));
        }
    }

    // ---------------------------------------------------------------- errors

    /** Throws a RuntimeError with CUDA's own name and message when rc is not CUDA_SUCCESS. */
    static void check(int rc, String what) {
        if (rc == CUresult.CUDA_SUCCESS) return;
        throw TorchException.runtime(message(rc) + " (in " + what + ")");
    }

    static String message(int rc) {
        String[] name = new String[1], text = new String[1];
        try {
            cuGetErrorName(rc, name);
            cuGetErrorString(rc, text);
        } catch (Throwable ignored) {
            // the natives may be what failed
        }
        String n = name[0] != null ? name[0] : CUresult.stringFor(rc);
        String t = text[0] != null ? text[0] : n;
        return "CUDA error: " + t + " (" + n + ")";
    }

    // ---------------------------------------------------------------- raw addresses (for cuBLAS through FFM)

    private static final Method NATIVE_POINTER = accessible("getNativePointer", NativePointerObject.class);
    private static final Method BYTE_OFFSET = accessible("getByteOffset", Pointer.class);

    private static Method accessible(String name, Class<?> c) {
        try {
            Method m = c.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The address a JCuda pointer stands for, or 0 when it cannot be read (then cuBLAS is not used). */
    static long address(Pointer p) {
        if (NATIVE_POINTER == null || BYTE_OFFSET == null) return 0;
        try {
            return (long) NATIVE_POINTER.invoke(p) + (long) BYTE_OFFSET.invoke(p);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }
}
