package dev.quantscope.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Bulk decoding of 16-bit floats (F16, BF16). Reading a segment one unaligned little-endian short at a time keeps
 * the JIT from vectorising the conversion; copying a tile of shorts into an array first (one bulk, byte-order
 * aware copy) leaves a plain array loop that C2 turns into vector half-to-float conversions. The values are those
 * of {@link Float#float16ToFloat} and of the BF16 bit shift, bit for bit.
 */
final class HalfWords {
    private HalfWords() {}

    /** Shorts per tile: small enough to stay in L1 next to the floats being written. */
    private static final int TILE = 2048;

    static void decodeF16(MemorySegment src, long first, float[] dst, int off, int n) {
        short[] tile = new short[Math.min(n, TILE)];
        for (int done = 0; done < n; done += tile.length) {
            int len = Math.min(tile.length, n - done);
            MemorySegment.copy(src, Layouts.I16, Math.multiplyExact(first + done, 2L), tile, 0, len);
            int at = off + done;
            for (int k = 0; k < len; k++) dst[at + k] = Float.float16ToFloat(tile[k]);
        }
    }

    static void decodeBF16(MemorySegment src, long first, float[] dst, int off, int n) {
        short[] tile = new short[Math.min(n, TILE)];
        for (int done = 0; done < n; done += tile.length) {
            int len = Math.min(tile.length, n - done);
            MemorySegment.copy(src, Layouts.I16, Math.multiplyExact(first + done, 2L), tile, 0, len);
            int at = off + done;
            for (int k = 0; k < len; k++) dst[at + k] = Float.intBitsToFloat(tile[k] << 16);
        }
    }
}
