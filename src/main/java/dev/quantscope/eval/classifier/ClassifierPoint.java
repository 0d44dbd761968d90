package dev.quantscope.eval.classifier;

/** A variant measured: its stored size in bytes, bits per weight of the compressed weights, sparsity of those weights, and top-1/top-5 accuracy (0 to 1). */
public record ClassifierPoint(ClassifierVariant variant, long bytes, double bitsPerWeight, double sparsity, double top1, double top5) {}
