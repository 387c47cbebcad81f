package org.jtorch.bridge.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jtorch.bridge.Session;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A Jupyter kernel (messaging protocol 5.3 over ZeroMQ) running Python in one jtorch session:
 * {@code jtorch kernel -f CONNECTION_FILE}.
 *
 * <p>Threads: the main thread serves the shell socket and runs all Python code (one GraalPy context); the control
 * thread answers kernel_info, interrupt and shutdown requests while a cell runs; the heartbeat thread echoes.
 * Messages to iopub are sent under one lock. What cells print is buffered briefly and sent as {@code stream}
 * messages (at most every {@value #STREAM_FLUSH_MS} ms, and always before other outputs and the reply).
 */
public final class Kernel {
    static final int STREAM_FLUSH_MS = 50;
    static final String IMPLEMENTATION_VERSION = "0.1.0";

    private final Wire wire;
    private final ZContext zmq = new ZContext();
    private final ZMQ.Socket shell, control, stdin, iopub, heartbeat;
    private final Path shimPath;
    private final PrintStream log = System.err;

    private Session session;
    private Value py;
    private Map<String, Object> languageInfo = Map.of("name", "python");
    private int executionCount;
    private volatile Wire.Message current;       // the shell request being handled (parent of outputs)
    private volatile boolean executing;
    private volatile boolean interruptRequested;
    private volatile boolean shuttingDown;

    // stream buffering (guarded by streamLock)
    private final Object streamLock = new Object();
    private final StringBuilder streamText = new StringBuilder();
    private String streamName;
    private ScheduledFuture<?> streamFlush;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jtorch-kernel-streams");
        t.setDaemon(true);
        return t;
    });

    /** Binds the sockets named in the connection file. */
    public Kernel(Map<String, Object> connection, Path shimPath) {
        this.shimPath = shimPath;
        this.wire = new Wire(str(connection.get("signature_scheme")), str(connection.get("key")));
        String transport = connection.getOrDefault("transport", "tcp").toString();
        String ip = connection.getOrDefault("ip", "127.0.0.1").toString();
        shell = bind(SocketType.ROUTER, transport, ip, connection.get("shell_port"));
        control = bind(SocketType.ROUTER, transport, ip, connection.get("control_port"));
        stdin = bind(SocketType.ROUTER, transport, ip, connection.get("stdin_port"));
        iopub = bind(SocketType.PUB, transport, ip, connection.get("iopub_port"));
        heartbeat = bind(SocketType.REP, transport, ip, connection.get("hb_port"));
    }

    /** Reads a connection file. */
    public static Map<String, Object> readConnectionFile(Path file) throws IOException {
        return Json.parseObject(Files.readString(file));
    }

    private ZMQ.Socket bind(SocketType type, String transport, String ip, Object port) {
        ZMQ.Socket s = zmq.createSocket(type);
        s.setLinger(1000);
        String where = transport.equals("ipc") ? "ipc://" + ip + "-" + port : transport + "://" + ip + ":" + port;
        if (port == null || (port instanceof Number n && n.longValue() == 0)) {
            int p = s.bindToRandomPort(transport + "://" + ip);
            log.println("jtorch kernel: bound a random port " + p + " (connection file had none)");
        } else {
            s.bind(where);
        }
        return s;
    }

    private static String str(Object o) { return o == null ? null : o.toString(); }

    // ------------------------------------------------------------------------------------------ running

    /** Starts the session and serves until a shutdown request. Returns the exit status. */
    public int run() {
        Thread hb = new Thread(this::heartbeatLoop, "jtorch-kernel-heartbeat");
        hb.setDaemon(true);
        hb.start();
        publish("status", Map.of("execution_state", "starting"), null);
        session = Session.builder().shimPath(shimPath).arguments("").in(InputStream.nullInputStream())
            .importTorch(false).build();
        py = session.eval("import _jtorch_kernel\n_jtorch_kernel");
        languageInfo = Json.parseObject(py.getMember("start").execute(new Sink()).asString());
        // SIGINT (interrupt_mode "signal", or Ctrl-C in the terminal running Jupyter) interrupts the cell, as in ipykernel
        org.jline.utils.Signals.register("INT", this::interrupt);
        Thread ctl = new Thread(this::controlLoop, "jtorch-kernel-control");
        ctl.setDaemon(true);
        ctl.start();
        ZMQ.Poller poller = zmq.createPoller(1);
        poller.register(shell, ZMQ.Poller.POLLIN);
        while (!shuttingDown) {
            if (poller.poll(200) <= 0 || !poller.pollin(0)) continue;
            Wire.Message msg = receive(shell);
            if (msg != null) handleShell(msg);
        }
        return 0;
    }

    private void heartbeatLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                byte[] ping = heartbeat.recv(0);
                if (ping == null) break;
                heartbeat.send(ping, 0);
            }
        } catch (RuntimeException e) {
            // the context was closed at shutdown
        }
    }

    private void controlLoop() {
        try {
            ZMQ.Poller poller = zmq.createPoller(1);
            poller.register(control, ZMQ.Poller.POLLIN);
            while (!shuttingDown) {
                if (poller.poll(200) <= 0 || !poller.pollin(0)) continue;
                Wire.Message msg = receive(control);
                if (msg == null) continue;
                busy(msg);
                switch (msg.type()) {
                    case "kernel_info_request" -> reply(control, msg, "kernel_info_reply", kernelInfo());
                    case "interrupt_request" -> {
                        interrupt();
                        reply(control, msg, "interrupt_reply", Map.of("status", "ok"));
                    }
                    case "shutdown_request" -> shutdown(control, msg);
                    default -> log.println("jtorch kernel: ignored control message " + msg.type());
                }
                idle(msg);
            }
        } catch (RuntimeException e) {
            if (!shuttingDown) {
                log.println("jtorch kernel: control thread failed: " + e);
                e.printStackTrace(log);
            }
        }
    }

    private Wire.Message receive(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            byte[] f = socket.recv(0);
            if (f == null) return null;
            frames.add(f);
        } while (socket.hasReceiveMore());
        try {
            return wire.parse(frames);
        } catch (Wire.BadMessage e) {
            log.println("jtorch kernel: dropped a message: " + e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ shell

    private void handleShell(Wire.Message msg) {
        current = msg;
        busy(msg);
        try {
            switch (msg.type()) {
                case "execute_request" -> execute(msg);
                case "kernel_info_request" -> reply(shell, msg, "kernel_info_reply", kernelInfo());
                case "complete_request" -> reply(shell, msg, "complete_reply", callJson("complete",
                    str(msg.content().getOrDefault("code", "")), cursor(msg)));
                case "is_complete_request" -> reply(shell, msg, "is_complete_reply", callJson("is_complete",
                    str(msg.content().getOrDefault("code", ""))));
                case "inspect_request" -> reply(shell, msg, "inspect_reply", callJson("inspect_request",
                    str(msg.content().getOrDefault("code", "")), cursor(msg),
                    ((Number) msg.content().getOrDefault("detail_level", 0L)).intValue()));
                case "history_request" -> reply(shell, msg, "history_reply", Map.of("status", "ok", "history", List.of()));
                case "comm_info_request" -> reply(shell, msg, "comm_info_reply", Map.of("status", "ok", "comms", Map.of()));
                case "shutdown_request" -> shutdown(shell, msg);
                case "comm_open", "comm_msg", "comm_close" -> { /* no comm targets (widgets) in this kernel */ }
                default -> log.println("jtorch kernel: ignored shell message " + msg.type());
            }
        } catch (PolyglotException e) {
            if (e.isExit()) throw e;
            log.println("jtorch kernel: " + msg.type() + " failed: " + e.getMessage());
            reply(shell, msg, msg.type().replace("_request", "_reply"), errorContent("InternalError", String.valueOf(e.getMessage())));
        } finally {
            flushStreams();
            idle(msg);
            current = null;
        }
    }

    private static int cursor(Wire.Message msg) {
        Object c = msg.content().get("cursor_pos");
        if (c instanceof Number n) return n.intValue();
        return str(msg.content().getOrDefault("code", "")).codePointCount(0, str(msg.content().getOrDefault("code", "")).length());
    }

    private Map<String, Object> callJson(String fn, Object... args) {
        return Json.parseObject(py.getMember(fn).execute(args).asString());
    }

    private void execute(Wire.Message msg) {
        Map<String, Object> c = msg.content();
        String code = str(c.getOrDefault("code", ""));
        boolean silent = Boolean.TRUE.equals(c.get("silent"));
        boolean store = !silent && !Boolean.FALSE.equals(c.get("store_history"));
        boolean allowStdin = !Boolean.FALSE.equals(c.get("allow_stdin"));
        boolean stopOnError = !Boolean.FALSE.equals(c.get("stop_on_error"));
        Object ue = c.get("user_expressions");
        String userExpressions = ue instanceof Map<?, ?> m && !m.isEmpty() ? Json.write(m) : "";
        int count = store && !code.isBlank() ? ++executionCount : executionCount;  // as IPython: empty cells don't count
        if (!silent) publish("execute_input", Map.of("code", code, "execution_count", count), msg.header());

        Map<String, Object> content;
        interruptRequested = false;
        executing = true;
        try {
            content = Json.parseObject(py.getMember("execute")
                .execute(code, count, silent, store, userExpressions, allowStdin).asString());
        } catch (PolyglotException e) {
            if (e.isExit()) throw e;
            if (e.isInterrupted() || e.isCancelled() || interruptRequested) {
                content = errorContent("KeyboardInterrupt", "", "KeyboardInterrupt: the execution was interrupted");
            } else {
                content = errorContent(e.isGuestException() ? "Error" : "InternalError", String.valueOf(e.getMessage()),
                    String.valueOf(e.getMessage()));
            }
            content.put("execution_count", count);
        } finally {
            executing = false;
        }
        flushStreams();
        Object result = content.remove("result");
        if (result != null && !silent) {
            publish("execute_result", Map.of("execution_count", count, "data", Map.of("text/plain", result),
                "metadata", Map.of()), msg.header());
        }
        boolean failed = "error".equals(content.get("status"));
        if (failed && !silent) {
            publish("error", Map.of("ename", content.get("ename"), "evalue", content.get("evalue"),
                "traceback", content.get("traceback")), msg.header());
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("status", content.get("status"));
        md.put("started", msg.header().get("date"));
        // with stop_on_error, the requests queued before this reply went out are aborted (not those sent after it)
        List<Wire.Message> queued = failed && stopOnError ? receiveQueued() : List.of();
        reply(shell, msg, "execute_reply", content, md);
        if (!queued.isEmpty()) abort(queued);
    }

    private List<Wire.Message> receiveQueued() {
        List<Wire.Message> r = new ArrayList<>();
        ZMQ.Poller poller = zmq.createPoller(1);
        poller.register(shell, ZMQ.Poller.POLLIN);
        try {
            while (poller.poll(0) > 0 && poller.pollin(0)) {
                Wire.Message m = receive(shell);
                if (m != null) r.add(m);
            }
        } finally {
            poller.close();
        }
        return r;
    }

    /** After a failed cell with stop_on_error: answers queued execute requests with status "aborted". */
    private void abort(List<Wire.Message> queued) {
        Wire.Message saved = current;
        for (Wire.Message m : queued) {
            if (!m.type().equals("execute_request")) {
                handleShell(m);
                continue;
            }
            current = m;
            busy(m);
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("status", "aborted");
            content.put("execution_count", executionCount);
            reply(shell, m, "execute_reply", content, Map.of("status", "aborted"));
            idle(m);
        }
        current = saved;
    }

    private static Map<String, Object> errorContent(String ename, String evalue, String... traceback) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", "error");
        c.put("ename", ename);
        c.put("evalue", evalue);
        c.put("traceback", List.of(traceback));
        return c;
    }

    private Map<String, Object> kernelInfo() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", "ok");
        c.put("protocol_version", Wire.PROTOCOL_VERSION);
        c.put("implementation", "jtorch");
        c.put("implementation_version", IMPLEMENTATION_VERSION);
        Map<String, Object> li = new LinkedHashMap<>(languageInfo);
        Object banner = li.remove("banner");
        c.put("language_info", li);
        c.put("banner", banner == null ? "jtorch: PyTorch on the JVM" : banner);
        c.put("help_links", List.of(Map.of("text", "PyTorch", "url", "https://pytorch.org/docs/stable/")));
        c.put("debugger", false);
        return c;
    }

    // ------------------------------------------------------------------------------------------ control

    private void interrupt() {
        if (!executing) return;
        interruptRequested = true;
        Thread t = new Thread(() -> {
            try {
                session.context().interrupt(Duration.ofSeconds(60));
            } catch (TimeoutException | RuntimeException e) {
                log.println("jtorch kernel: interrupt did not take effect: " + e);
            }
        }, "jtorch-kernel-interrupt");
        t.setDaemon(true);
        t.start();
    }

    private void shutdown(ZMQ.Socket socket, Wire.Message msg) {
        boolean restart = Boolean.TRUE.equals(msg.content().get("restart"));
        Map<String, Object> content = Map.of("status", "ok", "restart", restart);
        reply(socket, msg, "shutdown_reply", content);
        publish("shutdown_reply", content, msg.header());
        idle(msg);
        flushStreams();
        shuttingDown = true;
        Thread closer = new Thread(() -> {
            synchronized (iopub) {
                try {
                    zmq.close();  // sends what is still queued (linger 1 s)
                } catch (RuntimeException e) {
                    // sockets in use by other threads: they are about to stop anyway
                }
            }
        }, "jtorch-kernel-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);  // also ends a cell that is still running
    }

    // ------------------------------------------------------------------------------------------ sending

    private void busy(Wire.Message parent) {
        publish("status", Map.of("execution_state", "busy"), parent.header());
    }

    private void idle(Wire.Message parent) {
        publish("status", Map.of("execution_state", "idle"), parent.header());
    }

    private void reply(ZMQ.Socket socket, Wire.Message parent, String type, Map<String, Object> content) {
        reply(socket, parent, type, content, Map.of());
    }

    private void reply(ZMQ.Socket socket, Wire.Message parent, String type, Map<String, Object> content,
                       Map<String, Object> metadata) {
        send(socket, wire.frames(parent.identities(), wire.header(type), parent.header(), metadata, content));
    }

    /** Publishes on iopub (any thread). */
    void publish(String type, Map<String, Object> content, Map<String, Object> parent) {
        if (shuttingDown) return;
        List<byte[]> frames = wire.frames(List.of(Wire.utf8("kernel." + wire.session() + "." + type)), wire.header(type),
            parent, Map.of(), content);
        synchronized (iopub) {
            send(iopub, frames);
        }
    }

    private static void send(ZMQ.Socket socket, List<byte[]> frames) {
        for (int k = 0; k < frames.size(); k++) socket.send(frames.get(k), k < frames.size() - 1 ? ZMQ.SNDMORE : 0);
    }

    // ------------------------------------------------------------------------------------------ streams

    void stream(String name, String text) {
        synchronized (streamLock) {
            if (streamName != null && !streamName.equals(name)) flushStreamsLocked();
            streamName = name;
            streamText.append(text);
            if (streamFlush == null) streamFlush = timer.schedule(this::flushStreams, STREAM_FLUSH_MS, TimeUnit.MILLISECONDS);
        }
    }

    void flushStreams() {
        synchronized (streamLock) {
            flushStreamsLocked();
        }
    }

    private void flushStreamsLocked() {
        if (streamFlush != null) {
            streamFlush.cancel(false);
            streamFlush = null;
        }
        if (streamText.isEmpty()) return;
        Wire.Message parent = current;
        publish("stream", Map.of("name", streamName, "text", streamText.toString()), parent == null ? null : parent.header());
        streamText.setLength(0);
    }

    // ------------------------------------------------------------------------------------------ stdin

    /** Asks the frontend for a line of input (input_request on the stdin socket); null when interrupted. */
    String input(String prompt, boolean password) {
        Wire.Message parent = current;
        if (parent == null) return null;
        flushStreams();
        send(stdin, wire.frames(parent.identities(), wire.header("input_request"), parent.header(), Map.of(),
            Map.of("prompt", prompt, "password", password)));
        ZMQ.Poller poller = zmq.createPoller(1);
        poller.register(stdin, ZMQ.Poller.POLLIN);
        try {
            while (!interruptRequested && !shuttingDown) {
                if (poller.poll(100) <= 0 || !poller.pollin(0)) continue;
                Wire.Message m = receive(stdin);
                if (m != null && m.type().equals("input_reply")) return str(m.content().getOrDefault("value", ""));
            }
            return null;
        } finally {
            poller.close();
        }
    }

    /** What the Python side calls (see _jtorch_kernel.py). */
    public final class Sink {
        Sink() {}

        public void stream(String name, String text) { Kernel.this.stream(name, text); }

        public void display(String text) {
            flushStreams();
            Wire.Message parent = current;
            publish("display_data", Map.of("data", Map.of("text/plain", text), "metadata", Map.of(), "transient", Map.of()),
                parent == null ? null : parent.header());
        }

        public String input(String prompt, boolean password) { return Kernel.this.input(prompt, password); }
    }
}
