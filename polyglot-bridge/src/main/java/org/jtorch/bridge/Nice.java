package org.jtorch.bridge;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Lowers the calling thread's CPU priority (Linux nice 10), for background work that must not slow anything else.
 * Threads it starts inherit the lowered priority, so it is used only on threads that start none the JIT needs.
 */
final class Nice {
    private Nice() {}

    static void lowerCurrentThread() {
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle gettid = l.downcallHandle(l.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle setpriority = l.downcallHandle(l.defaultLookup().find("setpriority").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int rc = (int) setpriority.invokeExact(0, (int) gettid.invokeExact(), 10);
            assert rc == 0 || rc == -1;
        } catch (Throwable notLinux) {
            // no such call here: run at normal priority
        }
    }
}
