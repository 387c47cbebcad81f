package org.jtorch.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.jtorch.autograd.Variable;
import org.jtorch.engine.Tensor;

/**
 * One GraalPy context with the jtorch {@code torch} package importable: the unit of the embedding API.
 *
 * <pre>{@code
 * try (Session s = JTorch.session().addPythonPath(modelDir).build()) {
 *     PyModule net = s.newModule("mymodels", "Net", 4, 2);      // mymodels.Net(4, 2)
 *     Tensor y = net.call(JTorch.tensor(new float[] {1, 2, 3, 4}, 1, 4));
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * A session is <b>not</b> thread-safe: use it (and the {@link PyModule}s, {@link PyOptimizer}s and Python
 * {@link Value}s obtained from it) from one thread at a time. Handing a session to another thread is fine when
 * the hand-off is synchronized (as {@link SessionPool} does). Different sessions are independent and may run
 * concurrently on different threads; they can share one {@link Engine} (parsed and compiled code is shared,
 * see {@link JTorch#newEngine()}). Two things are shared JVM-wide by all sessions: the default random
 * generator ({@code torch.manual_seed} in one session affects the others; it is synchronized, so concurrent
 * draws are safe but their interleaving is not reproducible: pass a {@code torch.Generator} where that
 * matters) and the per-thread grad mode ({@code org.jtorch.autograd.GradMode}, which is what
 * {@code torch.no_grad()} sets).
 *
 * <h2>Memory</h2>
 * Tensors cross between Java and Python without copying: {@link #tensor(Tensor)} gives Python a tensor over the
 * same storage, and Python tensors come back as the engine {@link Tensor} (or autograd {@link Variable}) they
 * hold. See docs/embedding.md for the rules.
 *
 * <h2>Sandboxing</h2>
 * {@link Builder#sandboxed(boolean)} builds a context whose scripts have no host file access (except reading
 * the torch package and the folders given to {@link Builder#addPythonPath}/{@link Builder#allowRead}), no
 * sockets, no processes, no threads, no native code, no environment variables and no Java classes other than
 * the jtorch engine's.
 */
public final class Session implements AutoCloseable {
    private final Context context;
    private final boolean sandboxed;
    private final Path shimPath;
    private final List<Path> readable;
    private Value embed;
    private Value fWrap, fCall, fCallTensor, fList, fDict, fIsTensor, fAttr;

    /** The launcher's session: all access allowed, the shim at shimPath, sys.argv = argv. */
    public Session(Path shimPath, String[] argv) {
        this(null, shimPath, argv);
    }

    public Session(Engine engine, Path shimPath, String[] argv) {
        this(new Builder().engine(engine).shimPath(shimPath).arguments(argv).in(System.in).importTorch(false));
    }

