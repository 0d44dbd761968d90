package dev.quantscope.eval.sweep;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a sweep's importance matrix comes from. With one, every scheme is measured twice: as llama-quantize quantizes
 * it without {@code --imatrix}, and with it ({@link SweepPoint#imatrix()}).
 */
public sealed interface ImatrixSource {

    /** No importance matrix: one point per scheme. */
    record None() implements ImatrixSource {}

    /** A llama-imatrix file (GGUF or legacy .dat), as {@code quantize --imatrix FILE} reads it. */
    record FromFile(Path file) implements ImatrixSource {
        public FromFile {
            Objects.requireNonNull(file);
        }
    }

    /**
     * Computed from a calibration text over the sweep's base model, as {@code quantscope imatrix} computes it
     * ({@link dev.quantscope.quant.imatrix.ImatrixComputation}): chunks of {@code ctx} tokens, block tensors only.
     *
     * @param text   the calibration text (may be the text the sweep measures on, or another)
     * @param name   what to record as its dataset name (a file name)
     * @param ctx    tokens per chunk
     * @param chunks chunks at most (0: every full chunk)
     */
    record FromText(String text, String name, int ctx, int chunks) implements ImatrixSource {
        public FromText {
            Objects.requireNonNull(text);
            Objects.requireNonNull(name);
            if (ctx < 4) throw new IllegalArgumentException("imatrix context must be at least 4 tokens, got " + ctx);
            if (chunks < 0) throw new IllegalArgumentException("imatrix chunks must not be negative");
        }
    }

    ImatrixSource NONE = new None();
}
