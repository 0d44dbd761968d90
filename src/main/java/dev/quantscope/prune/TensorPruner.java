package dev.quantscope.prune;

/**
 * Prunes one 2-D tensor in place by magnitude or Wanda. Unstructured, magnitude compares every weight of the tensor
 * (exactly round(sparsity · rows · cols) zeros) and Wanda compares within each output row (exactly
 * round(sparsity · cols) zeros per row, as Sun et al. prune); N:M keeps the N highest scores of every M consecutive
 * weights of a row, for either method. Equal scores prune the lower index first, so counts are exact; a weight that
 * is already zero scores 0 and goes first.
 */
public final class TensorPruner {
    private TensorPruner() {}

    /**
     * Zeroes the pruned weights of {@code w} ({@code rows × cols}, row-major, a row being one output channel's
     * input weights) and returns which they were.
     *
     * @param columnSquares for Wanda, per input column the sum (or mean) of x_j² over the calibration tokens;
     *                      ignored by magnitude, which may pass null
     * @throws IllegalArgumentException for SparseGPT (pruned in {@code prune.sparsegpt}, as it also updates the weights
     *                                  it keeps), a pattern the rows cannot take, or column squares that do not fit
     */
    public static SparsityMask prune(float[] w, int rows, int cols, PruneMethod method, SparsityPattern pattern,
                                     float[] columnSquares) {
        SparsityMask.requireShape(w, rows, cols);
        pattern.problem(cols).ifPresent(problem -> {
            throw new IllegalArgumentException("a " + rows + " × " + cols + " tensor cannot be pruned to "
                    + pattern.label() + ": " + problem);
        });
        WeightScore score = switch (method) {
            case MAGNITUDE -> new WeightScore.Magnitude();
            case WANDA -> {
                if (columnSquares == null) {
                    throw new IllegalArgumentException("Wanda needs the calibration inputs' column squares, one per input column");
                }
                yield WeightScore.Wanda.ofColumnSquares(columnSquares, cols);
            }
            case SPARSEGPT -> throw new IllegalArgumentException(
                    "SparseGPT also updates the weights it keeps, so it is pruned by prune.sparsegpt, not TensorPruner");
        };
        SparsityMask mask = switch (pattern) {
            case SparsityPattern.NOfM(int kept, int group) ->
                    LowestInRuns.mask(w, rows, cols, score, group, group - kept);
            case SparsityPattern.Unstructured unstructured when method == PruneMethod.WANDA ->
                    LowestInRuns.mask(w, rows, cols, score, cols, (int) Math.round(unstructured.sparsity() * cols));
            case SparsityPattern.Unstructured unstructured ->
                    GlobalThreshold.select(w, unstructured).mask(w, rows, cols);
        };
        mask.zeroPruned(w);
        return mask;
    }
}
