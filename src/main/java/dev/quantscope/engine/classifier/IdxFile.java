package dev.quantscope.engine.classifier;

import dev.quantscope.format.ModelFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One IDX file (the format of MNIST and Fashion-MNIST), plain or gzipped: unsigned bytes with {@code dims} sizes.
 * The header is two zero bytes, the type code 0x08 (unsigned byte, the only type these data sets use), the number
 * of dimensions, then each size as a big-endian 32-bit integer.
 */
record IdxFile(Path file, int[] dims, byte[] data) {

    /** Larger than any data set this app reads in memory (60,000 28×28 images are 47 MB). */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    static IdxFile read(Path file, int expectedDims, String kind) throws IOException {
        byte[] bytes = readMaybeGzipped(file);
        if (bytes.length < 4) throw ModelFormatException.ofFile(file, "not an IDX " + kind + " file (only " + bytes.length + " bytes)");
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw ModelFormatException.ofFile(file, "not an IDX " + kind + " file (it does not start with the IDX magic 00 00 08 0" + expectedDims + ")");
        }
        if (bytes[2] != 0x08) {
            throw ModelFormatException.ofFile(file, "an IDX file of element type 0x" + Integer.toHexString(bytes[2] & 0xff) + ", not unsigned bytes (0x08)");
        }
        int n = bytes[3] & 0xff;
        if (n != expectedDims) {
            throw ModelFormatException.ofFile(file, "an IDX file of " + n + " dimensions, where " + kind + " have " + expectedDims
                    + (expectedDims == 3 ? " (count, rows, columns)" : " (count)"));
        }
        int header = 4 + 4 * n;
        if (bytes.length < header) throw ModelFormatException.ofFile(file, "the IDX header is cut short (" + bytes.length + " bytes)");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[n];
        long elements = 1;
        for (int i = 0; i < n; i++) {
            dims[i] = b.getInt(4 + 4 * i);
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) throw ModelFormatException.ofFile(file, "IDX dimension " + i + " is " + dims[i]);
            elements = Math.multiplyExact(elements, dims[i]);
        }
        long expected = Math.addExact(header, elements);
        if (bytes.length < expected) {
            throw ModelFormatException.ofFile(file, "the IDX file is truncated: its header promises " + elements
                    + " bytes of data, but only " + (bytes.length - header) + " follow");
        }
        if (bytes.length > expected) {
            throw ModelFormatException.ofFile(file, "the IDX file has " + (bytes.length - expected) + " bytes after the data its header describes");
        }
        byte[] data = new byte[Math.toIntExact(elements)];
        System.arraycopy(bytes, header, data, 0, data.length);
        return new IdxFile(file, dims, data);
    }

    private static byte[] readMaybeGzipped(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw.markSupported() ? raw : new java.io.BufferedInputStream(raw);
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try (GZIPInputStream gz = new GZIPInputStream(in, 1 << 16)) {
                    return readCapped(file, gz);
                } catch (ZipException | java.io.EOFException e) {
                    throw ModelFormatException.ofFile(file, "the gzip stream is damaged or cut short");
                }
            }
            return readCapped(file, in);
        }
    }

    private static byte[] readCapped(Path file, InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            total += r;
            if (total > MAX_BYTES) throw ModelFormatException.ofFile(file, "larger than the 2 GB an IDX data set may hold in memory");
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }
}
