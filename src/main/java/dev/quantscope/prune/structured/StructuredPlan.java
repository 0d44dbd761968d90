package dev.quantscope.prune.structured;

/**
 * What stays of a Llama, in the source's numbering: the kept blocks, and per source block the kept FFN units and
 * KV groups (all of them where nothing is cut). Every kept block keeps as many units and groups as every other,
 * so the result has one FFN width and one head count, which llama.cpp and the engine read as scalars.
 *
 * @param blocks    kept source blocks, ascending; the n-th becomes blk.n
 * @param ffnUnits  per source block, the kept FFN hidden units, ascending
 * @param kvGroups  per source block, the kept KV heads, ascending (each with its query heads)
 * @param groupSize query heads per KV head
 * @param headDim   dimensions per head
 */
record StructuredPlan(int[] blocks, int[][] ffnUnits, int[][] kvGroups, int groupSize, int headDim) {

    int ffnWidth() { return ffnUnits[blocks[0]].length; }

    int kvHeads() { return kvGroups[blocks[0]].length; }

    int heads() { return kvHeads() * groupSize; }

    /** Rows of attn_q (and columns of attn_output) that the kept groups of {@code block} own, ascending. */
    int[] queryRows(int block) {
        int[] groups = kvGroups[block];
        int[] rows = new int[groups.length * groupSize * headDim];
        int i = 0;
        for (int g : groups) {
            for (int h = g * groupSize; h < (g + 1) * groupSize; h++) {
                for (int d = 0; d < headDim; d++) rows[i++] = h * headDim + d;
            }
        }
        return rows;
    }

    /** Rows of attn_k and attn_v that the kept groups of {@code block} own, ascending. */
    int[] keyValueRows(int block) {
        int[] groups = kvGroups[block];
        int[] rows = new int[groups.length * headDim];
        int i = 0;
        for (int g : groups) {
            for (int d = 0; d < headDim; d++) rows[i++] = g * headDim + d;
        }
        return rows;
    }
}
