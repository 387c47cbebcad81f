package org.jtorch.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput of {@link Gemm#sgemm} on a fixed set of shapes (not a unit test; run by hand):
 * <pre>
 * mvn -q -o -pl engine-java test-compile
 * java -cp engine-java/target/classes:engine-java/target/test-classes org.jtorch.engine.GemmBench [SHAPE...]
 * </pre>
 * SHAPE is a name from the list below, or BATCHxMxKxN (default: all). Threads: the caller plus the common pool's
 * workers by default (2 on a 2-core machine); -Djtorch.gemm.threads=1 for one.
 * -Dbench.seconds=S sets the measuring time per shape (default 2). Each shape is warmed up first, then timed in
 * five samples; the best and the median sample are printed in GFLOP/s (2*batch*m*k*n flops per product).
 * The JIT compiles the kernels for the sizes it sees first, so for stable figures run one shape per JVM.
 */
public final class GemmBench {
    /** batch x [m x k] @ [k x n]; sharedA: one A for all entries (batch stride 0), as for a convolution's weight. */
    record Shape(String name, int batch, int m, int k, int n, boolean sharedA) {
        Shape(String name, int batch, int m, int k, int n) { this(name, batch, m, k, n, false); }
    }

    static final List<Shape> SHAPES = List.of(
        new Shape("sq64", 1, 64, 64, 64),
        new Shape("sq128", 1, 128, 128, 128),
        new Shape("sq256", 1, 256, 256, 256),
        new Shape("sq512", 1, 512, 512, 512),
        new Shape("sq1024", 1, 1024, 1024, 1024),
        new Shape("sq2048", 1, 2048, 2048, 2048),
        new Shape("tall4096x64x64", 1, 4096, 64, 64),
        new Shape("deep64x4096x64", 1, 64, 4096, 64),
        new Shape("wide64x64x4096", 1, 64, 64, 4096),
        new Shape("bmm256x32x32x32", 256, 32, 32, 32),
        new Shape("conv64x64x288x121", 64, 64, 288, 121),
        // the same with the weight shared, as CpuBackend.matmul passes a convolution's expanded weight
        new Shape("convW64x64x288x121", 64, 64, 288, 121, true));

    public static void main(String[] args) {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "2"));
        List<Shape> run = new ArrayList<>();
        if (args.length == 0) run.addAll(SHAPES);
        for (String a : args) {
            Shape s = SHAPES.stream().filter(x -> x.name.equals(a)).findFirst().orElse(null);
            if (s == null) {
                String[] d = a.split("x"); // BATCHxMxKxN
                s = new Shape(a, Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), Integer.parseInt(d[3]));
            }
            run.add(s);
        }
        int threads = Gemm.threads();
        for (Shape s : run) {
            double[] r = measure(s, seconds);
            System.out.printf("%-20s threads=%d  best %7.1f  median %7.1f GFLOP/s  (%.3f ms/product)%n",
                s.name, threads, r[0], r[1], r[2]);
        }
    }

    /** Runs products for at least the given time (and at least once); returns products per nanosecond. */
    static double sample(Shape s, float[] a, float[] b, float[] c, long ns) {
        long t0 = System.nanoTime(), t1;
        int it = 0;
        int aBs = s.sharedA ? 0 : s.m * s.k;
        do {
            Gemm.sgemm(s.batch, s.m, s.k, s.n, a, 0, aBs, s.k, 1, b, 0, s.k * s.n, s.n, 1, c, 0, s.m * s.n, s.n, 1, false);
            it++;
            t1 = System.nanoTime();
        } while (t1 - t0 < ns);
        return (double) it / (t1 - t0);
    }

    static double[] measure(Shape s, double seconds) {
        Random rnd = new Random(42);
        float[] a = new float[(s.sharedA ? 1 : s.batch) * s.m * s.k], b = new float[s.batch * s.k * s.n], c = new float[s.batch * s.m * s.n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
        double flops = 2.0 * s.batch * s.m * s.k * s.n;
        long sampleNs = (long) (seconds / 5 * 1e9);
        // Each sample (and warm-up slice) is its own call of sample(): a long-running loop in one frame would
        // run from an on-stack-replacement compilation, whose call sites can stay bound to stale code.
        long end = System.nanoTime() + sampleNs * 5;
        for (int it = 0; it < 3 || System.nanoTime() < end; it++) sample(s, a, b, c, Math.min(sampleNs, 20_000_000L));
        double[] g = new double[5];
        for (int rep = 0; rep < 5; rep++) g[rep] = flops * sample(s, a, b, c, sampleNs);
        java.util.Arrays.sort(g);
        return new double[] {g[4], g[2], flops / g[4] / 1e6};
    }
}
