package dev.quantscope.app.explorer;

/**
 * Blue–white–red, centred on zero (ColorBrewer RdBu end points): sign reads as hue and magnitude as saturation,
 * so a weight matrix's structure shows without a legend lookup. Values beyond ±scale saturate.
 */
public final class DivergingColorMap {
    private static final int[] NEGATIVE = {0x21, 0x66, 0xAC};
    private static final int[] MIDDLE = {0xF7, 0xF7, 0xF7};
    private static final int[] POSITIVE = {0xB2, 0x18, 0x2B};
    /** Missing values (a bucket with only NaN/Inf) in neutral grey, distinct from zero's near-white. */
    private static final int MISSING = 0xFF9E9E9E;

    private DivergingColorMap() {}

    /** An opaque ARGB colour for {@code value} on a scale of ±{@code scale}. */
    public static int argb(float value, float scale) {
        if (!Float.isFinite(value)) return MISSING;
        double t = Math.max(-1, Math.min(1, value / scale));
        int[] end = t < 0 ? NEGATIVE : POSITIVE;
        double f = Math.abs(t);
        int r = (int) Math.round(MIDDLE[0] + (end[0] - MIDDLE[0]) * f);
        int g = (int) Math.round(MIDDLE[1] + (end[1] - MIDDLE[1]) * f);
        int b = (int) Math.round(MIDDLE[2] + (end[2] - MIDDLE[2]) * f);
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    /** The CSS gradient of the same map, left (negative) to right, for the legend. */
    public static String cssGradient() {
        return String.format("linear-gradient(to right, #%02x%02x%02x, #%02x%02x%02x, #%02x%02x%02x)",
                NEGATIVE[0], NEGATIVE[1], NEGATIVE[2], MIDDLE[0], MIDDLE[1], MIDDLE[2],
                POSITIVE[0], POSITIVE[1], POSITIVE[2]);
    }
}
