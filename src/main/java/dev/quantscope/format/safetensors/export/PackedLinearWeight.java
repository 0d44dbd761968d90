package dev.quantscope.format.safetensors.export;

import java.util.Arrays;

/**
 * One quantized Linear weight {@code W [rows = out, columns = in]} in compressed-tensors' convention:
 * {@code W[r][c] ≈ (codes[r·columns + c] − zeroPoint[r][g]) · scale[r][g]} with {@code g = c / groupSize}
 * (0 per channel). Codes and zero points are signed, {@code [-2^(bits-1), 2^(bits-1) − 1]}; a scheme with unsigned
 * codes {@code [0, 2^bits)} converts with {@link #fromUnsigned}, which shifts codes and zero points alike so the
 * dequantized values stay the same.
 *
 * @param rows       output features
 * @param columns    input features
 * @param codes      {@code rows × columns} codes, row-major
 * @param scales     {@code rows × groups} scales, row-major
 * @param zeroPoints {@code rows × groups} zero points, or null for a symmetric scheme
 */
public record PackedLinearWeight(int rows, int columns, byte[] codes, float[] scales, byte[] zeroPoints) {

    public PackedLinearWeight {
        if (rows < 0 || columns < 0) throw new IllegalArgumentException("negative shape");
        if (codes.length != (long) rows * columns) {
            throw new IllegalArgumentException(codes.length + " codes for a " + rows + "×" + columns + " weight");
        }
        if (zeroPoints != null && zeroPoints.length != scales.length) {
            throw new IllegalArgumentException(zeroPoints.length + " zero points for " + scales.length + " scales");
        }
    }

    /** Codes and zero points in {@code [0, 2^bits)} (e.g. GPTQ's), shifted into the signed range. */
    public static PackedLinearWeight fromUnsigned(int bits, int rows, int columns, int[] codes, float[] scales,
                                                  int[] zeroPoints) {
        int offset = 1 << (bits - 1);
        return new PackedLinearWeight(rows, columns, shift(codes, offset, bits), scales,
                zeroPoints == null ? null : shift(zeroPoints, offset, bits));
    }

    private static byte[] shift(int[] values, int offset, int bits) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= 1 << bits) {
                throw new IllegalArgumentException("value " + values[i] + " at " + i + " is not a " + bits + "-bit code");
            }
            out[i] = (byte) (values[i] - offset);
        }
        return out;
    }

    /** Checks this weight against the scheme and the shape the file's header already promised. */
    void check(PackedScheme scheme, int expectedRows, int expectedColumns, String module) {
        if (rows != expectedRows || columns != expectedColumns) {
            throw new IllegalArgumentException(module + ": weight is " + rows + "×" + columns + ", declared "
                    + expectedRows + "×" + expectedColumns);
        }
        int groups = scheme.groups(columns);
        if (scales.length != (long) rows * groups) {
            throw new IllegalArgumentException(module + ": " + scales.length + " scales, expected " + rows * groups);
        }
        if (scheme.symmetric() != (zeroPoints == null)) {
            throw new IllegalArgumentException(module + ": zero points must be given exactly for an asymmetric scheme");
        }
        inRange(codes, scheme, module + " code");
        if (zeroPoints != null) inRange(zeroPoints, scheme, module + " zero point");
    }

    private static void inRange(byte[] v, PackedScheme scheme, String what) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] < scheme.minCode() || v[i] > scheme.maxCode()) {
                throw new IllegalArgumentException(what + " " + v[i] + " at " + i + " is outside ["
                        + scheme.minCode() + ", " + scheme.maxCode() + "]");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedLinearWeight w && w.rows == rows && w.columns == columns
                && Arrays.equals(w.codes, codes) && Arrays.equals(w.scales, scales) && Arrays.equals(w.zeroPoints, zeroPoints);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(codes); }

    @Override
    public String toString() { return "PackedLinearWeight[" + rows + "×" + columns + "]"; }
}
