package dev.quantscope.prune.calibration;

import dev.quantscope.engine.llama.WeightLayout;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seven linear matrices of a Llama block, with their names in both namings the engine reads and the input each
 * one multiplies: q, k and v all take the normalised residual, gate and up the second normalised residual, so a
 * block has four distinct inputs, not seven.
 */
public enum BlockMatrix {
    ATTN_Q("attn_q.weight", "self_attn.q_proj.weight", Input.ATTENTION),
    ATTN_K("attn_k.weight", "self_attn.k_proj.weight", Input.ATTENTION),
    ATTN_V("attn_v.weight", "self_attn.v_proj.weight", Input.ATTENTION),
    ATTN_OUTPUT("attn_output.weight", "self_attn.o_proj.weight", Input.ATTENTION_MIX),
    FFN_GATE("ffn_gate.weight", "mlp.gate_proj.weight", Input.FFN),
    FFN_UP("ffn_up.weight", "mlp.up_proj.weight", Input.FFN),
    FFN_DOWN("ffn_down.weight", "mlp.down_proj.weight", Input.FFN_HIDDEN);

    /** What a block matrix multiplies. */
    public enum Input {
        /** RMSNorm of the residual before attention. */
        ATTENTION,
        /** The heads' attention outputs, concatenated. */
        ATTENTION_MIX,
        /** RMSNorm of the residual before the MLP. */
        FFN,
        /** silu(gate) · up. */
        FFN_HIDDEN
    }

    /** A block matrix found in a tensor name. */
    public record Location(int layer, BlockMatrix matrix) {
        /** Names the input this matrix shares with its siblings of the same layer. */
        public String inputKey() { return layer + "/" + matrix.input; }
    }

    private static final Pattern GGUF = Pattern.compile("blk\\.(\\d+)\\.(.+)");
    private static final Pattern HF = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");

    private final String ggufSuffix;
    private final String hfSuffix;
    private final Input input;

    BlockMatrix(String ggufSuffix, String hfSuffix, Input input) {
        this.ggufSuffix = ggufSuffix;
        this.hfSuffix = hfSuffix;
        this.input = input;
    }

    public Input input() { return input; }

    /** The tensor name of this matrix in block {@code layer}. */
    public String tensorName(WeightLayout layout, int layer) {
        return switch (layout) {
            case GGUF -> "blk." + layer + "." + ggufSuffix;
            case HUGGING_FACE -> "model.layers." + layer + "." + hfSuffix;
        };
    }

    /** Which block matrix {@code tensorName} is, if it is one (embeddings, norms, biases and the head are not). */
    public static Optional<Location> locate(String tensorName) {
        Matcher g = GGUF.matcher(tensorName);
        if (g.matches()) return find(g, true);
        Matcher h = HF.matcher(tensorName);
        if (h.matches()) return find(h, false);
        return Optional.empty();
    }

    private static Optional<Location> find(Matcher m, boolean gguf) {
        String suffix = m.group(2);
        for (BlockMatrix b : values()) {
            if (suffix.equals(gguf ? b.ggufSuffix : b.hfSuffix)) {
                return Optional.of(new Location(Integer.parseInt(m.group(1)), b));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code tensorName} is one of the seven linear matrices of some block: what pruning takes by default. */
    public static boolean isBlockMatrix(String tensorName) {
        return locate(tensorName).isPresent();
    }
}
