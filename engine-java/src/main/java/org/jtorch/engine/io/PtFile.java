package org.jtorch.engine.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

import org.jtorch.engine.Device;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;

/**
 * Reads and writes PyTorch {@code .pt} files (the zip format of {@code torch.save}, PyTorch 1.6 and later)
 * without Python, so that state dicts go both ways between jtorch and PyTorch.
 *
 * <h2>The format</h2>
 * A zip archive whose entries all sit in one folder ({@code <name>/}):
 * <ul>
 *   <li>{@code data.pkl}: the saved object, pickled (protocol 2 by default). A tensor is the call
 *       {@code torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 *       backward_hooks)}; its storage is the persistent id
 *       {@code ('storage', torch.FloatStorage, '<key>', 'cpu', numel)} (PyTorch 2.x uses
 *       {@code _rebuild_tensor_v3} over a {@code torch.UntypedStorage} with the dtype as an extra argument for
 *       the types that have no typed storage class, such as uint16);</li>
 *   <li>{@code data/<key>}: the raw bytes of every storage, the whole storage, little-endian;</li>
 *   <li>{@code version} ("3\n"), and in newer files {@code byteorder} ("little" or "big"),
 *       {@code .format_version}, {@code .storage_alignment}, {@code .data/serialization_id} (ignored).</li>
 * </ul>
 *
 * <h2>Reading</h2>
 * Loading is always safe: the pickle is interpreted by a small virtual machine that runs nothing. Only an
 * allowlist of globals is accepted, the same kind that PyTorch's {@code torch.load(weights_only=True)} accepts:
 * the tensor rebuild functions of {@code torch._utils} (and {@code torch._tensor._rebuild_from_type_v2} for
 * {@code torch.Tensor}/{@code torch.nn.Parameter}), the storage classes, dtypes, {@code torch.Size},
 * {@code torch.device}, {@code collections.OrderedDict}, {@code set}, {@code frozenset}, {@code bytearray} and
 * {@code _codecs.encode} (how protocol 2 writes bytes). Any other global (a pickled {@code nn.Module}, or
 * {@code os.system} in a malicious file) is refused with a {@link TorchException} before anything is built.
 * <ul>
 *   <li>Storage sharing is kept: tensors that name the same storage key share one {@link Storage}.</li>
 *   <li>dtypes: float32, float64, int64, int32 and bool load exactly. float16 and bfloat16 load as float32
 *       (exact); uint8, int8, int16 and uint16 as int32 (exact); uint32 and uint64 as int64 (uint64 values of
 *       2^63 and above wrap). Complex, quantized and float8 tensors are refused.</li>
 *   <li>Every tensor loads to the CPU (Java heap), whatever device its storage was saved from
 *       (like {@code map_location="cpu"}).</li>
 *   <li>requires_grad, {@code nn.Parameter}-ness, backward hooks and a state dict's {@code _metadata}
 *       attribute are not kept.</li>
 *   <li>Files written on big-endian machines ({@code byteorder} "big") are byte-swapped (typed storages; like
 *       PyTorch, untyped ones are read as they are).</li>
 *   <li>The legacy pre-1.6 (non-zip) format and TorchScript archives are refused with a clear message.</li>
 *   <li>A truncated or damaged file gives a TorchException (the CRC-32 of every record read is checked).
 *       Only uncompressed archives are read (PyTorch never compresses; a re-zipped, deflated file is refused),
 *       so no record can claim more memory than about four times the file's size.</li>
 *   <li>Limits: a storage holds at most 2^31-9 elements (Java arrays); {@link #readStateDict(InputStream)}
 *       holds the whole stream in memory (a {@link Path} is read in place).</li>
 * </ul>
 *
 * <h2>Writing</h2>
 * {@link #writeStateDict} writes what PyTorch 1.13 writes for {@code torch.save(state_dict, f)}: a
 * {@code collections.OrderedDict} of {@code _rebuild_tensor_v2} tensors (requires_grad False) over typed
 * storages located on 'cpu', each storage once and whole, keys "0", "1", ... in order of first use; the folder is
 * the file's base name without its extension ({@code "archive"} for a stream, or when the name is not plain
 * ASCII); entries stored, each record's data 64-byte aligned; plus a {@code byteorder} record ("little") as
 * PyTorch 2.x writes. The files load in PyTorch 1.6+ including with {@code weights_only=True}. Saving to a
 * {@link Path} is atomic: the archive is written to a temporary file in the same folder, forced to disk and
 * renamed over the target, so a failure leaves any previous file intact.
 */
