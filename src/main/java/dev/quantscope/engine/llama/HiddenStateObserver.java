package dev.quantscope.engine.llama;

/**
 * Sees the residual stream of {@link LlamaEngine}: the hidden state entering each block and the one leaving the
 * last block, before the output norm. This is what layer-similarity measures such as ShortGPT's Block Influence
 * compare. Called on the engine's thread, layer by layer, and within a layer token by token; the array is the
 * engine's own buffer, valid only during the call and never to be modified.
 */
@FunctionalInterface
public interface HiddenStateObserver {
    /**
     * {@code x[0, n)} is the hidden state of token {@code token} (its index within the current batch) entering block
     * {@code block}; {@code block} equal to the block count means the state leaving the last block.
     */
    void onHiddenState(int block, int token, float[] x, int n);
}
