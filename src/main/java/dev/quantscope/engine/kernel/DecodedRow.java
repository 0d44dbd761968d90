package dev.quantscope.engine.kernel;

/**
 * One weight row decoded for the batched path (prompt processing): the row's codes as floats, and per block the
 * float factors and small integers its dot product needs. The codes are the integers the vector kernel
 * multiplies with the activation's 8-bit codes (for the K-quants already times their 6-bit group scale), so a
 * token's dot product with the decoded row does the vector kernel's own exact integer and float arithmetic
 * while decoding happens once per row instead of once per row and token. Per-thread scratch: grown, never
 * shrunk, so steady-state prompt processing allocates nothing.
 */
final class DecodedRow {
    /**
     * Rows decoded together: a token's activation is read once for all of them (four independent
     * accumulations), which quarters the activation traffic that otherwise bounds the batched product.
     */
    static final int ROWS = 4;

    /** Row r's codes start at {@code r * cols}. */
    float[] codes = new float[0];
    /**
     * The per-block values, four rows side by side ({@code [block][row]}) so that the four-row dot product loads a
     * block's four values as one 4-lane vector: the block scale d ...
     */
    float[] d = new float[0];
    /** ... the K-quants' scale of the mins ... */
    float[] dmin = new float[0];
    /**
     * ... and, {@code [block][group][row]} with 16 groups per block, the group mins (Q4_K, Q5_K: the first 8) or
     * signed group scales (Q6_K), small integers held as floats.
     */
    float[] groups = new float[0];

    /** Room for {@link #ROWS} rows. */
    void ensure(int cols, int blocks) {
        int n = Math.multiplyExact(cols, ROWS), nb = Math.multiplyExact(blocks, ROWS);
        if (codes.length < n) codes = new float[n];
        if (d.length < nb) {
            d = new float[nb];
            dmin = new float[nb];
            groups = new float[Math.multiplyExact(nb, 16)];
        }
    }

    private static final ThreadLocal<DecodedRow> PER_THREAD = ThreadLocal.withInitial(DecodedRow::new);

    static DecodedRow forThisThread(int cols, int blocks) {
        DecodedRow row = PER_THREAD.get();
        row.ensure(cols, blocks);
        return row;
    }
}
