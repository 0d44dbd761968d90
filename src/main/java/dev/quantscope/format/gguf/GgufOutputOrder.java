package dev.quantscope.format.gguf;

import java.util.Comparator;

/**
 * The order in which llama.cpp's model loader lists a model's weights, and so the order of the tensors in every file
 * llama-quantize writes: tensors outside the blocks first ("blk.N." yields no layer, counted as -1), then block by
 * block in numeric order (blk.2 before blk.10), each group sorted by name, byte by byte.
 */
public final class GgufOutputOrder {
    private GgufOutputOrder() {}

    public static final Comparator<String> LLAMA_QUANTIZE =
            Comparator.comparingLong(GgufOutputOrder::blockNumber).thenComparing(GgufOutputOrder::compareBytes);

    /** The N of a name starting "blk.N." (what sscanf("blk.%d.") yields), or -1 for a tensor outside the blocks. */
    public static long blockNumber(String name) {
        if (!name.startsWith("blk.")) return -1;
        int i = 4;
        int start = i;
        if (i < name.length() && (name.charAt(i) == '-' || name.charAt(i) == '+')) i++;
        int digits = i;
        while (i < name.length() && Character.isDigit(name.charAt(i)) && name.charAt(i) < 128) i++;
        if (i == digits || i - digits > 9) return -1;
        return Long.parseLong(name.substring(start, i));
    }

    /** std::string's operator&lt;: unsigned byte-wise comparison of the UTF-8 bytes. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
