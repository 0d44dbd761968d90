package dev.quantscope.quant.scheme;

import java.util.Objects;

/**
 * A tensor stored under a {@link QuantScheme}: the packed codes and the side data the scheme defines. Float side
 * data holds exactly the values a file would store ({@link #sideFormat()} tells their precision: an F16 scale here
 * is already rounded to a half). What each array means:
 * <ul>
 *   <li>{@code codes}: the packed element codes, LSB first and contiguous over the whole tensor (ggml blocks:
 *       ggml's block bytes, scales inside; {@link Keep}: the floats as little-endian F32);</li>
 *   <li>{@code scales}: one per scale unit (NF4 with double quantization: the second-level scale per 256 blocks);</li>
 *   <li>{@code offsets}: zero points of an asymmetric integer scheme, or NF4's mean-of-absmax offset;</li>
 *   <li>{@code scaleCodes}: 8-bit coded scales (MXFP4's E8M0 exponents, NF4's double-quantized absmax).</li>
 * </ul>
 * The arrays are not copied (they can be large); do not change them after construction. Equality is identity.
 */
public record QuantizedTensor(QuantScheme scheme, int rows, int rowLength, byte[] codes, float[] scales,
                              float[] offsets, byte[] scaleCodes, SideFormat sideFormat) {

    public QuantizedTensor {
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(codes);
        Objects.requireNonNull(scales);
        Objects.requireNonNull(offsets);
        Objects.requireNonNull(scaleCodes);
        Objects.requireNonNull(sideFormat);
        if (rows < 0 || rowLength < 0) throw new IllegalArgumentException("negative shape");
    }

    static final float[] NO_FLOATS = new float[0];
    static final byte[] NO_BYTES = new byte[0];

    public int elements() { return Math.multiplyExact(rows, rowLength); }

    /**
     * Bytes this tensor would take in a file: codes, side floats at their precision and coded scales. For every
     * scheme but {@link Keep} (whose file size is the source's) this equals
     * {@link QuantScheme#size}{@code .bytes()}.
     */
    public long storedBytes() {
        long side = Math.multiplyExact((long) scales.length + offsets.length, sideFormat.bytes());
        return Math.addExact(Math.addExact(codes.length, side), scaleCodes.length);
    }
}
