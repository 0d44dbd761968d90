/**
 * Classifiers compressed the ways Llamas are (the quantization schemes, the pruning methods) and measured by
 * accuracy on a labelled data set instead of KLD.
 */
package dev.quantscope.eval.classifier;
