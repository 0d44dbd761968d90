package dev.quantscope.train.llama;

/**
 * The distillation loss of one token (Hinton et al., 2015): T²·KL(softmax(teacher/T) ‖ softmax(student/T)), plus,
 * with a weight, the cross-entropy of the student on the true next token. T² keeps the gradient's scale independent
 * of T: d/ds of the first term is T·(softmax(s/T) − softmax(t/T)).
 */
public final class SoftmaxKl {
    private SoftmaxKl() {}

    /**
     * @param ceWeight weight of the cross-entropy term (0: none; then {@code target} is ignored)
     * @param scale    factor on the gradient written to {@code dStudent} (1/tokens for a mean)
     * @return the loss of this token (unscaled)
     */
    public static double lossAndGradient(float[] student, float[] teacher, int offset, int vocab, float temperature,
                                         int target, float ceWeight, float scale, float[] dStudent) {
        float invT = 1f / temperature;
        double[] ps = softmax(student, offset, vocab, invT);
        double[] pt = softmax(teacher, offset, vocab, invT);
        double kl = 0;
        for (int i = 0; i < vocab; i++) {
            if (pt[i] > 0) kl += pt[i] * (Math.log(pt[i]) - Math.log(Math.max(ps[i], Double.MIN_NORMAL)));
        }
        double loss = temperature * temperature * kl;
        for (int i = 0; i < vocab; i++) dStudent[offset + i] = (float) (scale * temperature * (ps[i] - pt[i]));
        if (ceWeight != 0) {
            double[] p = temperature == 1f ? ps : softmax(student, offset, vocab, 1f);
            loss -= ceWeight * Math.log(Math.max(p[target], Double.MIN_NORMAL));
            for (int i = 0; i < vocab; i++) {
                dStudent[offset + i] += (float) (scale * ceWeight * (p[i] - (i == target ? 1 : 0)));
            }
        }
        return loss;
    }

    private static double[] softmax(float[] logits, int offset, int vocab, float invT) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] * invT);
        double[] p = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp(logits[offset + i] * invT - max);
            sum += p[i];
        }
        for (int i = 0; i < vocab; i++) p[i] /= sum;
        return p;
    }
}
