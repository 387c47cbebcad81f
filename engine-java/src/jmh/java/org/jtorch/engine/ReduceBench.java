package org.jtorch.engine;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reductions on a contiguous float32 [4096, 4096] tensor (16M elements, 64 MiB): {@link Ops#sum} over
 * everything, along the last dim (rows, contiguous) and along dim 0 (columns, strided), and {@link Ops#amax}
 * along the last dim. Time per call in milliseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ReduceBench {
    static final int[] ALL = null, LAST = {-1}, FIRST = {0};

    Tensor x;

    @Setup
    public void setUp() {
        x = BenchData.uniform(-4, 4, 1, 4096, 4096);
    }

    @Benchmark
    public Tensor sumAll() { return Ops.sum(x, ALL, false); }

    @Benchmark
    public Tensor sumLastDim() { return Ops.sum(x, LAST, false); }

    @Benchmark
    public Tensor sumDim0() { return Ops.sum(x, FIRST, false); }

    @Benchmark
    public Tensor amaxLastDim() { return Ops.amax(x, LAST, false); }
}
