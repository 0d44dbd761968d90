package dev.quantscope.format.pytorch;

import dev.quantscope.format.ByteCursor;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a zip archive read straight from a memory-mapped file, so that stored members (PyTorch's
 * storages) can be viewed in place without copying. Handles ZIP64 (archives and members over 4 GB). Every offset
 * and size is checked against the file before it is used.
 */
public final class ZipArchive {
    static final int EOCD_SIG = 0x06054b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50;
    static final int CENTRAL_SIG = 0x02014b50;
    static final int LOCAL_SIG = 0x04034b50;
    static final int EOCD_BYTES = 22;
    static final int CENTRAL_BYTES = 46;
    static final int LOCAL_BYTES = 30;
    /** Members we agree to inflate into memory: the pickle and small records, never storages. */
    static final long MAX_INFLATED_BYTES = 64L << 20;

    private final Path file;
    private final MemorySegment seg;
    private final long centralOffset;
    private final Map<String, ZipEntry> entries;

    private ZipArchive(Path file, MemorySegment seg, long centralOffset, Map<String, ZipEntry> entries) {
        this.file = file;
        this.seg = seg;
        this.centralOffset = centralOffset;
        this.entries = entries;
    }

    /** Members in central-directory order. */
    public List<ZipEntry> entries() { return List.copyOf(entries.values()); }

    public Optional<ZipEntry> entry(String name) { return Optional.ofNullable(entries.get(name)); }

