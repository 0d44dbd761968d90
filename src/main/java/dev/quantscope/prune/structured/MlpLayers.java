package dev.quantscope.prune.structured;

/**
 * The tensors of a two-layer classifier, PyTorch {@code nn.Linear} style (weights [out, in], row-major): a hidden
 * layer followed by ReLU, and the output layer.
 */
public record MlpLayers(String hiddenWeight, String hiddenBias, String outputWeight, String outputBias) {

    /** ggml's MNIST example and most tutorials: fc1 → ReLU → fc2. */
    public static final MlpLayers FC1_FC2 = new MlpLayers("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
}
