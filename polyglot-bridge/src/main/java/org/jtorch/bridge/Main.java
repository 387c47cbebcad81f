package org.jtorch.bridge;

import java.nio.file.Path;
import java.util.Arrays;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * The {@code jtorch} launcher: {@code jtorch FILE.py ARGS}, {@code jtorch -c CODE}, {@code jtorch -m MODULE},
 * or no arguments for an interactive prompt, like {@code python}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String shim = System.getProperty("jtorch.python.path");
        if (shim == null) {
            System.err.println("jtorch: system property jtorch.python.path (the torch package folder) is not set; use scripts/jtorch");
            System.exit(2);
        }
        String mode;
        String target = null;
        String[] rest;
        if (args.length == 0 || args[0].equals("-")) {
            mode = "repl";
            rest = new String[] {""};
        } else if (args[0].equals("-c") || args[0].equals("-m")) {
            if (args.length < 2) {
                System.err.println("Argument expected for the " + args[0] + " option");
                System.exit(2);
            }
            mode = args[0].equals("-c") ? "code" : "module";
            target = args[1];
            rest = new String[args.length - 1];
            rest[0] = args[0];
            System.arraycopy(args, 2, rest, 1, args.length - 2);
        } else if (args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println("usage: jtorch [-c CODE | -m MODULE | FILE] [ARGS...]\n  no arguments: interactive prompt");
            return;
        } else {
            mode = "file";
            target = args[0];
            rest = Arrays.copyOf(args, args.length);
        }
        int status;
        try (Session s = new Session(Path.of(shim), rest)) {
            status = run(s, mode, target, rest);
        }
        System.out.flush();
        System.exit(status);
    }

    static int run(Session s, String mode, String target, String[] argv) {
        try {
            Value boot = s.eval("import _jtorch_launch\n_jtorch_launch.main");
            Value r = boot.execute(mode, target, argv);
            return r.isNumber() ? r.asInt() : 0;
        } catch (PolyglotException e) {
            if (e.isExit()) return e.getExitStatus();
            System.err.println(e.isGuestException() ? e.getMessage() : "jtorch: internal error: " + e);
            if (!e.isGuestException()) e.printStackTrace();
            return 1;
        }
    }
}
