package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.Activation;

/**
 * Where a {@link LlamaEngine} takes its working memory from: every token's activations, the per-token vectors, the
 * logits and the KV cache. The engine asks for all of it while it is built and keeps it, so the token loop creates
 * nothing of its own. That is a property of the code, not of the JIT: a test hands the engine a provider that
 * counts what it is asked for and checks that running tokens asks for nothing more (the JVM's allocation counter
 * would instead read whatever vectors the JIT happened to leave boxed by then).
 */
interface EngineBuffers {

    /** A zeroed float array of {@code length}. */
    float[] floats(int length);

    /** A zeroed array of {@code length} half-precision values (the F16 KV cache). */
    short[] halves(int length);

    /** An activation vector of {@code capacity} values with its quantized forms. */
    Activation activation(int capacity);

    /** Plain heap arrays: what every engine outside the tests uses. */
    EngineBuffers HEAP = new EngineBuffers() {
        @Override public float[] floats(int length) { return new float[length]; }

        @Override public short[] halves(int length) { return new short[length]; }

        @Override public Activation activation(int capacity) { return new Activation(capacity); }
    };
}
