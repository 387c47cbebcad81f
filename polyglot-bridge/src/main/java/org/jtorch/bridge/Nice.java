package org.jtorch.bridge;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Lowers threads' CPU priority (Linux nice 10), for background work that must not slow anything else. Threads a
 * lowered thread starts inherit the lowered priority, so it is used only on threads that start none a run needs.
 */
final class Nice {
    private Nice() {}

    private static final java.util.Set<Integer> LOWERED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Lowers every thread of this process whose name (as the kernel keeps it: the first 15 characters) starts with
     * prefix, once per thread. Used for Truffle's compiler threads: a run's own code is compiled in the background
     * during its first seconds, and on two cores a 2-thread kernel then shares a core with the compiler; at nice 10
     * the compiler gets what the run leaves over (it still has a core to itself when the run uses one thread).
     */
    static void lowerThreadsNamed(String prefix) {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return;
        for (java.io.File t : tasks) {
            try {
                int tid = Integer.parseInt(t.getName());
                if (LOWERED.contains(tid)) continue;
                String comm = java.nio.file.Files.readString(t.toPath().resolve("comm")).trim();
                if (comm.startsWith(prefix) && lower(tid)) LOWERED.add(tid);
            } catch (java.io.IOException | NumberFormatException gone) {
                // the thread ended meanwhile
            }
        }
    }

    /** setpriority(PRIO_PROCESS, tid, 10): on Linux a thread id names one thread. False where that fails. */
    private static boolean lower(int tid) {
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle setpriority = l.downcallHandle(l.defaultLookup().find("setpriority").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) setpriority.invokeExact(0, tid, 10) == 0;
        } catch (Throwable notLinux) {
            return false;
        }
    }

    static void lowerCurrentThread() {
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle gettid = l.downcallHandle(l.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            lower((int) gettid.invokeExact());
        } catch (Throwable notLinux) {
            // no such call here: run at normal priority
        }
    }
}
