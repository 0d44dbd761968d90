package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.train.optim.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer's backward pass against central finite differences of {@code L = Σ r·y} (r fixed random weights, the
 * sum in double), for its input and each of its parameters; then whole networks through softmax cross-entropy.
 * Inputs keep clear of ReLU's kink and of max-pool ties by more than the step, where the derivative jumps.
 */
class GradientCheckTest {
    private static final RowParallel POOL = new RowParallel(2);
    private static final double H = 1e-2;

    @AfterAll
    static void stop() {
        POOL.close();
    }

    private static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(lo, hi);
        return x;
    }

    /** Away from 0 by more than the step: ReLU's derivative is constant on each side. */
    private static float[] clearOfZero(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextBoolean() ? 1 : -1) * r.nextDouble(0.05, 1));
        return x;
    }

    private static Parameter param(SplittableRandom r, String name, int n, double bound) {
        return Parameter.of(name, random(r, n, -bound, bound), true);
    }

    private static double loss(TrainLayer layer, float[] x, int batch, float[] r, Context c) {
        float[] y = new float[batch * layer.output().features()];
        layer.forward(x, y, batch, true, c);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (double) r[i] * y[i];
        return s;
    }

    private static void check(TrainLayer layer, float[] x, int batch, SplittableRandom rnd, boolean vector) {
        Context c = new Context(POOL, vector, 11);
        float[] r = random(rnd, batch * layer.output().features(), -1, 1);
        float[] y = new float[r.length], dx = new float[x.length];
        layer.forward(x, y, batch, true, c);
        layer.backward(x, y, r, dx, batch, c);
        List<float[]> analytic = layer.parameters().stream().map(p -> p.gradients().clone()).toList();
        String name = layer.getClass().getSimpleName();
        compare(name + " input", x, dx, () -> loss(layer, x, batch, r, c), rnd);
        for (int p = 0; p < analytic.size(); p++) {
            Parameter param = layer.parameters().get(p);
            compare(name + " " + param.name(), param.values(), analytic.get(p), () -> loss(layer, x, batch, r, c), rnd);
        }
    }

    /** Up to 40 sampled coordinates of {@code values}: the analytic gradient against the central difference. */
    private static void compare(String what, float[] values, float[] analytic, java.util.function.DoubleSupplier loss, SplittableRandom rnd) {
        compare(what, values, analytic, loss, rnd, H);
    }

    private static void compare(String what, float[] values, float[] analytic, java.util.function.DoubleSupplier loss, SplittableRandom rnd, double h) {
        int n = values.length;
        for (int t = 0; t < Math.min(40, n); t++) {
            int i = n <= 40 ? t : rnd.nextInt(n);
            float keep = values[i];
            values[i] = (float) (keep + h);
            double plus = loss.getAsDouble();
            values[i] = (float) (keep - h);
            double minus = loss.getAsDouble();
            values[i] = keep;
            double numeric = (plus - minus) / ((double) (float) (keep + h) - (float) (keep - h));
            if (Math.abs(numeric - analytic[i]) > 2e-3 + 1e-2 * Math.abs(numeric)) {
                // a max-pool tie or ReLU kink within the step: a quarter of it must then agree
                compareOne(what, values, analytic, i, loss, h / 4);
                continue;
            }
            assertEquals(numeric, analytic[i], 2e-3 + 1e-2 * Math.abs(numeric), what + "[" + i + "]");
        }
    }

    private static void compareOne(String what, float[] values, float[] analytic, int i, java.util.function.DoubleSupplier loss, double h) {
        float keep = values[i];
        values[i] = (float) (keep + h);
        double plus = loss.getAsDouble();
        values[i] = (float) (keep - h);
        double minus = loss.getAsDouble();
        values[i] = keep;
        double numeric = (plus - minus) / ((double) (float) (keep + h) - (float) (keep - h));
        assertEquals(numeric, analytic[i], 3e-3 + 1e-2 * Math.abs(numeric), what + "[" + i + "] with a step of " + h);
    }

    @Test
    void dense() {
        SplittableRandom r = new SplittableRandom(1);
        for (boolean vector : new boolean[] {false, true}) {
            InputShape in = InputShape.flat(37);
            DenseLayer l = new DenseLayer(in, 53, param(r, "w", 53 * 37, 0.3), param(r, "b", 53, 0.3), 5);
            check(l, random(r, 5 * 37, -1, 1), 5, r, vector);
            // a batch wider than the layer: the forward pass transposes W rather than x
            DenseLayer narrow = new DenseLayer(in, 3, param(r, "w", 3 * 37, 0.3), param(r, "b", 3, 0.3), 5);
            check(narrow, random(r, 5 * 37, -1, 1), 5, r, vector);
        }
    }

    @Test
    void conv() {
        SplittableRandom r = new SplittableRandom(2);
        for (boolean vector : new boolean[] {false, true}) {
            for (int k : new int[] {1, 3, 5}) {
                InputShape in = new InputShape(3, 7, 6);
                ConvLayer l = new ConvLayer(in, 4, k, param(r, "w", 4 * 3 * k * k, 0.3), param(r, "b", 4, 0.3), 3);
                check(l, random(r, 3 * in.features(), -1, 1), 3, r, vector);
            }
        }
    }

    @Test
    void relu() {
        SplittableRandom r = new SplittableRandom(3);
        check(new ReluLayer(InputShape.flat(50)), clearOfZero(r, 100), 2, r, true);
    }

    @Test
    void gelu() {
        SplittableRandom r = new SplittableRandom(4);
        check(new GeluLayer(InputShape.flat(50)), random(r, 100, -3, 3), 2, r, true);
    }

    @Test
    void maxPool() {
        SplittableRandom r = new SplittableRandom(5);
        InputShape in = new InputShape(2, 6, 7);    // a partial last column, dropped
        int n = 3 * in.features();
        // distinct values 0.05 apart, shuffled: no tie within a step of 0.01
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 0.05f * i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        check(new MaxPoolLayer(in, 2, 3), x, 3, r, true);
    }

    @Test
    void flattenAndDropout() {
        SplittableRandom r = new SplittableRandom(6);
        InputShape in = new InputShape(2, 3, 3);
        check(new FlattenLayer(in), random(r, 2 * 18, -1, 1), 2, r, true);
        check(new DropoutLayer(in, 0.4, 0, 2), random(r, 2 * 18, -1, 1), 2, r, true);
    }

    @Test
    void batchNormOverFeaturesAndOverChannels() {
        SplittableRandom r = new SplittableRandom(7);
        for (InputShape in : List.of(InputShape.flat(6), new InputShape(3, 4, 4))) {
            BatchNormLayer l = new BatchNormLayer(in, Parameter.of("g", random(r, in.channels(), 0.5, 1.5), false),
                    Parameter.of("b", random(r, in.channels(), -0.5, 0.5), false), new float[in.channels()], new float[in.channels()], 5);
            check(l, random(r, 5 * in.features(), -2, 2), 5, r, true);
        }
    }

    @Test
    void batchNormRunningStatisticsAreUpdatedAsPyTorchDoes() {
        InputShape in = InputShape.flat(1);
        float[] mean = {0}, var = {1};
        BatchNormLayer l = new BatchNormLayer(in, Parameter.of("g", new float[] {1}, false), Parameter.of("b", new float[] {0}, false), mean, var, 4);
        l.forward(new float[] {1, 2, 3, 4}, new float[4], 4, true, new Context(POOL, true, 0));
        assertEquals(0.25f, mean[0], 1e-6);                       // 0.9·0 + 0.1·2.5
        assertEquals(0.9 + 0.1 * (5.0 / 3), var[0], 1e-6);        // unbiased batch variance 5/3
    }

    @Test
    void dropoutZeroesAboutItsRateAndScalesTheRest() {
        DropoutLayer l = new DropoutLayer(InputShape.flat(10_000), 0.3, 0, 1);
        float[] x = new float[10_000], y = new float[10_000];
        java.util.Arrays.fill(x, 1);
        l.forward(x, y, 1, true, new Context(POOL, true, 3));
        int zeros = 0;
        for (float v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.7f, v, 1e-6);
        }
        assertTrue(zeros > 2800 && zeros < 3200, zeros + " zeros");
        l.forward(x, y, 1, false, new Context(POOL, true, 3));
        assertArrayEquals(x, y);
    }

    /**
     * A whole network through softmax cross-entropy: every parameter kind, including behind batch norm, max-pool and
     * dropout. GELU rather than ReLU between layers: a weight's step moves hundreds of pre-activations, and one of
     * them crossing ReLU's kink spoils the difference (ReLU's own check above keeps its inputs clear of it).
     */
    @Test
    void wholeNetworkThroughCrossEntropy() {
        net("conv:3,gelu,bn,pool,conv:4:1,gelu,fc:12,gelu,dropout:0.25,fc:8,gelu,bn");
    }

    /** ReLU between layers: an MLP, whose few pre-activations per weight stay clear of the kink at this step. */
    @Test
    void reluMlpThroughCrossEntropy() {
        net("fc:16,fc:8");
    }

    private void net(String spec) {
        Architecture a = Architecture.parse(spec, new InputShape(2, 6, 6), 5);
        Classifier model = Classifier.initialized(a, 3);
        SplittableRandom r = new SplittableRandom(8);
        int batch = 4;
        float[] inputs = random(r, batch * a.input().features(), -1, 1);
        int[] labels = {0, 3, 4, 1};
        try (Network net = new Network(model, batch, 2, 5, true)) {
            float[] grad = new float[batch * 5];
            float[] logits = net.forward(inputs, batch, true, 7);
            SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 5, grad);
            net.backward(grad, batch);
            java.util.function.DoubleSupplier loss = () ->
                    SoftmaxCrossEntropy.lossAndGradient(net.forward(inputs, batch, true, 7), labels, batch, 5, null) / batch;
            // a smaller step than the layers' checks: a network has kinks (ReLU, max-pool) that a large step can cross
            for (Parameter p : net.parameters()) compare(p.name(), p.values(), p.gradients().clone(), loss, r, 1e-3);
        }
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverTheBatch() {
        float[] logits = {1, 2, 3, 0, 0, 0};
        float[] g = new float[6];
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits, new int[] {2, 0}, 2, 3, g);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(-Math.log(Math.exp(3) / z) + Math.log(3), loss, 1e-9);
        assertEquals((Math.exp(3) / z - 1) / 2, g[2], 1e-7);
        assertEquals((1 / 3.0 - 1) / 2, g[3], 1e-7);
    }

    /** The vector kernels and the scalar reference give the same logits and gradients, bit for bit. */
    @Test
    void vectorAndScalarNetworksAgree() {
        Architecture a = Architecture.parse("conv:20,pool,conv:40,pool,fc:70", InputShape.image(12, 12), 10);
        SplittableRandom r = new SplittableRandom(9);
        int batch = 9;
        float[] inputs = random(r, batch * a.input().features(), 0, 1);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = i;
        float[][] results = new float[2][];
        for (int v = 0; v < 2; v++) {
            Classifier model = Classifier.initialized(a, 4);
            try (Network net = new Network(model, batch, 2, 5, v == 1)) {
                float[] logits = net.forward(inputs, batch, true, 0);
                float[] grad = new float[batch * 10];
                SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 10, grad);
                net.backward(grad, batch);
                int total = batch * 10;
                for (Parameter p : net.parameters()) total += p.size();
                results[v] = new float[total];
                System.arraycopy(logits, 0, results[v], 0, batch * 10);
                int at = batch * 10;
                for (Parameter p : net.parameters()) {
                    System.arraycopy(p.gradients(), 0, results[v], at, p.size());
                    at += p.size();
                }
            }
        }
        assertArrayEquals(results[0], results[1]);
    }
}
