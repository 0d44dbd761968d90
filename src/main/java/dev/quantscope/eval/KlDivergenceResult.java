package dev.quantscope.eval;

/**
 * Comparison of a model against a base model over the same scored tokens, with llama.cpp's definitions.
 *
 * @param ppl          perplexity of the model
 * @param pplBase      perplexity of the base model (from the base's log-probabilities as stored)
 * @param kldMean      mean KL(base ‖ model) per token
 * @param kldMedian    median
 * @param kldP90       90th percentile (linear interpolation as llama.cpp)
 * @param kldP99       99th percentile
 * @param kldMax       maximum
 * @param sameTopP     fraction of tokens where both models' most likely token agrees (0..1)
 * @param deltaPMean   mean of p_model(correct) − p_base(correct)
 * @param deltaPRms    root mean square of that difference
 * @param tokens       scored tokens
 * @param chunks       windows evaluated
 */
public record KlDivergenceResult(double ppl, double pplBase, double kldMean, double kldMedian, double kldP90,
                                 double kldP99, double kldMax, double sameTopP, double deltaPMean, double deltaPRms,
                                 long tokens, int chunks) {}
