package dev.quantscope.quant.metrics;

/**
 * How far quantized values q are from the original values x, as sums over the elements (so that tensors can be
 * combined into a model total) and the figures derived from them.
 *
 * @param elements      number of values compared
 * @param signalEnergy  Σx²
 * @param errorEnergy   Σ(x−q)²
 * @param dot           Σx·q
 * @param quantEnergy   Σq²
 * @param maxAbsError   max |x−q|
 */
public record ErrorMetrics(long elements, double signalEnergy, double errorEnergy, double dot, double quantEnergy,
                           double maxAbsError) {

    public static final ErrorMetrics NONE = new ErrorMetrics(0, 0, 0, 0, 0, 0);

    public ErrorMetrics {
        if (elements < 0) throw new IllegalArgumentException("negative element count");
    }

    /** Mean squared error; NaN when nothing was compared. */
    public double mse() { return elements == 0 ? Double.NaN : errorEnergy / elements; }

    public double rmse() { return Math.sqrt(mse()); }

    /**
     * Signal-to-quantization-noise ratio in dB, 10·log10(Σx²/Σ(x−q)²): +∞ for an exact copy, NaN when nothing was
     * compared or the signal is all zeros.
     */
    public double sqnrDb() {
        if (elements == 0 || signalEnergy == 0) return Double.NaN;
        if (errorEnergy == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(signalEnergy / errorEnergy);
    }

    /** Cosine similarity of x and q; NaN when either is all zeros. */
    public double cosine() {
        double norms = Math.sqrt(signalEnergy) * Math.sqrt(quantEnergy);
        return norms == 0 ? Double.NaN : dot / norms;
    }

    /** Both comparisons together, as if their elements had been compared in one pass. */
    public ErrorMetrics plus(ErrorMetrics o) {
        return new ErrorMetrics(Math.addExact(elements, o.elements), signalEnergy + o.signalEnergy,
                errorEnergy + o.errorEnergy, dot + o.dot, quantEnergy + o.quantEnergy,
                Math.max(maxAbsError, o.maxAbsError));
    }
}
