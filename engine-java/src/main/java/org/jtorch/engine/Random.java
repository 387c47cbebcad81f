package org.jtorch.engine;

/**
 * The default random generator. For now a {@link java.util.SplittableRandom}; PyTorch's mt19937 streams
 * (bit-identical numbers) are a separate piece of work.
 */
public final class Random {
    private static java.util.SplittableRandom rng = new java.util.SplittableRandom(67280421310721L);
    private static long seed = 67280421310721L;

    private Random() {}

    public static synchronized void manualSeed(long s) {
        seed = s;
        rng = new java.util.SplittableRandom(s);
    }

    public static synchronized long initialSeed() { return seed; }

    public static synchronized Tensor uniform(Tensor t, double lo, double hi) {
        Tensor c = Tensor.empty(DType.FLOAT64, t.shapeRef());
        double[] a = ((Storage.F64) c.storage).a;
        for (int i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rng.nextDouble();
        return t.copyFrom(c);
    }

    public static synchronized Tensor normal(Tensor t, double mean, double std) {
        Tensor c = Tensor.empty(DType.FLOAT64, t.shapeRef());
        double[] a = ((Storage.F64) c.storage).a;
        for (int i = 0; i < a.length; i++) {
            double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
            a[i] = mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
        return t.copyFrom(c);
    }

    public static synchronized Tensor randint(long lo, long hi, int[] shape, DType dt) {
        if (hi <= lo) throw TorchException.runtime("random_ expects 'from' to be less than 'to', but got from=" + lo + " >= to=" + hi);
        Tensor t = Tensor.empty(dt, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setL(i, lo + rng.nextLong(hi - lo));
        return t;
    }

    public static synchronized Tensor randperm(int n) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); long x = p[i]; p[i] = p[j]; p[j] = x; }
        return Tensor.wrap(p, n);
    }

    public static synchronized Tensor bernoulli(Tensor probs) {
        double[] p = probs.toDoubleArray();
        Tensor t = Tensor.empty(probs.dtype.isFloating() ? probs.dtype : DType.FLOAT32, probs.shapeRef());
        for (int i = 0; i < p.length; i++) t.storage.setD(i, rng.nextDouble() < p[i] ? 1 : 0);
        return t;
    }
}
