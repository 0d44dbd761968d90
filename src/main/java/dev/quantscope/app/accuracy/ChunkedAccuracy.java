package dev.quantscope.app.accuracy;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.Misclassified;
import dev.quantscope.task.ProgressMonitor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Accuracy#measure} over a data set in slices, so that the page shows progress and Cancel stops the run
 * between two slices ({@code measure} itself takes no monitor). The slices' results add up to the whole set's:
 * hits are counted, confusion matrices summed and misclassified examples put back at their index in the set.
 */
final class ChunkedAccuracy {
    /** A slice takes a fraction of a second for an MLP: progress moves and Cancel answers at once. */
    static final int SLICE = 1000;

    private ChunkedAccuracy() {}

    static AccuracyResult measure(Classifier classifier, LabeledImages data, int threads, ProgressMonitor monitor) {
        List<AccuracyResult> parts = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int n = data.count();
        for (int from = 0; from < n; from += SLICE) {
            monitor.checkCancelled();
            int to = Math.min(n, from + SLICE);
            // Every wrong example is kept: the grid filters them by cell, and a cell's examples may come late in the set.
            parts.add(Accuracy.measure(classifier, data.slice(from, to), threads, to - from));
            offsets.add(from);
            monitor.progress(to, n);
        }
        return merge(parts, offsets);
    }

    /** The result of the whole set from the results of its slices, slice i starting at example {@code offsets[i]}. */
    static AccuracyResult merge(List<AccuracyResult> parts, List<Integer> offsets) {
        long top1Hits = 0, top5Hits = 0;
        int n = 0, classes = 0;
        for (AccuracyResult r : parts) classes = Math.max(classes, r.confusion().length);
        int[][] confusion = new int[classes][classes];
        List<Misclassified> wrong = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            AccuracyResult r = parts.get(i);
            top1Hits += Math.round(r.top1() * r.n());
            top5Hits += Math.round(r.top5() * r.n());
            n += r.n();
            for (int t = 0; t < r.confusion().length; t++) {
                for (int p = 0; p < r.confusion()[t].length; p++) confusion[t][p] += r.confusion()[t][p];
            }
            int offset = offsets.get(i);
            for (Misclassified m : r.misclassified()) {
                wrong.add(new Misclassified(m.index() + offset, m.label(), m.predicted(), m.confidence()));
            }
        }
        return n == 0 ? new AccuracyResult(0, 0, 0, confusion, List.of())
                : new AccuracyResult((double) top1Hits / n, (double) top5Hits / n, n, confusion, List.copyOf(wrong));
    }
}
