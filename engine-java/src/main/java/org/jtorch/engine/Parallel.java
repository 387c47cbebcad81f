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
}
