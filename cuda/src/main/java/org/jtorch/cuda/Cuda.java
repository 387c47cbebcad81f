package org.jtorch.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jtorch.engine.TorchException;

/**
 * Entry point of the CUDA backend (JCuda 12.6.0 driver API, kernels as PTX): the queries behind
 * {@code torch.cuda.*}. Answers whether a CUDA driver is present without loading JCuda's natives when it
 * is not; everything else initialises the device on first use ({@link CudaRuntime}).
 */
public final class Cuda {
    private Cuda() {}

    /** What PyTorch (a CUDA build) raises when the machine has no NVIDIA driver. */
    public static final String NO_DRIVER_MESSAGE = "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
        + "and installed a driver from http://www.nvidia.com/Download/index.aspx";

    /** Why CUDA cannot be used here, or null when a driver library is present. */
    public static String unavailableReason() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib"}) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) return null;
        }
        return "no CUDA driver (libcuda.so.1) on this machine";
    }

    private static volatile Integer count;

    /** Number of devices the driver reports (0 without a driver or when cuInit fails). */
    public static int deviceCount() {
        Integer c = count;
        if (c != null) return c;
        int n = 0;
        if (unavailableReason() == null) {
            try {
                jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
                if (jcuda.driver.JCudaDriver.cuInit(0) == jcuda.driver.CUresult.CUDA_SUCCESS) {
                    int[] k = new int[1];
                    if (jcuda.driver.JCudaDriver.cuDeviceGetCount(k) == jcuda.driver.CUresult.CUDA_SUCCESS) n = k[0];
                }
            } catch (Throwable t) {
                n = 0; // JCuda's natives could not load
            }
        }
        count = n;
        return n;
    }

    public static boolean isAvailable() { return deviceCount() > 0; }

    /** Initialises device 0 (context, kernels); raises PyTorch's RuntimeError when there is none. */
    public static void init() {
        if (unavailableReason() != null) throw TorchException.runtime(NO_DRIVER_MESSAGE);
        if (deviceCount() == 0) throw TorchException.runtime("No CUDA GPUs are available");
        CudaRuntime.get();
    }

    public static boolean isInitialized() { return CudaRuntime.peek() != null; }

    private static void checkIndex(int device) {
        init();
        if (device < 0 || device >= 1) throw TorchException.runtime("CUDA error: invalid device ordinal (jtorch uses one GPU, cuda:0)");
    }

    public static String deviceName(int device) { checkIndex(device); return CudaRuntime.get().name; }

    /** {major, minor}. */
    public static int[] capability(int device) { checkIndex(device); CudaRuntime r = CudaRuntime.get(); return new int[] {r.ccMajor, r.ccMinor}; }

    public static long totalMemory(int device) { checkIndex(device); return CudaRuntime.get().totalMemory; }

    public static void synchronize() { init(); CudaRuntime.get().synchronize(); }

    public static long memoryAllocated() { CudaRuntime r = CudaRuntime.peek(); return r == null ? 0 : r.allocator.memoryAllocated(); }

    public static long memoryReserved() { CudaRuntime r = CudaRuntime.peek(); return r == null ? 0 : r.allocator.memoryReserved(); }

    public static long maxMemoryAllocated() { CudaRuntime r = CudaRuntime.peek(); return r == null ? 0 : r.allocator.maxMemoryAllocated(); }

    public static void resetPeakMemoryStats() { CudaRuntime r = CudaRuntime.peek(); if (r != null) r.allocator.resetPeak(); }

    public static void emptyCache() { CudaRuntime r = CudaRuntime.peek(); if (r != null) r.allocator.emptyCache(); }

    /** A line on the backend: device, PTX arch, cuBLAS status. */
    public static String describe() {
        CudaRuntime r = CudaRuntime.peek();
        if (r == null) return unavailableReason() != null ? unavailableReason() : "CUDA not initialised";
        Cublas.get();
        return r.name + " (sm_" + r.ccMajor + r.ccMinor + "), PTX " + r.ptxArch + ", " + Cublas.status;
    }
}
