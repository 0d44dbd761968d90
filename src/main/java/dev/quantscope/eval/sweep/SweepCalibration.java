package dev.quantscope.eval.sweep;

import dev.quantscope.pipeline.prune.PruneCalibration;

import java.util.Optional;

/**
 * What a sweep's Wanda and SparseGPT points depend on besides the model and the scheme: the calibration text and
 * the windows it is run in (and, for Wanda without a text, the importance matrix). Its {@link #identity} goes into
 * those points' cache keys, so a point pruned from another text is measured again.
 */
public final class SweepCalibration {
    private SweepCalibration() {}

    /** A digest of everything in {@code c} that changes a calibrated pruning; "" when it holds nothing. */
    public static String identity(PruneCalibration c) {
        if (c.text().isEmpty() && c.imatrix().isEmpty()) return "";
        String text = c.text().map(t -> "text " + SweepCache.sha256(t)).orElse("no text");
        String matrix = c.imatrix().map(m -> "imatrix " + SweepImatrix.digest(m.matrix())).orElse("no imatrix");
        return SweepCache.sha256(String.join("\n", text, matrix, "ctx " + c.contextSize(), "tokens " + c.maxTokens()));
    }

    /**
     * Why {@code scheme} cannot be pruned from {@code c}, if it cannot: SparseGPT needs a text, Wanda a text or an
     * importance matrix. Asked before anything is computed, so the point is skipped with this reason.
     */
    public static Optional<String> missing(SweepScheme.Pruned scheme, PruneCalibration c) {
        return switch (scheme.sparsity().method()) {
            case MAGNITUDE -> Optional.empty();
            case WANDA -> c.text().isEmpty() && c.imatrix().isEmpty()
                    ? Optional.of("Wanda ranks weights by their inputs' norms: give a calibration text") : Optional.empty();
            case SPARSEGPT -> c.text().isEmpty()
                    ? Optional.of("SparseGPT prunes from the activations of a calibration text: give one") : Optional.empty();
        };
    }
}
