package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.LayerKernels;
import dev.quantscope.engine.classifier.LayerSpec;

/**
 * What a weight matrix sees on calibration images: the rows of X are its layer's inputs, one per image for a Dense
 * layer and one per output position for a convolution (the {@code in × k × k} patch its kernel multiplies, im2col's
 * column). Taken from an inference pass of the classifier as it is now, so layers pruned before count.
 */
final class LayerInputs {
    private LayerInputs() {}

    /** Receives X one row at a time. */
    private interface RowSink {
        void row(float[] x, int offset, int stride, int cols);
    }

    /** Σ x_j² over the rows of X, per input column: Wanda's ‖X_j‖². */
    static float[] columnSquares(Classifier classifier, WeightMatrix matrix, LabeledImages images, int threads) {
        double[] sums = new double[matrix.cols()];
        visit(classifier, matrix, images, threads, (x, offset, stride, cols) -> {
            for (int j = 0; j < cols; j++) {
                double v = x[offset + j * stride];
                sums[j] += v * v;
            }
        });
        float[] out = new float[sums.length];
        for (int j = 0; j < sums.length; j++) out[j] = (float) sums[j];
        return out;
    }

    /** XᵀX, {@code cols × cols}: SparseGPT's Hessian (summed; its scale does not matter). */
    static double[] hessian(Classifier classifier, WeightMatrix matrix, LabeledImages images, int threads) {
        int n = matrix.cols();
        double[] h = new double[Math.multiplyExact(n, n)];
        double[] row = new double[n];
        visit(classifier, matrix, images, threads, (x, offset, stride, cols) -> {
            for (int j = 0; j < cols; j++) row[j] = x[offset + j * stride];
            for (int a = 0; a < cols; a++) {
                double ra = row[a];
                if (ra == 0) continue;   // ReLU outputs are mostly zero: their rows add nothing
                int base = a * cols;
                for (int b = 0; b <= a; b++) h[base + b] += ra * row[b];
            }
        });
        for (int a = 0; a < n; a++) for (int b = 0; b < a; b++) h[b * n + a] = h[a * n + b];
        return h;
    }

    private static void visit(Classifier classifier, WeightMatrix matrix, LabeledImages images, int threads, RowSink sink) {
        LayerSpec spec = classifier.architecture().layers().get(matrix.layerIndex()).spec();
        classifier.logits(images.inputs(), images.count(), threads, (layer, x, batch, shape) -> {
            if (layer != matrix.layerIndex()) return;
            int features = shape.features();
            switch (spec) {
                case LayerSpec.Dense d -> {
                    for (int b = 0; b < batch; b++) sink.row(x, b * features, 1, features);
                }
                case LayerSpec.Conv c -> {
                    int hw = shape.height() * shape.width(), ckk = matrix.cols();
                    float[] cols = new float[Math.multiplyExact(ckk, hw)];
                    for (int b = 0; b < batch; b++) {
                        LayerKernels.im2col(x, b * features, shape, c.kernel(), cols, 0);
                        // Column p of the im2col matrix is the patch at output position p: one row of X.
                        for (int p = 0; p < hw; p++) sink.row(cols, p, hw, ckk);
                    }
                }
                default -> throw new IllegalStateException(matrix.tensor() + " is not a weight matrix");
            }
        });
    }
}
