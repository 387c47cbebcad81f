package org.jtorch.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.jtorch.engine.io.Unpickler.Tuple;

/**
 * Loads one checkpoint archive: finds its folder, reads byteorder and data.pkl, and runs the pickle with an
 * allowlist of globals (the weights_only rules of PyTorch). Storages are read from {@code data/<key>} the
 * first time a persistent id names them and are shared by every tensor that names the same key.
 */
final class CheckpointReader implements Unpickler.Hooks {

    /** A global the pickle named; only allowlisted ones are ever created. */
    private enum Fn {
        ORDERED_DICT, SET, FROZENSET, BYTEARRAY, CODECS_ENCODE, SIZE, DEVICE,
        REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_TENSOR_V3, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE,
        REBUILD_FROM_TYPE_V2, TENSOR_TYPE, PARAMETER_TYPE
    }

    /** An allowlisted callable or type, as it sits on the pickle stack. */
    private record Callable(Fn fn, String qualName) {
        @Override public String toString() { return qualName; }
    }

    /** A storage class global: torch.FloatStorage etc. (fileType null for torch.UntypedStorage). */
    private record StorageClass(String name, FileDType fileType) {}

    /** torch.UntypedStorage data: bytes whose element type a _rebuild_tensor_v3 call gives later. */
    record UntypedStorage(String key, long nbytes) {
        @Override public String toString() { return "torch.UntypedStorage(key=" + key + ", nbytes=" + nbytes + ")"; }
    }

    private static final int MAX_PICKLE = Integer.MAX_VALUE - 16;

    private final ZipReader zip;
    private final String where;
    private final String prefix;
    private final ByteOrder order;
    private final Map<String, Object> storages = new HashMap<>();           // key -> Storage or UntypedStorage
    private final Map<String, Object[]> untypedViews = new HashMap<>();     // key -> {FileDType, Storage}

    private CheckpointReader(ZipReader zip, String where) throws IOException {
        this.zip = zip;
        this.where = where;
        Map<String, ZipReader.Entry> entries = zip.entries();
        if (entries.isEmpty()) throw TorchException.runtime("PyTorch checkpoint " + where + " is an empty zip archive");
        String first = entries.keySet().iterator().next();
        int slash = first.indexOf('/');
        // the folder of the first entry, as PyTorch's reader does; an archive without folders is tried as-is
        String pre = slash < 0 ? "" : first.substring(0, slash + 1);
        if (zip.get(pre + "data.pkl") == null) {
            String found = null;
            for (String n : entries.keySet()) {
                if (n.endsWith("data.pkl") && n.indexOf('/') == n.length() - 9) {
                    if (found != null) throw TorchException.runtime("PyTorch checkpoint " + where + " holds more than one data.pkl");
                    found = n;
                }
            }
            if (found == null) {
                if (zip.get(pre + "constants.pkl") != null || zip.get(pre + "code/") != null || hasPrefix(entries, pre + "code/"))
                    throw TorchException.runtime(where + " is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; "
                            + "save a state_dict with torch.save(model.state_dict(), path) instead");
                throw TorchException.runtime("PyTorch checkpoint " + where + " has no data.pkl record (not a torch.save file, or damaged)");
            }
            pre = found.substring(0, found.length() - 8);
        }
        this.prefix = pre;
        ZipReader.Entry bo = zip.get(prefix + "byteorder");
        ByteOrder o = ByteOrder.LITTLE_ENDIAN;
        if (bo != null) {
            String s = new String(zip.readAll(bo, 64), StandardCharsets.US_ASCII).strip();
            if (s.equals("big")) o = ByteOrder.BIG_ENDIAN;
            else if (!s.equals("little")) throw TorchException.runtime("PyTorch checkpoint " + where + " has an unknown byteorder '" + s + "'");
        }
        this.order = o;
    }

    private static boolean hasPrefix(Map<String, ZipReader.Entry> entries, String p) {
        for (String n : entries.keySet()) if (n.startsWith(p)) return true;
        return false;
    }

