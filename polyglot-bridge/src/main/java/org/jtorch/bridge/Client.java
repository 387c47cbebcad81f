package org.jtorch.bridge;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The launcher's thin client: hands {@code jtorch ARGS} to a running {@link Daemon} and relays standard
 * streams, Ctrl-C and the exit status. It starts in well under a second because it loads nothing but this
 * class and {@link Wire} (no GraalPy). Exits with {@link Wire#UNAVAILABLE} when no daemon can take the run,
 * before anything was printed, so that the launcher runs the script directly instead.
 *
 * <p>Usage: {@code Client SOCKET ARGS...}
 */
public final class Client {
    private Client() {}

    private static volatile boolean interrupting;
    /** Whether the daemon has begun the run (sent a frame other than busy). */
    private static boolean started;

    public static void main(String[] args) throws IOException {
        Path sock = Path.of(args[0]);
        String[] argv = java.util.Arrays.copyOfRange(args, 1, args.length);
        SocketChannel ch = connect(sock);
        if (ch == null) System.exit(Wire.UNAVAILABLE);
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch)));
        try {
            out.writeInt(Wire.MAGIC);
            out.writeInt(argv.length);
            for (String a : argv) Wire.writeString(out, a);
            Wire.writeString(out, Path.of("").toAbsolutePath().toString());
            Map<String, String> env = System.getenv();
            out.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) {
                Wire.writeString(out, e.getKey());
                Wire.writeString(out, e.getValue());
            }
            out.flush();
        } catch (IOException busy) {
            // a busy daemon answers and hangs up without reading the request
            System.exit(Wire.UNAVAILABLE);
        }

        // Ctrl-C (SIGINT runs the shutdown hooks): ask the daemon to stop the run, give it a moment to say so
        boolean[] finished = {false};
        Thread hook = new Thread(() -> {
            synchronized (finished) {
                if (finished[0]) return;
                interrupting = true;
            }
            try {
                System.err.println("KeyboardInterrupt");
                synchronized (out) {
                    out.writeByte(Wire.INTERRUPT);
                    out.writeInt(0);
                    out.flush();
                }
                Thread.sleep(300);
            } catch (IOException | InterruptedException ignored) {
                // the daemon is gone or we are being killed: nothing more to do
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);

        OutputStream stdout = new FileOutputStream(FileDescriptor.out), stderr = new FileOutputStream(FileDescriptor.err);
        InputStream stdin = new java.io.FileInputStream(FileDescriptor.in);
        byte[] buf = new byte[1 << 16];
        while (true) {
            byte type;
            int n;
            try {
                type = in.readByte();
                n = in.readInt();
            } catch (IOException eof) {
                synchronized (finished) {
                    if (interrupting) return; // the shutdown hook is ending the process
                    finished[0] = true;
                }
                // gone before the run began (nothing printed yet): let the launcher run it directly
                if (!started) System.exit(Wire.UNAVAILABLE);
                stderr.write("jtorch: the daemon closed the connection unexpectedly\n".getBytes());
                System.exit(1);
                return;
            }
            if (type != Wire.BUSY) started = true;
            switch (type) {
                case Wire.OUT, Wire.ERR -> {
                    byte[] b = n <= buf.length ? buf : new byte[n];
                    in.readFully(b, 0, n);
                    OutputStream o = type == Wire.OUT ? stdout : stderr;
                    o.write(b, 0, n);
                    o.flush();
                }
                case Wire.NEED_INPUT -> {
                    byte[] b = new byte[Math.max(1, Math.min(n, 1 << 16))];
                    int r = stdin.read(b);
                    synchronized (out) {
                        out.writeByte(Wire.INPUT);
                        out.writeInt(r);
                        if (r > 0) out.write(b, 0, r);
                        out.flush();
                    }
                }
                case Wire.BUSY -> {
                    synchronized (finished) { finished[0] = true; }
                    System.exit(Wire.UNAVAILABLE);
                }
                case Wire.EXIT -> {
                    synchronized (finished) { finished[0] = true; }
                    stdout.flush();
                    System.exit(n);
                }
                default -> {
                    synchronized (finished) { finished[0] = true; }
                    stderr.write(("jtorch: unexpected frame from the daemon: " + type + "\n").getBytes());
                    System.exit(1);
                }
            }
        }
    }

    /**
     * Connects, waiting while a daemon is starting (it holds SOCKET.lock from its first moment). Null when no
     * daemon is alive (a stale socket file is removed then).
     */
    static SocketChannel connect(Path sock) {
        long start = System.nanoTime(), deadline = start + 180_000_000_000L;
        // when the launcher has just started the daemon, give its JVM time to take the lock
        long grace = Boolean.getBoolean("jtorch.daemon.starting") ? 20_000_000_000L : 0;
        Path lock = Path.of(sock + ".lock");
        while (System.nanoTime() < deadline) {
            if (Files.exists(sock)) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    return ch;
                } catch (IOException refused) {
                    // not accepting (yet, or any more): see whether its daemon lives
                }
            }
            if (!daemonAlive(lock) && System.nanoTime() - start >= grace) {
                try {
                    Files.deleteIfExists(sock);
                } catch (IOException ignored) {
                    // another client did it
                }
                return null;
            }
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether a daemon holds the lock file (it does from start to exit). */
    static boolean daemonAlive(Path lock) {
        if (!Files.exists(lock)) return false;
        try (FileChannel fc = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = fc.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
