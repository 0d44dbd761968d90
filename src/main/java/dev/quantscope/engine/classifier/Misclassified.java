package dev.quantscope.engine.classifier;

/** One example the classifier got wrong: its index in the data set, the true and predicted class, and the softmax probability of the prediction. */
public record Misclassified(int index, int label, int predicted, float confidence) {}
