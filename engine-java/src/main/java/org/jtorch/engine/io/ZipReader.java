package org.jtorch.engine.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.jtorch.engine.TorchException;

/**
 * A small, strict zip reader for checkpoint archives: it finds the central directory (zip64 included, which
 * PyTorch always writes), lists the entries and streams an entry's bytes with its CRC-32 checked at the end.
 * Only stored (uncompressed) entries are read, which is what PyTorch writes: that also means no record can
 * claim more bytes than the file holds (no zip bombs). Every offset and length read from the file is checked against the file size before use, so
 * a truncated or corrupt archive gives a {@link TorchException}, never an out-of-memory error or a hang.
 */
final class ZipReader implements Closeable {

    /** Random access to the archive's bytes. */
    interface Source extends Closeable {
        long size() throws IOException;

        /** Reads exactly len bytes at pos, or throws EOFException. */
        void read(long pos, byte[] b, int off, int len) throws IOException;
    }

    /** A file, read through a channel (positional reads, no memory map to leave behind). */
    static final class FileSource implements Source {
        private final FileChannel ch;

        FileSource(Path path) throws IOException { ch = FileChannel.open(path, StandardOpenOption.READ); }

        public long size() throws IOException { return ch.size(); }

        public void read(long pos, byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                int n = ch.read(bb, pos + bb.position() - off);
                if (n < 0) throw new EOFException();
            }
        }

