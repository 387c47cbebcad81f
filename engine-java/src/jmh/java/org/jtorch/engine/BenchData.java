package org.jtorch.engine;

import java.util.SplittableRandom;

/** Inputs for the benchmarks: float32 tensors of uniform values in [lo, hi), the same for every run. */
final class BenchData {
    private BenchData() {}

    /** 16M elements (64 MiB of float32), larger than the caches, for the memory-bound kernels. */
    static final int BIG = 1 << 24;

    static Tensor uniform(double lo, double hi, long seed, int... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextDouble(lo, hi);
        return Tensor.of(d, shape);
    }
}
