package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.task.ProgressMonitor;

import java.util.List;

/** Applies {@link ClassifierVariant}s to a classifier and measures each on a test set. */
public final class ClassifierCompression {
    private ClassifierCompression() {}

    /** The variants a new user sees first: the original, ggml's and the other schemes at 8, 4 and fewer bits, and 50 % / 2:4 pruning by each method. */
    public static List<ClassifierVariant> defaults() {
        throw new UnsupportedOperationException("API draft");
    }

    /** The classifier as stored under {@code variant} and read back (a new classifier; the original is untouched). */
    public static Classifier apply(Classifier original, ClassifierVariant variant, LabeledImages calibration, int threads) {
        throw new UnsupportedOperationException("API draft");
    }

    /** Measures every variant on {@code test}, in order; calibration images feed Wanda and SparseGPT. */
    public static List<ClassifierPoint> sweep(Classifier original, List<ClassifierVariant> variants, LabeledImages test,
                                              LabeledImages calibration, int threads, ProgressMonitor monitor) {
        throw new UnsupportedOperationException("API draft");
    }
}
