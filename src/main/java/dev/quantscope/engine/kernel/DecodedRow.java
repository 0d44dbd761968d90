package dev.quantscope.engine.kernel;

/**
 * Per-thread scratch of the batched path ({@link BatchKernels#product}): a chunk of a tile of weight rows decoded
 * to floats, the tile's partial sums, and the batch's activations dequantized and packed for the micro-kernel,
 * with the key telling which batch they were packed from. Grown, never shrunk, so steady-state prompt processing
 * allocates nothing.
 */
final class DecodedRow {
    /** Decoded weights of a tile, {@code [chunk][row][k]}. */
    float[] w = new float[0];
    /** Partial sums, {@code [row][token]} over the padded batch. */
    float[] p = new float[0];
    /**
     * The batch's activations, dequantized, as {@code [token block][k][token in block]}: the micro-kernel reads one
     * k's {@link BatchKernels#TOKENS} tokens as consecutive floats, and a block's columns one after another.
     */
    float[] xt = new float[0];

    // What xt holds: the activations array and token range it was packed from, each token's version then, the
    // activation form and the length. Matrices sharing an input (q, k, v; gate, up) and every row tile a thread
    // takes of one matrix reuse it.
    Activation[] packedFrom;
    int packedT0, packedT1, packedKind = -1, packedCols;
    int[] packedVersions = new int[0];

    /** Room for {@code weights} decoded weights, {@code sums} partial sums and {@code padded} tokens of {@code cols}. */
    void ensure(int weights, int sums, int padded, int cols) {
        if (w.length < weights) w = new float[weights];
        if (p.length < sums) p = new float[sums];
        if (xt.length < (long) padded * cols) {
            xt = new float[Math.multiplyExact(padded, cols)];
            packedKind = -1;
        }
        if (packedVersions.length < padded) packedVersions = new int[padded];
    }

    private static final ThreadLocal<DecodedRow> PER_THREAD = ThreadLocal.withInitial(DecodedRow::new);

    static DecodedRow forThisThread(int weights, int sums, int padded, int cols) {
        DecodedRow s = PER_THREAD.get();
        s.ensure(weights, sums, padded, cols);
        return s;
    }
}