    private Session(Builder b) {
        PythonErrors.install();
        this.sandboxed = b.sandboxed;
        this.shimPath = (b.shimPath != null ? b.shimPath : ShimResources.locate()).toAbsolutePath().normalize();
        List<String> pyPath = new ArrayList<>();
        pyPath.add(shimPath.toString());
        for (Path p : b.pythonPath) pyPath.add(p.toAbsolutePath().normalize().toString());
        List<Path> roots = new ArrayList<>();
        roots.add(shimPath);
        for (Path p : b.pythonPath) roots.add(p.toAbsolutePath().normalize());
        for (Path p : b.readable) roots.add(p.toAbsolutePath().normalize());
        this.readable = List.copyOf(roots);

        Context.Builder cb = Context.newBuilder("python")
            .option("python.PythonPath", String.join(java.io.File.pathSeparator, pyPath))
            .arguments("python", b.argv)
            .out(b.out).err(b.err);
        if (b.in != null) cb.in(b.in);
        if (sandboxed) {
            cb.allowIO(IOAccess.newBuilder().fileSystem(SandboxFileSystem.create(readable)).allowHostSocketAccess(false).build())
                .allowHostAccess(SANDBOX_HOST_ACCESS)
                .allowHostClassLookup(Session::sandboxClassAllowed)
                .allowHostClassLoading(false)
                .allowPolyglotAccess(PolyglotAccess.newBuilder().allowBindingsAccess("python").build())
                .allowCreateProcess(false)
                .allowCreateThread(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowInnerContextOptions(false)
                .option("python.DontWriteBytecodeFlag", "true");
            if (b.in == null) cb.in(InputStream.nullInputStream());
        } else {
            cb.allowAllAccess(true).option("python.DontWriteBytecodeFlag", "false");
        }
        for (Map.Entry<String, String> o : b.options.entrySet()) cb.option(o.getKey(), o.getValue());
        if (b.engine != null) cb.engine(b.engine);
        else cb.option("engine.WarnInterpreterOnly", "false");
        try {
            context = cb.build();
        } catch (IllegalStateException e) {
            if (b.engine != null && String.valueOf(e.getMessage()).contains("host access configuration"))
                throw new IllegalStateException("sandboxed and unsandboxed sessions cannot share one Engine", e);
            throw e;
        }
        if (b.importTorch) {
            try {
                helpers();
            } catch (RuntimeException e) {
                context.close(true);
                throw e;
            }
        }
    }

    /** A builder for a session; see {@link JTorch#session()}. */
    public static Builder builder() { return new Builder(); }

    // ------------------------------------------------------------------------------------------ basics

    public Context context() { return context; }

    /** Whether this session was built with {@link Builder#sandboxed(boolean)}. */
    public boolean isSandboxed() { return sandboxed; }

    /** The folder holding the {@code torch} package this session imports. */
    public Path shimPath() { return shimPath; }

    /** Runs Python code (statements or an expression) in {@code __main__}; returns the last expression's value. */
    public Value eval(String code) { return context.eval("python", code); }

    /** Imports a Python module by name ({@code importlib.import_module}). */
    public Value importModule(String name) {
        return helpers().getMember("import_module").execute(name);
    }

    /**
     * Makes a module from source text and registers it in {@code sys.modules} under {@code name}, so later
     * imports (and pickling of its classes) find it.
     */
    public Value importSource(String name, String source) {
        return helpers().getMember("load_source").execute(name, source, "<" + name + ">");
    }

    /** Imports {@code file} (a {@code .py} file) as module {@code name}. */
    public Value importFile(String name, Path file) {
        String src;
        try {
            src = Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return helpers().getMember("load_source").execute(name, src, file.toAbsolutePath().toString());
    }

    /**
     * Adds a folder to the front of {@code sys.path}. In a sandboxed session the folder must be one the session
     * may read (given to the builder), otherwise imports from it fail.
     */
    public void addPythonPath(Path folder) {
        Path p = folder.toAbsolutePath().normalize();
        if (sandboxed && readable.stream().noneMatch(p::startsWith))
            throw new IllegalArgumentException("sandboxed session: " + p + " is not readable; pass it to Session.Builder.addPythonPath");
        helpers().getMember("add_path").execute(p.toString());
    }

    /**
     * {@code getattr(obj, name)}. Prefer this to {@code Value.getMember} for attributes Python computes
     * (an {@code nn.Module}'s parameters, buffers and submodules come from {@code __getattr__}).
     */
    public Value attr(Value obj, String name) {
        helpers();
        return fAttr.execute(obj, name);
    }

    /** A Python object by qualified name, e.g. {@code "torch.nn.functional.mse_loss"} or {@code "mymodule.Net"}. */
    public Value resolve(String qualifiedName) {
        return helpers().getMember("resolve").execute(qualifiedName);
    }

    // ------------------------------------------------------------------------------------------ modules

    /** Wraps a Python {@code nn.Module} object. */
    public PyModule module(Value module) { return new PyModule(this, module); }

    /** {@code moduleName.className(*args)}: imports the module, instantiates the class (args converted by {@link #toPython}). */
    public PyModule newModule(String moduleName, String className, Object... args) {
        Value cls = importModule(moduleName).getMember(className);
        if (cls == null) throw new IllegalArgumentException("module " + moduleName + " has no attribute " + className);
        return new PyModule(this, cls.execute(toPythonArgs(args)));
    }

    /** A {@code torch.optim} optimizer over the module's parameters, e.g. {@code optimizer("SGD", net, Map.of("lr", 0.1))}. */
    public PyOptimizer optimizer(String className, PyModule module, Map<String, ?> options) {
        Value opt = helpers().getMember("make_optimizer").execute(className, module.value(), toPython(options == null ? Map.of() : options));
        return new PyOptimizer(this, opt);
    }

    /** Wraps a Python optimizer object. */
    public PyOptimizer optimizer(Value optimizer) { return new PyOptimizer(this, optimizer); }

    // ------------------------------------------------------------------------------------------ calls

    /**
     * Calls a Python callable with arguments converted by {@link #toPython} and converts the result with
     * {@link #toJava} (tensors come back as {@link Variable}s, with their autograd history).
     */
    public Object call(Value callable, Object... args) {
        helpers();
        return toJava(fCall.execute(callable, fList.execute(toPythonArgs(args)), null, null));
    }

    /** As {@link #call(Value, Object...)} with keyword arguments. */
    public Object callKw(Value callable, Map<String, ?> kwargs, Object... args) {
        helpers();
        return toJava(fCall.execute(callable, fList.execute(toPythonArgs(args)), toPython(kwargs), null));
    }

    /** Calls the named Python function (see {@link #resolve}) with converted arguments. */
    public Object call(String qualifiedName, Object... args) { return call(resolve(qualifiedName), args); }

    Value callTensor(Value fn, boolean grad, Variable[] inputs) {
        helpers();
        Object[] a = new Object[inputs.length + 2];
        a[0] = fn;
        a[1] = grad;
        System.arraycopy(inputs, 0, a, 2, inputs.length);
        return fCallTensor.execute(a);
    }

    Value callRaw(Value fn, Boolean grad, Object[] args) {
        helpers();
        return fCall.execute(fn, fList.execute(toPythonArgs(args)), null, grad);
    }

    // ------------------------------------------------------------------------------------------ conversions

    /** A Python {@code torch.Tensor} over t's storage (no copy), not requiring grad. */
    public Value tensor(Tensor t) { helpers(); return fWrap.execute(new Variable(t)); }

    /** A Python {@code torch.Tensor} for v itself (same storage, same autograd identity). */
    public Value tensor(Variable v) { helpers(); return fWrap.execute(v); }

    /** Whether v is a Python {@code torch.Tensor}. */
    public boolean isTensor(Value v) { helpers(); return fIsTensor.execute(v).asBoolean(); }

    /** The engine tensor a Python tensor holds (same storage, no copy). */
    public Tensor toTensor(Value pythonTensor) { return toVariable(pythonTensor).data; }

    /** The autograd variable a Python tensor holds (same object the Python side uses). */
    public Variable toVariable(Value pythonTensor) {
        if (pythonTensor.isHostObject() && pythonTensor.asHostObject() instanceof Variable v) return v;
        if (!isTensor(pythonTensor)) throw new IllegalArgumentException("not a torch.Tensor: " + pythonTensor);
        return pythonTensor.getMember("_v").asHostObject();
    }

    /**
     * Java to Python: {@link Tensor} and {@link Variable} become {@code torch.Tensor} (sharing memory),
     * {@link List} and arrays of objects a Python list, {@link Map} a dict (both converted element-wise),
     * {@link Value} passes through; numbers, strings, booleans and null map as GraalPy maps them.
     */
    public Object toPython(Object o) {
        helpers();
        return switch (o) {
            case null -> null;
            case Tensor t -> fWrap.execute(new Variable(t));
            case Variable v -> fWrap.execute(v);
            case Value v -> v;
            case List<?> l -> fList.execute(toPythonArgs(l.toArray()));
            case Object[] a -> fList.execute(toPythonArgs(a));
            case Map<?, ?> m -> {
                Object[] keys = new Object[m.size()], vals = new Object[m.size()];
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    keys[i] = toPython(e.getKey());
                    vals[i++] = toPython(e.getValue());
                }
                yield fDict.execute(fList.execute(keys), fList.execute(vals));
            }
            default -> o;
        };
    }

    Object[] toPythonArgs(Object[] args) {
        Object[] r = new Object[args.length];
        for (int i = 0; i < args.length; i++) r[i] = toPython(args[i]);
        return r;
    }

    /**
     * Python to Java: tensors become their {@link Variable} (use {@code .data} for the engine tensor),
     * lists and tuples a {@link List}, dicts a {@link LinkedHashMap}, None null, bool Boolean, int Long,
     * float Double, str String; anything else stays a {@link Value}.
     */
    public Object toJava(Value v) {
        if (v == null || v.isNull()) return null;
        if (v.isHostObject()) return v.asHostObject();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isString()) return v.asString();
        if (v.isNumber()) {
            if (v.fitsInLong() && !"float".equals(v.getMetaObject().getMetaSimpleName())) return v.asLong();
            return v.asDouble();
        }
        if (isTensor(v)) return v.getMember("_v").asHostObject();
        if (v.hasHashEntries()) {
            Map<Object, Object> m = new LinkedHashMap<>();
            Value it = v.getHashEntriesIterator();
            while (it.hasIteratorNextElement()) {
                Value e = it.getIteratorNextElement();
                m.put(toJava(e.getArrayElement(0)), toJava(e.getArrayElement(1)));
            }
            return m;
        }
        if (v.hasArrayElements()) {
            List<Object> l = new ArrayList<>((int) v.getArraySize());
            for (long i = 0; i < v.getArraySize(); i++) l.add(toJava(v.getArrayElement(i)));
            return l;
        }
        return v;
    }

