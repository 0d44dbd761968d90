/**
 * SparseGPT: {@link dev.quantscope.prune.sparsegpt.SparseGpt} prunes one weight matrix from its inputs' Hessian and
 * updates the weights that stay; {@link dev.quantscope.prune.sparsegpt.LlamaSparseGpt} runs it over a Llama block by
 * block, each block calibrated on the activations of the pruned blocks before it, and returns a
 * {@link dev.quantscope.prune.sparsegpt.PrunedModel} that owns the pruned tensors.
 */
package dev.quantscope.prune.sparsegpt;
