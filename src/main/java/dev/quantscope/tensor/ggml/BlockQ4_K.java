package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q4_K: 256 weights in 144 bytes: 8 groups of 32 weights, each with a 6-bit scale and a 6-bit min.
 * <pre>
 *    0  ggml_half d           super-block scale of the group scales
 *    2  ggml_half dmin        super-block scale of the group mins
 *    4  uint8_t   scales[12]  8 scales and 8 mins, 6 bits each, see {@link #scale} and {@link #min}
 *   16  uint8_t   qs[128]     4-bit codes: each run of 32 bytes holds group 2c in its low nibbles, 2c+1 in its high
 * </pre>
 * Weight = (d * scale) * q - (dmin * min): ggml computes both products first, then one multiply and one
 * subtraction per weight, each rounded.
 */
final class BlockQ4_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 144, D = 0, DMIN = 2, SCALES = 4, QS = 16;

    BlockQ4_K() { super(DType.Q4_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        float dmin = half(s, at + DMIN);
        long scales = at + SCALES;
        for (int c = 0; c < 4; c++) {
            float d1 = d * scale(s, scales, 2 * c);
            float m1 = dmin * min(s, scales, 2 * c);
            float d2 = d * scale(s, scales, 2 * c + 1);
            float m2 = dmin * min(s, scales, 2 * c + 1);
            long q = at + QS + 32L * c;
            for (int l = 0; l < 32; l++) {
                int b = u8(s, q + l);
                y[o + l] = d1 * (b & 0xF) - m1;
                y[o + 32 + l] = d2 * (b >>> 4) - m2;
            }
            o += 64;
        }
    }

    /**
     * Scale of group {@code g} (0..7) in the 12-byte packing shared by Q4_K and Q5_K: groups 0..3 use the low
     * 6 bits of bytes 0..3; groups 4..7 take their low 4 bits from the low nibble of byte g + 4 and their top 2
     * bits from the top of byte g - 4.
     */
    static int scale(MemorySegment s, long scales, int g) {
        if (g < 4) return u8(s, scales + g) & 63;
        return (u8(s, scales + g + 4) & 0xF) | (u8(s, scales + g - 4) >>> 6) << 4;
    }

    /**
     * Min of group {@code g} (0..7): groups 0..3 use the low 6 bits of bytes 4..7; groups 4..7 take their low 4
     * bits from the high nibble of byte g + 4 and their top 2 bits from the top of byte g.
     */
    static int min(MemorySegment s, long scales, int g) {
        if (g < 4) return u8(s, scales + g + 4) & 63;
        return (u8(s, scales + g + 4) >>> 4) | (u8(s, scales + g) >>> 6) << 4;
    }
}
