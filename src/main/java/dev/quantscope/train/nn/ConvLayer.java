package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Gemm;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;
import dev.quantscope.train.optim.Parameter;

import java.util.List;

/**
 * nn.Conv2d, stride 1, "same" zero padding, as im2col and a matrix product: per example, {@code y = W · cols + b}
 * with {@code cols[C·k·k × H·W]} its im2col matrix. Backward, per example: {@code dWᵀ += cols · dyᵀ}, {@code db +=}
 * the sums of dy's rows, and {@code dcols = Wᵀ dy} folded back into dx by col2im.
 *
 * <p>No example's cols are kept from the forward pass: backward makes them again from x (im2col is a copy, a small
 * part of the product's cost), into a buffer of the thread's own that stays in its cache with the example's dyᵀ and
 * dcols, instead of streaming a batch of cols (14 MB for the CNN's second convolution at batch 64) out to memory and
 * back.
 *
 * <p>The weight and bias gradients are summed in {@value #GROUPS} fixed groups of consecutive examples, each in
 * example order, then added as {@code (g0 + g1) + (g2 + g3)}: a fixed order whatever the number of threads, which
 * take whole groups. (Split over rows of dWᵀ instead, every thread re-read every example's cols and dyᵀ; measured,
 * the dW product then ran 3 to 4 times slower per multiply-add than the forward one.)
 */
public final class ConvLayer implements TrainLayer {
    private static final float[] ONE = {1f};
    static final int GROUPS = 4;

    private final InputShape input, output;
    private final int kernel, cout, ckk, hw;
    private final Parameter weight, bias;
    /** Per group: its dyᵀ of one example, its partial dWᵀ and (4 rows, the first kept) db. */
    private final float[] dyT, dwT, db4;
    /** Per thread, made on its first pass and then kept (a warmed-up step allocates nothing): one example's cols. */
    private final ThreadLocal<float[]> scratch;

    public ConvLayer(InputShape input, int channels, int kernel, Parameter weight, Parameter bias, int maxBatch) {
        this.input = input;
        this.output = new InputShape(channels, input.height(), input.width());
        this.kernel = kernel;
        this.cout = channels;
        this.hw = input.height() * input.width();
        this.ckk = input.channels() * kernel * kernel;
        this.weight = weight;
        this.bias = bias;
        this.dyT = new float[Math.multiplyExact(GROUPS, Math.multiplyExact(cout, hw))];
        this.dwT = new float[Math.multiplyExact(GROUPS, weight.size())];
        this.db4 = new float[GROUPS * 4 * channels];
        int colSize = Math.multiplyExact(ckk, hw);
        this.scratch = ThreadLocal.withInitial(() -> new float[colSize + Network.PAD]);
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
        boolean vector = context.vector();
        float[] w = weight.values(), b = bias.values();
        context.pool().forRange(batch, 1, (s, e) -> {
            float[] cols = scratch.get();
            for (int i = s; i < e; i++) LayerKernels.convExample(vector, x, i, w, b, y, cols, 0, input, cout, kernel);
        });
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        boolean vector = context.vector();
        int outSize = cout * hw, inSize = input.features(), size = ckk * cout;
        float[] w = weight.values();
        context.pool().forRange(GROUPS, 1, (s, e) -> {
            float[] cols = scratch.get();
            for (int g = s; g < e; g++) {
                int from = g * batch / GROUPS, to = (g + 1) * batch / GROUPS, t = g * hw * cout;
                if (from == to) {
                    java.util.Arrays.fill(dwT, g * size, (g + 1) * size, 0f);
                    java.util.Arrays.fill(db4, g * 4 * cout, g * 4 * cout + cout, 0f);
                }
                for (int b = from; b < to; b++) {
                    LayerKernels.im2col(x, b * inSize, input, kernel, cols, 0);
                    LayerKernels.transpose(dy, b * outSize, cout, hw, dyT, t);
                    Gemm.multiply(vector, ckk, cout, hw, cols, 0, hw, 1, dyT, t, cout, dwT, g * size, cout, b > from);
                    // db: four identical rows of ones (A's strides 0), so that the kernel's 4-row block streams them
                    // (one row alone is a chain of dependent fmas per vector); row 0 is kept
                    Gemm.multiply(vector, 4, cout, hw, ONE, 0, 0, 0, dyT, t, cout, db4, g * 4 * cout, cout, b > from);
                    if (dx != null) {
                        // the example's cols are done with: they take its input gradient in column form
                        Gemm.multiply(vector, ckk, hw, cout, w, 0, 1, ckk, dy, b * outSize, hw, cols, 0, hw, false);
                        col2im(cols, 0, dx, b * inSize);
                    }
                }
            }
        });
        float[] dw = weight.gradients(), db = bias.gradients();
        for (int r = 0; r < ckk; r++) {
            for (int o = 0; o < cout; o++) {
                int i = r * cout + o;
                dw[o * ckk + r] = (dwT[i] + dwT[size + i]) + (dwT[2 * size + i] + dwT[3 * size + i]);
            }
        }
        for (int o = 0; o < cout; o++) db[o] = (db4[o] + db4[4 * cout + o]) + (db4[8 * cout + o] + db4[12 * cout + o]);
    }

    /**
     * The adjoint of im2col: each column entry added back to the input pixel it was copied from. Like im2col, a row of
     * dcols at a time as one shifted range: the entries the shift carries across a row's edge are zeroed first (they
     * belong to no pixel), so that the range can be added whole. The adds into each pixel keep their order (by channel,
     * ky, kx); the zeros only add to pixels of the range.
     */
    private void col2im(float[] dcols, int colOff, float[] dx, int xOff) {
        int height = input.height(), width = input.width(), pad = kernel / 2;
        java.util.Arrays.fill(dx, xOff, xOff + input.features(), 0f);
        int row = colOff;
        for (int c = 0; c < input.channels(); c++) {
            int plane = xOff + c * hw;
            for (int ky = 0; ky < kernel; ky++) {
                int dy = ky - pad, hFrom = Math.max(0, -dy), hTo = Math.min(height, height - dy);
                for (int kx = 0; kx < kernel; kx++, row += hw) {
                    int dxo = kx - pad, wFrom = Math.max(0, -dxo), wTo = Math.min(width, width - dxo);
                    if (hFrom >= hTo || wFrom >= wTo) continue;
                    for (int h = hFrom; h < hTo; h++) {
                        int r = row + h * width;
                        for (int w = 0; w < wFrom; w++) dcols[r + w] = 0f;
                        for (int w = wTo; w < width; w++) dcols[r + w] = 0f;
                    }
                    int from = row + hFrom * width + wFrom, n = (hTo - 1 - hFrom) * width + wTo - wFrom;
                    int to = plane + (hFrom + dy) * width + wFrom + dxo;
                    for (int i = 0; i < n; i++) dx[to + i] += dcols[from + i];
                }
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
