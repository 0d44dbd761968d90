package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.eval.classifier.ClassifierPoint;
import dev.quantscope.eval.classifier.ClassifierVariant;

/** What became of one variant in a Trade-off run: measured, or skipped with the reason (one sentence). */
public sealed interface VariantOutcome {
    ClassifierVariant variant();

    record Measured(ClassifierPoint point) implements VariantOutcome {
        @Override
        public ClassifierVariant variant() { return point.variant(); }
    }

    record Skipped(ClassifierVariant variant, String reason) implements VariantOutcome {}
}
