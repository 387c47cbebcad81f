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
 * The sliding-window kernels behind convolution and pooling, called as autograd's NnOps calls them
 * ({@code x.backend().unfold2d/fold2d/pool2d} into a preallocated output), on float32 NCHW input [8, 64, 32, 32]:
 * <ul>
 * <li>{@code unfold3x3}: im2col for a 3x3 convolution, stride 1, padding 1, into [8, 576, 1024] (conv2d forward);
 * <li>{@code fold3x3}: its adjoint, col2im from [8, 576, 1024] back into [8, 64, 32, 32] (conv2d input gradient;
 *     the output is zeroed first, as NnOps does);
 * <li>{@code maxPool2x2}: max_pool2d 2x2 stride 2 with indices, into [8, 64, 16, 16];
 * <li>{@code avgPool3x3}: avg_pool2d 3x3 stride 2 padding 1, into [8, 64, 16, 16].
 * </ul>
 * Time per call in microseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class WindowBench {
    static final int N = 8, C = 64, H = 32, W = 32;
    static final Window2d CONV3 = new Window2d(3, 3, 1, 1, 1, 1, 1, 1);
    static final Window2d MAX2 = new Window2d(2, 2, 2, 2, 0, 0, 1, 1);
    static final Window2d AVG3 = new Window2d(3, 3, 2, 2, 1, 1, 1, 1);

    Tensor x, cols, colsOut, folded, pooled, indices;

    @Setup
    public void setUp() {
        x = BenchData.uniform(-1, 1, 1, N, C, H, W);
        int oh = CONV3.outH(H, false), ow = CONV3.outW(W, false);
        cols = BenchData.uniform(-1, 1, 2, N, C * 9, oh * ow);
        colsOut = Tensor.empty(DType.FLOAT32, N, C * 9, oh * ow);
        folded = Tensor.empty(DType.FLOAT32, N, C, H, W);
        pooled = Tensor.empty(DType.FLOAT32, N, C, H / 2, W / 2);
        indices = Tensor.empty(DType.INT64, N, C, H / 2, W / 2);
    }

    @Benchmark
    public Tensor unfold3x3() {
        x.backend().unfold2d(x, CONV3, colsOut);
        return colsOut;
    }

    @Benchmark
    public Tensor fold3x3() {
        folded.fill(0);
        cols.backend().fold2d(cols, CONV3, folded);
        return folded;
    }

    @Benchmark
    public Tensor maxPool2x2() {
        x.backend().pool2d(x, MAX2, true, false, 0, pooled, indices);
        return pooled;
    }

    @Benchmark
    public Tensor avgPool3x3() {
        x.backend().pool2d(x, AVG3, false, true, 0, pooled, null);
        return pooled;
    }
}