    public static ZipArchive read(Path file, MemorySegment seg) throws ModelFormatException {
        ByteCursor in = new ByteCursor(file, seg, 0);
        long eocd = findEndRecord(in);
        in.position(eocd + 4);
        int disk = in.i16("zip end record disk number") & 0xFFFF;
        int cdDisk = in.i16("zip end record central directory disk") & 0xFFFF;
        long countOnDisk = in.i16("zip end record entry count on disk") & 0xFFFF;
        long count = in.i16("zip end record entry count") & 0xFFFF;
        long cdSize = in.u32("zip end record central directory size");
        long cdOffset = in.u32("zip end record central directory offset");
        long cdLimit = eocd;

        // ZIP64: the locator sits just before the classic end record; PyTorch writes it for archives over 4 GB.
        if (eocd >= 20 && seg.get(Layouts.I32, eocd - 20) == ZIP64_LOCATOR_SIG) {
            in.position(eocd - 16);
            long z64Disk = in.u32("zip64 locator disk");
            long z64Offset = in.u64AsLong("zip64 locator end record offset");
            long disks = in.u32("zip64 locator disk count");
            if (z64Disk != 0 || disks > 1) throw in.error("zip64 locator", eocd - 20, "multi-disk archives are not supported");
            if (z64Offset > eocd - 20 - 56) throw in.error("zip64 locator end record offset", eocd - 12, "points past the locator (" + z64Offset + ")");
            in.position(z64Offset);
            if (in.i32("zip64 end record signature") != ZIP64_EOCD_SIG) {
                throw in.error("zip64 end record signature", z64Offset, "missing (corrupt ZIP64 archive)");
            }
            in.skip(8 + 2 + 2, "zip64 end record header");
            disk = (int) in.u32("zip64 end record disk number");
            cdDisk = (int) in.u32("zip64 end record central directory disk");
            countOnDisk = in.u64AsLong("zip64 end record entry count on disk");
            count = in.u64AsLong("zip64 end record entry count");
            cdSize = in.u64AsLong("zip64 end record central directory size");
            cdOffset = in.u64AsLong("zip64 end record central directory offset");
            cdLimit = z64Offset;
        } else if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            throw in.error("zip end record", eocd, "says ZIP64 but the ZIP64 locator is missing (truncated?)");
        }
        if (disk != 0 || cdDisk != 0 || countOnDisk != count) {
            throw in.error("zip end record", eocd, "multi-disk archives are not supported");
        }
        if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw in.error("zip central directory", eocd, "offset " + cdOffset + " plus size " + cdSize
                    + " runs past the end record at " + cdLimit + " (truncated?)");
        }
        if (count > cdSize / CENTRAL_BYTES) {
            throw in.error("zip entry count", eocd, count + " entries cannot fit in a central directory of " + cdSize + " bytes");
        }

        Map<String, ZipEntry> entries = new LinkedHashMap<>();
        in.position(cdOffset);
        long cdEnd = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            ZipEntry e = centralEntry(in, i, cdEnd);
            if (entries.putIfAbsent(e.name(), e) != null) {
                throw in.error("zip entry '" + e.name() + "'", -1, "the name appears twice");
            }
        }
        return new ZipArchive(file, seg, cdOffset, Collections.unmodifiableMap(entries));
    }

    /** The classic end record: its comment must reach exactly to the end of the file. */
    private static long findEndRecord(ByteCursor in) throws ModelFormatException {
        MemorySegment seg = in.segment();
        long size = seg.byteSize();
        if (size < EOCD_BYTES) throw in.error("zip end record", 0, "file of " + size + " bytes is too short to be a zip archive");
        long lowest = Math.max(0, size - EOCD_BYTES - 0xFFFF);
        for (long p = size - EOCD_BYTES; p >= lowest; p--) {
            if (seg.get(Layouts.I32, p) == EOCD_SIG) {
                int commentLen = seg.get(Layouts.I16, p + 20) & 0xFFFF;
                if (p + EOCD_BYTES + commentLen == size) return p;
            }
        }
        throw in.error("zip end record", size, "no end-of-central-directory record found (truncated or not a zip archive)");
    }

    private static ZipEntry centralEntry(ByteCursor in, long index, long cdEnd) throws ModelFormatException {
        long at = in.position();
        String field = "zip central directory entry #" + index;
        if (CENTRAL_BYTES > cdEnd - at) throw in.error(field, at, "runs past the end of the central directory");
        if (in.i32(field + " signature") != CENTRAL_SIG) throw in.error(field, at, "bad signature (corrupt central directory)");
        in.skip(4, field);
        int flags = in.i16(field + " flags") & 0xFFFF;
        int method = in.i16(field + " method") & 0xFFFF;
        in.skip(8, field);
        long csize = in.u32(field + " compressed size");
        long usize = in.u32(field + " size");
        int nameLen = in.i16(field + " name length") & 0xFFFF;
        int extraLen = in.i16(field + " extra length") & 0xFFFF;
        int commentLen = in.i16(field + " comment length") & 0xFFFF;
        int diskStart = in.i16(field + " disk") & 0xFFFF;
        in.skip(6, field);
        long localOffset = in.u32(field + " local header offset");
        if ((long) nameLen + extraLen + commentLen > cdEnd - in.position()) {
            throw in.error(field, at, "name, extra and comment run past the end of the central directory");
        }
        String name = new String(in.bytes(nameLen, field + " name"), StandardCharsets.UTF_8);
        field = "zip entry '" + name + "'";
        long extraEnd = in.position() + extraLen;
        while (in.position() + 4 <= extraEnd) {
            int id = in.i16(field + " extra id") & 0xFFFF;
            int len = in.i16(field + " extra length") & 0xFFFF;
            if (len > extraEnd - in.position()) throw in.error(field + " extra field", in.position() - 4, "runs past its entry");
            long next = in.position() + len;
            if (id == 0x0001) {
                // ZIP64 extended information: only the fields whose classic value is saturated, in this order.
                if (usize == 0xFFFFFFFFL) usize = zip64Field(in, next, field + " zip64 size");
                if (csize == 0xFFFFFFFFL) csize = zip64Field(in, next, field + " zip64 compressed size");
                if (localOffset == 0xFFFFFFFFL) localOffset = zip64Field(in, next, field + " zip64 local header offset");
                if (diskStart == 0xFFFF) {
                    if (next - in.position() < 4) throw in.error(field + " zip64 disk", in.position(), "missing");
                    diskStart = (int) in.u32(field + " zip64 disk");
                }
            }
            in.position(next);
        }
        in.position(extraEnd + commentLen);
        if (diskStart != 0) throw in.error(field, at, "lives on disk " + diskStart + "; multi-disk archives are not supported");
        return new ZipEntry(name, method, flags, csize, usize, localOffset);
    }

    private static long zip64Field(ByteCursor in, long limit, String field) throws ModelFormatException {
        if (limit - in.position() < 8) throw in.error(field, in.position(), "missing from the ZIP64 extra field");
        return in.u64AsLong(field);
    }

    /** Offset of a member's first data byte, after checking its local header and that its data lies in the file. */
    public long dataOffset(ZipEntry e) throws ModelFormatException {
        String field = "zip entry '" + e.name() + "'";
        ByteCursor in = new ByteCursor(file, seg, e.localHeaderOffset());
        if (e.localHeaderOffset() > centralOffset) {
            throw in.error(field + " local header", e.localHeaderOffset(), "starts inside or after the central directory");
        }
        in.need(LOCAL_BYTES, field + " local header");
        if (in.i32(field + " local header signature") != LOCAL_SIG) {
            throw in.error(field + " local header", e.localHeaderOffset(), "bad signature (corrupt archive)");
        }
        in.skip(22, field + " local header");
        int nameLen = in.i16(field + " local name length") & 0xFFFF;
        int extraLen = in.i16(field + " local extra length") & 0xFFFF;
        long start = e.localHeaderOffset() + LOCAL_BYTES + nameLen + extraLen;
        if (start > centralOffset || e.compressedSize() > centralOffset - start) {
            throw in.error(field + " data", start, e.compressedSize() + " bytes run past the start of the central directory at "
                    + centralOffset + " (truncated?)");
        }
        return start;
    }

    /** A zero-copy view of a stored member's bytes. */
    public MemorySegment storedData(ZipEntry e) throws ModelFormatException {
        long start = dataOffset(e);
        if (e.encrypted()) throw new ModelFormatException(file, "zip entry '" + e.name() + "'", start, "is encrypted");
        if (!e.stored()) {
            throw new ModelFormatException(file, "zip entry '" + e.name() + "'", start, "is compressed (method "
                    + e.method() + "); QuantScope maps tensor storages in place and needs them stored uncompressed, "
                    + "as torch.save writes them");
        }
        if (e.size() != e.compressedSize()) {
            throw new ModelFormatException(file, "zip entry '" + e.name() + "'", start,
                    "is stored but its size " + e.size() + " differs from its compressed size " + e.compressedSize());
        }
        return seg.asSlice(start, e.size());
    }

    /**
     * A small member's bytes: a view when stored, inflated into a heap array when deflated (for the pickle and
     * the version records only; storages are never inflated).
     */
    public MemorySegment smallData(ZipEntry e) throws ModelFormatException {
        if (e.stored() || e.encrypted()) return storedData(e);
        long start = dataOffset(e);
        String field = "zip entry '" + e.name() + "'";
        if (e.method() != ZipEntry.DEFLATED) {
            throw new ModelFormatException(file, field, start, "uses unsupported compression method " + e.method());
        }
        if (e.size() > MAX_INFLATED_BYTES) {
            throw new ModelFormatException(file, field, start, "is compressed and " + e.size()
                    + " bytes uncompressed, over the limit of " + MAX_INFLATED_BYTES);
        }
        byte[] out = new byte[(int) e.size()];
        ByteBuffer input = seg.asSlice(start, e.compressedSize()).asByteBuffer();
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(input);
            int n = 0;
            while (n < out.length) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) break;
                n += got;
            }
            if (n != out.length) {
                throw new ModelFormatException(file, field, start, "inflates to " + n + " bytes, expected " + out.length);
            }
            return MemorySegment.ofArray(out);
        } catch (DataFormatException bad) {
            throw new ModelFormatException(file, field, start, "corrupt DEFLATE data: " + bad.getMessage(), bad);
        } finally {
            inflater.end();
        }
    }

    /** Whether the member's bytes are file bytes (so offsets inside it map to file offsets). */
    public boolean inPlace(ZipEntry e) { return e.stored(); }
}
