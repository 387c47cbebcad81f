package org.jtorch.bridge;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Lowers the calling thread's CPU priority (Linux nice 10), for background work that must not slow anything else. */
final class Nice {
    private Nice() {}

    /** Lowers the priority of this process's threads whose names (as Linux shows them) start with one of the prefixes. */
    static void lowerThreads(String... prefixes) {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String comm;
                try {
                    comm = java.nio.file.Files.readString(t.resolve("comm")).strip();
                } catch (java.io.IOException gone) {
                    continue;
                }
                for (String p : prefixes) {
                    if (comm.startsWith(p)) {
                        setPriority(Integer.parseInt(t.getFileName().toString()), 10);
                        break;
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            // nothing to lower
        }
    }

    /** setpriority(PRIO_PROCESS, tid, nice): on Linux a thread id names one thread. */
    private static void setPriority(int tid, int nice) {
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle setpriority = l.downcallHandle(l.defaultLookup().find("setpriority").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int rc = (int) setpriority.invokeExact(0, tid, nice);
            assert rc == 0 || rc == -1;
        } catch (Throwable notLinux) {
            // no such call here: left at normal priority
        }
    }

    static void lowerCurrentThread() {
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle gettid = l.downcallHandle(l.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            setPriority((int) gettid.invokeExact(), 10);
        } catch (Throwable notLinux) {
            // no such call here: run at normal priority
        }
    }
}
