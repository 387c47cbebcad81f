package org.jtorch.bridge.kernel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code jtorch kernel install [--user | --prefix P | --sys-prefix] [--name NAME] [--display-name TEXT]}: writes
 * the Jupyter kernel spec ({@code kernels/NAME/kernel.json}) that starts {@code jtorch kernel -f {connection_file}}.
 * Without a location option it installs system-wide ({@code /usr/local/share/jupyter/kernels}), as
 * {@code jupyter kernelspec install} does.
 */
public final class KernelSpec {
    public static final String DEFAULT_NAME = "jtorch";
    public static final String DEFAULT_DISPLAY_NAME = "jtorch (PyTorch on the JVM)";
    public static final String USAGE = """
        usage: jtorch kernel install [--user | --prefix PREFIX | --sys-prefix] [--name NAME] [--display-name TEXT]
               jtorch kernel -f CONNECTION_FILE      (started by Jupyter)
          --user          install for this user ($JUPYTER_DATA_DIR or ~/.local/share/jupyter/kernels)
          --prefix P      install into P/share/jupyter/kernels (e.g. a virtualenv's or conda env's prefix)
          --sys-prefix    install into the prefix of the Python that runs jupyter
          (default: system-wide, /usr/local/share/jupyter/kernels)""";

    private KernelSpec() {}

    /** The kernel.json content for a launcher at this absolute path. */
    public static Map<String, Object> spec(String launcher, String displayName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("argv", List.of(launcher, "kernel", "-f", "{connection_file}"));
        m.put("display_name", displayName);
        m.put("language", "python");
        m.put("interrupt_mode", "message");
        m.put("metadata", Map.of("debugger", false));
        return m;
    }

    /** Runs {@code jtorch kernel install ARGS}; returns the exit status. */
    public static int install(String[] args, String launcher, PrintStream out, PrintStream err) {
        String location = null;
        Path prefix = null;
        String name = DEFAULT_NAME;
        String display = DEFAULT_DISPLAY_NAME;
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            switch (a) {
                case "--user", "--sys-prefix" -> location = a;
                case "--prefix", "--name", "--display-name" -> {
                    if (k + 1 >= args.length) {
                        err.println("jtorch kernel install: " + a + " needs a value\n" + USAGE);
                        return 2;
                    }
                    String v = args[++k];
                    if (a.equals("--prefix")) {
                        location = a;
                        prefix = Path.of(v);
                    } else if (a.equals("--name")) {
                        name = v;
                    } else {
                        display = v;
                    }
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("jtorch kernel install: unknown option " + a + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            err.println("jtorch kernel install: a kernel name has letters, digits, '.', '_' and '-' only: " + name);
            return 2;
        }
        if (launcher == null || !Path.of(launcher).isAbsolute()) {
            err.println("jtorch kernel install: run it through scripts/jtorch (the kernel spec needs the launcher's absolute path)");
            return 2;
        }
        Path kernels;
        try {
            kernels = switch (location == null ? "" : location) {
                case "--user" -> userDataDir().resolve("kernels");
                case "--prefix" -> prefix.toAbsolutePath().normalize().resolve("share/jupyter/kernels");
                case "--sys-prefix" -> jupyterSysPrefix().resolve("share/jupyter/kernels");
                default -> Path.of("/usr/local/share/jupyter/kernels");
            };
        } catch (IOException e) {
            err.println("jtorch kernel install: " + e.getMessage());
            return 1;
        }
        Path dir = kernels.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("kernel.json"), Json.write(spec(launcher, display)) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("jtorch kernel install: could not write " + dir.resolve("kernel.json") + ": " + e
                + (location == null ? "\n(install for this user only with --user)" : ""));
            return 1;
        }
        out.println("Installed kernelspec " + name + " in " + dir);
        return 0;
    }

    /** Jupyter's per-user data folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter. */
    static Path userDataDir() {
        String d = System.getenv("JUPYTER_DATA_DIR");
        if (d != null && !d.isEmpty()) return Path.of(d).toAbsolutePath();
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "jupyter").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
    }

    /** sys.prefix of the Python running `jupyter` (its #! line), else of python3. */
    static Path jupyterSysPrefix() throws IOException {
        String python = "python3";
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(java.io.File.pathSeparator)) {
                Path j = Path.of(p.isEmpty() ? "." : p, "jupyter");
                if (Files.isRegularFile(j) && Files.isExecutable(j)) {
                    List<String> lines = Files.readAllLines(j, StandardCharsets.ISO_8859_1);
                    if (!lines.isEmpty() && lines.get(0).startsWith("#!")) {
                        String interp = lines.get(0).substring(2).trim().split("\\s+")[0];
                        if (interp.contains("python")) python = interp;
                    }
                    break;
                }
            }
        }
        Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)").redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IOException("--sys-prefix: could not ask " + python + " for sys.prefix: " + outText);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return Path.of(outText);
    }
}
