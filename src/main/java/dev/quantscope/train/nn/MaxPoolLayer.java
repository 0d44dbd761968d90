package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;

/** nn.MaxPool2d(size): forward keeps each output's source index; backward routes the gradient there (others get 0). */
public final class MaxPoolLayer implements TrainLayer {
    private final InputShape input, output;
    private final int size;
    private final int[] argmax;

    public MaxPoolLayer(InputShape input, int size, int maxBatch) {
        this.input = input;
        this.size = size;
        this.output = new InputShape(input.channels(), input.height() / size, input.width() / size);
        this.argmax = new int[Math.multiplyExact(maxBatch, output.features()) + Network.PAD];
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
        LayerKernels.maxPool(context.vector(), x, y, argmax, batch, input, size, context.pool());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx == null) return;
        int inPlane = input.height() * input.width(), outPlane = output.height() * output.width();
        context.pool().forRange(batch * input.channels(), 8, (s, e) -> {
            java.util.Arrays.fill(dx, s * inPlane, e * inPlane, 0f);
            // windows do not overlap (stride = size), so each input takes at most one output's gradient
            for (int i = s * outPlane; i < e * outPlane; i++) dx[argmax[i]] += dy[i];
        });
    }
}
