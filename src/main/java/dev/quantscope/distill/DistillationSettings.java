package dev.quantscope.distill;

/**
 * The distillation loss's two knobs: the loss is α·CE(student, labels) + (1 − α)·T²·KL(softmax(teacher/T) ‖
 * softmax(student/T)). The temperature T softens both distributions so that the teacher's small probabilities for the
 * wrong classes (which shirts look like which pullovers) carry weight; T² keeps the soft term's gradients on the scale
 * of the hard one's as T changes (Hinton et al., 2015, section 2).
 */
public record DistillationSettings(double temperature, double alpha) {

    /**
     * T = 4 and α = 0.1: the settings of the common KD benchmarks (Tian et al., "Contrastive Representation
     * Distillation", ICLR 2020, and its RepDistiller code, whose KD baseline uses T = 4 with weight 0.9 on the soft
     * term and 0.1 on the labels). Hinton et al. found intermediate temperatures best when the student is much too
     * small to hold all the teacher knows, as ours are. The labels keep a small weight so that they still correct the
     * student where the teacher is wrong. Constants, so that command-line defaults (known at compile time) read them.
     */
    public static final double DEFAULT_TEMPERATURE = 4;
    public static final double DEFAULT_ALPHA = 0.1;
    public static final DistillationSettings DEFAULT = new DistillationSettings(DEFAULT_TEMPERATURE, DEFAULT_ALPHA);

    public DistillationSettings {
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("The temperature must be a positive number, not " + temperature + ".");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("The weight alpha of the labels' loss must lie between 0 and 1, not " + alpha + ".");
        }
    }
}
