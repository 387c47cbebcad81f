package org.jtorch.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.graalvm.polyglot.Engine;

/**
 * N sessions sharing one polyglot {@link Engine}, for serving a model from many threads: each session is used by
 * one thread at a time; {@link #apply} borrows a free session (waiting if all are busy), runs the work and
 * returns the session. Each session is prepared once by an {@code init} function whose result (typically the
 * loaded {@link PyModule}) is handed to the work together with the session.
 *
 * <pre>{@code
 * try (SessionPool<PyModule> pool = SessionPool.create(4, JTorch.session().addPythonPath(dir),
 *         s -> { PyModule m = s.newModule("tiny", "Net"); m.loadStateDict(weights); m.eval(); return m; })) {
 *     Tensor y = pool.apply((s, net) -> net.call(x));      // from any thread
 * }
 * }</pre>
 *
 * Thread-safe. Results are Java tensors, which stay valid after the session is returned. Do not keep Python
 * {@code Value}s, {@code PyModule}s or variables with autograd history past the work function: they belong to
 * the session, which the next borrower may be using.
 */
public final class SessionPool<M> implements AutoCloseable {
    private record Slot<M>(Session session, M model) {}

    private final List<Slot<M>> all;
    private final BlockingQueue<Slot<M>> free;
    private final Engine engine;
    private final boolean ownsEngine;
    private volatile boolean closed;

    private SessionPool(List<Slot<M>> all, Engine engine, boolean ownsEngine) {
        this.all = all;
        this.free = new ArrayBlockingQueue<>(all.size(), true, all);
        this.engine = engine;
        this.ownsEngine = ownsEngine;
    }

    /**
     * Creates {@code size} sessions from {@code builder} (in parallel) sharing the builder's engine, or a new one
     * that the pool owns and closes, and runs {@code init} on each.
     */
    public static <M> SessionPool<M> create(int size, Session.Builder builder, Function<Session, M> init) {
        if (size < 1) throw new IllegalArgumentException("pool size must be at least 1");
        Engine engine = builder.engine();
        boolean owns = engine == null;
        if (owns) engine = JTorch.newEngine();
        Session.Builder b = builder.copy().engine(engine);
        List<Slot<M>> slots = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, "jtorch-session-init");
            t.setDaemon(true);
            return t;
        });
        List<Future<Slot<M>>> fs = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) fs.add(ex.submit(() -> {
                Session s = b.build();
                try {
                    return new Slot<>(s, init.apply(s));
                } catch (RuntimeException | Error e) {
                    s.close();
                    throw e;
                }
            }));
            Throwable failure = null;
            for (Future<Slot<M>> f : fs) {
                try {
                    slots.add(f.get());
                } catch (ExecutionException e) {
                    if (failure == null) failure = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (failure == null) failure = e;
                }
            }
            if (failure != null) {
                for (Slot<M> s : slots) s.session().close();
                if (owns) engine.close();
                if (failure instanceof RuntimeException re) throw re;
                if (failure instanceof Error er) throw er;
                throw new IllegalStateException("creating the session pool failed", failure);
            }
        } finally {
            ex.shutdown();
        }
        return new SessionPool<>(List.copyOf(slots), engine, owns);
    }

    /** Runs {@code work} with a free session and its init result; blocks while all sessions are busy. */
    public <R> R apply(BiFunction<Session, M, R> work) {
        if (closed) throw new IllegalStateException("session pool is closed");
        Slot<M> s;
        try {
            s = free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a session", e);
        }
        try {
            return work.apply(s.session(), s.model());
        } finally {
            free.add(s);
        }
    }

    /** Number of sessions. */
    public int size() { return all.size(); }

    /** The engine the sessions share. */
    public Engine engine() { return engine; }

    /**
     * Closes every session (waiting up to a minute for busy ones to be returned) and the engine if the pool
     * created it.
     */
    @Override public void close() {
        if (closed) return;
        closed = true;
        List<Slot<M>> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        try {
            while (got.size() < all.size()) {
                Slot<M> s = free.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (s == null) break;
                got.add(s);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Slot<M> s : all) s.session().close();
        if (ownsEngine) engine.close();
    }
}