        public void close() throws IOException { ch.close(); }
    }

    /** A whole stream held in memory in 64 MiB chunks (so archives over 2 GiB fit too). */
    static final class MemorySource implements Source {
        private static final int CHUNK = 1 << 26;
        private final List<byte[]> chunks = new ArrayList<>();
        private final long size;

        MemorySource(InputStream in) throws IOException {
            long total = 0;
            while (true) {
                byte[] c = in.readNBytes(CHUNK);
                if (c.length > 0) {
                    chunks.add(c);
                    total += c.length;
                }
                if (c.length < CHUNK) break;
            }
            size = total;
        }

        public long size() { return size; }

        public void read(long pos, byte[] b, int off, int len) throws IOException {
            if (pos < 0 || pos + len > size) throw new EOFException();
            while (len > 0) {
                byte[] c = chunks.get((int) (pos / CHUNK));
                int at = (int) (pos % CHUNK);
                int n = Math.min(len, c.length - at);
                System.arraycopy(c, at, b, off, n);
                pos += n;
                off += n;
                len -= n;
            }
        }

        public void close() { chunks.clear(); }
    }

    /** One central-directory record. */
    record Entry(String name, int method, int flags, long crc, long compressedSize, long size, long localOffset) {}

    private static final int EOCD_SIG = 0x06054b50, EOCD64_SIG = 0x06064b50, LOCATOR64_SIG = 0x07064b50;
    private static final int CEN_SIG = 0x02014b50, LOC_SIG = 0x04034b50;
    private static final long U32 = 0xFFFFFFFFL;

    private final Source src;
    private final String where;
    private final long fileSize;
    private final long cdOffset;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ZipReader(Source src, String where) throws IOException {
        this.src = src;
        this.where = where;
        this.fileSize = src.size();
        // ---- end of central directory (the comment may follow it, up to 65535 bytes)
        if (fileSize < 22) throw corrupt("the file is too short to be a zip archive (" + fileSize + " bytes)");
        int tailLen = (int) Math.min(fileSize, 22 + 65535);
        byte[] tail = new byte[tailLen];
        src.read(fileSize - tailLen, tail, 0, tailLen);
        int e = -1;
        for (int i = tailLen - 22; i >= 0; i--) {
            if (le32(tail, i) == EOCD_SIG && i + 22 + le16(tail, i + 20) <= tailLen) {
                e = i;
                break;
            }
        }
        if (e < 0) throw corrupt("no end-of-central-directory record: the archive is truncated or not a zip file");
        long eocdPos = fileSize - tailLen + e;
        long count = le16(tail, e + 10);
        long cdSize = le32u(tail, e + 12);
        long cdOff = le32u(tail, e + 16);
        long cdLimit = eocdPos;
        // ---- zip64: a locator just before the EOCD points to the zip64 EOCD record
        if (eocdPos >= 20) {
            byte[] loc = new byte[20];
            src.read(eocdPos - 20, loc, 0, 20);
            if (le32(loc, 0) == LOCATOR64_SIG) {
                long e64 = le64(loc, 8);
                if (e64 < 0 || e64 + 56 > eocdPos - 20) throw corrupt("bad zip64 end-of-central-directory locator");
                byte[] r = new byte[56];
                src.read(e64, r, 0, 56);
                if (le32(r, 0) != EOCD64_SIG) throw corrupt("zip64 end-of-central-directory record not found");
                count = le64(r, 32);
                cdSize = le64(r, 40);
                cdOff = le64(r, 48);
                cdLimit = e64;
            } else if (count == 0xFFFF || cdSize == U32 || cdOff == U32) {
                throw corrupt("zip64 archive without a zip64 end-of-central-directory locator");
            }
        }
        if (cdOff < 0 || cdSize < 0 || cdOff + cdSize > cdLimit)
            throw corrupt("the central directory lies outside the file (truncated archive?)");
        if (cdSize > Integer.MAX_VALUE - 16) throw corrupt("central directory too large (" + cdSize + " bytes)");
        if (count < 0 || count > cdSize / 46) throw corrupt("bad entry count " + count + " in the central directory");
        this.cdOffset = cdOff;
        byte[] cd = new byte[(int) cdSize];
        src.read(cdOff, cd, 0, cd.length);
        // ---- central directory records
        int p = 0;
        for (long k = 0; k < count; k++) {
            if (p + 46 > cd.length || le32(cd, p) != CEN_SIG) throw corrupt("bad central directory record #" + k);
            int flags = le16(cd, p + 8), method = le16(cd, p + 10);
            long crc = le32u(cd, p + 16), csize = le32u(cd, p + 20), usize = le32u(cd, p + 24);
            int nlen = le16(cd, p + 28), xlen = le16(cd, p + 30), clen = le16(cd, p + 32);
            long off = le32u(cd, p + 42);
            int next = p + 46 + nlen + xlen + clen;
            if (next > cd.length) throw corrupt("central directory record #" + k + " overruns the directory");
            String name = new String(cd, p + 46, nlen, StandardCharsets.UTF_8);
            // zip64 extra field: the 8-byte values of the fields whose 32-bit value is 0xFFFFFFFF, in this order
            if (usize == U32 || csize == U32 || off == U32) {
                int x = p + 46 + nlen, xend = x + xlen;
                boolean found = false;
                while (x + 4 <= xend) {
                    int id = le16(cd, x), sz = le16(cd, x + 2);
                    if (x + 4 + sz > xend) break;
                    if (id == 0x0001) {
                        int q = x + 4, qend = q + sz;
                        if (usize == U32) { if (q + 8 > qend) throw corrupt("short zip64 field for " + name); usize = le64(cd, q); q += 8; }
                        if (csize == U32) { if (q + 8 > qend) throw corrupt("short zip64 field for " + name); csize = le64(cd, q); q += 8; }
                        if (off == U32) { if (q + 8 > qend) throw corrupt("short zip64 field for " + name); off = le64(cd, q); }
                        found = true;
                        break;
                    }
                    x += 4 + sz;
                }
                if (!found) throw corrupt("entry " + name + " needs a zip64 extra field but has none");
            }
            if (usize < 0 || csize < 0 || off < 0 || off >= cdOff)
                throw corrupt("entry " + name + " has an impossible size or offset");
            if (entries.putIfAbsent(name, new Entry(name, method, flags, crc, csize, usize, off)) != null)
                throw corrupt("duplicate entry " + name);
            p = next;
        }
    }

    static ZipReader open(Source src, String where) throws IOException {
        return new ZipReader(src, where);
    }

    Map<String, Entry> entries() { return Collections.unmodifiableMap(entries); }

    Entry get(String name) { return entries.get(name); }

    /** The whole entry (for the small records: data.pkl, version, byteorder), at most maxSize bytes. */
    byte[] readAll(Entry e, int maxSize) throws IOException {
        if (e.size() > maxSize) throw corrupt("entry " + e.name() + " is too large (" + e.size() + " bytes)");
        try (InputStream in = open(e)) {
            return in.readAllBytes();
        }
    }

    /**
     * A stream of the entry's uncompressed bytes; at its end the size and the CRC-32 are checked against the
     * central directory, and a mismatch throws a TorchException (corrupt file).
     */
    InputStream open(Entry e) throws IOException {
        if ((e.flags() & 1) != 0) throw corrupt("entry " + e.name() + " is encrypted");
        if (e.method() != 0)
            throw TorchException.runtime("cannot read " + where + ": entry " + e.name() + " is compressed (zip method "
                    + e.method() + "); PyTorch writes checkpoints uncompressed, and only such archives are read "
                    + "(re-save the file with torch.save)");
        byte[] loc = new byte[30];
        if (e.localOffset() + 30 > fileSize) throw corrupt("local header of " + e.name() + " lies outside the file");
        src.read(e.localOffset(), loc, 0, 30);
        if (le32(loc, 0) != LOC_SIG) throw corrupt("bad local header for " + e.name());
        long start = e.localOffset() + 30 + le16(loc, 26) + le16(loc, 28);
        if (start + e.compressedSize() > cdOffset)
            throw corrupt("the data of " + e.name() + " runs past the end of the archive's data (truncated file?)");
        if (e.method() == 0 && e.compressedSize() != e.size())
            throw corrupt("stored entry " + e.name() + " has different compressed and uncompressed sizes");
        return new CheckedStream(new RangeStream(start, e.compressedSize()), e);
    }

    @Override public void close() throws IOException { src.close(); }

    private TorchException corrupt(String msg) {
        return TorchException.runtime("PyTorch checkpoint " + where + " is corrupt or truncated: " + msg);
    }

    // ------------------------------------------------------------------ streams

    private final class RangeStream extends InputStream {
        private long pos;
        private final long end;

        RangeStream(long start, long len) { pos = start; end = start + len; }

        @Override public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int n = (int) Math.min(len, end - pos);
            try {
                src.read(pos, b, off, n);
            } catch (EOFException x) {
                throw corrupt("unexpected end of file");
            }
            pos += n;
            return n;
        }
    }

    private final class CheckedStream extends InputStream {
        private final InputStream in;
        private final Entry e;
        private final CRC32 crc = new CRC32();
        private long count;
        private boolean checked;

        CheckedStream(InputStream in, Entry e) { this.in = in; this.e = e; }

        @Override public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            long left = e.size() - count;
            if (left <= 0) {
                check();
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                check();
                return -1;
            }
            crc.update(b, off, n);
            count += n;
            if (count == e.size()) check();
            return n;
        }

        private void check() {
            if (checked) return;
            checked = true;
            if (count != e.size())
                throw corrupt("entry " + e.name() + " has " + count + " bytes, the directory says " + e.size());
            if (crc.getValue() != e.crc())
                throw corrupt("CRC-32 mismatch in entry " + e.name() + " (the data is damaged)");
        }

        @Override public void close() throws IOException { in.close(); }
    }

    // ------------------------------------------------------------------ little-endian fields

    static int le16(byte[] b, int i) { return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8; }

    static int le32(byte[] b, int i) { return le16(b, i) | le16(b, i + 2) << 16; }

    static long le32u(byte[] b, int i) { return le32(b, i) & U32; }

    static long le64(byte[] b, int i) { return le32u(b, i) | (long) le32(b, i + 4) << 32; }
}
