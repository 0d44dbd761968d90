package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;

/** ReLU: {@code dx = dy} where {@code x > 0}, else 0 (PyTorch's choice at 0). */
public final class ReluLayer implements TrainLayer {
    private final InputShape shape;

    public ReluLayer(InputShape shape) {
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
        LayerKernels.relu(x, y, batch * shape.features());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx == null) return;
        int n = batch * shape.features();
        for (int i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
    }
}
