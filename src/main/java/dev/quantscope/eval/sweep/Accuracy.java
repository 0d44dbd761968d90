package dev.quantscope.eval.sweep;

import dev.quantscope.eval.KlDivergenceResult;

/**
 * How close a quantized model stays to its base over a text, with llama-perplexity's definitions (see
 * {@link dev.quantscope.eval.KlDivergence}).
 *
 * @param kldMean   mean KL(base ‖ quantized) per scored token, nats
 * @param sameTopP  fraction of tokens where both models' most likely next token agrees (0..1)
 * @param ppl       perplexity of the quantized model
 * @param pplBase   perplexity of the base over the same tokens
 * @param tokens    scored tokens
 * @param chunks    windows of {@code ctx} tokens
 */
public record Accuracy(double kldMean, double kldMedian, double kldP90, double kldP99, double kldMax, double sameTopP,
                       double ppl, double pplBase, long tokens, int chunks) {

    public static Accuracy of(KlDivergenceResult r) {
        return new Accuracy(r.kldMean(), r.kldMedian(), r.kldP90(), r.kldP99(), r.kldMax(), r.sameTopP(), r.ppl(),
                r.pplBase(), r.tokens(), r.chunks());
    }
}