public final class PtFile {
    private PtFile() {}

    /** A Python global that is kept as a value: a dtype such as {@code torch.float64} in a loaded object. */
    public record Global(String module, String name) {
        @Override public String toString() { return module + "." + name; }
    }

    private static final int SETITEMS_BATCH = 1000; // as CPython's pickler batches dict items

    // ================================================================ reading

    /**
     * Reads a state dict: a file whose saved object is a dict (or OrderedDict) of str to tensor, as written by
     * {@code torch.save(model.state_dict(), path)}. The map keeps the file's key order.
     *
     * @throws TorchException if the file is not a PyTorch checkpoint, is damaged or truncated, names a global
     *         outside the allowlist, holds a tensor of an unsupported dtype, or is not a flat str-to-tensor dict
     *         (any non-tensor value, such as a nested dict or an int, is rejected; use {@link #load(Path)} for
     *         general checkpoints)
     * @throws IOException if the file cannot be read
     */
    public static Map<String, Tensor> readStateDict(Path path) throws IOException {
        return toStateDict(load(path), quote(path));
    }

    /** {@link #readStateDict(Path)} from a stream (read to its end, not closed). */
    public static Map<String, Tensor> readStateDict(InputStream in) throws IOException {
        return toStateDict(load(in), "the input stream");
    }

    /**
     * Loads any object saved with {@code torch.save} whose pickle uses only the allowlisted globals (the rules of
     * PyTorch's {@code weights_only=True}), e.g. a checkpoint {@code {"model": ..., "optimizer": ..., "epoch": 3}}.
     * Python values become: tensor {@link Tensor}; dict and OrderedDict {@link LinkedHashMap} (key order kept);
     * list {@link ArrayList}; tuple and torch.Size an unmodifiable {@link List}; set a {@link java.util.Set}; str
     * {@link String}; int {@link Long} (or {@link java.math.BigInteger} beyond 64 bits); float {@link Double};
     * bool {@link Boolean}; None {@code null}; bytes {@code byte[]}; torch.device its {@link String} ("cpu",
     * "cuda:0"); a dtype a {@link Global} ("torch.float64"); a bare typed storage an engine {@link Storage} (a
     * bare {@code torch.UntypedStorage} stays an opaque placeholder). Python attributes set by BUILD (such as a
     * state dict's {@code _metadata}) are dropped.
     */
    public static Object load(Path path) throws IOException {
        String where = quote(path);
        try (ZipReader.FileSource src = new ZipReader.FileSource(path)) {
            return load(src, where);
        }
    }

    /** {@link #load(Path)} from a stream (read to its end and held in memory; not closed). */
    public static Object load(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        try (ZipReader.MemorySource src = new ZipReader.MemorySource(in)) {
            return load(src, "the input stream");
        }
    }

    private static Object load(ZipReader.Source src, String where) throws IOException {
        checkMagic(src, where);
        try (ZipReader zip = ZipReader.open(src, where)) {
            return CheckpointReader.load(zip, where);
        }
    }

