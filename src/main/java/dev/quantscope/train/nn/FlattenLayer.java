package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;

/** nn.Flatten: NCHW is already one row per example, so values and gradients pass unchanged. */
public final class FlattenLayer implements TrainLayer {
    private final InputShape input, output;

    public FlattenLayer(InputShape input) {
        this.input = input;
        this.output = InputShape.flat(input.features());
    }

    @Override
    public InputShape input() {
        return input;
    }

    @Override
    public InputShape output() {
        return output;
    }

    @Override
    public void forward(float[] x, float[] y, int batch, boolean training, Context context) {
        System.arraycopy(x, 0, y, 0, batch * input.features());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx != null) System.arraycopy(dy, 0, dx, 0, batch * input.features());
    }
}
