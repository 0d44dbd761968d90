package dev.quantscope.distill.llama;

import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.train.llama.LlamaParameters;
import dev.quantscope.train.llama.MatmulKernel;
import dev.quantscope.train.llama.SoftmaxKl;
import dev.quantscope.train.llama.TrainingPass;
import dev.quantscope.train.llama.VectorMatmul;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.Optimizer;
import dev.quantscope.train.optim.OptimizerSettings;
import dev.quantscope.train.optim.Parameter;

import java.util.List;
import java.util.Random;

/**
 * Recovers what pruning cost a Llama by distilling the pruned model (the student) against the dense one (the
 * teacher) over windows of a text: the teacher's logits are computed once and kept, then each step runs the
 * student forward and backward over a few windows, with the loss T²·KL(softmax(teacher/T) ‖ softmax(student/T))
 * per token (plus, optionally, cross-entropy on the next token), clips the gradient, and takes an Adam step on a
 * cosine schedule. The student's zeros stay zero ({@link ZeroMask}); a structurally pruned student simply has
 * smaller shapes. Windows are visited in a seeded random order, epoch after epoch, and every product has one writer
 * per element, so a run repeats bit for bit.
 */
public final class RecoveryDistillation {
    private RecoveryDistillation() {}

    /**
     * The most heap the dense model's stored logits may take (windows × tokens × vocabulary floats): a large vocabulary
     * over a long text would not fit, and is refused in one sentence instead of running out of memory.
     */
    static final long MAX_TEACHER_BYTES = 1L << 31;

    /** Progress units of the teacher's pass per window, against one per training step. */
    private static final int TEACHER_UNITS = 1;

    /**
     * @param trainTokens the training text tokenized (BOS first when the model takes one)
     * @param bos         BOS put at the start of every window, or −1
     * @throws IllegalArgumentException when the vocabularies differ or the text is shorter than one window
     * @throws java.util.concurrent.CancellationException when cancelled
     */
    public static Recovery run(Model dense, Model student, int[] trainTokens, int bos, RecoverySettings s, int threads,
                               ProgressMonitor monitor) {
        long start = System.nanoTime();
        LlamaParameters teacherWeights = LlamaParameters.load(dense);
        LlamaParameters studentWeights = LlamaParameters.load(student);
        int vocab = teacherWeights.config().vocab();
        if (studentWeights.config().vocab() != vocab) {
            throw new IllegalArgumentException(student.source() + " has a vocabulary of " + studentWeights.config().vocab()
                    + " tokens, the dense model " + vocab + ": it is not a pruned copy of it");
        }
        int n = s.windowTokens();
        int windows = trainTokens.length / n;
        if (windows < 1) {
            throw new IllegalArgumentException("the training text tokenizes to " + trainTokens.length
                    + " tokens, fewer than one window of " + n);
        }
        long teacherBytes = 4L * windows * n * vocab;
        if (teacherBytes > MAX_TEACHER_BYTES) {
            throw new IllegalArgumentException("the dense model's logits over " + windows + " windows of " + n
                    + " tokens would take " + teacherBytes / (1 << 20) + " MB (vocabulary " + vocab + "): give a shorter text");
        }
        long totalUnits = (long) windows * TEACHER_UNITS + s.steps();
        MatmulKernel kernel = new VectorMatmul();
        float[][] teacher = new float[windows][];
        try (TrainingPass pass = new TrainingPass(teacherWeights, n, kernel, threads)) {
            int[] window = new int[n];
            for (int w = 0; w < windows; w++) {
                monitor.checkCancelled();
                window(trainTokens, w, n, bos, window);
                teacher[w] = pass.forward(window, n).clone();
                monitor.progress((long) (w + 1) * TEACHER_UNITS, totalUnits);
            }
        }
        List<Parameter> parameters = studentWeights.all();
        ZeroMask mask = ZeroMask.of(parameters);
        Optimizer optimizer = OptimizerSettings.Adam.withWeightDecay(0).create(parameters);
        LearningRateSchedule schedule = new LearningRateSchedule.Cosine(s.learningRate(), s.learningRate() / 10,
                s.warmupSteps());
        double[] losses = new double[s.steps()];
        int[] order = shuffled(windows, new Random(s.seed()));
        Random reshuffle = new Random(s.seed() + 1);
        int next = 0;
        try (TrainingPass pass = new TrainingPass(studentWeights, n, kernel, threads)) {
            int[] window = new int[n];
            float[] dLogits = new float[n * vocab];
            float scale = 1f / ((long) n * s.batch());
            for (int step = 0; step < s.steps(); step++) {
                monitor.checkCancelled();
                optimizer.zeroGradients();
                double loss = 0;
                for (int b = 0; b < s.batch(); b++) {
                    if (next == windows) {
                        order = shuffled(windows, reshuffle);
                        next = 0;
                    }
                    int w = order[next++];
                    window(trainTokens, w, n, bos, window);
                    float[] logits = pass.forward(window, n);
                    for (int t = 0; t < n; t++) {
                        boolean hasTarget = t + 1 < n;
                        loss += SoftmaxKl.lossAndGradient(logits, teacher[w], t * vocab, vocab, (float) s.temperature(),
                                hasTarget ? window[t + 1] : 0, hasTarget ? (float) s.ceWeight() : 0f, scale, dLogits);
                    }
                    pass.backward(dLogits);
                }
                losses[step] = loss * scale;
                mask.clearGradients();
                clip(parameters, RecoverySettings.CLIP_NORM);
                optimizer.step(schedule.rate(step, s.steps()));
                mask.restore();
                monitor.progress((long) windows * TEACHER_UNITS + step + 1, totalUnits);
            }
        }
        return new Recovery(studentWeights, losses, windows, mask.count(), System.nanoTime() - start);
    }

    /** Window {@code w} of {@code n} tokens, BOS first when the model takes one (as the evaluation's windows). */
    private static void window(int[] tokens, int w, int n, int bos, int[] dst) {
        System.arraycopy(tokens, w * n, dst, 0, n);
        if (bos >= 0) dst[0] = bos;
    }

    private static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Scales every gradient down so that their joint L2 norm is at most {@code maxNorm}. */
    private static void clip(List<Parameter> parameters, double maxNorm) {
        double ss = 0;
        for (Parameter p : parameters) for (float g : p.gradients()) ss += (double) g * g;
        double norm = Math.sqrt(ss);
        if (norm <= maxNorm) return;
        float f = (float) (maxNorm / norm);
        for (Parameter p : parameters) {
            float[] g = p.gradients();
            for (int i = 0; i < g.length; i++) g[i] *= f;
        }
    }
}
