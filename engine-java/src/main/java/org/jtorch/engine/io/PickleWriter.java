package org.jtorch.engine.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.jtorch.engine.TorchException;

/**
 * Emits pickle protocol 2 opcodes the way CPython's pickler does for the objects torch.save writes: ints in
 * the smallest of BININT1/BININT2/BININT/LONG1, str as BINUNICODE, globals as GLOBAL, and each global and
 * repeated constant string memoized once (BINPUT) and fetched again with BINGET.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();

    PickleWriter() {
        op(0x80);
        op(2); // PROTO 2
    }

    void op(int code) { out.write(code); }

    void mark() { op('('); }

    void stop() { op('.'); }

    /** GLOBAL module\nname\n, memoized. */
    void global(String module, String name) {
        if (fromMemo("g:" + module + "\n" + name)) return;
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        toMemo("g:" + module + "\n" + name);
    }

    /** A str (BINUNICODE); memoized when memoize is true (for strings repeated throughout, like 'storage'). */
    void str(String s, boolean memoize) {
        if (memoize && fromMemo("s:" + s)) return;
        byte[] u;
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(java.nio.CharBuffer.wrap(s));
            u = new byte[bb.remaining()];
            bb.get(u);
        } catch (CharacterCodingException e) {
            throw TorchException.value("cannot save the string '" + s + "': it is not valid Unicode (unpaired surrogate)");
        }
        op('X');
        le32(u.length);
        out.writeBytes(u);
        if (memoize) toMemo("s:" + s);
    }

    void integer(long v) {
        if (v >= 0 && v <= 0xFF) {
            op('K');
            op((int) v);
        } else if (v >= 0 && v <= 0xFFFF) {
            op('M');
            op((int) v & 0xFF);
            op((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            le32((int) v);
        } else {
            // LONG1: two's complement, little-endian, as few bytes as keep the sign
            byte[] le = new byte[8];
            for (int i = 0; i < 8; i++) le[i] = (byte) (v >>> (8 * i));
            int n = 8;
            while (n > 1 && ((le[n - 1] == 0 && le[n - 2] >= 0) || (le[n - 1] == -1 && le[n - 2] < 0))) n--;
            op(0x8a);
            op(n);
            out.write(le, 0, n);
        }
    }

    void bool(boolean b) { op(b ? 0x88 : 0x89); }

    /** Closes a tuple of n items pushed since the caller's mark (n &gt; 3) or without a mark (n &lt;= 3). */
    void tupleOf(int n) {
        switch (n) {
            case 0 -> op(')');
            case 1 -> op(0x85);
            case 2 -> op(0x86);
            case 3 -> op(0x87);
            default -> op('t');
        }
    }

    void intTuple(int[] values) {
        if (values.length > 3) mark();
        for (int v : values) integer(v);
        tupleOf(values.length);
    }

    private boolean fromMemo(String key) {
        Integer i = memo.get(key);
        if (i == null) return false;
        if (i < 256) {
            op('h');
            op(i);
        } else {
            op('j');
            le32(i);
        }
        return true;
    }

    private void toMemo(String key) {
        int i = memo.size();
        memo.put(key, i);
        if (i < 256) {
            op('q');
            op(i);
        } else {
            op('r');
            le32(i);
        }
    }

    private void le32(int v) {
        op(v & 0xFF);
        op((v >>> 8) & 0xFF);
        op((v >>> 16) & 0xFF);
        op((v >>> 24) & 0xFF);
    }

    byte[] toByteArray() { return out.toByteArray(); }
}
