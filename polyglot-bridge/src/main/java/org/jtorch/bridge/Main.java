package org.jtorch.bridge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jtorch.bridge.kernel.Kernel;
import org.jtorch.bridge.kernel.KernelSpec;

/**
 * The {@code jtorch} launcher: {@code jtorch FILE.py ARGS}, {@code jtorch -c CODE}, {@code jtorch -m MODULE},
 * or no arguments for an interactive prompt, like {@code python}.
 */
public final class Main {
    private Main() {}

    /** What the command line asks for; exitStatus >= 0 means "exit with it now" (usage printed, or help). */
    record Invocation(String mode, String target, String[] rest, int exitStatus) {}

    static Invocation parse(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        if (args.length == 0 || args[0].equals("-")) return new Invocation("repl", null, new String[] {""}, -1);
        if (args[0].equals("-c") || args[0].equals("-m")) {
            if (args.length < 2) {
                err.println("Argument expected for the " + args[0] + " option");
                return new Invocation(null, null, null, 2);
            }
            String[] rest = new String[args.length - 1];
            rest[0] = args[0];
            System.arraycopy(args, 2, rest, 1, args.length - 2);
            return new Invocation(args[0].equals("-c") ? "code" : "module", args[1], rest, -1);
        }
        if (args[0].equals("-h") || args[0].equals("--help")) {
            out.println("usage: jtorch [-c CODE | -m MODULE | FILE] [ARGS...]\n  no arguments: interactive prompt\n"
                + "       jtorch NOTEBOOK.ipynb [--inplace | --output FILE] [--allow-errors]\n"
                + "       jtorch kernel install [--user | --prefix P | --sys-prefix]   (Jupyter kernel)");
            return new Invocation(null, null, null, 0);
        }
        return new Invocation("file", args[0], Arrays.copyOf(args, args.length), -1);
    }

    public static void main(String[] args) {
        String shim = System.getProperty("jtorch.python.path");
        if (shim == null) {
            System.err.println("jtorch: system property jtorch.python.path (the torch package folder) is not set; use scripts/jtorch");
            System.exit(2);
        }
        if (args.length > 0 && args[0].equals("kernel")
                && (args.length == 1 || List.of("install", "-f", "-h", "--help").contains(args[1]))) {
            System.exit(kernel(Arrays.copyOfRange(args, 1, args.length), Path.of(shim)));
        }
        Invocation inv = parse(args, System.out, System.err);
        if (inv.exitStatus() >= 0) {
            System.out.flush();
            System.exit(inv.exitStatus());
        }
        int status;
        ReplEditor editor = null;
        if (inv.mode().equals("repl") && ReplEditor.stdinIsTerminal()) {
            try {
                editor = ReplEditor.system(ReplEditor.defaultHistoryFile());
            } catch (IOException | RuntimeException e) {
                System.err.println("jtorch: no line editing (" + e.getMessage() + ")");
            }
        }
        try (Session s = new Session(Path.of(shim), inv.rest())) {
            status = run(s, inv.mode(), inv.target(), inv.rest(), editor);
        } finally {
            if (editor != null) editor.close();
        }
        System.out.flush();
        System.exit(status);
    }

    /** {@code jtorch kernel install ...} or {@code jtorch kernel -f CONNECTION_FILE}. */
    static int kernel(String[] args, Path shim) {
        if (args.length > 0 && args[0].equals("install")) {
            return KernelSpec.install(Arrays.copyOfRange(args, 1, args.length), System.getProperty("jtorch.launcher"),
                System.out, System.err);
        }
        if (args.length == 2 && args[0].equals("-f")) {
            Map<String, Object> conn;
            try {
                conn = Kernel.readConnectionFile(Path.of(args[1]));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("jtorch kernel: can't read connection file " + args[1] + ": " + e.getMessage());
                return 2;
            }
            return new Kernel(conn, shim).run();
        }
        boolean help = args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"));
        (help ? System.out : System.err).println(KernelSpec.USAGE);
        return help ? 0 : 2;
    }

    static int run(Session s, String mode, String target, String[] argv) {
        return run(s, mode, target, argv, null);
    }

    static int run(Session s, String mode, String target, String[] argv, ReplEditor editor) {
        try {
            Value boot = s.eval("import _jtorch_launch\n_jtorch_launch.main");
            Value r = boot.execute(mode, target, argv, editor);
            return r.isNumber() ? r.asInt() : 0;
        } catch (PolyglotException e) {
            if (e.isExit()) return e.getExitStatus();
            System.err.println(e.isGuestException() ? e.getMessage() : "jtorch: internal error: " + e);
            if (!e.isGuestException()) e.printStackTrace();
            return 1;
        }
    }
}
