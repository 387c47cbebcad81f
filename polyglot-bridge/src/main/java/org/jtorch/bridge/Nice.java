package org.jtorch.bridge;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Lowers the calling thread's CPU priority (Linux nice 10), for background work that must not slow anything else. */
final class Nice {
    private Nice() {}

    static void lowerCurrentThread() {
        try {
            Linker l = Linker.nativeLinker();
            var lookup = l.defaultLookup();
            MethodHandle gettid = l.downcallHandle(lookup.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle setpriority = l.downcallHandle(lookup.find("setpriority").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int tid = (int) gettid.invokeExact();
            int rc = (int) setpriority.invokeExact(0 /* PRIO_PROCESS: a thread id on Linux */, tid, 10);
            assert rc == 0 || rc == -1;
        } catch (Throwable notLinux) {
            // no such calls here: run at normal priority
        }
    }
}
