package dev.quantscope.train;

/**
 * A loss over a mini-batch's logits. Cross-entropy on labels is one; distillation's loss (in
 * {@code dev.quantscope.distill}) another, looking the batch's teacher logits up by the examples' indices.
 */
public interface BatchLoss {

    /**
     * @param logits   the batch's logits, {@code batch × classes}
     * @param examples the data-set index of each of the batch's examples
     * @param inputs   the batch's inputs as the network saw them ({@code batch × features}, augmented when training
     *                 augments): a teacher asked about the same images reads them here
     * @param gradient receives d(mean loss over the batch)/d(logits), {@code batch × classes}
     * @return the sum of the examples' losses (the trainer divides by the examples seen)
     */
    double lossAndGradient(float[] logits, int[] examples, float[] inputs, int batch, int classes, float[] gradient);
}
