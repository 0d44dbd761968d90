package dev.quantscope.stats;

import java.util.Locale;

/** What part of a network a tensor belongs to, judged from its name. */
public enum LayerKind {
    ATTENTION, MLP, EMBEDDING, NORM, OTHER;

    public static LayerKind of(String tensorName) {
        String n = tensorName.toLowerCase(Locale.ROOT);
        if (n.contains("norm") || n.contains("ln_") || n.matches(".*(^|[._])ln\\d*([._]|$).*")) return NORM;
        if (n.contains("embd") || n.contains("embed") || n.contains("wte") || n.contains("wpe")
                || n.startsWith("output.") || n.equals("output.weight") || n.contains("lm_head")) {
            return EMBEDDING;
        }
        if (n.contains("attn") || n.contains("attention") || n.contains("q_proj") || n.contains("k_proj")
                || n.contains("v_proj") || n.contains("o_proj") || n.contains(".query") || n.contains(".key")
                || n.contains(".value")) {
            return ATTENTION;
        }
        if (n.contains("ffn") || n.contains("mlp") || n.contains("gate_proj") || n.contains("up_proj")
                || n.contains("down_proj") || n.contains("intermediate") || n.contains("fc1") || n.contains("fc2")
                || n.contains("feed_forward") || n.contains("dense")) {
            return MLP;
        }
        return OTHER;
    }
}
