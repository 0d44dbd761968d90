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

    float[] codes = new float[0];
    /** Per block: the block scale d (or nothing, for float rows). */
    float[] d = new float[0];
    /** Per block: the K-quants' scale of the mins. */
    float[] dmin = new float[0];
    /** Per block, 16 entries: the K-quants' group mins (Q4_K, Q5_K) or signed group scales (Q6_K). */
    int[] groups = new int[0];
    /**
     * The same per-block values laid out for four rows side by side, {@code [block][group][row]}: the four-row
     * dot product computes the four rows' mins (or offset) terms as one 4-lane multiply-add per group.
     */
    float[] groups4 = new float[0];
    /** {@code [block][row]}: the block's {@code dmin} (Q4_K) or {@code d} (Q6_K) of the four rows. */
    float[] perBlock4 = new float[0];

    /** Room for {@link #ROWS} rows: row r's codes start at {@code r * cols}, its per-block values at {@code r * blocks}. */
    void ensure(int cols, int blocks) {
        int n = Math.multiplyExact(cols, ROWS), nb = Math.multiplyExact(blocks, ROWS);
        if (codes.length < n) codes = new float[n];
        if (d.length < nb) {
            d = new float[nb];
            dmin = new float[nb];
            groups = new int[Math.multiplyExact(nb, 16)];
            groups4 = new float[Math.multiplyExact(nb, 16)];
            perBlock4 = new float[nb];
        }
    }

    private static final ThreadLocal<DecodedRow> PER_THREAD = ThreadLocal.withInitial(DecodedRow::new);

    static DecodedRow forThisThread(int cols, int blocks) {
        DecodedRow row = PER_THREAD.get();
        row.ensure(cols, blocks);
        return row;
    }
}
