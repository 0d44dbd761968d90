package dev.quantscope.quant.scheme;

import java.util.Arrays;

/** Non-uniform code tables: NF4's 16 levels and the 8-bit dynamic map used to double-quantize NF4 scales. */
final class CodeTables {
    private CodeTables() {}

    /**
     * NormalFloat4 from QLoRA (Dettmers et al., 2023): quantiles of N(0,1) scaled to [-1, 1], asymmetric so that
     * zero is exact; 7 negative and 8 positive levels.
     */
    static final float[] NF4 = {
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

    /**
     * The signed 8-bit "dynamic" map that bitsandbytes quantizes NF4's absmax values with: a sign, a decimal
     * exponent 10^-6..10^0 and a linear fraction whose resolution grows with the exponent (2^i levels for
     * exponent i), plus 0 and 1. 256 increasing values.
     */
    static final float[] DYNAMIC8 = dynamicMap();

    private static float[] dynamicMap() {
        final int exponentBits = 7;
        float[] values = new float[256];
        int n = 0;
        for (int i = 0; i < exponentBits; i++) {
            int items = (1 << i) + 1;                        // boundaries of 2^i fraction bins in [0.1, 1]
            double decade = Math.pow(10, -(exponentBits - 1) + i);
            for (int j = 0; j + 1 < items; j++) {
                double b0 = 0.1 + 0.9 * j / (items - 1);
                double b1 = 0.1 + 0.9 * (j + 1) / (items - 1);
                double mean = (b0 + b1) / 2;
                values[n++] = (float) (decade * mean);
                values[n++] = (float) (-decade * mean);
            }
        }
        values[n++] = 0f;
        values[n++] = 1f;
        if (n != 256) throw new IllegalStateException("dynamic map has " + n + " entries");
        Arrays.sort(values);
        return values;
    }

    /** Index of the entry of the increasing {@code table} nearest to {@code v} (the lower one on a tie). */
    static int nearest(float[] table, float v) {
        int i = Arrays.binarySearch(table, v);
        if (i >= 0) return i;
        int hi = -i - 1;
        if (hi == 0) return 0;
        if (hi == table.length) return table.length - 1;
        int lo = hi - 1;
        return (v - table[lo]) <= (table[hi] - v) ? lo : hi;
    }
}
