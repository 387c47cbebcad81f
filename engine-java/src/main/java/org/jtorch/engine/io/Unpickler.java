package org.jtorch.engine.io;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

import org.jtorch.engine.TorchException;

/**
 * A pickle virtual machine that never runs anything. It implements the data opcodes of pickle protocols 0 to 5
 * (what torch.save emits with any pickle_protocol) and hands the four operations that could have effects in
 * Python to {@link Hooks}: looking up a global, a persistent id, a call (REDUCE, NEWOBJ) and BUILD. The hooks
 * decide what is allowed; nothing here imports or calls code named in the file. INST, OBJ, NEWOBJ_EX, the
 * extension registry (EXT1/2/4) and out-of-band buffers are refused outright.
 *
 * <p>Python values become: None {@code null}, bool {@link Boolean}, int {@link Long} (or {@link BigInteger}
 * beyond 64 bits), float {@link Double}, str {@link String}, bytes/bytearray {@code byte[]}, tuple an
 * unmodifiable {@link List} ({@link Tuple}), list {@link ArrayList}, dict {@link LinkedHashMap} (insertion
 * order kept), set {@link LinkedHashSet}, frozenset an unmodifiable {@link Set}.
 */
final class Unpickler {

    /** What the pickle may do beyond building plain data. Every method may throw a TorchException to refuse. */
    interface Hooks {
        /** GLOBAL / STACK_GLOBAL: the object the name stands for. */
        Object global(String module, String name);

        /** PERSID / BINPERSID. */
        Object persistentLoad(Object pid);

        /** REDUCE (newObj false: callable(*args)) or NEWOBJ (newObj true: cls.__new__(cls, *args)). */
        Object call(Object callable, Tuple args, boolean newObj);

        /** BUILD: sets state on inst; returns the object that replaces inst on the stack (normally inst). */
        Object build(Object inst, Object state);
    }

    /** A Python tuple: an immutable list. */
    static final class Tuple extends AbstractList<Object> implements RandomAccess {
        static final Tuple EMPTY = new Tuple(new Object[0]);
        private final Object[] items;

        Tuple(Object[] items) { this.items = items; }

        @Override public Object get(int i) { return items[i]; }