    Value helpers() {
        if (embed == null) {
            embed = eval("import _jtorch_embed\n_jtorch_embed");
            fWrap = embed.getMember("wrap");
            fCall = embed.getMember("call");
            fCallTensor = embed.getMember("call_tensor");
            fList = embed.getMember("py_list");
            fDict = embed.getMember("py_dict");
            fIsTensor = embed.getMember("is_tensor");
            fAttr = embed.getMember("attr");
        }
        return embed;
    }

    /** Closes the context (cancelling anything still running in it). */
    @Override public void close() { context.close(true); }

    // ------------------------------------------------------------------------------------------ sandbox

    /** Host classes a sandboxed script may look up: the engine and autograd, and what the shim uses. */
    static boolean sandboxClassAllowed(String name) {
        if (name.startsWith("org.jtorch.engine.io.")) return false;  // file access
        return name.startsWith("org.jtorch.engine.") || name.startsWith("org.jtorch.autograd.")
            || name.equals("org.jtorch.bridge.PyBridge")
            || name.equals("java.nio.ByteBuffer") || name.equals("java.nio.ByteOrder")
            || name.equals("java.lang.String") || name.equals("java.nio.charset.StandardCharsets");
    }

    /**
     * Public members of host objects, minus reflection, class loading, threads, processes and files. One instance:
     * contexts sharing an engine must have the same host access.
     */
    private static final HostAccess SANDBOX_HOST_ACCESS = HostAccess.newBuilder(HostAccess.ALL)
            .denyAccess(Class.class).denyAccess(ClassLoader.class)
            .denyAccess(java.lang.reflect.AccessibleObject.class).denyAccess(java.lang.invoke.MethodHandles.Lookup.class)
            .denyAccess(Thread.class).denyAccess(ThreadGroup.class).denyAccess(Runtime.class).denyAccess(System.class)
            .denyAccess(ProcessBuilder.class).denyAccess(Process.class).denyAccess(ProcessHandle.class)
            .denyAccess(java.io.File.class).denyAccess(java.nio.file.Path.class).denyAccess(java.nio.file.Files.class)
            .denyAccess(java.nio.file.FileSystem.class).denyAccess(java.nio.channels.Channel.class)
            .denyAccess(Context.class).denyAccess(Engine.class).denyAccess(Value.class)
            .build();