    /** Loads the pickled object of an open archive. */
    static Object load(ZipReader zip, String where) throws IOException {
        CheckpointReader r = new CheckpointReader(zip, where);
        ZipReader.Entry pkl = zip.get(r.prefix + "data.pkl");
        byte[] data = zip.readAll(pkl, MAX_PICKLE);
        try {
            return Unpickler.load(data, r, where);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Lets the hooks (which cannot throw checked exceptions) pass an IOException through the unpickler. */
    private static final class UncheckedIOException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedIOException(IOException cause) { super(cause); }

        @Override public synchronized IOException getCause() { return (IOException) super.getCause(); }
    }

    // ------------------------------------------------------------------ GLOBAL: the allowlist

    @Override public Object global(String module, String name) {
        String full = module + "." + name;
        switch (module) {
            case "collections", "_collections" -> { if (name.equals("OrderedDict")) return new Callable(Fn.ORDERED_DICT, full); }
            case "builtins", "__builtin__" -> {
                switch (name) {
                    case "set" -> { return new Callable(Fn.SET, full); }
                    case "frozenset" -> { return new Callable(Fn.FROZENSET, full); }
                    case "bytearray" -> { return new Callable(Fn.BYTEARRAY, full); }
                    default -> { }
                }
            }
            case "_codecs" -> { if (name.equals("encode")) return new Callable(Fn.CODECS_ENCODE, full); }
            case "torch._utils" -> {
                switch (name) {
                    case "_rebuild_tensor" -> { return new Callable(Fn.REBUILD_TENSOR, full); }
                    case "_rebuild_tensor_v2" -> { return new Callable(Fn.REBUILD_TENSOR_V2, full); }
                    case "_rebuild_tensor_v3" -> { return new Callable(Fn.REBUILD_TENSOR_V3, full); }
                    case "_rebuild_parameter" -> { return new Callable(Fn.REBUILD_PARAMETER, full); }
                    case "_rebuild_parameter_with_state" -> { return new Callable(Fn.REBUILD_PARAMETER_WITH_STATE, full); }
                    default -> { }
                }
            }
            case "torch._tensor", "torch.tensor" -> { if (name.equals("_rebuild_from_type_v2")) return new Callable(Fn.REBUILD_FROM_TYPE_V2, full); }
            case "torch.nn.parameter" -> { if (name.equals("Parameter")) return new Callable(Fn.PARAMETER_TYPE, full); }
            case "torch.storage" -> { if (name.equals("UntypedStorage") || name.equals("_UntypedStorage")) return new StorageClass(full, null); }
            case "torch" -> {
                if (name.equals("Size")) return new Callable(Fn.SIZE, full);
                if (name.equals("device")) return new Callable(Fn.DEVICE, full);
                if (name.equals("Tensor")) return new Callable(Fn.TENSOR_TYPE, full);
                if (name.equals("UntypedStorage")) return new StorageClass(full, null);
                FileDType st = FileDType.byStorageClass(name);
                if (st != null) return new StorageClass(full, st);
                if (name.endsWith("Storage") && FileDType.UNSUPPORTED.contains(name))
                    return new StorageClass(full, null); // refused with a clear message when a storage uses it
                if (FileDType.byTorchName(name) != null || FileDType.UNSUPPORTED.contains(name))
                    return new PtFile.Global(module, name); // a dtype, as a value
            }
            default -> { }
        }
        throw TorchException.runtime("refusing to load " + where + ": its pickle names the global '" + full
                + "', which is not allowed (jtorch never runs code from a checkpoint: only tensors, storages, dtypes, "
                + "torch.Size, torch.device, OrderedDict and plain containers are accepted, as with PyTorch's "
                + "torch.load(weights_only=True))");
    }

    // ------------------------------------------------------------------ persistent ids: storages

    @Override public Object persistentLoad(Object pid) {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(asText(t.get(0))))
            throw bad("unknown persistent id " + shortRepr(pid) + " (expected ('storage', type, key, location, numel))");
        if (!(t.get(1) instanceof StorageClass sc)) throw bad("persistent id with " + shortRepr(t.get(1)) + " where a storage type belongs");
        String key = asText(t.get(2));
        if (key == null || key.isEmpty() || key.contains("/") || key.contains(".."))
            throw bad("bad storage key " + shortRepr(t.get(2)));
        // The location ('cpu', 'cuda:0', ...) is not used: everything loads into Java heap storage.
        if (!(t.get(4) instanceof Long numel) || numel < 0) throw bad("bad element count " + shortRepr(t.get(4)) + " for storage " + key);
        Object have = storages.get(key);
        if (have != null) {
            boolean same = sc.fileType() == null ? have instanceof UntypedStorage
                    : have instanceof Storage s && s.dtype() == sc.fileType().engine;
            if (!same) throw bad("storage " + key + " is named with two different types");
            return have;
        }
        if (sc.fileType() == null && !sc.name().endsWith("UntypedStorage"))
            throw unsupported(sc.name().substring(sc.name().lastIndexOf('.') + 1));
        Object made;
        if (sc.fileType() == null) {
            entry(key, numel); // checks the record exists and is large enough
            made = new UntypedStorage(key, numel);
        } else {
            made = readStorage(key, sc.fileType(), numel, order);
        }
        storages.put(key, made);
        return made;
    }

