package dev.quantscope.eval.classifier;

import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.quant.scheme.QuantScheme;

/** One way of storing a classifier: as it is, its weight matrices under a quantization scheme, or pruned. */
public sealed interface ClassifierVariant {

    String label();

    record Original() implements ClassifierVariant {
        @Override
        public String label() {
            return "original";
        }
    }

    /** Weights of Dense and Conv layers under {@code scheme} (biases and batch norm stay F32, as llama-quantize keeps 1-D tensors). */
    record Quantized(QuantScheme scheme) implements ClassifierVariant {
        @Override
        public String label() {
            return scheme.shortLabel();
        }
    }

    /** Weights of Dense and Conv layers pruned to {@code pattern} by {@code method} (calibrated on the data set's images for Wanda and SparseGPT). */
    record Pruned(PruneMethod method, SparsityPattern pattern) implements ClassifierVariant {
        @Override
        public String label() {
            return method.id() + " " + pattern.label();
        }
    }
}
