package dev.quantscope.eval.classifier;

import java.util.List;

/**
 * A variant measured: its stored size in bytes, bits per weight of the compressed weights, sparsity of those weights,
 * top-1/top-5 accuracy (0 to 1), and what fell back or stayed as it was (a ggml type whose blocks do not fit a
 * layer's rows, a layer pruning leaves dense).
 */
public record ClassifierPoint(ClassifierVariant variant, long bytes, double bitsPerWeight, double sparsity, double top1,
                              double top5, List<String> notes) {

    public ClassifierPoint {
        notes = List.copyOf(notes);
    }
}
