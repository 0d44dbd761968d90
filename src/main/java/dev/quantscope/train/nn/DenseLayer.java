package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Gemm;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;
import dev.quantscope.train.optim.Parameter;

import java.util.List;

/**
 * nn.Linear: {@code y = x Wᵀ + b}. Backward: {@code dW = dyᵀ x}, {@code db = Σ_batch dy}, {@code dx = dy W}, each
 * split over rows of its result so that every value is summed over the batch in the same order by one thread.
 *
 * <p>Forward transposes whichever of x and W is smaller (the product's B operand must be row-major): W when the
 * batch is at least the layer's width, else x, computing {@code yᵀ = W xᵀ + b} and transposing that back. Each
 * output is the same fma chain from its bias either way.
 */
public final class DenseLayer implements TrainLayer {
    private final InputShape input, output;
    private final int in, out;
    private final Parameter weight, bias;
    private final float[] transposed, xT, yT;

    public DenseLayer(InputShape input, int units, Parameter weight, Parameter bias, int maxBatch) {
        this.input = input;
        this.output = InputShape.flat(units);
        this.in = input.features();
        this.out = units;
        this.weight = weight;
        this.bias = bias;
        this.transposed = new float[weight.size() + Network.PAD];
        int small = Math.min(maxBatch, units);
        this.xT = new float[Math.multiplyExact(small, in) + Network.PAD];
        this.yT = new float[Math.multiplyExact(small, units) + Network.PAD];
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
        if (batch >= out) {
            LayerKernels.transpose(weight.values(), out, in, transposed);
            LayerKernels.dense(context.vector(), x, transposed, bias.values(), y, batch, in, out, context.pool());
            return;
        }
        boolean vector = context.vector();
        float[] w = weight.values(), b = bias.values();
        context.pool().forRange(batch, 8, (s, e) -> LayerKernels.transpose(x, s * in, e - s, in, xT, s, batch));
        context.pool().forRange(out, 4, (s, e) -> {
            for (int o = s; o < e; o++) java.util.Arrays.fill(yT, o * batch, (o + 1) * batch, b[o]);
            Gemm.multiply(vector, e - s, batch, in, w, s * in, in, 1, xT, 0, batch, yT, s * batch, batch, true);
        });
        LayerKernels.transpose(yT, 0, out, batch, y, 0);
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        float[] dw = weight.gradients(), db = bias.gradients();
        boolean vector = context.vector();
        context.pool().forRange(out, 4, (s, e) -> {
            // dW[s..e) = dy[:, s..e)ᵀ · x: A is dy read down its columns
            Gemm.multiply(vector, e - s, in, batch, dy, s, 1, out, x, 0, in, dw, s * in, in, false);
            for (int o = s; o < e; o++) {
                float sum = 0;
                for (int b = 0; b < batch; b++) sum += dy[b * out + o];
                db[o] = sum;
            }
        });
        if (dx == null) return;
        float[] w = weight.values();
        context.pool().forRange(batch, 4, (s, e) ->
                Gemm.multiply(vector, e - s, in, out, dy, s * out, out, 1, w, 0, in, dx, s * in, in, false));
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