    private static void checkMagic(ZipReader.Source src, String where) throws IOException {
        long size = src.size();
        if (size == 0) throw TorchException.runtime(where + " is empty, not a PyTorch checkpoint");
        byte[] head = new byte[(int) Math.min(4, size)];
        src.read(0, head, 0, head.length);
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
        if ((head[0] & 0xFF) == 0x80)
            throw TorchException.runtime(where + " is in the legacy torch.save format of PyTorch before 1.6 (not a zip "
                    + "archive), which jtorch does not read; re-save it with PyTorch 1.6 or later: "
                    + "torch.save(torch.load(path), path)");
        throw TorchException.runtime(where + " is not a PyTorch checkpoint (it does not start with a zip header); "
                + "the file is damaged or of another kind");
    }

    private static Map<String, Tensor> toStateDict(Object obj, String where) {
        if (!(obj instanceof Map<?, ?> m))
            throw TorchException.runtime(where + " holds a " + Unpickler.typeName(obj) + ", not a state dict (a dict of str to "
                    + "tensor); use PtFile.load for other objects");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k))
                throw TorchException.runtime(where + " is not a state dict: key " + e.getKey() + " is a "
                        + Unpickler.typeName(e.getKey()) + ", not a str");
            if (!(e.getValue() instanceof Tensor t))
                throw TorchException.runtime(where + " is not a flat state dict: the value of '" + k + "' is a "
                        + Unpickler.typeName(e.getValue()) + ", not a tensor; use PtFile.load to read general checkpoints");
            out.put(k, t);
        }
        return out;
    }

    private static String quote(Path p) { return "'" + p + "'"; }

    // ================================================================ writing

    /**
     * Writes a state dict to path in PyTorch's format (see the class comment), atomically: the previous file, if
     * any, is replaced only once the new one is complete and on disk. A symbolic link is followed (its target is
     * replaced); a new file gets permissions rw-r--r--, a replaced one keeps its own.
     *
     * @throws TorchException if a key or tensor is null or a tensor does not fit its storage
     * @throws IOException if the file cannot be written (nothing is changed then)
     */
    public static void writeStateDict(Map<String, Tensor> stateDict, Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Plan plan = plan(stateDict); // everything is checked before any file is touched
        Path target = path;
        if (Files.isSymbolicLink(target)) target = target.toRealPath();
        target = target.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new NoSuchFileException(String.valueOf(dir), null, "parent directory does not exist");
        if (Files.isDirectory(target)) throw new FileSystemException(target.toString(), null, "is a directory");
        String file = target.getFileName().toString();
        Path tmp = Files.createTempFile(dir, "." + file + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                write(plan, archiveName(file), os);
                os.flush();
                ch.force(true);
            }
            setPermissions(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) { // make the rename durable
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory
        }
    }

    /**
     * Writes a state dict to a stream in PyTorch's format, with the folder name "archive" (as torch.save does for
     * file objects). The stream is flushed, not closed.
     */
    public static void writeStateDict(Map<String, Tensor> stateDict, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        Plan plan = plan(stateDict);
        write(plan, "archive", out);
        out.flush();
    }

    /** A stored storage: its key and element type. */
    private record StorageRec(String key, Storage storage, FileDType type) {}

    private record Plan(byte[] pickle, List<StorageRec> storages) {}

    /** Checks the tensors, numbers the storages and pickles the dict. */
    private static Plan plan(Map<String, Tensor> stateDict) {
        Objects.requireNonNull(stateDict, "stateDict");
        IdentityHashMap<Storage, StorageRec> keys = new IdentityHashMap<>();
        List<StorageRec> order = new ArrayList<>();
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(stateDict.size());
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            if (k == null) throw TorchException.value("cannot save a state dict with a null key");
            if (t == null) throw TorchException.value("cannot save a state dict: the value of '" + k + "' is null");
            if (!t.device.type().equals("cpu")) t = t.to(Device.CPU); // copied on its own: sharing with other tensors is lost
            checkFits(k, t);
            if (!keys.containsKey(t.storage)) {
                StorageRec r = new StorageRec(Integer.toString(order.size()), t.storage, FileDType.of(t.dtype));
                keys.put(t.storage, r);
                order.add(r);
            }
            items.add(Map.entry(k, t));
        }
        PickleWriter p = new PickleWriter();
        p.global("collections", "OrderedDict");
        p.tupleOf(0);
        p.op('R');
        for (int start = 0; start < items.size(); start += SETITEMS_BATCH) {
            int end = Math.min(items.size(), start + SETITEMS_BATCH);
            if (end - start > 1) p.mark();
            for (int i = start; i < end; i++) {
                p.str(items.get(i).getKey(), false);
                tensor(p, items.get(i).getValue(), keys.get(items.get(i).getValue().storage));
            }
            p.op(end - start > 1 ? 'u' : 's');
        }
        p.stop();
        List<StorageRec> sorted = new ArrayList<>(order);
        sorted.sort((a, b) -> a.key().compareTo(b.key())); // PyTorch writes the records in sorted key order
        return new Plan(p.toByteArray(), sorted);
    }

    private static void checkFits(String k, Tensor t) {
        int[] shape = t.shapeRef(), strides = t.stridesRef();
        if (strides.length != shape.length)
            throw TorchException.runtime("cannot save '" + k + "': shape and strides differ in length");
        long last = t.offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) throw TorchException.runtime("cannot save '" + k + "': negative size or stride");
            if (shape[i] == 0) empty = true;
            else last += (long) (shape[i] - 1) * strides[i];
        }
        if (t.offset < 0 || t.offset > t.storage.size() || (!empty && last >= t.storage.size()))
            throw TorchException.runtime("cannot save '" + k + "': its view (shape " + Shape.str(shape) + ", offset " + t.offset
                    + ") does not fit its storage of " + t.storage.size() + " elements");
    }

    /** _rebuild_tensor_v2(('storage', torch.XStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict()). */
    private static void tensor(PickleWriter p, Tensor t, StorageRec r) {
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.mark();
        p.mark();
        p.str("storage", true);
        p.global("torch", r.type().storageClass);
        p.str(r.key(), false);
        p.str("cpu", true);
        p.integer(r.storage().size());
        p.op('t');
        p.op('Q');          // BINPERSID
        p.integer(t.offset);
        p.intTuple(t.shapeRef());
        p.intTuple(t.stridesRef());
        p.bool(false);      // requires_grad
        p.global("collections", "OrderedDict");
        p.tupleOf(0);
        p.op('R');          // backward_hooks = OrderedDict()
        p.op('t');
        p.op('R');
    }

    private static void write(Plan plan, String name, OutputStream out) throws IOException {
        ZipWriter z = new ZipWriter(out);
        String pre = name + "/";
        z.add(pre + "data.pkl", plan.pickle());
        z.add(pre + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (StorageRec r : plan.storages()) {
            FileDType ft = r.type();
            Storage s = r.storage();
            long crc = ft.crc(s);
            z.add(pre + "data/" + r.key(), (long) s.size() * ft.itemSize, crc, o -> {
                CRC32 again = new CRC32();
                ft.encode(s, new FilterOutputStream(o) {
                    @Override public void write(int b) throws IOException {
                        again.update(b);
                        o.write(b);
                    }

                    @Override public void write(byte[] b, int off, int len) throws IOException {
                        again.update(b, off, len);
                        o.write(b, off, len);
                    }
                });
                if (again.getValue() != crc)
                    throw new IOException("storage " + r.key() + " was modified while it was being saved");
            });
        }
        z.add(pre + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        z.finish();
    }

    /** The folder name PyTorch uses: the file name without its extension, or "archive". */
    static String archiveName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String base = dot >= 0 ? fileName.substring(0, dot) : fileName;
        if (base.isEmpty() || base.equals("..")) return "archive";
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '/' || c == '\\') return "archive";
        }
        return base;
    }

    private static void setPermissions(Path tmp, Path target) {
        PosixFileAttributeView v = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (v == null) return;
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                v.setPermissions(Files.getPosixFilePermissions(target));
            } else {
                v.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // keep the temporary file's permissions
        }
    }
}
