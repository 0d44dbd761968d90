package dev.quantscope.quant.preview;

import java.util.Locale;

/**
 * How much of each tensor the error estimates look at. Small models are measured exactly (every row); on big
 * models each tensor contributes a fixed number of evenly spaced rows, the same rows every time, so estimates are
 * deterministic and comparable across schemes. Whole rows keep every block and group intact, so a sampled row's
 * error is exactly the error that row gets in the full quantization.
 *
 * @param exactUpTo    models with at most this many weights are measured exactly
 * @param rowsPerTensor rows measured per tensor otherwise
 */
public record Sampling(long exactUpTo, int rowsPerTensor) {

    public static final Sampling DEFAULT = new Sampling(8_000_000L, 64);
    public static final Sampling EXACT = new Sampling(Long.MAX_VALUE, Integer.MAX_VALUE);

    public Sampling {
        if (exactUpTo < 0 || rowsPerTensor < 1) throw new IllegalArgumentException("bad sampling " + exactUpTo);
    }

    /** Whether a model of {@code weights} weights is measured on every row. */
    public boolean exactFor(long weights) { return weights <= exactUpTo; }

    /** The rows measured of a tensor with {@code rows} rows, in a model of {@code weights} weights. */
    public long rowsFor(long rows, long weights) {
        return exactFor(weights) ? rows : Math.min(rows, rowsPerTensor);
    }

    /** One line for the UI saying what the error figures are based on. */
    public String describe(long weights) {
        return exactFor(weights) ? "Errors measured exactly on every weight."
                : String.format(Locale.ROOT, "Errors estimated on %d evenly spaced rows per tensor (the same rows "
                        + "for every scheme); sizes are exact.", rowsPerTensor);
    }
}
