package dev.quantscope.format.pytorch;

/**
 * One member of a zip archive as its central directory describes it, sizes already widened by ZIP64 extras.
 *
 * @param name               the member's name, e.g. "archive/data/0"
 * @param method             compression method (0 stored, 8 deflate)
 * @param flags              general-purpose bit flags
 * @param compressedSize     bytes the member takes in the file
 * @param size               bytes once uncompressed
 * @param localHeaderOffset  where the member's local header starts in the file
 */
public record ZipEntry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {
    public static final int STORED = 0;
    public static final int DEFLATED = 8;

    public boolean stored() { return method == STORED; }

    public boolean encrypted() { return (flags & 1) != 0; }
}
