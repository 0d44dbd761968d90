package dev.quantscope.distill;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationLossTest {
    private static final int CLASSES = 5;

    @Test
    void gradientMatchesFiniteDifferences() {
        Random random = new Random(13);
        int examples = 7;
        int batch = 3;
        float[] teacher = gaussian(random, examples * CLASSES, 3);
        int[] labels = random.ints(examples, 0, CLASSES).toArray();
        int[] picked = {5, 0, 3};
        for (DistillationSettings kd : new DistillationSettings[]{
                new DistillationSettings(4, 0.1), new DistillationSettings(1, 0.5), new DistillationSettings(20, 0)}) {
            DistillationLoss loss = new DistillationLoss(teacher, labels, CLASSES, kd);
            float[] logits = gaussian(random, batch * CLASSES, 2);
            float[] gradient = new float[logits.length];
            loss.lossAndGradient(logits, picked, null, batch, CLASSES, gradient);
            for (int i = 0; i < logits.length; i++) {
                float h = 1e-2f;
                float keep = logits[i];
                logits[i] = keep + h;
                double up = loss.lossAndGradient(logits, picked, null, batch, CLASSES, new float[logits.length]);
                logits[i] = keep - h;
                double down = loss.lossAndGradient(logits, picked, null, batch, CLASSES, new float[logits.length]);
                logits[i] = keep;
                // the loss returned is the batch's sum; the gradient is of the batch's mean
                double numeric = (up - down) / (2 * h) / batch;
                assertEquals(numeric, gradient[i], 1e-3 * Math.max(1, Math.abs(numeric)), kd + ", logit " + i);
            }
        }
    }

    @Test
    void alphaOneIsCrossEntropyOnTheLabels() {
        float[] teacher = {9, -3, 0, 1, 2};
        float[] student = {1, 2, 3, 0, -1};
        DistillationLoss loss = new DistillationLoss(teacher, new int[]{2}, CLASSES, new DistillationSettings(4, 1));
        float[] gradient = new float[CLASSES];
        double value = loss.lossAndGradient(student, new int[]{0}, null, 1, CLASSES, gradient);
        double sum = 0;
        for (float s : student) sum += Math.exp(s);
        assertEquals(Math.log(sum) - 3, value, 1e-9);
        for (int c = 0; c < CLASSES; c++) {
            assertEquals(Math.exp(student[c]) / sum - (c == 2 ? 1 : 0), gradient[c], 1e-6);
        }
    }

    @Test
    void aStudentThatMatchesTheTeacherHasOnlyTheLabelsLossLeft() {
        float[] teacher = {0.5f, -1, 2, 0, 3};
        DistillationLoss soft = new DistillationLoss(teacher, new int[]{4}, CLASSES, new DistillationSettings(3, 0));
        float[] gradient = new float[CLASSES];
        assertEquals(0, soft.lossAndGradient(teacher.clone(), new int[]{0}, null, 1, CLASSES, gradient), 1e-12);
        for (float g : gradient) assertEquals(0, g, 1e-7);
    }

    @Test
    void theSoftTermIsScaledByTheSquaredTemperature() {
        // KL(p ‖ q) for p = softmax(t/T), q = softmax(s/T), times T² and (1 − α), computed here by hand
        float[] teacher = {2, 0, -2, 1, 0};
        float[] student = {0, 1, 0, 0, -1};
        double t = 2;
        double alpha = 0.25;
        DistillationLoss loss = new DistillationLoss(teacher, new int[]{1}, CLASSES, new DistillationSettings(t, alpha));
        double kl = 0;
        double[] p = softmax(teacher, t);
        double[] q = softmax(student, t);
        for (int c = 0; c < CLASSES; c++) kl += p[c] * Math.log(p[c] / q[c]);
        double ce = -Math.log(softmax(student, 1)[1]);
        assertEquals(alpha * ce + (1 - alpha) * t * t * kl,
                loss.lossAndGradient(student, new int[]{0}, null, 1, CLASSES, new float[CLASSES]), 1e-9);
    }

    @Test
    void hugeLogitsStayFinite() {
        float[] teacher = {3e4f, -3e4f, 0, 1e4f, -1e4f};
        float[] student = {-2e4f, 3e4f, 5e3f, 0, 1};
        DistillationLoss loss = new DistillationLoss(teacher, new int[]{0}, CLASSES, new DistillationSettings(1, 0.5));
        float[] gradient = new float[CLASSES];
        double value = loss.lossAndGradient(student, new int[]{0}, null, 1, CLASSES, gradient);
        assertTrue(Double.isFinite(value) && value > 0, "loss " + value);
        for (float g : gradient) assertTrue(Float.isFinite(g), "gradient " + g);
        // the student is sure of class 1, the teacher and the label of class 0: the push is down on 1, up on 0
        assertTrue(gradient[1] > 0.9 && gradient[0] < -0.9, java.util.Arrays.toString(gradient));
    }

    @Test
    void settingsOutsideTheirRangeAreRefusedInOneSentence() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new DistillationSettings(4, 1.5));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new DistillationSettings(0, 0.5));
    }

    private static double[] softmax(float[] x, double t) {
        double sum = 0;
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) sum += p[i] = Math.exp(x[i] / t);
        for (int i = 0; i < x.length; i++) p[i] /= sum;
        return p;
    }

    private static float[] gaussian(Random random, int n, double sigma) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * sigma);
        return x;
    }
}
