package dev.quantscope.app.accuracy;

/** One cell of the confusion matrix: examples of class {@code label} that the classifier called {@code predicted}. */
public record ConfusionCell(int label, int predicted) {}
