package org.jtorch.engine;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link Gemm#sgemm} (float32 C = A @ B, strided, batched) over a set of shapes.
 *
 * <p>The primary score is products per second. The secondary score {@code sgemm:gflop} counts
 * 2*batch*m*k*n/1e9 per product, so its "ops/s" are GFLOP/s. Threads: {@code -p threads=1,2}
 * ({@link Parallel#setThreads}; 0, the default, keeps the start-up value, i.e. OMP_NUM_THREADS or the number
 * of processors), capped by {@link Gemm#threads()} at the common pool's parallelism + 1;
 * {@code -jvmArgsAppend -Djtorch.gemm.threads=N} overrides both. Kernels: {@code -p kernel=vector,auto}.
 *
 * <p>Shapes are named {@code BATCHxMxKxN} with a prefix for the layout:
 * <ul>
 * <li>{@code sq*}, {@code tall}, {@code deep}, {@code wide}, {@code bmm}: row-major contiguous A [m,k] and B [k,n];
 * <li>{@code conv}: 64 images of [64 x 288] @ [288 x 121] (a 3x3 convolution, 32 -> 64 channels, 11x11 output),
 *     {@code convW}: the same with one A for all entries (batch stride 0), as CpuBackend.matmul passes a
 *     convolution's weight;
 * <li>{@code linear}: x @ W.T as in nn.Linear: A = x [m,784] row-major, B = W.T with W [256,784] row-major,
 *     i.e. B strides (row 1, column 784);
 * <li>{@code tA}/{@code tB}/{@code tAtB}: A and/or B given transposed (column-major: A strides (1, m), B (1, k)).
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class GemmBench {

    @Param({"sq128_1x128x128x128", "sq512_1x512x512x512", "sq1024_1x1024x1024x1024", "sq2048_1x2048x2048x2048",
            "tall_1x4096x64x64", "deep_1x64x4096x64", "wide_1x64x64x4096", "bmm_256x32x32x32",
            "conv_64x64x288x121", "convW_64x64x288x121",
            "linear_1x1x784x256", "linear_1x64x784x256",
            "tA_1x512x512x512", "tB_1x512x512x512", "tAtB_1x512x512x512"})
    public String shape;

    /** Which packed kernel: {@code vector} ({@link VectorGemm}, as in the daemon) or {@code auto} (auto-vectorised). */
    @Param({"vector", "auto"})
    public String kernel;

    /** Threads for {@link Parallel#setThreads}; 0 keeps the start-up value. */
    @Param({"0"})
    public int threads;

    int batch, m, k, n;
    int aBs, aRs, aCs, bBs, bRs, bCs;
    float[] a, b, c;
    double gflopPerProduct;

    @Setup(Level.Trial)
    public void setUp() {
        if (threads > 0) Parallel.setThreads(threads); else Parallel.reset();
        Gemm.useVector(kernel.equals("vector"));
        if (kernel.equals("vector") && !Gemm.vector()) throw new IllegalStateException("no Vector API kernel in this JVM (needs 512-bit vectors)");
        int us = shape.indexOf('_');
        String layout = shape.substring(0, us);
        String[] d = shape.substring(us + 1).split("x");
        batch = Integer.parseInt(d[0]);
        m = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        n = Integer.parseInt(d[3]);
        boolean sharedA = layout.equals("convW");
        boolean colA = layout.equals("tA") || layout.equals("tAtB");
        boolean colB = layout.equals("tB") || layout.equals("tAtB") || layout.equals("linear");
        aBs = sharedA ? 0 : m * k;
        aRs = colA ? 1 : k;
        aCs = colA ? m : 1;
        bBs = k * n;
        bRs = colB ? 1 : n;
        bCs = colB ? k : 1;
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[(sharedA ? 1 : batch) * m * k];
        b = new float[batch * k * n];
        c = new float[batch * m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble(-0.5, 0.5);
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextDouble(-0.5, 0.5);
        gflopPerProduct = 2.0 * batch * m * k * n / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() { Parallel.reset(); }

    /** Counts GFLOP per second next to the products per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() { gflop = 0; }
    }

    @Benchmark
    public float[] sgemm(Flops flops) {
        Gemm.sgemm(batch, m, k, n, a, 0, aBs, aRs, aCs, b, 0, bBs, bRs, bCs, c, 0, m * n, n, 1, false);
        flops.gflop += gflopPerProduct;
        return c;
    }
}
