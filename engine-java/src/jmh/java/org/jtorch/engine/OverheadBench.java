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
 * Fixed cost of one engine op: {@link Ops#binary} ADD on 1-element float32 tensors (type promotion, broadcast
 * shape, allocation of the result, dispatch to the backend), out of place and in place, and a 0-dim tensor plus
 * a Python-style scalar ({@link Ops#binaryScalar}). Time per call in nanoseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class OverheadBench {
    Tensor a, b, acc, s;

    @Setup
    public void setUp() {
        a = Tensor.of(new float[] {1.5f}, 1);
        b = Tensor.of(new float[] {2.5f}, 1);
        acc = Tensor.of(new float[] {0f}, 1);
        s = Tensor.scalar(DType.FLOAT32, 1.5);
    }

    @Benchmark
    public Tensor add1() { return Ops.binary(BinaryOp.ADD, a, b); }

    @Benchmark
    public Tensor addInPlace1() { return Ops.binaryInPlace(BinaryOp.ADD, acc, b); }

    /** 0-dim tensor + 2.0 (a Python float: category 2). */
    @Benchmark
    public Tensor addScalar0d() { return Ops.binaryScalar(BinaryOp.ADD, s, 2.0, 2, false); }
}
