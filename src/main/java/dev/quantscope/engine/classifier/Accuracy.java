package dev.quantscope.engine.classifier;

import java.util.ArrayList;
import java.util.List;

/** Measures a classifier on a labelled data set. */
public final class Accuracy {
    private Accuracy() {}

    /** Runs the whole set in batches on {@code threads} threads; keeps up to {@code keepMisclassified} wrong examples in data-set order. */
    public static AccuracyResult measure(Classifier classifier, LabeledImages data, int threads, int keepMisclassified) {
        Architecture a = classifier.architecture();
        if (!a.input().equals(data.shape()) && a.input().features() != data.shape().features()) {
            throw new IllegalArgumentException("The classifier takes " + a.input() + " inputs, and the images are " + data.shape() + ".");
        }
        if (data.classes() > a.classes()) {
            throw new IllegalArgumentException("The labels go up to class " + (data.classes() - 1) + ", and the classifier has " + a.classes() + " classes.");
        }
        int classes = a.classes(), n = data.count();
        int[][] confusion = new int[classes][classes];
        List<Misclassified> wrong = new ArrayList<>();
        long top1 = 0, top5 = 0;
        int step = Classifier.INFERENCE_BATCH;
        float[] logits = new float[step * classes];
        try (InferencePass pass = new InferencePass(classifier, step, threads)) {
            for (int from = 0; from < n; from += step) {
                int batch = Math.min(step, n - from);
                pass.logits(data.inputs(), from, batch, logits, null);
                for (int b = 0; b < batch; b++) {
                    int o = b * classes, label = data.labels()[from + b];
                    int predicted = argmax(logits, o, classes);
                    confusion[label][predicted]++;
                    if (predicted == label) top1++;
                    if (rank(logits, o, classes, label) < 5) top5++;
                    if (predicted != label && wrong.size() < keepMisclassified) {
                        wrong.add(new Misclassified(from + b, label, predicted, softmaxAt(logits, o, classes, predicted)));
                    }
                }
            }
        }
        return new AccuracyResult(n == 0 ? 0 : (double) top1 / n, n == 0 ? 0 : (double) top5 / n, n, confusion, List.copyOf(wrong));
    }

    /** The index of the largest logit (the first of equals). */
    public static int argmax(float[] logits, int offset, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) if (logits[offset + c] > logits[offset + best]) best = c;
        return best;
    }

    /** How many classes score strictly higher than {@code label}, or equal and come before it (so ties count against it as argmax breaks them). */
    private static int rank(float[] logits, int offset, int classes, int label) {
        float v = logits[offset + label];
        int above = 0;
        for (int c = 0; c < classes; c++) {
            float u = logits[offset + c];
            if (u > v || (u == v && c < label)) above++;
        }
        return above;
    }

    private static float softmaxAt(float[] logits, int offset, int classes, int index) {
        float max = logits[offset + argmax(logits, offset, classes)];
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.exp(logits[offset + c] - max);
        return (float) (Math.exp(logits[offset + index] - max) / sum);
    }
}
