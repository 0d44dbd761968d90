package dev.quantscope.engine.llama;

/**
 * Sees the input vector of every matrix multiplication {@link LlamaEngine} runs, before it runs: once per token and
 * weight matrix, named by the weight tensor. This is what an importance matrix is computed from. Called on the
 * engine's thread; the array is the engine's own buffer, valid only during the call and never to be modified.
 */
@FunctionalInterface
public interface MatmulObserver {
    /** {@code x[0, n)} is one token's input to the weight tensor {@code tensorName} (n = its row length). */
    void onInput(String tensorName, float[] x, int n);
}
