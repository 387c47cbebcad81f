package org.jtorch.bridge;

import java.nio.file.Path;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Value;

/**
 * One GraalPy context with the jtorch {@code torch} package importable. Several sessions may share one
 * {@link Engine} (compiled code and parsed sources are shared). A session must be used by one thread at a time.
 */
public final class Session implements AutoCloseable {
    private final Context context;

    public Session(Path shimPath, String[] argv) {
        this(null, shimPath, argv);
    }

    public Session(Engine engine, Path shimPath, String[] argv) {
        PythonErrors.install();
        Context.Builder b = Context.newBuilder("python")
            .allowAllAccess(true)
            .option("python.PythonPath", shimPath.toAbsolutePath().toString())
            .option("python.DontWriteBytecodeFlag", "false")
            .arguments("python", argv)
            .in(System.in).out(System.out).err(System.err);
        if (engine != null) b.engine(engine);
        else b.option("engine.WarnInterpreterOnly", "false");
        context = b.build();
    }

    public Context context() { return context; }

    public Value eval(String code) { return context.eval("python", code); }

    @Override public void close() { context.close(true); }
}
