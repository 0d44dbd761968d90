package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Gemm;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;
import dev.quantscope.train.optim.Parameter;

import java.util.List;

/**
 * nn.Conv2d, stride 1, "same" zero padding, as im2col and a matrix product. Forward keeps each example's im2col
 * matrix {@code cols[C·k·k × H·W]}; backward computes {@code dWᵀ = Σ_examples cols · dyᵀ} (split over rows of dWᵀ, each
 * summed over the examples in order), {@code db}, and per example {@code dcols = Wᵀ dy} folded back by col2im.
 */
public final class ConvLayer implements TrainLayer {
    private static final float[] ONE = {1f};

    private final InputShape input, output;
    private final int kernel, cout, ckk, hw;
    private final Parameter weight, bias;
    private final float[] cols, dyT, dwT, db4;

    public ConvLayer(InputShape input, int channels, int kernel, Parameter weight, Parameter bias, int maxBatch) {
        this.input = input;
        this.output = new InputShape(channels, input.height(), input.width());
        this.kernel = kernel;
        this.cout = channels;
        this.hw = input.height() * input.width();
        this.ckk = input.channels() * kernel * kernel;
        this.weight = weight;
        this.bias = bias;
        this.cols = new float[Math.multiplyExact(maxBatch, Math.multiplyExact(ckk, hw))];
        this.dyT = new float[Math.multiplyExact(maxBatch, Math.multiplyExact(cout, hw))];
        this.dwT = new float[weight.size()];
        this.db4 = new float[4 * channels];
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
        LayerKernels.conv(context.vector(), x, weight.values(), bias.values(), y, cols, batch, input, cout, kernel, context.pool());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        boolean vector = context.vector();
        int outSize = cout * hw, colSize = ckk * hw;
        float[] db = bias.gradients();
        context.pool().forRange(batch, 1, (s, e) -> {
            for (int b = s; b < e; b++) LayerKernels.transpose(dy, b * outSize, cout, hw, dyT, b * outSize);
        });
        // rows of dWᵀ in blocks of 4 (the kernel's register block), and one more block for db: its sums are a
        // product of ones and dyᵀ, added in the same order as before (example by example, pixel by pixel)
        int blocks = (ckk + 3) / 4;
        context.pool().forRange(blocks + 1, 1, (s, e) -> {
            int from = 4 * s, to = Math.min(4 * e, ckk);
            for (int b = 0; to > from && b < batch; b++) {
                Gemm.multiply(vector, to - from, cout, hw, cols, b * colSize + from * hw, hw, 1, dyT, b * outSize, cout,
                        dwT, from * cout, cout, b > 0);
            }
            if (e > blocks) {
                // four identical rows (A's strides 0) so that the kernel's 4-row block streams them: one row alone is
                // a chain of dependent fmas per vector; dyᵀ of all examples is one batch·hw × cout matrix
                Gemm.multiply(vector, 4, cout, batch * hw, ONE, 0, 0, 0, dyT, 0, cout, db4, 0, cout, false);
                System.arraycopy(db4, 0, db, 0, cout);
            }
        });
        LayerKernels.transpose(dwT, ckk, cout, weight.gradients());
        if (dx == null) return;
        float[] w = weight.values();
        int inSize = input.features();
        context.pool().forRange(batch, 1, (s, e) -> {
            for (int b = s; b < e; b++) {
                // the cols of example b are not needed any more: they take its input gradient in column form
                Gemm.multiply(vector, ckk, hw, cout, w, 0, 1, ckk, dy, b * outSize, hw, cols, b * colSize, hw, false);
                col2im(cols, b * colSize, dx, b * inSize);
            }
        });
    }

    /** The adjoint of im2col: each column entry added back to the input pixel it was copied from. */
    private void col2im(float[] dcols, int colOff, float[] dx, int xOff) {
        int height = input.height(), width = input.width(), pad = kernel / 2;
        java.util.Arrays.fill(dx, xOff, xOff + input.features(), 0f);
        int row = colOff;
        for (int c = 0; c < input.channels(); c++) {
            int plane = xOff + c * hw;
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++, row += hw) {
                    int dxo = kx - pad;
                    int wFrom = Math.max(0, -dxo), wTo = Math.min(width, width - dxo);
                    for (int h = 0; h < height; h++) {
                        int sh = h + ky - pad;
                        if (sh < 0 || sh >= height) continue;
                        int src = row + h * width, dst = plane + sh * width + dxo;
                        for (int w = wFrom; w < wTo; w++) dx[dst + w] += dcols[src + w];
                    }
                }
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
