package dev.quantscope.eval;

/**
 * @param ppl        exp of the mean negative log-likelihood
 * @param pplError   llama.cpp's "+/-": ppl × standard error of the mean NLL
 * @param tokens     scored tokens
 * @param chunks     windows evaluated
 */
public record PerplexityResult(double ppl, double pplError, long tokens, int chunks) {}
