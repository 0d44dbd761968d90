/**
 * Sparsity: which weights of a tensor become zero (magnitude, N:M, Wanda, SparseGPT) and structured pruning that
 * removes whole units, heads and blocks. Works on floats and on the engine's activations; knows nothing of plans,
 * recipes or files, which {@code dev.quantscope.pipeline} brings.
 */
package dev.quantscope.prune;
