package dev.quantscope.distill.llama;

import dev.quantscope.train.llama.LlamaParameters;

/**
 * What a recovery distillation produced.
 *
 * @param student      the trained weights (the student's shapes, its zeros kept)
 * @param losses       the mean distillation loss of each step
 * @param windows      training windows the text gave
 * @param maskedZeros  weights held at zero
 * @param nanos        time of the teacher's pass and the training
 */
public record Recovery(LlamaParameters student, double[] losses, int windows, long maskedZeros, long nanos) {

    public int steps() { return losses.length; }

    /** The mean loss of the first or last {@code n} steps (at most all). */
    public double meanLoss(boolean first, int n) {
        int k = Math.min(n, losses.length);
        double s = 0;
        for (int i = 0; i < k; i++) s += losses[first ? i : losses.length - 1 - i];
        return s / k;
    }
}
