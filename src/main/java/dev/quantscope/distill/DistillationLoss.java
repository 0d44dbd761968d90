package dev.quantscope.distill;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.ClassifierInference;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.BatchLoss;

import java.util.Arrays;

/**
 * Hinton et al.'s distillation loss per example: α·CE(student, label) + (1 − α)·T²·KL(softmax(teacher/T) ‖
 * softmax(student/T)). Without augmentation the teacher's logits are computed once for the whole training set (they
 * do not change while the student learns) and looked up by each batch example's index in the set; with it, the
 * teacher is asked about each batch's images as the student sees them, shifted and mirrored ("consistent teaching":
 * the student matches the teacher's function on the images it trains on, not on others).
 * <p>
 * The gradient with respect to the student's logits is the closed form α·(softmax(s) − onehot(y)) +
 * (1 − α)·T·(softmax(s/T) − softmax(t/T)), divided by the batch size because the trainer minimises the batch's mean.
 * Every softmax and log-softmax goes through a log-sum-exp shifted by the row's maximum, in double, so logits in the
 * thousands neither overflow nor turn a zero probability into 0 · −∞.
 */
public final class DistillationLoss implements BatchLoss, AutoCloseable {
    /** Examples per teacher forward pass: enough to keep the threads busy, small enough not to copy the set at once. */
    private static final int TEACHER_CHUNK = 1024;

    /** The whole set's logits, or null when the teacher runs on each batch. */
    private final float[] teacherLogits;
    /** The teacher's pass over each batch, or null when its logits were computed up front. */
    private final ClassifierInference online;
    private final int[] labels;
    private final int classes;
    private final DistillationSettings settings;

    /**
     * @param teacherLogits the teacher's logits for every example of the training set, {@code examples × classes}
     * @param labels        the training set's labels
     */
    public DistillationLoss(float[] teacherLogits, int[] labels, int classes, DistillationSettings settings) {
        if (teacherLogits.length != (long) labels.length * classes) {
            throw new IllegalArgumentException("The teacher's logits hold " + teacherLogits.length + " values, not "
                    + labels.length + " examples of " + classes + " classes.");
        }
        this.teacherLogits = teacherLogits;
        this.online = null;
        this.labels = checkedLabels(labels, classes);
        this.classes = classes;
        this.settings = settings;
    }

    private DistillationLoss(ClassifierInference online, int[] labels, int classes, DistillationSettings settings) {
        this.teacherLogits = null;
        this.online = online;
        this.labels = checkedLabels(labels, classes);
        this.classes = classes;
        this.settings = settings;
    }

    private static int[] checkedLabels(int[] labels, int classes) {
        for (int label : labels) {
            if (label < 0 || label >= classes) throw new IllegalArgumentException("A label " + label + " outside the " + classes + " classes.");
        }
        return labels;
    }

    /** Runs the teacher over all of {@code train} once, at inference, and keeps its logits. */
    public static DistillationLoss of(Classifier teacher, LabeledImages train, DistillationSettings settings, int threads) {
        return new DistillationLoss(teacherLogits(teacher, train, threads), train.labels(),
                teacher.architecture().classes(), settings);
    }

    /**
     * Asks the teacher about every batch of up to {@code maxBatch} images as the student sees them (at inference: no
     * dropout, batch norm's running statistics). Close the loss to stop the teacher's threads.
     */
    public static DistillationLoss perBatch(Classifier teacher, LabeledImages train, DistillationSettings settings,
                                            int maxBatch, int threads) {
        checkFits(teacher, train);
        return new DistillationLoss(teacher.inference(maxBatch, threads), train.labels(),
                teacher.architecture().classes(), settings);
    }

    /** The teacher's logits for every example of {@code data}, after checking that the teacher fits the data. */
    static float[] teacherLogits(Classifier teacher, LabeledImages data, int threads) {
        checkFits(teacher, data);
        int features = data.shape().features();
        int classes = teacher.architecture().classes();
        float[] all = new float[Math.multiplyExact(data.count(), classes)];
        for (int from = 0; from < data.count(); from += TEACHER_CHUNK) {
            int n = Math.min(TEACHER_CHUNK, data.count() - from);
            float[] inputs = Arrays.copyOfRange(data.inputs(), from * features, (from + n) * features);
            System.arraycopy(teacher.logits(inputs, n, threads), 0, all, from * classes, n * classes);
        }
        return all;
    }

    static void checkFits(Classifier teacher, LabeledImages data) {
        var arch = teacher.architecture();
        if (arch.input().features() != data.shape().features()) {
            throw new IllegalArgumentException("The teacher takes inputs of " + arch.input() + " and the images are "
                    + data.shape() + ".");
        }
        // a data set (or a slice of one) may lack the last classes, so its labels need only lie among the teacher's
        if (data.classes() > arch.classes()) {
            throw new IllegalArgumentException("The teacher has " + arch.classes() + " classes and the labels go up to "
                    + (data.classes() - 1) + ".");
        }
    }

    public DistillationSettings settings() {
        return settings;
    }

    @Override
    public double lossAndGradient(float[] logits, int[] examples, float[] inputs, int batch, int classes, float[] gradient) {
        if (classes != this.classes) {
            throw new IllegalArgumentException("The student has " + classes + " classes and the teacher " + this.classes + ".");
        }
        float[] teacher = online != null ? online.logits(inputs, batch) : teacherLogits;
        double t = settings.temperature();
        double alpha = settings.alpha();
        double softWeight = (1 - alpha) * t * t;
        double[] studentHard = new double[classes];   // log softmax(s)
        double[] studentSoft = new double[classes];   // log softmax(s / T)
        double[] teacherSoft = new double[classes];   // log softmax(t / T)
        double total = 0;
        for (int b = 0; b < batch; b++) {
            int row = b * classes;
            int example = examples[b];
            int label = labels[example];
            logSoftmax(logits, row, classes, 1, studentHard);
            logSoftmax(logits, row, classes, t, studentSoft);
            logSoftmax(teacher, (online != null ? b : example) * classes, classes, t, teacherSoft);
            double kl = 0;
            for (int c = 0; c < classes; c++) {
                double pTeacher = Math.exp(teacherSoft[c]);
                // a probability that underflowed to 0 adds nothing (0 · log 0 is 0 in the limit)
                if (pTeacher > 0) kl += pTeacher * (teacherSoft[c] - studentSoft[c]);
                double hard = Math.exp(studentHard[c]) - (c == label ? 1 : 0);
                double soft = Math.exp(studentSoft[c]) - pTeacher;
                // d(T²·KL)/ds = T² · (1/T) · (p_s − p_t) = T · (p_s − p_t)
                gradient[row + c] = (float) ((alpha * hard + (1 - alpha) * t * soft) / batch);
            }
            total += alpha * -studentHard[label] + softWeight * kl;
        }
        return total;
    }

    @Override
    public void close() {
        if (online != null) online.close();
    }

    /** log softmax(x / temperature) of one row, stable: shifted by the row's maximum before exponentiating. */
    static void logSoftmax(float[] x, int offset, int n, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i] / temperature);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[offset + i] / temperature - max);
        double logSum = max + Math.log(sum);
        for (int i = 0; i < n; i++) out[i] = x[offset + i] / temperature - logSum;
    }
}
