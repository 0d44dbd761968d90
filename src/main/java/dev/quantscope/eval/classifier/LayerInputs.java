package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;

/**
 * What a weight matrix sees on calibration images: the rows of X are its layer's inputs, one per image for a Dense
 * layer and one per output position for a convolution (the {@code in × k × k} patch its kernel multiplies).
 */
final class LayerInputs {
    private LayerInputs() {}

    /** Σ x_j² over the rows of X, per input column: Wanda's ‖X_j‖². */
    static float[] columnSquares(Classifier classifier, WeightMatrix matrix, LabeledImages images, int threads) {
        throw new UnsupportedOperationException("API draft: needs the engine's layer outputs");
    }

    /** XᵀX, {@code cols × cols}: SparseGPT's Hessian. */
    static double[] hessian(Classifier classifier, WeightMatrix matrix, LabeledImages images, int threads) {
        throw new UnsupportedOperationException("API draft: needs the engine's layer outputs");
    }
}
