package dev.quantscope.quant.scheme;

/** How an integer scheme picks its scale. */
public enum Rounding {
    /** Scale from the full range (absmax, or min..max), then round to nearest: outliers are never clipped. */
    NEAREST("rtn", "RTN"),
    /**
     * Try clip ratios from 1.0 down to 0.5 in steps of 0.05 and keep, per scale unit, the one with the smallest
     * squared error: clipping a few outliers buys a finer grid for all other weights (the grid AWQ's auto-clip
     * and similar tools search). Ratio 1.0 is among the candidates, so the error is never above {@link #NEAREST}.
     */
    MSE_CLIP("mse", "MSE clip");

    private final String id;
    private final String label;

    Rounding(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() { return id; }

    public String label() { return label; }
}
