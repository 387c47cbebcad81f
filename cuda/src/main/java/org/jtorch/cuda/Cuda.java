package org.jtorch.cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the CUDA backend (JCuda 12.6.0 driver API, kernels as PTX). The device kernels that
 * implement {@link org.jtorch.engine.Backend} are not written yet; this class answers whether a CUDA
 * driver is present, without loading JCuda's natives when it is not.
 */
public final class Cuda {
    private Cuda() {}

    /** Why CUDA cannot be used here, or null when a driver library is present. */
    public static String unavailableReason() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64"}) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) return null;
        }
        return "no CUDA driver (libcuda.so.1) on this machine";
    }

    public static boolean isAvailable() {
        if (unavailableReason() != null) return false;
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
            int rc = jcuda.driver.JCudaDriver.cuInit(0);
            if (rc != jcuda.driver.CUresult.CUDA_SUCCESS) return false;
            int[] n = new int[1];
            jcuda.driver.JCudaDriver.cuDeviceGetCount(n);
            return n[0] > 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