    // ------------------------------------------------------------------------------------------ builder

    /**
     * Options for a {@link Session}. A builder can build several sessions (a {@link SessionPool} does).
     */
    public static final class Builder {
        private Engine engine;
        private Path shimPath;
        private final List<Path> pythonPath = new ArrayList<>();
        private final List<Path> readable = new ArrayList<>();
        private boolean sandboxed;
        private boolean importTorch = true;
        private String[] argv = {""};
        private OutputStream out = System.out, err = System.err;
        private InputStream in;
        private final Map<String, String> options = new LinkedHashMap<>();

        Builder() {}

        /**
         * Shares this polyglot engine (parsed and compiled code) with other sessions; see
         * {@link JTorch#newEngine()}. The caller closes it after the sessions. Without one, each session has its own.
         */
        public Builder engine(Engine e) { this.engine = e; return this; }

        Engine engine() { return engine; }

        /**
         * The folder holding the {@code torch} package. By default: the {@code jtorch.python.path} system
         * property, else the copy packaged in the torch-py-shim jar, extracted to a cache folder ({@link ShimResources}).
         */
        public Builder shimPath(Path p) { this.shimPath = p; return this; }

        /** A folder added to {@code sys.path} (model code); in a sandbox it is readable (read-only). */
        public Builder addPythonPath(Path folder) { pythonPath.add(folder); return this; }

        /** Sandbox only: a further folder (or file) scripts may read, e.g. model weights. */
        public Builder allowRead(Path p) { readable.add(p); return this; }

        /**
         * Denies scripts host access: no files except reading the torch package and the folders given to
         * {@link #addPythonPath}/{@link #allowRead}, no sockets, processes, threads, native code or environment,
         * and no Java classes beyond the jtorch engine's. Default false (all access, like {@code python}).
         */
        public Builder sandboxed(boolean s) { this.sandboxed = s; return this; }

        /** {@code sys.argv} (default {@code [""]}). */
        public Builder arguments(String... argv) { this.argv = argv.clone(); return this; }

        public Builder out(OutputStream o) { this.out = o; return this; }

        public Builder err(OutputStream e) { this.err = e; return this; }

        /** Standard input of the scripts (default: System.in; a sandbox defaults to an empty stream). */
        public Builder in(InputStream i) { this.in = i; return this; }

        /** A GraalPy/Truffle context option, e.g. {@code option("python.WarnExperimentalFeatures", "false")}. */
        public Builder option(String key, String value) { options.put(key, value); return this; }

        /** Whether build() imports torch at once (default true: errors surface there, not at first use). */
        public Builder importTorch(boolean b) { this.importTorch = b; return this; }

        Builder copy() {
            Builder b = new Builder();
            b.engine = engine;
            b.shimPath = shimPath;
            b.pythonPath.addAll(pythonPath);
            b.readable.addAll(readable);
            b.sandboxed = sandboxed;
            b.importTorch = importTorch;
            b.argv = argv;
            b.out = out;
            b.err = err;
            b.in = in;
            b.options.putAll(options);
            return b;
        }

        /** Creates the context (several seconds: GraalPy start-up and {@code import torch}). */
        public Session build() { return new Session(copy()); }
    }
}
