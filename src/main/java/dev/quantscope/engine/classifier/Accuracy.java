package dev.quantscope.engine.classifier;

/** Measures a classifier on a labelled data set. */
public final class Accuracy {
    private Accuracy() {}

    /** Runs the whole set in batches on {@code threads} threads; keeps up to {@code keepMisclassified} wrong examples in data-set order. */
    public static AccuracyResult measure(Classifier classifier, LabeledImages data, int threads, int keepMisclassified) {
        throw new UnsupportedOperationException("API draft");
    }
}
