package org.jtorch.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import org.jtorch.engine.TorchException;

/**
 * A caching device allocator in the manner of PyTorch's: requests are rounded to size classes (512 bytes
 * up to 1 MiB, then 2 MiB steps), and freed blocks go to a free list of their class instead of back to the
 * driver, so a training loop allocating the same shapes every step stops calling cuMemAlloc after the first
 * one. Blocks come back when their {@link CudaStorage} is garbage-collected (a Cleaner); reuse is safe
 * without events because every kernel and copy runs on the one stream, in order. {@link #emptyCache}
 * returns the cached blocks to the driver (torch.cuda.empty_cache()).
 */
final class CudaAllocator {
    /** A device block: its pointer, raw address and rounded size. */
    record Block(CUdeviceptr ptr, long address, long size) {}

    private final CudaRuntime rt;
    private final TreeMap<Long, ArrayDeque<Block>> free = new TreeMap<>();
    private long allocated, reserved, peakAllocated;

    CudaAllocator(CudaRuntime rt) { this.rt = rt; }

    static long roundSize(long bytes) {
        if (bytes <= 0) return 512;
        if (bytes <= (1 << 20)) return (bytes + 511) / 512 * 512;
        long step = 2L << 20;
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least bytes, from the cache when one of its class is free. */
    Block allocate(long bytes) {
        long size = roundSize(bytes);
        synchronized (this) {
            ArrayDeque<Block> q = free.get(size);
            if (q != null && !q.isEmpty()) {
                Block b = q.pop();
                allocated += size;
                peakAllocated = Math.max(peakAllocated, allocated);
                return b;
            }
        }
        CUdeviceptr p = new CUdeviceptr();
        int rc = cuMemAlloc(p, size);
        for (int attempt = 0; rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY && attempt < 3; attempt++) {
            // blocks of unreachable tensors return through the Cleaner only after a GC: ask for one, then drop the cache
            System.gc();
            try { Thread.sleep(20L << attempt); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            emptyCache();
            rc = cuMemAlloc(p, size);
        }
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw TorchException.runtime(String.format(
                "CUDA out of memory. Tried to allocate %.2f MiB. GPU %d has a total capacity of %.2f GiB; %.2f GiB is allocated by jtorch and %.2f GiB reserved.",
                size / 1048576.0, rt.ordinal, rt.totalMemory / 1073741824.0, memoryAllocated() / 1073741824.0, memoryReserved() / 1073741824.0));
        }
        CudaRuntime.check(rc, "cuMemAlloc(" + size + ")");
        synchronized (this) {
            reserved += size;
            allocated += size;
            peakAllocated = Math.max(peakAllocated, allocated);
        }
        return new Block(p, CudaRuntime.address(p), size);
    }

    /** Back to the cache (called from the Cleaner thread too). */
    synchronized void release(Block b) {
        allocated -= b.size();
        free.computeIfAbsent(b.size(), k -> new ArrayDeque<>()).push(b);
    }

    /** Returns every cached (unused) block to the driver. */
    void emptyCache() {
        Map<Long, ArrayDeque<Block>> drop;
        synchronized (this) {
            drop = new HashMap<>(free);
            free.clear();
        }
        if (drop.isEmpty()) return;
        rt.makeCurrent();
        rt.synchronize();
        for (ArrayDeque<Block> q : drop.values()) {
            for (Block b : q) {
                CudaRuntime.check(cuMemFree(b.ptr()), "cuMemFree");
                synchronized (this) { reserved -= b.size(); }
            }
        }
    }

    synchronized long memoryAllocated() { return allocated; }
    synchronized long memoryReserved() { return reserved; }
    synchronized long maxMemoryAllocated() { return peakAllocated; }
    synchronized void resetPeak() { peakAllocated = allocated; }
}
