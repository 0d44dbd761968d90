package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.eval.classifier.ClassifierPoint;
import dev.quantscope.eval.classifier.ClassifierVariant;

import java.util.OptionalDouble;

/**
 * One point of the classifier Trade-off chart and one row of its table: a variant of the open classifier as the
 * sweep measured it, or a student exported from this document (its size on disk and the accuracy it was validated at).
 */
public record TradeoffEntry(String label, Kind kind, long bytes, OptionalDouble bitsPerWeight, OptionalDouble sparsity,
                            double top1, OptionalDouble top5) {

    public enum Kind {
        ORIGINAL("original"), QUANTIZED("quantized"), PRUNED("pruned"), STUDENT("student");

        private final String text;

        Kind(String text) { this.text = text; }

        public String text() { return text; }
    }

    public static TradeoffEntry of(ClassifierPoint p) {
        Kind kind = switch (p.variant()) {
            case ClassifierVariant.Original _ -> Kind.ORIGINAL;
            case ClassifierVariant.Quantized _ -> Kind.QUANTIZED;
            case ClassifierVariant.Pruned _ -> Kind.PRUNED;
        };
        return new TradeoffEntry(p.variant().label(), kind, p.bytes(), OptionalDouble.of(p.bitsPerWeight()),
                OptionalDouble.of(p.sparsity()), p.top1(), OptionalDouble.of(p.top5()));
    }

    public static TradeoffEntry of(ExportedClassifier e) {
        return new TradeoffEntry(e.label(), Kind.STUDENT, e.bytes(), OptionalDouble.empty(), OptionalDouble.empty(),
                e.top1(), OptionalDouble.empty());
    }
}