        @Override public int size() { return items.length; }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < items.length; i++) {
                if (i > 0) sb.append(", ");
                Object o = items[i];
                sb.append(o == this ? "(...)" : o instanceof java.util.Collection<?> || o instanceof Map<?, ?> ? typeName(o) + "(...)" : String.valueOf(o));
            }
            return sb.append(items.length == 1 ? ",)" : ")").toString();
        }
    }

    private static final Object MARK_OBJ = new Object();

    private final byte[] b;
    private final Hooks hooks;
    private final String where;
    private int pos;
    private ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<ArrayList<Object>> metastack = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    private int proto = 0;

    private Unpickler(byte[] data, Hooks hooks, String where) {
        this.b = data;
        this.hooks = hooks;
        this.where = where;
    }

    /** Runs the pickle in data up to its STOP and returns the result. */
    static Object load(byte[] data, Hooks hooks, String where) {
        return new Unpickler(data, hooks, where).run();
    }

    private Object run() {
        while (true) {
            if (pos >= b.length) throw bad("the pickle ends without a STOP opcode (truncated data)");
            int at = pos;
            int op = b[pos++] & 0xFF;
            try {
                if (step(op)) {
                    if (!metastack.isEmpty()) throw bad("unbalanced MARK at STOP");
                    if (stack.size() != 1) throw bad("STOP with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
            } catch (IndexOutOfBoundsException e) {
                throw bad("stack underflow or truncated argument at opcode 0x" + Integer.toHexString(op) + " (byte " + at + ")");
            } catch (NumberFormatException e) {
                throw bad("malformed number in a text argument at byte " + at);
            } catch (ClassCastException e) {
                throw bad("wrong kind of value for opcode 0x" + Integer.toHexString(op) + " (byte " + at + ")");
            }
        }
    }

    /** Executes one opcode; true at STOP. */
    private boolean step(int op) {
        switch (op) {
            // ---------------------------------------------------------- framing and control
            case 0x80 -> { // PROTO
                proto = u8();
                if (proto > 5) throw bad("unsupported pickle protocol " + proto);
            }
            case 0x95 -> { need(8); pos += 8; } // FRAME: its length is only a hint
            case '.' -> { return true; } // STOP
            case '(' -> { metastack.add(stack); stack = new ArrayList<>(); } // MARK
            case '0' -> pop(); // POP
            case '1' -> popMark(); // POP_MARK
            case '2' -> push(peek()); // DUP
            // ---------------------------------------------------------- constants and numbers
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'J' -> push((long) s32());                 // BININT
            case 'K' -> push((long) u8());                  // BININT1
            case 'M' -> push((long) u16());                 // BININT2
            case 0x8a -> push(longLE(bytes(u8())));         // LONG1
            case 0x8b -> push(longLE(bytes(len32())));      // LONG4
            case 'I' -> push(parseIntLine(line()));         // INT (text; "00"/"01" are False/True)
            case 'L' -> push(parseLongLine(line()));        // LONG (text)
            case 'G' -> push(Double.longBitsToDouble(be64())); // BINFLOAT
            case 'F' -> push(parseFloatLine(line()));       // FLOAT (text)
            // ---------------------------------------------------------- strings and bytes
            case 'X' -> push(utf8(bytes(len32())));         // BINUNICODE
            case 0x8c -> push(utf8(bytes(u8())));           // SHORT_BINUNICODE
            case 0x8d -> push(utf8(bytes(len64())));        // BINUNICODE8
            case 'V' -> push(rawUnicodeEscape(line()));     // UNICODE (text)
            case 'T' -> push(utf8(bytes(len32())));         // BINSTRING (Python 2 str, read as UTF-8 like torch.load)
            case 'U' -> push(utf8(bytes(u8())));            // SHORT_BINSTRING
            case 'S' -> push(utf8(pyStringLiteral(line())));// STRING (text repr)
            case 'B' -> push(bytes(len32()));               // BINBYTES
            case 'C' -> push(bytes(u8()));                  // SHORT_BINBYTES
            case 0x8e, 0x96 -> push(bytes(len64()));        // BINBYTES8, BYTEARRAY8
            // ---------------------------------------------------------- tuples, lists, dicts, sets
            case ')' -> push(Tuple.EMPTY);
            case 't' -> push(new Tuple(popMark().toArray()));
            case 0x85 -> push(new Tuple(new Object[] {pop()}));
            case 0x86 -> { Object y = pop(), x = pop(); push(new Tuple(new Object[] {x, y})); }
            case 0x87 -> { Object z = pop(), y = pop(), x = pop(); push(new Tuple(new Object[] {x, y, z})); }
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(popMark()));  // LIST
            case 'a' -> { Object v = pop(); asList(peek()).add(v); } // APPEND
            case 'e' -> { List<Object> items = popMark(); asList(peek()).addAll(items); } // APPENDS
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> { // DICT
                List<Object> items = popMark();
                if (items.size() % 2 != 0) throw bad("DICT with an odd number of items");
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
                push(m);
            }
            case 's' -> { Object v = pop(), k = pop(); asMap(peek()).put(key(k), v); } // SETITEM
            case 'u' -> { // SETITEMS
                List<Object> items = popMark();
                if (items.size() % 2 != 0) throw bad("SETITEMS with an odd number of items");
                Map<Object, Object> m = asMap(peek());
                for (int i = 0; i < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
            }
            case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
            case 0x90 -> { // ADDITEMS
                List<Object> items = popMark();
                Object s = peek();
                if (!(s instanceof LinkedHashSet<?>)) throw bad("ADDITEMS on a non-set");
                @SuppressWarnings("unchecked") Set<Object> set = (Set<Object>) s;
                for (Object o : items) set.add(key(o));
            }
            case 0x91 -> { // FROZENSET
                List<Object> items = popMark();
                Set<Object> set = new LinkedHashSet<>();
                for (Object o : items) set.add(key(o));
                push(Collections.unmodifiableSet(set));
            }
            // ---------------------------------------------------------- memo
            case 'q' -> memo.put((long) u8(), peek());      // BINPUT
            case 'r' -> memo.put(u32(), peek());            // LONG_BINPUT
            case 'p' -> memo.put(parseMemoIndex(line()), peek()); // PUT (text)
            case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
            case 'h' -> push(memoGet(u8()));                // BINGET
            case 'j' -> push(memoGet(u32()));               // LONG_BINGET
            case 'g' -> push(memoGet(parseMemoIndex(line()))); // GET (text)
            // ---------------------------------------------------------- the hooks
            case 'c' -> { // GLOBAL
                String module = ascii(line()), name = ascii(line());
                push(hooks.global(module, name));
            }
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop(), module = pop();
                if (!(name instanceof String n) || !(module instanceof String m)) throw bad("STACK_GLOBAL needs two strings");
                push(hooks.global(m, n));
            }
            case 'R' -> { // REDUCE
                Object args = pop(), f = pop();
                if (!(args instanceof Tuple t)) throw bad("REDUCE arguments are not a tuple");
                push(hooks.call(f, t, false));
            }
            case 0x81 -> { // NEWOBJ
                Object args = pop(), cls = pop();
                if (!(args instanceof Tuple t)) throw bad("NEWOBJ arguments are not a tuple");
                push(hooks.call(cls, t, true));
            }
            case 'b' -> { Object state = pop(); Object inst = pop(); push(hooks.build(inst, state)); } // BUILD
            case 'Q' -> push(hooks.persistentLoad(pop()));  // BINPERSID
            case 'P' -> push(hooks.persistentLoad(ascii(line()))); // PERSID (text)
            case 'i', 'o', 0x92 -> throw refused(op == 'i' ? "INST" : op == 'o' ? "OBJ" : "NEWOBJ_EX");
            case 0x82, 0x83, 0x84 -> throw refused("EXT" + (op == 0x82 ? 1 : op == 0x83 ? 2 : 4) + " (copyreg extension registry)");
            case 0x97, 0x98 -> throw refused(op == 0x97 ? "NEXT_BUFFER" : "READONLY_BUFFER");
            default -> throw bad("unknown pickle opcode 0x" + Integer.toHexString(op) + " at byte " + (pos - 1)
                    + " (not a pickle, or the data is damaged)");
        }
        return false;
    }

    // ------------------------------------------------------------------ stack

    private void push(Object o) { stack.add(o); }

    private Object pop() {
        if (stack.isEmpty()) throw bad("stack underflow at byte " + (pos - 1));
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) throw bad("stack underflow at byte " + (pos - 1));
        return stack.get(stack.size() - 1);
    }

    /** The items pushed since the last MARK; the stack as it was before the MARK is restored. */
    private List<Object> popMark() {
        if (metastack.isEmpty()) throw bad("no MARK on the stack at byte " + (pos - 1));
        List<Object> items = stack;
        stack = metastack.remove(metastack.size() - 1);
        return items;
    }

    private Object memoGet(long i) {
        if (!memo.containsKey(i)) throw bad("memo key " + i + " was never stored (byte " + (pos - 1) + ")");
        return memo.get(i);
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw bad("APPEND to a " + typeName(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
        throw bad("SETITEM on a " + typeName(o) + ", not a dict");
    }

    /** Dict keys and set items must be hashable (immutable), as in Python. */
    private Object key(Object k) {
        checkHashable(k, 0);
        return k;
    }

    private void checkHashable(Object k, int depth) {
        if (depth > 100) throw bad("dict key nested too deeply");
        if (k instanceof Tuple t) {
            for (Object o : t) checkHashable(o, depth + 1);
        } else if (k instanceof List<?> || k instanceof Map<?, ?> || k instanceof LinkedHashSet<?> || k instanceof byte[]) {
            throw bad("unhashable dict key or set item of type " + typeName(k));
        }
    }

    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Tuple) return "tuple";
        if (o instanceof List<?>) return "list";
        if (o instanceof Map<?, ?>) return "dict";
        if (o instanceof Set<?>) return "set";
        if (o instanceof String) return "str";
        if (o instanceof Long || o instanceof BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof Boolean) return "bool";
        if (o instanceof byte[]) return "bytes";
        return o.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ reading arguments

    private void need(long n) {
        if (n < 0 || n > b.length - pos) throw bad("the pickle data ends early (truncated or damaged data.pkl)");
    }

    private int u8() { need(1); return b[pos++] & 0xFF; }

    private int u16() { need(2); int v = ZipReader.le16(b, pos); pos += 2; return v; }

    private int s32() { need(4); int v = ZipReader.le32(b, pos); pos += 4; return v; }

    private long u32() { return s32() & 0xFFFFFFFFL; }

    private int len32() {
        long n = u32();
        need(n);
        return (int) n;
    }

    private int len64() {
        need(8);
        long n = ZipReader.le64(b, pos);
        pos += 8;
        need(n);
        return (int) n;
    }

    private long be64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[pos++] & 0xFF);
        return v;
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] r = Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return r;
    }

    /** A text argument up to (not including) the newline. */
    private byte[] line() {
        int start = pos;
        while (pos < b.length && b[pos] != '\n') pos++;
        if (pos >= b.length) throw bad("the pickle data ends inside a text argument (truncated data)");
        return Arrays.copyOfRange(b, start, pos++);
    }

    /** A two's-complement little-endian integer (LONG1/LONG4). */
    private static Object longLE(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        return normalize(new BigInteger(be));
    }

    private static Object normalize(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object parseIntLine(byte[] l) {
        String s = ascii(l).strip();
        if (s.equals("00")) return Boolean.FALSE;
        if (s.equals("01")) return Boolean.TRUE;
        try {
            return normalize(new BigInteger(s));
        } catch (NumberFormatException e) {
            throw bad("bad INT argument '" + s + "'");
        }
    }

    private Object parseLongLine(byte[] l) {
        String s = ascii(l).strip();
        if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
        try {
            return normalize(new BigInteger(s));
        } catch (NumberFormatException e) {
            throw bad("bad LONG argument '" + s + "'");
        }
    }

    private Double parseFloatLine(byte[] l) {
        String s = ascii(l).strip();
        try {
            return switch (s.toLowerCase()) {
                case "nan", "-nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        } catch (NumberFormatException e) {
            throw bad("bad FLOAT argument '" + s + "'");
        }
    }

    private long parseMemoIndex(byte[] l) {
        try {
            return Long.parseLong(ascii(l).strip());
        } catch (NumberFormatException e) {
            throw bad("bad memo index");
        }
    }

    private String utf8(byte[] bs) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bs)).toString();
        } catch (CharacterCodingException e) {
            // Python writes lone surrogates with surrogatepass; fall back to a lenient decode
            return new String(bs, StandardCharsets.UTF_8);
        }
    }

    private String ascii(byte[] bs) {
        for (byte x : bs) if (x < 0x20 && x != '\t' || x < 0) throw bad("non-ASCII text in a name or number");
        return new String(bs, StandardCharsets.US_ASCII);
    }

    /** UNICODE's raw-unicode-escape: latin-1 text in which \\uXXXX and \\UXXXXXXXX stand for other characters. */
    private String rawUnicodeEscape(byte[] l) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.length; i++) {
            int c = l[i] & 0xFF;
            if (c == '\\' && i + 1 < l.length && (l[i + 1] == 'u' || l[i + 1] == 'U')) {
                int n = l[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + n > l.length) throw bad("bad \\u escape in UNICODE argument");
                int cp = Integer.parseUnsignedInt(new String(l, i + 2, n, StandardCharsets.US_ASCII), 16);
                sb.appendCodePoint(cp);
                i += 1 + n;
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** STRING's argument: a Python 2 str repr in single or double quotes, with backslash escapes. */
    private byte[] pyStringLiteral(byte[] l) {
        int n = l.length;
        if (n < 2 || l[0] != l[n - 1] || (l[0] != '\'' && l[0] != '"')) throw bad("STRING argument is not quoted");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 1; i < n - 1; i++) {
            int c = l[i] & 0xFF;
            if (c != '\\' || i + 1 >= n - 1) {
                out.write(c);
                continue;
            }
            int e = l[++i] & 0xFF;
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = e - '0';
                    for (int k = 0; k < 2 && i + 1 < n - 1 && l[i + 1] >= '0' && l[i + 1] <= '7'; k++) v = v * 8 + (l[++i] - '0');
                    out.write(v);
                }
                case 'x' -> {
                    if (i + 2 >= n - 1) throw bad("bad \\x escape in STRING argument");
                    out.write(Integer.parseInt(new String(l, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                }
                default -> out.write(e); // \\ \' \" and unknown escapes
            }
        }
        return out.toByteArray();
    }

    private TorchException bad(String msg) {
        return TorchException.runtime("cannot read the pickled data (data.pkl) of " + where + ": " + msg);
    }

    private TorchException refused(String opcode) {
        return TorchException.runtime("refusing to load " + where + ": its pickle uses the " + opcode
                + " opcode, which creates arbitrary objects; jtorch only loads tensors and plain containers");
    }

    @Override public String toString() { return "Unpickler(" + where + ", protocol " + proto + ")"; }
}
