package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;

import java.util.SplittableRandom;

/**
 * nn.Dropout(p): in training each value is kept with probability 1 − p and scaled by 1/(1 − p), the draws seeded by
 * the run's seed, the step and the layer (one thread draws them, so the mask does not depend on the thread count);
 * identity at inference.
 */
public final class DropoutLayer implements TrainLayer {
    private final InputShape shape;
    private final double rate;
    private final int index;
    private final float[] mask;
    private boolean masked;

    public DropoutLayer(InputShape shape, double rate, int index, int maxBatch) {
        this.shape = shape;
        this.rate = rate;
        this.index = index;
        this.mask = new float[Math.multiplyExact(maxBatch, shape.features())];
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
        int n = batch * shape.features();
        masked = training && rate > 0;
        if (!masked) {
            System.arraycopy(x, 0, y, 0, n);
            return;
        }
        SplittableRandom random = new SplittableRandom(context.seedFor(index));
        float keep = (float) (1 / (1 - rate));
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextDouble() < rate ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx == null) return;
        int n = batch * shape.features();
        if (!masked) {
            System.arraycopy(dy, 0, dx, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
    }
}
