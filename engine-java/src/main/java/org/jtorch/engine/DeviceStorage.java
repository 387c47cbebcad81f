package org.jtorch.engine;

/**
 * Storage in memory the JVM cannot index (an accelerator's). Backends of other devices subclass this; the
 * engine only needs the element accessors, which each move one element (slow: meant for {@code item()} and
 * scalar set-up, never for loops). {@link #array()} is unavailable: data moves in bulk through the backend's
 * {@link Backend#toCpu}/{@link Backend#fromCpu}.
 */
public abstract non-sealed class DeviceStorage extends Storage {
    private final DType dtype;
    private final int size;

    protected DeviceStorage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    /** The device this memory belongs to. */
    public abstract Device device();

    @Override public final DType dtype() { return dtype; }
    @Override public final int size() { return size; }

    @Override public Object array() {
        throw TorchException.runtime("storage on " + device() + " has no host array; move the tensor to the CPU first (.cpu())");
    }
}
