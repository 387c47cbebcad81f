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
 * Elementwise kernels through the public engine API ({@link Ops#binary}, {@link Ops#unary},
 * {@link Ops#binaryInPlace}) on contiguous float32 tensors of 16M elements [4096, 4096] (64 MiB each), so the
 * figures are mostly memory bandwidth: an out-of-place binary op reads 128 MiB and writes 64 MiB (plus the
 * allocation of its result), a unary op reads and writes 64 MiB, an in-place binary op reads 128 MiB and writes
 * 64 MiB. {@code addBroadcastRow} adds a [4096] row to every row of [4096, 4096] (stride-0 operand).
 * Time per call in milliseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ElementwiseBench {
    static final int N = 4096;

    Tensor a, b, row, acc;

    @Setup
    public void setUp() {
        a = BenchData.uniform(-4, 4, 1, N, N);
        b = BenchData.uniform(-4, 4, 2, N, N);
        row = BenchData.uniform(-4, 4, 3, N);
        acc = BenchData.uniform(-4, 4, 4, N, N);
    }

    @Benchmark
    public Tensor add() { return Ops.binary(BinaryOp.ADD, a, b); }

    @Benchmark
    public Tensor mul() { return Ops.binary(BinaryOp.MUL, a, b); }

    @Benchmark
    public Tensor addBroadcastRow() { return Ops.binary(BinaryOp.ADD, a, row); }

    /** acc += b; acc drifts over the run (by at most a few thousand), which does not change the kernel's speed. */
    @Benchmark
    public Tensor addInPlace() { return Ops.binaryInPlace(BinaryOp.ADD, acc, b); }

    @Benchmark
    public Tensor exp() { return Ops.unary(UnaryOp.EXP, a, Double.NaN, Double.NaN); }

    @Benchmark
    public Tensor relu() { return Ops.unary(UnaryOp.RELU, a, Double.NaN, Double.NaN); }
}
