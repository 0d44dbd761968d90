package dev.quantscope.format.safetensors.export;

/**
 * An integer weight scheme as compressed-tensors' {@code QuantizationArgs} describes it (type "int").
 *
 * @param bits        4 or 8 (what vLLM's pack-quantized kernels accept)
 * @param symmetric   true: no zero points; false: a zero point per group/channel
 * @param groupSize   elements of a row sharing one scale (strategy "group"), or {@link #CHANNEL} for one scale per
 *                    output row (strategy "channel")
 * @param scaleFormat the dtype of {@code weight_scale}; vLLM allocates it in the model's dtype, so it should match
 *                    config.json's {@code torch_dtype}
 */
public record PackedScheme(int bits, boolean symmetric, int groupSize, FloatFormat scaleFormat) {
    public static final int CHANNEL = -1;

    public PackedScheme {
        if (bits != 4 && bits != 8) throw new IllegalArgumentException("pack-quantized takes 4 or 8 bits, not " + bits);
        if (groupSize != CHANNEL && groupSize <= 0) throw new IllegalArgumentException("group size " + groupSize);
    }

    /** Codes per int32. */
    public int packFactor() { return 32 / bits; }

    /** Smallest code: compressed-tensors keeps codes signed, {@code [-2^(bits-1), 2^(bits-1) - 1]}. */
    public int minCode() { return -(1 << (bits - 1)); }

    public int maxCode() { return (1 << (bits - 1)) - 1; }

    public String strategy() { return groupSize == CHANNEL ? "channel" : "group"; }

    /** Groups per row of {@code columns}. */
    public int groups(int columns) {
        if (groupSize == CHANNEL) return 1;
        if (columns % groupSize != 0) {
            throw new IllegalArgumentException("rows of " + columns + " are not whole groups of " + groupSize);
        }
        return columns / groupSize;
    }

    public String describe() {
        return "int" + bits + (symmetric ? " symmetric" : " asymmetric")
                + (groupSize == CHANNEL ? " per channel" : " group " + groupSize) + ", scales " + scaleFormat;
    }
}