    private ZipReader.Entry entry(String key, long nbytes) {
        ZipReader.Entry e = zip.get(prefix + "data/" + key);
        if (e == null) throw TorchException.runtime("PyTorch checkpoint " + where + " is incomplete: record data/" + key + " is missing");
        if (e.size() < nbytes)
            throw TorchException.runtime("PyTorch checkpoint " + where + " is corrupt or truncated: record data/" + key + " has "
                    + e.size() + " bytes, the pickle needs " + nbytes);
        return e;
    }

    private Storage readStorage(String key, FileDType ft, long numel, ByteOrder byteOrder) {
        if (numel > Integer.MAX_VALUE - 8)
            throw TorchException.runtime("storage " + key + " of " + where + " has " + numel
                    + " elements; jtorch storages hold at most 2^31-9 elements");
        ZipReader.Entry e = entry(key, numel * ft.itemSize);
        try (InputStream in = zip.open(e)) {
            Storage s = ft.decode(in, (int) numel, byteOrder, "record data/" + key + " of " + where);
            in.transferTo(java.io.OutputStream.nullOutputStream()); // read the rest so that the CRC is checked
            return s;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    // ------------------------------------------------------------------ REDUCE / NEWOBJ

    @Override public Object call(Object callable, Tuple args, boolean newObj) {
        if (!(callable instanceof Callable c))
            throw TorchException.runtime("refusing to load " + where + ": its pickle calls " + shortRepr(callable)
                    + ", which is not a callable jtorch allows");
        if (newObj && c.fn() != Fn.ORDERED_DICT && c.fn() != Fn.SET && c.fn() != Fn.FROZENSET && c.fn() != Fn.BYTEARRAY)
            throw bad("NEWOBJ of " + c + " is not supported");
        return switch (c.fn()) {
            case ORDERED_DICT -> {
                LinkedHashMap<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty() && !newObj) for (Object kv : iterable(args.get(0), c)) {
                    if (!(kv instanceof List<?> pair) || pair.size() != 2) throw bad("OrderedDict item is not a pair");
                    m.put(pair.get(0), pair.get(1));
                }
                yield m;
            }
            case SET, FROZENSET -> {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty() && !newObj) s.addAll(iterable(args.get(0), c));
                yield c.fn() == Fn.SET ? s : Collections.unmodifiableSet(s);
            }
            case BYTEARRAY -> {
                if (args.isEmpty() || newObj) yield new byte[0];
                if (args.get(0) instanceof byte[] bs) yield bs.clone();
                if (args.get(0) instanceof String s && args.size() >= 2) yield encode(s, args.get(1));
                throw bad("unsupported bytearray arguments");
            }
            case CODECS_ENCODE -> {
                if (args.isEmpty() || !(args.get(0) instanceof String s)) throw bad("_codecs.encode needs a str");
                yield encode(s, args.size() > 1 ? args.get(1) : "utf-8");
            }
            case SIZE -> {
                List<Object> dims = args.isEmpty() ? List.of() : iterable(args.get(0), c);
                for (Object d : dims) if (!(d instanceof Long)) throw bad("torch.Size with a non-integer dimension");
                yield new Tuple(dims.toArray());
            }
            case DEVICE -> {
                if (args.isEmpty() || !(args.get(0) instanceof String type)) throw bad("torch.device needs a str");
                if (args.size() > 1 && args.get(1) != null) yield type + ":" + args.get(1);
                yield type;
            }
            case REBUILD_TENSOR -> rebuild(args, 4, null, c);
            case REBUILD_TENSOR_V2 -> rebuild(args, 6, null, c);
            case REBUILD_TENSOR_V3 -> {
                if (args.size() < 7) throw bad(c + " needs 7 arguments, got " + args.size());
                yield rebuild(args, 6, args.get(6), c);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                if (args.isEmpty() || !(args.get(0) instanceof Tensor t)) throw bad(c + " without a tensor");
                yield t; // requires_grad, hooks and Python attributes are not kept
            }
            case REBUILD_FROM_TYPE_V2 -> { // (func, new_type, args, state): a Tensor subclass such as Parameter
                if (args.size() < 3 || !(args.get(0) instanceof Callable f) || !(args.get(2) instanceof Tuple fargs)
                        || (f.fn() != Fn.REBUILD_TENSOR && f.fn() != Fn.REBUILD_TENSOR_V2 && f.fn() != Fn.REBUILD_TENSOR_V3))
                    throw bad("malformed _rebuild_from_type_v2 call");
                if (!(args.get(1) instanceof Callable type) || (type.fn() != Fn.TENSOR_TYPE && type.fn() != Fn.PARAMETER_TYPE))
                    throw TorchException.runtime("refusing to load " + where + ": tensor subclass " + shortRepr(args.get(1)) + " is not allowed");
                Object t = call(f, fargs, false);
                if (!(t instanceof Tensor)) throw bad("_rebuild_from_type_v2 did not rebuild a tensor");
                yield t;
            }
            case TENSOR_TYPE, PARAMETER_TYPE -> throw bad("constructing " + c + " directly is not supported");
        };
    }

