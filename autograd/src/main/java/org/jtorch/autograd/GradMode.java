package org.jtorch.autograd;

/** Whether operations record the graph, per thread (torch.no_grad / enable_grad / set_grad_enabled). */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Sets the mode and returns the previous one, so callers can restore it. */
    public static boolean set(boolean enabled) {
        boolean[] b = ENABLED.get();
        boolean prev = b[0];
        b[0] = enabled;
        return prev;
    }
}
