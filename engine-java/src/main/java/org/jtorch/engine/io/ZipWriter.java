package org.jtorch.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a zip archive the way PyTorch's {@code PyTorchStreamWriter} does: every entry stored (no
 * compression), its data starting at a multiple of 64 bytes thanks to an "FB" padding field in the local
 * header (filled with 'Z'), a fixed 1980-01-01 timestamp, and zip64 records where a size or an offset needs
 * them. Unlike PyTorch, the CRC and the sizes go into the local header (the caller supplies them), so there
 * are no data descriptors and any zip reader, streaming ones included, can read the archive.
 */
final class ZipWriter {
    static final int ALIGN = 64;
    private static final long U32 = 0xFFFFFFFFL;
    /** MS-DOS date 1980-01-01 00:00 (day 1, month 1, year 0). */
    private static final int DOS_DATE = (1 << 5) | 1, DOS_TIME = 0;

    /** Writes an entry's bytes; called once. */
    @FunctionalInterface
    interface Body { void writeTo(OutputStream out) throws IOException; }

    private record Written(byte[] name, long crc, long size, long offset) {}

    private final OutputStream out;
    private long pos;
    private final List<Written> written = new ArrayList<>();

    ZipWriter(OutputStream out) { this.out = out; }

    void add(String name, byte[] data) throws IOException {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(data);
        add(name, data.length, c.getValue(), o -> o.write(data));
    }

    /** Adds a stored entry whose size and CRC-32 the caller has computed; body must write exactly size bytes. */
    void add(String name, long size, long crc, Body body) throws IOException {
        byte[] nb = name.getBytes(StandardCharsets.UTF_8);
        boolean zip64 = size >= U32 || pos >= U32;
        int z64len = zip64 ? 4 + 16 : 0; // local zip64 field: uncompressed and compressed sizes
        long dataStart = pos + 30 + nb.length + z64len + 4;
        int pad = (int) ((ALIGN - dataStart % ALIGN) % ALIGN);
        byte[] h = new byte[30 + nb.length + z64len + 4 + pad];
        put32(h, 0, 0x04034b50);
        put16(h, 4, zip64 ? 45 : 20);                 // version needed
        put16(h, 6, 0x0800);                          // flags: names are UTF-8
        put16(h, 8, 0);                               // stored
        put16(h, 10, DOS_TIME);
        put16(h, 12, DOS_DATE);
        put32(h, 14, (int) crc);
        put32(h, 18, (int) (zip64 ? U32 : size));
        put32(h, 22, (int) (zip64 ? U32 : size));
        put16(h, 26, nb.length);
        put16(h, 28, z64len + 4 + pad);
        System.arraycopy(nb, 0, h, 30, nb.length);
        int x = 30 + nb.length;
        if (zip64) {
            put16(h, x, 0x0001);
            put16(h, x + 2, 16);
            put64(h, x + 4, size);
            put64(h, x + 12, size);
            x += z64len;
        }
        put16(h, x, 0x4246);                          // "FB": PyTorch's alignment padding field
        put16(h, x + 2, pad);
        for (int i = 0; i < pad; i++) h[x + 4 + i] = 'Z';
        long offset = pos;
        write(h);
        CountingStream cs = new CountingStream(out);
        body.writeTo(cs);
        if (cs.count != size)
            throw new IOException("zip entry " + name + ": wrote " + cs.count + " bytes, announced " + size);
        pos += size;
        written.add(new Written(nb, crc, size, offset));
    }

    /** Writes the central directory and the end records; does not close the stream. */
    void finish() throws IOException {
        long cdStart = pos;
        for (Written w : written) {
            boolean bigSize = w.size >= U32, bigOff = w.offset >= U32;
            int z = (bigSize ? 16 : 0) + (bigOff ? 8 : 0);
            int xlen = z == 0 ? 0 : 4 + z;
            byte[] h = new byte[46 + w.name.length + xlen];
            put32(h, 0, 0x02014b50);
            put16(h, 4, 45);                          // made by (MS-DOS attributes), version 4.5
            put16(h, 6, z == 0 ? 20 : 45);
            put16(h, 8, 0x0800);
            put16(h, 10, 0);
            put16(h, 12, DOS_TIME);
            put16(h, 14, DOS_DATE);
            put32(h, 16, (int) w.crc);
            put32(h, 20, (int) (bigSize ? U32 : w.size));
            put32(h, 24, (int) (bigSize ? U32 : w.size));
            put16(h, 28, w.name.length);
            put16(h, 30, xlen);
            put32(h, 42, (int) (bigOff ? U32 : w.offset));
            System.arraycopy(w.name, 0, h, 46, w.name.length);
            if (z > 0) {
                int x = 46 + w.name.length;
                put16(h, x, 0x0001);
                put16(h, x + 2, z);
                x += 4;
                if (bigSize) { put64(h, x, w.size); put64(h, x + 8, w.size); x += 16; }
                if (bigOff) put64(h, x, w.offset);
            }
            write(h);
        }
        long cdSize = pos - cdStart;
        int n = written.size();
        if (n >= 0xFFFF || cdStart >= U32 || cdSize >= U32) {
            long eocd64 = pos;
            byte[] r = new byte[56 + 20];
            put32(r, 0, 0x06064b50);
            put64(r, 4, 44);                          // size of the rest of the record
            put16(r, 12, 45);
            put16(r, 14, 45);
            put64(r, 24, n);
            put64(r, 32, n);
            put64(r, 40, cdSize);
            put64(r, 48, cdStart);
            put32(r, 56, 0x07064b50);                 // locator
            put64(r, 64, eocd64);
            put32(r, 72, 1);
            write(r);
        }
        byte[] e = new byte[22];
        put32(e, 0, 0x06054b50);
        put16(e, 8, Math.min(n, 0xFFFF));
        put16(e, 10, Math.min(n, 0xFFFF));
        put32(e, 12, (int) Math.min(cdSize, U32));
        put32(e, 16, (int) Math.min(cdStart, U32));
        write(e);
        out.flush();
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        pos += b.length;
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); count++; }

        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); count += len; }

        @Override public void flush() throws IOException { out.flush(); }

        @Override public void close() { /* the archive's stream stays open */ }
    }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) v; b[i + 1] = (byte) (v >>> 8); }

    static void put32(byte[] b, int i, int v) { put16(b, i, v); put16(b, i + 2, v >>> 16); }

    static void put64(byte[] b, int i, long v) { put32(b, i, (int) v); put32(b, i + 4, (int) (v >>> 32)); }
}