    private List<Object> iterable(Object o, Callable c) {
        if (o instanceof List<?> l) return new ArrayList<>(l);
        if (o instanceof Set<?> s) return new ArrayList<>(s);
        if (o instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        throw bad(c + " of a " + Unpickler.typeName(o));
    }

    private byte[] encode(String s, Object encoding) {
        String enc = String.valueOf(encoding).toLowerCase().replace("-", "").replace("_", "");
        return switch (enc) {
            case "latin1", "latin", "l1", "iso88591" -> {
                for (int i = 0; i < s.length(); i++) if (s.charAt(i) > 0xFF) throw bad("_codecs.encode: character outside latin-1");
                yield s.getBytes(StandardCharsets.ISO_8859_1);
            }
            case "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            case "ascii" -> s.getBytes(StandardCharsets.US_ASCII);
            default -> throw bad("_codecs.encode with encoding '" + encoding + "' is not supported");
        };
    }

    /** _rebuild_tensor(_v2/_v3): (storage, storage_offset, size, stride, [requires_grad, backward_hooks, [dtype]]). */
    private Tensor rebuild(Tuple args, int minArgs, Object dtypeArg, Callable c) {
        if (args.size() < minArgs) throw bad(c + " needs " + minArgs + " arguments, got " + args.size());
        Object st = args.get(0);
        Storage storage;
        if (st instanceof Storage s) {
            storage = s;
            if (dtypeArg != null) {
                FileDType ft = dtypeOf(dtypeArg, c);
                if (ft.engine != s.dtype()) throw bad(c + ": dtype torch." + ft.torchName + " does not match the storage's type");
            }
        } else if (st instanceof UntypedStorage u) {
            if (dtypeArg == null) throw bad(c + " over a torch.UntypedStorage needs a dtype (only _rebuild_tensor_v3 gives one)");
            storage = typedView(u, dtypeOf(dtypeArg, c));
        } else {
            throw bad(c + ": first argument is a " + Unpickler.typeName(st) + ", not a storage");
        }
        long offset = asLong(args.get(1), "storage_offset");
        List<?> size = asTuple(args.get(2), "size"), stride = asTuple(args.get(3), "stride");
        if (size.size() != stride.size())
            throw bad(c + ": size " + size + " and stride " + stride + " differ in length");
        int n = size.size();
        int[] shape = new int[n], strides = new int[n];
        long extent = 0;
        boolean empty = false;
        for (int i = 0; i < n; i++) {
            long sz = asLong(size.get(i), "size"), sd = asLong(stride.get(i), "stride");
            if (sz < 0 || sz > Integer.MAX_VALUE) throw bad(c + ": bad size " + size);
            if (sd < 0 || sd > Integer.MAX_VALUE) throw bad(c + ": stride " + stride + " is not supported (negative or too large)");
            shape[i] = (int) sz;
            strides[i] = (int) sd;
            if (sz == 0) empty = true;
            else extent = Math.addExact(extent, Math.multiplyExact(sz - 1, sd));
        }
        if (offset < 0 || offset > storage.size() || (!empty && offset + extent >= storage.size()))
            throw bad(c + ": a tensor of size " + size + ", stride " + stride + " at offset " + offset
                    + " does not fit its storage of " + storage.size() + " elements");
        return new Tensor(storage, shape, strides, (int) offset);
    }

    private FileDType dtypeOf(Object d, Callable c) {
        if (d instanceof PtFile.Global g && g.module().equals("torch")) {
            FileDType ft = FileDType.byTorchName(g.name());
            if (ft != null) return ft;
            throw unsupported(g.name());
        }
        throw bad(c + ": " + shortRepr(d) + " is not a dtype");
    }

    /** An untyped storage read as dtype ft (once per key; a second dtype for the same key is refused). */
    private Storage typedView(UntypedStorage u, FileDType ft) {
        Object[] have = untypedViews.get(u.key());
        if (have != null) {
            if (have[0] != ft) throw bad("storage " + u.key() + " is viewed as two dtypes (" + ((FileDType) have[0]).torchName + ", " + ft.torchName + ")");
            return (Storage) have[1];
        }
        if (u.nbytes() % ft.itemSize != 0)
            throw bad("storage " + u.key() + " has " + u.nbytes() + " bytes, not a whole number of " + ft.torchName + " elements");
        // PyTorch does not byte-swap untyped storages (it reads them as uint8), so neither does jtorch.
        Storage s = readStorage(u.key(), ft, u.nbytes() / ft.itemSize, ByteOrder.LITTLE_ENDIAN);
        untypedViews.put(u.key(), new Object[] {ft, s});
        return s;
    }

    // ------------------------------------------------------------------ BUILD

    @Override public Object build(Object inst, Object state) {
        // OrderedDict state (e.g. a state_dict's _metadata) sets Python attributes, not items: dropped.
        if (inst instanceof LinkedHashMap<?, ?>) return inst;
        // Tensor / Parameter state (Python attributes of a subclass): dropped.
        if (inst instanceof Tensor) return inst;
        throw TorchException.runtime("refusing to load " + where + ": its pickle sets the state of a "
                + Unpickler.typeName(inst) + " (BUILD is only allowed on OrderedDict and tensors)");
    }

    // ------------------------------------------------------------------ helpers

    private static String asText(Object o) {
        if (o instanceof String s) return s;
        if (o instanceof byte[] b) return new String(b, StandardCharsets.US_ASCII);
        return null;
    }

    private long asLong(Object o, String what) {
        if (o instanceof Long l) return l;
        if (o instanceof BigInteger) throw bad(what + " " + o + " is too large");
        throw bad(what + " is a " + Unpickler.typeName(o) + ", not an int");
    }

    private List<?> asTuple(Object o, String what) {
        if (o instanceof List<?> l) return l;
        throw bad(what + " is a " + Unpickler.typeName(o) + ", not a tuple");
    }

    /** A short description for error messages (bounded: pickled containers may contain themselves). */
    private static String shortRepr(Object o) {
        StringBuilder sb = new StringBuilder();
        repr(o, sb, 0);
        return sb.length() > 80 ? sb.substring(0, 77) + "..." : sb.toString();
    }

    private static void repr(Object o, StringBuilder sb, int depth) {
        if (sb.length() > 80) return;
        if (o instanceof String s) {
            sb.append('\'').append(s.length() > 80 ? s.substring(0, 80) : s).append('\'');
        } else if (o instanceof List<?> l) {
            if (depth > 3) { sb.append("[...]"); return; }
            boolean tuple = o instanceof Tuple;
            sb.append(tuple ? '(' : '[');
            for (int i = 0; i < l.size() && sb.length() <= 80; i++) {
                if (i > 0) sb.append(", ");
                repr(l.get(i), sb, depth + 1);
            }
            sb.append(tuple ? ')' : ']');
        } else if (o instanceof Map<?, ?> || o instanceof Set<?>) {
            sb.append(Unpickler.typeName(o)).append(" of ").append(o instanceof Map<?, ?> m ? m.size() : ((Set<?>) o).size()).append(" items");
        } else if (o instanceof byte[] b) {
            sb.append("bytes of length ").append(b.length);
        } else if (o == null) {
            sb.append("None");
        } else if (o instanceof Tensor t) {
            sb.append("tensor of shape ").append(org.jtorch.engine.Shape.str(t.shapeRef()));
        } else {
            sb.append(o);
        }
    }

    private TorchException bad(String msg) {
        return TorchException.runtime("cannot load " + where + ": " + msg);
    }

    private TorchException unsupported(String typeName) {
        return TorchException.runtime("cannot load " + where + ": it holds a " + typeName
                + " tensor, and jtorch has no matching dtype (supported: float32, float64, int64, int32, bool; "
                + "float16/bfloat16 load as float32, uint8/int8/int16/uint16 as int32, uint32/uint64 as int64)");
    }
}
