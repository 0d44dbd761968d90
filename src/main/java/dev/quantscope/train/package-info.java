/**
 * Training: backward passes, optimizers and the loops that fit a network's weights to data. Sits beside
 * {@code quant} and {@code prune} on the engine; knows nothing of plans, recipes or files above it.
 */
package dev.quantscope.train;
