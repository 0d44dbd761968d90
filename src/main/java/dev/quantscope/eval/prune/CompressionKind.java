package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.quant.scheme.Keep;

/** What a sweep point did to the model, for charts that set the variants apart. */
public enum CompressionKind {
    /** Nothing: the model as it is. */
    ORIGINAL("original"),
    QUANTIZED("quantized"),
    PRUNED("pruned"),
    PRUNED_QUANTIZED("pruned + quantized");

    private final String label;

    CompressionKind(String label) { this.label = label; }

    /** For legends. */
    public String label() { return label; }

    public static CompressionKind of(SweepScheme scheme) {
        return switch (scheme) {
            case SweepScheme.Pruned p -> p.then().isPresent() ? PRUNED_QUANTIZED : PRUNED;
            case SweepScheme.SingleScheme s -> s.scheme() instanceof Keep ? ORIGINAL : QUANTIZED;
            case SweepScheme.PresetScheme _ -> QUANTIZED;
            case SweepScheme.CustomRecipe _ -> QUANTIZED;
        };
    }
}
