package org.jtorch.bridge;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jtorch.engine.Generator;
import org.jtorch.engine.Parallel;

/**
 * A warm JVM that the {@code jtorch} launcher hands scripts to (start-up in ~0.2 s instead of ~6 s).
 *
 * <p>It keeps one polyglot {@link Engine} and a spare {@link Session} with {@code torch} already imported. A run
 * takes the spare: its standard streams are switched to the client's, its working directory, environment and
 * {@code sys.argv} set to the client's, JVM-wide engine state (the default random generator, the thread count)
 * reset to what a fresh process has, and the script runs exactly as {@link Main} would run it. Afterwards the
 * session's Python state is put back to what it was before the run ({@code _jtorch_launch.recycle}) and it becomes
 * the spare again, so the code the JIT compiled for torch serves the next script; a run that cannot be undone
 * (threads left running, an interrupt) closes its session and a new spare is prepared. Runs are one at a time: a
 * second client while one runs is answered "busy" and runs in a JVM of its own. When it starts, the daemon runs
 * the CPU kernels for a moment ({@link org.jtorch.autograd.Warmup}); the spare is warmed up once while idle.
 * The daemon exits after {@code -Djtorch.daemon.idle} seconds (default 900) without a run, or when the build
 * stamp {@code -Djtorch.daemon.stamp} changes (a rebuild).
 *
 * <p>Usage: {@code Daemon SOCKET} (with the launcher's JVM options); holds SOCKET.lock while alive.
 */
