package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;
import dev.quantscope.engine.classifier.LayerSpec;
import dev.quantscope.train.optim.Parameter;

import java.util.List;

/**
 * nn.BatchNorm1d/2d (ε = 1e-5, momentum 0.1). Training normalises with the batch's mean and biased variance per
 * channel and moves the running statistics toward them (the running variance takes the unbiased estimate, as
 * PyTorch); inference uses the running ones. Backward, with x̂ the normalised input and N the values per channel:
 * {@code dγ = Σ dy·x̂}, {@code dβ = Σ dy}, {@code dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂))}. Channels split over threads.
 */
public final class BatchNormLayer implements TrainLayer {
    static final double EPS = LayerSpec.BatchNorm.EPSILON, MOMENTUM = 0.1;

    private final InputShape shape;
    private final int channels, spatial;
    private final Parameter gamma, beta;
    private final float[] runningMean, runningVar;
    private final float[] normalised, inverseStd;
    private boolean trained;

    public BatchNormLayer(InputShape shape, Parameter gamma, Parameter beta, float[] runningMean, float[] runningVar, int maxBatch) {
        this.shape = shape;
        this.channels = shape.channels();
        this.spatial = shape.height() * shape.width();
        this.gamma = gamma;
        this.beta = beta;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.normalised = new float[Math.multiplyExact(maxBatch, shape.features())];
        this.inverseStd = new float[channels];
    }

    @Override
    public InputShape input() {
        return shape;
    }

    @Override
    public InputShape output() {
        return shape;
    }

    @Override
    public void forward(float[] x, float[] y, int batch, boolean training, Context context) {
        trained = training;
        float[] g = gamma.values(), b = beta.values();
        if (!training) {
            LayerKernels.batchNorm(x, y, batch, channels, spatial, g, b, runningMean, runningVar, EPS);
            return;
        }
        long n = (long) batch * spatial;
        if (n < 2) throw new IllegalArgumentException("Batch norm needs more than one value per channel to train; use a batch larger than 1.");
        context.pool().forRange(channels, 1, (s, e) -> {
            for (int c = s; c < e; c++) {
                double sum = 0;
                for (int i = 0; i < batch; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int j = 0; j < spatial; j++) sum += x[o + j];
                }
                double mean = sum / n, squares = 0;
                for (int i = 0; i < batch; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int j = 0; j < spatial; j++) {
                        double d = x[o + j] - mean;
                        squares += d * d;
                    }
                }
                double var = squares / n;
                double inv = 1 / Math.sqrt(var + EPS);
                inverseStd[c] = (float) inv;
                for (int i = 0; i < batch; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int j = 0; j < spatial; j++) {
                        float xh = (float) ((x[o + j] - mean) * inv);
                        normalised[o + j] = xh;
                        y[o + j] = g[c] * xh + b[c];
                    }
                }
                runningMean[c] = (float) ((1 - MOMENTUM) * runningMean[c] + MOMENTUM * mean);
                runningVar[c] = (float) ((1 - MOMENTUM) * runningVar[c] + MOMENTUM * squares / (n - 1));
            }
        });
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (!trained) throw new IllegalStateException("Batch norm's backward pass follows a training forward pass.");
        float[] g = gamma.values(), dg = gamma.gradients(), db = beta.gradients();
        long n = (long) batch * spatial;
        context.pool().forRange(channels, 1, (s, e) -> {
            for (int c = s; c < e; c++) {
                double sumDy = 0, sumDyXh = 0;
                for (int i = 0; i < batch; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int j = 0; j < spatial; j++) {
                        sumDy += dy[o + j];
                        sumDyXh += (double) dy[o + j] * normalised[o + j];
                    }
                }
                dg[c] = (float) sumDyXh;
                db[c] = (float) sumDy;
                if (dx == null) continue;
                double meanDy = sumDy / n, meanDyXh = sumDyXh / n, scale = g[c] * (double) inverseStd[c];
                for (int i = 0; i < batch; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int j = 0; j < spatial; j++) dx[o + j] = (float) (scale * (dy[o + j] - meanDy - normalised[o + j] * meanDyXh));
                }
            }
        });
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }
}
