package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Gaussian;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;

/** GELU, exact form: {@code dx = dy · (Φ(x) + x φ(x))}. */
public final class GeluLayer implements TrainLayer {
    private final InputShape shape;

    public GeluLayer(InputShape shape) {
        this.shape = shape;
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
        LayerKernels.gelu(x, y, batch * shape.features());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx == null) return;
        int n = batch * shape.features();
        for (int i = 0; i < n; i++) dx[i] = (float) (dy[i] * Gaussian.geluDerivative(x[i]));
    }
}