public final class Daemon {
    private final Path sock;
    private final Path shim;
    private final Engine engine;
    /** Set while a run holds the daemon (from its accept until its session is recycled or closed). */
    private static final AtomicBoolean running = new AtomicBoolean();
    /**
     * Truffle's and HotSpot's C2 compiler threads at nice 10 while runs go (see Nice); -Djtorch.daemon.lowerCompiler=false
     * keeps them at the priority of the run. C1 keeps its priority: it takes new Java code out of the interpreter.
     */
    private static final boolean LOWER_COMPILER = !"false".equals(System.getProperty("jtorch.daemon.lowerCompiler"));
    private volatile long lastActivity = System.nanoTime();
    /** Spares, the next to use first; prepared one after another on one thread. */
    private final java.util.concurrent.ConcurrentLinkedDeque<CompletableFuture<Spare>> spares = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.concurrent.ExecutorService preparer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        // normal priority: a lowered one is inherited by the threads it starts (Truffle's compiler thread among
        // them), which then starve when a script keeps both cores busy
        Thread t = new Thread(null, r, "jtorch-prepare", 16L << 20);
        t.setDaemon(true);
        return t;
    });
    /**
     * One spare: a clean run leaves its session for the next (recycle); a fresh one is prepared only after a run
     * that could not be recycled, so no preparation competes with the runs of a benchmark or a build.
     */
    static final int SPARES = 1;
    /** The idle warm-up's own thread, at low priority (started after the first spare, so the JIT's threads are not). */
    private final java.util.concurrent.ExecutorService warmer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, () -> {
            Nice.lowerCurrentThread();
            r.run();
        }, "jtorch-warm", 16L << 20);
        t.setDaemon(true);
        return t;
    });

    private void addSpare() { spares.addLast(CompletableFuture.supplyAsync(this::prepare, preparer)); }

    /** A prepared context and the relays its standard streams go through. */
    private record Spare(Session session, Relay out, Relay err, RelayIn in, java.util.concurrent.atomic.AtomicBoolean warmed) {}

    /** Set while a client waits for a spare: a warm-up going on stops at once (see _jtorch_warmup.py). */
    private static volatile boolean clientWaiting;

    private Daemon(Path sock, Path shim) {
        this.sock = sock;
        this.shim = shim;
        this.engine = Engine.newBuilder("python").allowExperimentalOptions(true).option("engine.WarnInterpreterOnly", "false").build();
    }

    public static void main(String[] args) throws Exception {
        String shim = System.getProperty("jtorch.python.path");
        if (shim == null || args.length != 1) {
            System.err.println("usage: Daemon SOCKET (with -Djtorch.python.path); started by scripts/jtorch");
            System.exit(2);
        }
        Path sock = Path.of(args[0]);
        FileChannel lockChannel = FileChannel.open(Path.of(sock + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) return; // another daemon serves this socket
        new Daemon(sock, Path.of(shim)).serve();
    }

    private void serve() throws IOException {
        // the CPU kernels first, while HotSpot's compiler queue is short (see Warmup)
        org.jtorch.autograd.Warmup.run(Long.getLong("jtorch.daemon.kernelWarmup", 1500));
        for (int i = 0; i < SPARES; i++) addSpare();
        Files.deleteIfExists(sock);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        long idle = Long.getLong("jtorch.daemon.idle", 900) * 1_000_000_000L;
        // the launcher's build stamp: a rebuild starts a daemon of its own, so this one leaves
        String stampProp = System.getProperty("jtorch.daemon.stamp");
        Path stamp = stampProp == null ? null : Path.of(stampProp);
        long stampTime = modified(stamp);
        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                if (!running.get() && (System.nanoTime() - lastActivity > idle || stale(stamp, stampTime))) {
                    try {
                        Files.deleteIfExists(sock);
                    } catch (IOException ignored) {
                        // exiting anyway
                    }
                    Runtime.getRuntime().halt(0);
                }
            }
        }, "jtorch-daemon-idle");
        watchdog.setDaemon(true);
        watchdog.start();
        while (true) {
            SocketChannel ch = server.accept();
            boolean got = running.compareAndSet(false, true);
            if (!got) {
                // a run that has already answered its client is only closing its session: wait for it
                long until = System.nanoTime() + 10_000_000_000L;
                while (finishing && running.get() && System.nanoTime() < until) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                got = running.compareAndSet(false, true);
            }
            if (got) {
                finishing = false;
            } else {
                try (ch) {
                    DataOutputStream o = new DataOutputStream(Channels.newOutputStream(ch));
                    o.writeByte(Wire.BUSY);
                    o.writeInt(0);
                    o.flush();
                } catch (IOException ignored) {
                    // the client went away
                }
                continue;
            }
            lastActivity = System.nanoTime();
            if (LOWER_COMPILER) {
                Nice.lowerThreadsNamed("TruffleCompile");
                Nice.lowerThreadsNamed("C2 Compiler"); // (names are cut to 15 characters: "C2 CompilerThre")
            }
            Thread t = new Thread(null, () -> {
                try {
                    handle(ch);
                } finally {
                    lastActivity = System.nanoTime();
                    running.set(false);
                }
            }, "jtorch-run", 16L << 20);
            t.start();
        }
    }

    private static long modified(Path p) {
        try {
            return p == null ? 0 : Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean stale(Path stamp, long time) { return stamp != null && modified(stamp) != time; }

    private Spare prepare() {
        Relay out = new Relay(), err = new Relay();
        RelayIn in = new RelayIn();
        Session s = Session.builder().engine(engine).shimPath(shim).arguments("").out(out).err(err).in(in).importTorch(false).build();
        // what scripts commonly import, loaded once: a module a run imports itself is dropped afterwards (a fresh
        // process would not have it) and then re-imported, as new code, by every run
        // (and the warm-up's module, so that its code, compiled once, survives recycling)
        s.eval("import _jtorch_launch, torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data\n"
            + "import time, math, random, collections, functools, itertools, typing, _jtorch_warmup\n_jtorch_launch.snapshot()");
        Spare sp = new Spare(s, out, err, in, new java.util.concurrent.atomic.AtomicBoolean());
        warmer.execute(this::warmIdle);
        return sp;
    }

    /**
     * Warms the next spare up while no run is going: exercises the common paths so that the JIT has compiled
     * them before a script runs (off with -Djtorch.daemon.warmup=0). It starts once the daemon has been without a
     * run for 10 s ({@code -Djtorch.daemon.warmAfterIdle}). A run starting, or a client waiting, stops it (it is
     * tried again after the next run), and the run waits until the warm-up has put the session's state back (the
     * spare's monitor).
     */
    private void warmIdle() {
        double warm = Double.parseDouble(System.getProperty("jtorch.daemon.warmup", "6"));
        if (warm <= 0) return;
        // only after some seconds without a run: started right after one, the warm-up (and the compilations it
        // queues) would overlap whatever the user, or a benchmark, runs next
        long quiet = (long) (Double.parseDouble(System.getProperty("jtorch.daemon.warmAfterIdle", "10")) * 1e9);
        while (System.nanoTime() - lastActivity < quiet) {
            if (yieldToRun()) return; // the run's recycling queues the warm-up again
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
        CompletableFuture<Spare> f = spares.peekFirst();
        Spare sp = f == null || yieldToRun() ? null : f.getNow(null);
        if (sp == null || sp.warmed().get()) return;
        synchronized (sp) {
            try {
                if (warmUp(sp.session(), warm)) sp.warmed().set(true);
                sp.session().eval("_jtorch_launch.recycle()"); // leaves it as a fresh process has it
            } catch (RuntimeException e) {
                sp.warmed().set(true); // not again
                System.err.println("jtorch daemon: warm-up failed (the session is still usable): " + e);
            }
        }
    }

    /**
     * Runs the warm-up's tasks (_jtorch_warmup.tasks) round robin for about budget seconds, doubling the calls per
     * round from 200 up to 20,000; the loop is here rather than in Python so that no warm-up function becomes a
     * large compilation unit. False when it stopped early because a run wants the session.
     */
    private static boolean warmUp(Session session, double budget) {
        Value tasks = session.eval("import _jtorch_warmup, torch, torch.nn, torch.nn.functional\n"
            + "_jtorch_warmup.tasks(torch, torch.nn, torch.nn.functional)");
        long deadline = System.nanoTime() + (long) (budget * 1e9);
        for (int rounds = 200; System.nanoTime() < deadline; rounds = Math.min(rounds * 2, 20000)) {
            for (long t = 0; t < tasks.getArraySize(); t++) {
                Value task = tasks.getArrayElement(t), fn = task.getArrayElement(0);
                int reps = Math.max(1, rounds / task.getArrayElement(1).asInt());
                for (int i = 0; i < reps; i++) {
                    if (yieldToRun()) return false;
                    fn.execute();
                }
            }
        }
        return true;
    }

    /** Whether background work should stop now: a run is going or a client waits for a spare. */
    public static boolean yieldToRun() { return clientWaiting || running.get(); }

    /** Set once the current run has sent its exit status (or was interrupted): only cleaning up is left. */
    private volatile boolean finishing;

    private void handle(SocketChannel ch) {
        Spare sp = null;
        boolean reusable = false;
        try (ch) {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch)));
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
            if (in.readInt() != Wire.MAGIC) return;
            String[] argv = new String[in.readInt()];
            for (int i = 0; i < argv.length; i++) argv[i] = Wire.readString(in);
            String cwd = Wire.readString(in);
            int ne = in.readInt();
            List<String> env = new ArrayList<>(2 * ne);
            for (int i = 0; i < 2 * ne; i++) env.add(Wire.readString(in));

            try {
                clientWaiting = true;
                sp = spares.pollFirst().join();
                synchronized (sp) {
                    // a warm-up of this spare has stopped (clientWaiting) and put its state back
                }
            } catch (RuntimeException e) {
                clientWaiting = false;
                byte[] msg = ("jtorch: the daemon could not prepare a session: " + e + "\n").getBytes();
                addSpare();
                sendFrame(out, Wire.ERR, msg, 0, msg.length);
                sendExit(out, 1);
                return;
            }
            clientWaiting = false;
            // what a fresh process has (the previous run or the warm-up may have changed both)
            Generator.getDefault().seed();
            Parallel.reset();
            Session session = sp.session();
            BlockingQueue<byte[]> input = new ArrayBlockingQueue<>(4);
            AtomicBoolean interrupted = new AtomicBoolean();
            sp.out().target = new FrameOut(out, Wire.OUT);
            sp.err().target = new FrameOut(out, Wire.ERR);
            sp.in().source = new FrameIn(out, input);
            // the client's frames: input on demand, Ctrl-C, or the connection closing; once the run has answered,
            // the connection closing no longer stops anything (the session may already serve the next run)
            AtomicBoolean over = new AtomicBoolean();
            Runnable stop = () -> {
                synchronized (over) {
                    if (over.get()) return;
                    interrupted.set(true);
                    try {
                        session.context().close(true);
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                }
            };
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        byte type = in.readByte();
                        int n = in.readInt();
                        if (type == Wire.INPUT) input.put(n > 0 ? in.readNBytes(n) : new byte[0]);
                        else if (type == Wire.INTERRUPT) {
                            stop.run();
                            return;
                        }
                    }
                } catch (IOException | InterruptedException | RuntimeException gone) {
                    stop.run(); // client gone: stop the run
                }
            }, "jtorch-client-reader");
            reader.setDaemon(true);
            reader.start();

            int status;
            Main.Invocation inv = Main.parse(argv, new java.io.PrintStream(sp.out(), true), new java.io.PrintStream(sp.err(), true));
            if (inv.exitStatus() >= 0) {
                status = inv.exitStatus();
            } else {
                try {
                    Value handoff = session.eval("_jtorch_launch.handoff");
                    handoff.execute(cwd, env.toArray());
                    status = Main.run(session, inv.mode(), inv.target(), inv.rest());
                } catch (PolyglotException e) {
                    if (!interrupted.get()) throw e;
                    status = 130;
                }
                if (interrupted.get()) status = 130;
            }
            if (interrupted.get()) {
                finishing = true;
                return;
            }
            try {
                session.eval("_jtorch_launch.at_exit()"); // atexit handlers, as the process would run them
                reusable = true; // unless interrupted before the exit status went out (below)
            } catch (RuntimeException e) {
                // os._exit() in a handler, or the context already gone (os._exit() in the script)
                if (e instanceof PolyglotException pe && pe.isExit() && status == 0) status = pe.getExitStatus();
            }
            sp.out().flush();
            sp.err().flush();
            if (settleRequested(env)) {
                // the session is recycled before the wait, so that the work the recycling causes (the JIT
                // compiling it) is waited for too; an interrupt from now on no longer stops anything
                synchronized (over) {
                    over.set(true);
                    reusable &= !interrupted.get();
                }
                if (reusable && recycle(sp)) sp = null; // in the spares now: nothing left for finally
                settle();
            }
            finishing = true;
            sendExit(out, status);
            synchronized (over) {
                over.set(true);
                reusable &= !interrupted.get();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("jtorch daemon: run failed: " + e);
        } finally {
            if (sp != null && !(reusable && recycle(sp))) {
                try {
                    sp.session().close();
                } catch (RuntimeException ignored) {
                    // cancelled already
                }
                addSpare(); // its preparation queues its idle warm-up
            }
        }
    }

    /**
     * Puts a session whose run ended normally back at the head of the spares, its interpreter state reset to
     * what a fresh process has (_jtorch_launch.recycle: modules, the shim's globals and classes, sys and
     * warnings settings, __main__), so that the code the JIT compiled for it (the shim's, torch's) serves the
     * next script too. False (the caller closes it) when the reset cannot promise that: threads left running,
     * an unrestorable change, or the context gone.
     */
    private boolean recycle(Spare sp) {
        if (!Boolean.parseBoolean(System.getProperty("jtorch.daemon.reuse", "true"))) return false;
        sp.out().target = OutputStream.nullOutputStream();
        sp.err().target = OutputStream.nullOutputStream();
        sp.in().source = InputStream.nullInputStream();
        try {
            Value ok = sp.session().eval("_jtorch_launch.recycle()");
            if (!ok.isBoolean() || !ok.asBoolean()) return false;
        } catch (RuntimeException e) {
            return false;
        }
        spares.addFirst(CompletableFuture.completedFuture(sp));
        if (!sp.warmed().get()) warmer.execute(this::warmIdle); // its warm-up was cut short by the run
        return true;
    }

    /** JTORCH_SETTLE=1 in the client's environment (the list alternates names and values). */
    private static boolean settleRequested(List<String> env) {
        for (int i = 0; i + 1 < env.size(); i += 2) if (env.get(i).equals("JTORCH_SETTLE")) return env.get(i + 1).equals("1");
        return false;
    }

    /**
     * Waits (at most 60 s) until this JVM has used less than a tenth of a core for 300 ms: the JIT compiling
     * what the run queued, and the GC, finish before the client is told the run is over, so that this work is
     * counted in the run's process time and does not overlap the next process on the machine (benchmarks: a
     * reference run using both cores loses one of them to it).
     */
    private static void settle() {
        long deadline = System.nanoTime() + 60_000_000_000L, last = cpuTicks(), quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = cpuTicks(), t = System.nanoTime();
            if (now < 0) return;
            // clock ticks are 10 ms: more than one tick per 100 ms of wall time is more than a tenth of a core
            if ((now - last) * 100 > (t - quietSince) / 1_000_000 + 100) {
                last = now;
                quietSince = t;
            } else if (t - quietSince >= 300_000_000L) {
                return;
            }
        }
    }

    /** This process's CPU time (user + system) in clock ticks, -1 where /proc is not there. */
    private static long cpuTicks() {
        try {
            String st = Files.readString(Path.of("/proc/self/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void sendFrame(DataOutputStream out, byte type, byte[] b, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(b, off, len);
            out.flush();
        }
    }

    private static void sendExit(DataOutputStream out, int status) throws IOException {
        synchronized (out) {
            out.writeByte(Wire.EXIT);
            out.writeInt(status);
            out.flush();
        }
    }

    /** An output stream whose destination is set when the spare is handed to a client. */
    static final class Relay extends OutputStream {
        volatile OutputStream target = OutputStream.nullOutputStream();
        @Override public void write(int b) throws IOException { target.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { target.write(b, off, len); }
        @Override public void flush() throws IOException { target.flush(); }
    }

    /** An input stream whose source is set when the spare is handed to a client. */
    static final class RelayIn extends InputStream {
        volatile InputStream source = InputStream.nullInputStream();
        @Override public int read() throws IOException { return source.read(); }
        @Override public int read(byte[] b, int off, int len) throws IOException { return source.read(b, off, len); }
    }

    /** Output as frames of one type. */
    private static final class FrameOut extends OutputStream {
        private final DataOutputStream out;
        private final byte type;

        FrameOut(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) sendFrame(out, type, b, off, len);
        }
    }

    /** Input pulled from the client: each read asks for up to len bytes and waits for what the client sends. */
    private static final class FrameIn extends InputStream {
        private final DataOutputStream out;
        private final BlockingQueue<byte[]> input;
        private byte[] pending = new byte[0];
        private int pos;
        private boolean eof;

        FrameIn(DataOutputStream out, BlockingQueue<byte[]> input) {
            this.out = out;
            this.input = input;
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos >= pending.length) {
                if (eof) return -1;
                synchronized (out) {
                    out.writeByte(Wire.NEED_INPUT);
                    out.writeInt(len);
                    out.flush();
                }
                try {
                    pending = input.take();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                pos = 0;
                if (pending.length == 0) {
                    eof = true;
                    return -1;
                }
            }
            int n = Math.min(len, pending.length - pos);
            System.arraycopy(pending, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
