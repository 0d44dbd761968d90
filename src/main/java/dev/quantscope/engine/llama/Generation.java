package dev.quantscope.engine.llama;

import java.util.function.IntPredicate;

/** Autoregressive generation over token ids: the prompt in one batch, then one token at a time. */
public final class Generation {
    private Generation() {}

    /**
     * Feeds {@code prompt} (which should start with BOS when the model expects one), then samples up to
     * {@code maxTokens} tokens, handing each to {@code onToken}; stops early when {@code onToken} returns false or
     * the context is full. Returns the number of tokens generated.
     */
    public static int run(LlamaEngine engine, int[] prompt, int maxTokens, Sampler sampler, IntPredicate onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        if (prompt.length > engine.contextSize()) throw new IllegalArgumentException("prompt longer than the context");
        float[][] last = new float[1][];
        engine.forwardBatch(prompt, 0, prompt.length, 0, prompt.length - 1, (i, l) -> last[0] = l);
        float[] logits = last[0];
        int pos = prompt.length;
        int generated = 0;
        while (generated < maxTokens) {
            int token = sampler.sample(logits);
            generated++;
            if (!onToken.test(token) || generated == maxTokens || pos >= engine.contextSize()) break;
            logits = engine.forward(token, pos++);
        }
        return generated;
    }
}
