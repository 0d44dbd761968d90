package dev.quantscope.engine.classifier;

import java.util.List;

/** Top-1 and top-5 accuracy (0 to 1) over {@code n} examples, the confusion matrix [true][predicted], and the first misclassified examples. */
public record AccuracyResult(double top1, double top5, int n, int[][] confusion, List<Misclassified> misclassified) {}
