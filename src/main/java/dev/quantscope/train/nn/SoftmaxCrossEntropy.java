package dev.quantscope.train.nn;

/**
 * Softmax cross-entropy (nn.CrossEntropyLoss): per example {@code −log softmax(z)[label]}, with the gradient of the
 * batch's mean, {@code (softmax(z) − onehot) / batch}. Computed in double with the maximum logit subtracted.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** @return the sum of the examples' losses; {@code gradient} (may be null) receives d(mean loss)/d(logits) */
    public static double lossAndGradient(float[] logits, int[] labels, int batch, int classes, float[] gradient) {
        return lossAndGradient(logits, labels, null, batch, classes, gradient);
    }

    /** The same with example b's label at {@code labels[examples[b]]} (a data set's labels, the batch's indices into it); {@code examples} null: b itself. */
    public static double lossAndGradient(float[] logits, int[] labels, int[] examples, int batch, int classes, float[] gradient) {
        double total = 0;
        for (int b = 0; b < batch; b++) {
            int o = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            double logSum = Math.log(sum);
            int label = labels[examples == null ? b : examples[b]];
            total += logSum - (logits[o + label] - max);
            if (gradient == null) continue;
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[o + c] - max - logSum);
                gradient[o + c] = (float) ((p - (c == label ? 1 : 0)) / batch);
            }
        }
        return total;
    }
}
