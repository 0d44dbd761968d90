package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_mxfp4 (OCP microscaling FP4): 32 weights in 17 bytes, a power-of-two scale and FP4 E2M1 codes.
 * <pre>
 *   0  uint8_t e       E8M0 exponent of the block scale
 *   1  uint8_t qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
 * </pre>
 * ggml stores the E2M1 values doubled as integers and halves the scale instead:
 * weight = GRID[q] * 2^(e - 128), with the scale's two smallest exponents as float subnormals.
 */
final class BlockMXFP4 extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 17, E = 0, QS = 1;

    /** ggml's kvalues_mxfp4: twice the E2M1 values, so that they are integers. */
    static final int[] GRID = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    BlockMXFP4() { super(DType.MXFP4); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = halfScale(u8(s, at + E));
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + QS + j);
            y[o + j] = GRID[q & 0xF] * d;
            y[o + j + 16] = GRID[q >>> 4] * d;
        }
    }

    /**
     * Half of the E8M0 scale 2^(e-127), built from its bits like ggml does: e = 0 and 1 give the subnormals
     * 2^-128 and 2^-127; 0xFF (NaN in E8M0) is not special-cased by ggml and gives 2^127.
     */
    static float halfScale(int e) {
        int bits = e < 2 ? 0x00200000 << e : (e - 1) << 23;
        return Float.intBitsToFloat(bits);
    }
}
