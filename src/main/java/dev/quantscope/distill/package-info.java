/**
 * Knowledge distillation of classifiers (Hinton et al., 2015): a small student learns from a larger teacher's softened
 * outputs as well as from the labels, and, beside it, the same student trained on the labels alone, so that what the
 * teacher adds can be seen. Sits above {@code train} (which runs the epochs) and {@code engine.classifier}.
 */
package dev.quantscope.distill;
