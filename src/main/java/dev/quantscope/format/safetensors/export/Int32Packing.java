package dev.quantscope.format.safetensors.export;

/**
 * compressed-tensors' {@code pack_to_int32}: signed codes are offset by {@code 2^(bits-1)} into
 * {@code [0, 2^bits)}, and {@code 32 / bits} consecutive codes along the packed dimension share one int32, the
 * first in the lowest bits ({@code code i} at bit {@code bits·i}). A dimension that is not a whole number of
 * int32s is padded with stored zeros (which unpack to {@code -2^(bits-1)} and are cut off by the known shape).
 * Weights pack along dimension 1 (the input features); zero points along dimension 0 (the output rows).
 */
public final class Int32Packing {
    private Int32Packing() {}

    /** Packs one row of {@code values} codes starting at {@code from} into {@code ceil(count / (32/bits))} ints. */
    public static void packRow(byte[] values, int from, int count, int bits, int[] dst, int dstOffset) {
        int factor = 32 / bits;
        int offset = 1 << (bits - 1);
        int mask = (1 << bits) - 1;
        int words = (count + factor - 1) / factor;
        for (int w = 0; w < words; w++) {
            int word = 0;
            for (int i = 0; i < factor; i++) {
                int c = w * factor + i;
                if (c >= count) break;
                word |= ((values[from + c] + offset) & mask) << (bits * i);
            }
            dst[dstOffset + w] = word;
        }
    }

    /**
     * Packs a {@code rows × columns} matrix along dimension 0: result {@code [ceil(rows / factor), columns]}, where
     * int {@code [p][c]} holds rows {@code p·factor .. p·factor + factor − 1} of column {@code c}.
     */
    public static int[] packColumns(byte[] values, int rows, int columns, int bits) {
        int factor = 32 / bits;
        int offset = 1 << (bits - 1);
        int mask = (1 << bits) - 1;
        int packedRows = (rows + factor - 1) / factor;
        int[] out = new int[Math.multiplyExact(packedRows, columns)];
        for (int r = 0; r < rows; r++) {
            int p = r / factor;
            int shift = bits * (r % factor);
            for (int c = 0; c < columns; c++) {
                out[p * columns + c] |= ((values[r * columns + c] + offset) & mask) << shift;
            }
        }
        return out;
    }
}
