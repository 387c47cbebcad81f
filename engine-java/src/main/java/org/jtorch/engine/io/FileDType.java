package org.jtorch.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

import org.jtorch.engine.DType;
import org.jtorch.engine.Storage;
import org.jtorch.engine.TorchException;

/**
 * The element types a PyTorch checkpoint can hold, with their storage class name, width on disk and the
 * engine dtype each one loads as. float16 and bfloat16 widen to float32; uint8, int8, int16 and uint16 to
 * int32; uint32 and uint64 to int64 (uint64 values of 2^63 and above wrap to negative numbers). Complex,
 * quantized, float8 and bit types have no engine dtype and are refused.
 */
enum FileDType {
    FLOAT32("float32", "FloatStorage", 4, DType.FLOAT32),
    FLOAT64("float64", "DoubleStorage", 8, DType.FLOAT64),
    FLOAT16("float16", "HalfStorage", 2, DType.FLOAT32),
    BFLOAT16("bfloat16", "BFloat16Storage", 2, DType.FLOAT32),
    INT64("int64", "LongStorage", 8, DType.INT64),
    INT32("int32", "IntStorage", 4, DType.INT32),
    INT16("int16", "ShortStorage", 2, DType.INT32),
    INT8("int8", "CharStorage", 1, DType.INT32),
    UINT8("uint8", "ByteStorage", 1, DType.INT32),
    BOOL("bool", "BoolStorage", 1, DType.BOOL),
    UINT16("uint16", null, 2, DType.INT32),
    UINT32("uint32", null, 4, DType.INT64),
    UINT64("uint64", null, 8, DType.INT64);

    /** PyTorch's dtype name (torch.&lt;name&gt;). */
    final String torchName;
    /** The typed storage class (torch.&lt;storageClass&gt;), or null where PyTorch has none. */
    final String storageClass;
    final int itemSize;
    final DType engine;

    FileDType(String torchName, String storageClass, int itemSize, DType engine) {
        this.torchName = torchName;
        this.storageClass = storageClass;
        this.itemSize = itemSize;
        this.engine = engine;
    }

    /** Storage classes and dtypes PyTorch has but the engine cannot hold: named so that the error is clear. */
    static final java.util.Set<String> UNSUPPORTED = java.util.Set.of(
            "ComplexFloatStorage", "ComplexDoubleStorage", "ComplexHalfStorage", "QInt8Storage", "QUInt8Storage",
            "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage",
            "complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf", "qint8", "quint8", "qint32",
            "quint4x2", "quint2x4", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
            "float8_e8m0fnu", "float4_e2m1fn_x2", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
            "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "int1", "int2", "int3", "int4", "int5", "int6", "int7");

    static FileDType byStorageClass(String name) {
        for (FileDType f : values()) if (name.equals(f.storageClass)) return f;
        return null;
    }

    static FileDType byTorchName(String name) {
        for (FileDType f : values()) if (f.torchName.equals(name)) return f;
        return switch (name) { // the aliases torch also has as attributes
            case "float" -> FLOAT32;
            case "double" -> FLOAT64;
            case "half" -> FLOAT16;
            case "long" -> INT64;
            case "int" -> INT32;
            case "short" -> INT16;
            default -> null;
        };
    }

    /** The file dtype that writes an engine dtype exactly. */
    static FileDType of(DType dt) {
        return switch (dt) {
            case FLOAT32 -> FLOAT32;
            case FLOAT64 -> FLOAT64;
            case INT64 -> INT64;
            case INT32 -> INT32;
            case BOOL -> BOOL;
        };
    }

    private static final int CHUNK = 1 << 20; // bytes per conversion step (a multiple of every item size)

    /** Reads numel elements from in (byte order order) into a new engine storage of dtype {@link #engine}. */
    Storage decode(InputStream in, int numel, ByteOrder order, String what) throws IOException {
        Storage st = Storage.allocate(engine, numel);
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(8, (long) numel * itemSize))];
        int done = 0;
        while (done < numel) {
            int n = Math.min(numel - done, buf.length / itemSize);
            int got = in.readNBytes(buf, 0, n * itemSize);
            if (got != n * itemSize) throw TorchException.runtime(what + " ends early: expected " + (long) numel * itemSize + " bytes");
            convertIn(buf, n, order, st, done);
            done += n;
        }
        return st;
    }

    private void convertIn(byte[] buf, int n, ByteOrder order, Storage st, int at) {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n * itemSize).order(order);
        switch (this) {
            case FLOAT32 -> bb.asFloatBuffer().get(((Storage.F32) st).a, at, n);
            case FLOAT64 -> bb.asDoubleBuffer().get(((Storage.F64) st).a, at, n);
            case INT64, UINT64 -> bb.asLongBuffer().get(((Storage.I64) st).a, at, n);
            case INT32 -> bb.asIntBuffer().get(((Storage.I32) st).a, at, n);
            case UINT32 -> {
                long[] a = ((Storage.I64) st).a;
                for (int i = 0; i < n; i++) a[at + i] = bb.getInt(4 * i) & 0xFFFFFFFFL;
            }
            case FLOAT16 -> {
                float[] a = ((Storage.F32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = Float.float16ToFloat(bb.getShort(2 * i));
            }
            case BFLOAT16 -> {
                float[] a = ((Storage.F32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = Float.intBitsToFloat((bb.getShort(2 * i) & 0xFFFF) << 16);
            }
            case INT16 -> {
                int[] a = ((Storage.I32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = bb.getShort(2 * i);
            }
            case UINT16 -> {
                int[] a = ((Storage.I32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = bb.getShort(2 * i) & 0xFFFF;
            }
            case INT8 -> {
                int[] a = ((Storage.I32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = buf[i];
            }
            case UINT8 -> {
                int[] a = ((Storage.I32) st).a;
                for (int i = 0; i < n; i++) a[at + i] = buf[i] & 0xFF;
            }
            case BOOL -> {
                boolean[] a = ((Storage.Bool) st).a;
                for (int i = 0; i < n; i++) a[at + i] = buf[i] != 0;
            }
        }
    }

    /** Writes all of an engine storage (of this file dtype's engine dtype) little-endian to out. */
    void encode(Storage st, OutputStream out) throws IOException {
        int numel = st.size();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(8, (long) numel * itemSize))];
        int done = 0;
        while (done < numel) {
            int n = Math.min(numel - done, buf.length / itemSize);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n * itemSize).order(ByteOrder.LITTLE_ENDIAN);
            switch (this) {
                case FLOAT32 -> bb.asFloatBuffer().put(((Storage.F32) st).a, done, n);
                case FLOAT64 -> bb.asDoubleBuffer().put(((Storage.F64) st).a, done, n);
                case INT64 -> bb.asLongBuffer().put(((Storage.I64) st).a, done, n);
                case INT32 -> bb.asIntBuffer().put(((Storage.I32) st).a, done, n);
                case BOOL -> {
                    boolean[] a = ((Storage.Bool) st).a;
                    for (int i = 0; i < n; i++) buf[i] = (byte) (a[done + i] ? 1 : 0);
                }
                default -> throw new IllegalStateException("no engine storage is written as " + torchName);
            }
            out.write(buf, 0, n * itemSize);
            done += n;
        }
    }

    /** The CRC-32 of what {@link #encode} writes. */
    long crc(Storage st) throws IOException {
        CRC32 crc = new CRC32();
        encode(st, new OutputStream() {
            @Override public void write(int b) { crc.update(b); }

            @Override public void write(byte[] b, int off, int len) { crc.update(b, off, len); }
        });
        return crc.getValue();
    }
}
