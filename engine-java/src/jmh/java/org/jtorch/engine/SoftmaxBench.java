package org.jtorch.engine;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Ops#softmax} and log_softmax (CpuBackend.softmax) along the last dim of a contiguous float32 tensor
 * of 16M elements viewed as [16M/cols, cols] (default rows of 1024). Time per call in milliseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class SoftmaxBench {
    /** Row length: the size of the softmax dim. */
    @Param({"1024"})
    public int cols;

    Tensor x;

    @Setup
    public void setUp() { x = BenchData.uniform(-4, 4, 1, BenchData.BIG / cols, cols); }

    @Benchmark
    public Tensor softmax() { return Ops.softmax(x, -1, false); }

    @Benchmark
    public Tensor logSoftmax() { return Ops.softmax(x, -1, true); }
}
