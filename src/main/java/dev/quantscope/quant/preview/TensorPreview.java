package dev.quantscope.quant.preview;

import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

/**
 * What one tensor looks like before and after quantization: histograms of the original and the dequantized values
 * over the same bins (so they overlay), a histogram of the errors, the error sums and one block walked through.
 *
 * @param plan        the tensor and its scheme
 * @param lo          left edge of the value bins
 * @param hi          right edge of the value bins
 * @param original    counts of original values per bin
 * @param dequantized counts of dequantized values per bin
 * @param errLo       left edge of the error bins
 * @param errHi       right edge of the error bins
 * @param errors      counts of (y − x) per bin
 * @param sums        error sums over the values looked at (the sample)
 * @param exact       whether every row was looked at
 * @param walkthrough the chosen block, step by step
 */
public record TensorPreview(String tensor, QuantScheme scheme, double lo, double hi, long[] original, long[] dequantized,
                            double errLo, double errHi, long[] errors, ErrorMetrics sums, boolean exact,
                            BlockWalkthrough walkthrough) {

    public int bins() { return original.length; }

    /** Whether the stored values differ from the original ones (so there is an error and a grid). */
    public boolean changesValues() { return !(scheme instanceof Keep); }

    /**
     * Builds the preview from the estimator's sample of the tensor and one row decoded in full for the walkthrough.
     *
     * @param row   row of the walkthrough
     * @param block block of {@link Walkthroughs#BLOCK} weights in that row
     */
    public static TensorPreview of(ErrorEstimator estimator, String tensor, long rowLength, QuantScheme scheme, long row,
                                   int block, int bins) {
        TensorSample s = estimator.sample(tensor, rowLength);
        if (s == null) {
            throw new UnsupportedOperationException(tensor + ": " + estimator.model().tensor(tensor).orElseThrow().dtype()
                    + " cannot be decoded");
        }
        float[] x = s.values();
        float[] q = RoundTrip.apply(scheme, x, s.rowLength());
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        double elo = Double.POSITIVE_INFINITY, ehi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i]) || !Float.isFinite(q[i])) continue;
            lo = Math.min(lo, Math.min(x[i], q[i]));
            hi = Math.max(hi, Math.max(x[i], q[i]));
            double e = (double) q[i] - x[i];
            elo = Math.min(elo, e);
            ehi = Math.max(ehi, e);
        }
        if (!(lo <= hi)) { lo = 0; hi = 1; elo = 0; ehi = 1; }
        if (ehi - elo == 0) { elo -= 0.5; ehi += 0.5; } // an exact copy: one bin around zero
        if (hi - lo == 0) { lo -= 0.5; hi += 0.5; }
        long[] co = new long[bins], cq = new long[bins], ce = new long[bins];
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i]) || !Float.isFinite(q[i])) continue;
            co[bin(x[i], lo, hi, bins)]++;
            cq[bin(q[i], lo, hi, bins)]++;
            ce[bin((double) q[i] - x[i], elo, ehi, bins)]++;
        }
        TensorInfo t = estimator.model().tensor(tensor).orElseThrow();
        float[] rowValues = row(t, rowLength, row);
        BlockWalkthrough w = Walkthroughs.explain(tensor, scheme, row, rowValues, block);
        return new TensorPreview(tensor, scheme, lo, hi, co, cq, elo, ehi, ce, ErrorEstimator.metrics(x, q), s.complete(), w);
    }

    private static int bin(double v, double lo, double hi, int bins) {
        int b = (int) ((v - lo) / (hi - lo) * bins);
        return Math.max(0, Math.min(bins - 1, b));
    }

    /** Row {@code row} of {@code t}, decoded. */
    static float[] row(TensorInfo t, long rowLength, long row) {
        long rows = t.parameters() / rowLength;
        if (row < 0 || row >= rows) throw new IllegalArgumentException("row " + row + " of " + rows);
        if (rowLength > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("row too long");
        float[] out = new float[(int) rowLength];
        Decoders.find(t.dtype()).orElseThrow().decode(t.data(), Math.multiplyExact(row, rowLength), out, 0, out.length);
        return out;
    }
}
