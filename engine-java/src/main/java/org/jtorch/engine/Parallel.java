package org.jtorch.engine;

/**
 * The number of threads CPU kernels may use ({@code torch.set_num_threads}/{@code get_num_threads}). Like
 * PyTorch it starts at {@code OMP_NUM_THREADS} when that is set, else at the number of processors. Kernels
 * split work over the calling thread and the common ForkJoin pool, never into more parts than this.
 */
public final class Parallel {
    private Parallel() {}

    private static volatile int threads = initial();

    static int initial() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // PyTorch ignores a malformed value too
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static int threads() { return threads; }

    public static void setThreads(int n) {
        if (n <= 0) throw TorchException.runtime("set_num_threads expects a positive integer");
        threads = n;
    }

    /** Back to the start-up value (a fresh run in a long-lived JVM). */
    public static void reset() { threads = initial(); }

    /** A range of work items [from, to). */
    @FunctionalInterface
    public interface Range { void run(int from, int to); }

    /** Work items below this (elements of an elementwise kernel, say) stay on the calling thread. */
    public static final int GRAIN = 1 << 16;

    /**
     * Runs body over [0, n) split into at most {@link #threads()} parts of at least grain items (boundaries at
     * multiples of 16), the calling thread taking the first; small ranges run on the calling thread alone.
     * Parts are fixed by n, grain and the thread count, so results that combine per-part values are
     * reproducible for a given thread count.
     */
    public static void range(int n, int grain, Range body) {
        int parts = parts(n, grain);
        if (parts <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        eachPart(parts, t -> body.run(bound(n, parts, t), bound(n, parts, t + 1)));
    }

    /** Runs body(t) for t in [0, parts), each on a task of its own, the calling thread taking t = 0. */
    public static void eachPart(int parts, java.util.function.IntConsumer body) {
        java.util.concurrent.ForkJoinTask<?>[] tasks = new java.util.concurrent.ForkJoinTask<?>[parts];
        for (int t = parts - 1; t > 0; t--) {
            int part = t;
            tasks[t] = java.util.concurrent.ForkJoinTask.adapt(() -> body.accept(part)).fork();
        }
        body.accept(0);
        for (int t = 1; t < parts; t++) tasks[t].join();
    }

    /** How many parts {@link #range} splits n items into. */
    public static int parts(int n, int grain) {
        int t = threads();
        if (t <= 1 || n < 2 * grain) return 1;
        boolean inPool = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread;
        if (inPool) return 1; // already inside a parallel region
        return Math.max(1, Math.min(t, Math.min(n / grain, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1)));
    }

    /** Start of part t of parts over n items. */
    public static int bound(int n, int parts, int t) {
        if (t >= parts) return n;
        return (int) ((long) n * t / parts) & ~15;
    }
}
