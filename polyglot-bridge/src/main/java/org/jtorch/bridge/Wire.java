package org.jtorch.bridge;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The launcher daemon's wire format (a Unix domain socket; see {@link Daemon} and {@link Client}). The client
 * sends one request (magic, argv, working directory, environment), then frames of its standard input on demand
 * and an interrupt when the user presses Ctrl-C; the daemon sends frames of output, requests for input and
 * finally the exit status. A frame is a type byte and an int (a length, or the status/size it stands for).
 */
final class Wire {
    private Wire() {}

    static final int MAGIC = 0x6A74_0001;
    /** daemon -> client */
    static final byte OUT = 'O', ERR = 'E', NEED_INPUT = 'I', EXIT = 'X', BUSY = 'B';
    /** client -> daemon */
    static final byte INPUT = 'D', INTERRUPT = 'K';
    /** The client's exit status when the daemon cannot take the run (the launcher then runs it directly). */
    static final int UNAVAILABLE = 75;

    static void writeString(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeInt(b.length);
        o.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) throw new IOException("bad string length " + n);
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
