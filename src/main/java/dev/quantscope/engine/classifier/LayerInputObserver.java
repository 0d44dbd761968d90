package dev.quantscope.engine.classifier;

/**
 * Sees what each layer of an inference pass receives, before the layer runs: what calibrated pruning (Wanda's input
 * norms, SparseGPT's XᵀX) measures. Called on the calling thread, once per layer per chunk of examples.
 */
@FunctionalInterface
public interface LayerInputObserver {

    /** {@code input[0 … batch × shape.features())}: the layer's input for {@code batch} examples, one after another; read it, do not keep it. */
    void layerInput(int layerIndex, float[] input, int batch, InputShape shape);
}
