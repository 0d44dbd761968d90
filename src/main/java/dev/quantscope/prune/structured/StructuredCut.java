package dev.quantscope.prune.structured;

/** One kind of structure to take out of every block of a Llama, and how much of it. */
public sealed interface StructuredCut {

    /**
     * The fraction {@code ratio} of the FFN hidden units of every block: rows of ffn_gate and ffn_up, columns of
     * ffn_down. The kept width is rounded to the nearest multiple of {@code alignment} (1 for none; 32 or 256 keep
     * the rows quantizable to the 32- or 256-element ggml blocks), and never to zero.
     */
    record FfnUnits(double ratio, int alignment) implements StructuredCut {
        public FfnUnits {
            Ratios.check(ratio);
            if (alignment < 1) throw new IllegalArgumentException("The FFN width alignment must be at least 1, got " + alignment + ".");
        }

        /** Without alignment. */
        public FfnUnits(double ratio) { this(ratio, 1); }
    }

    /**
     * The fraction {@code ratio} of the KV groups of every block: a KV head with the query heads that share it (one
     * query head when the model has no grouped-query attention): rows of attn_q, attn_k and attn_v and columns of
     * attn_output.
     */
    record KvGroups(double ratio) implements StructuredCut {
        public KvGroups {
            Ratios.check(ratio);
        }
    }

    /** The {@code count} whole blocks of lowest Block Influence (needs calibration). */
    record Blocks(int count) implements StructuredCut {
        public Blocks {
            if (count < 1) throw new IllegalArgumentException("At least one block must be dropped, got " + count + ".");
        }
    }
}
