package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.eval.classifier.ClassifierPoint;
import dev.quantscope.eval.classifier.ClassifierVariant;
import dev.quantscope.tensor.Units;

import java.util.OptionalDouble;

/**
 * One point of the classifier Trade-off chart and one row of its table: a variant of the open classifier as the
 * sweep measured it, or a student exported from this document (its size on disk and the accuracy it was validated at);
 * the note says what fell back or stayed dense, or a student's size and file.
 */
public record TradeoffEntry(String label, Kind kind, long bytes, OptionalDouble bitsPerWeight, OptionalDouble sparsity,
                            double top1, OptionalDouble top5, String note) {

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
                OptionalDouble.of(p.sparsity()), p.top1(), OptionalDouble.of(p.top5()), String.join("; ", p.notes()));
    }

    public static TradeoffEntry of(ExportedClassifier e) {
        return new TradeoffEntry(e.label(), Kind.STUDENT, e.bytes(), OptionalDouble.empty(), OptionalDouble.empty(),
                e.top1(), OptionalDouble.empty(), Units.count(e.parameters()) + " parameters, " + e.file().getFileName());
    }
}
