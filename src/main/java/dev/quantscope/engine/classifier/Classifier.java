package dev.quantscope.engine.classifier;

import dev.quantscope.format.Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A classifier: its architecture and its weights as floats on the heap (small models: an MNIST MLP is 400 k weights),
 * named and shaped as {@link Architecture#parameters()} says. Inference only; training is in {@code dev.quantscope.train}.
 */
public final class Classifier {
    private final Architecture architecture;
    private final Map<String, float[]> tensors;

    /** Checks that {@code tensors} holds every parameter of the architecture with its size, and nothing else. */
    public Classifier(Architecture architecture, Map<String, float[]> tensors) {
        this.architecture = architecture;
        this.tensors = tensors;
        throw new UnsupportedOperationException("API draft: implemented in the classifier engine");
    }

    /** PyTorch's default initialisation (nn.Linear / nn.Conv2d: U(±1/√fan_in) for weights and biases; BN γ 1, β 0, mean 0, var 1), from a seed. */
    public static Classifier initialized(Architecture architecture, long seed) {
        throw new UnsupportedOperationException("API draft");
    }

    /**
     * The classifier a model file holds: its architecture from the safetensors {@code __metadata__} key
     * {@value ArchitectureJson#METADATA_KEY}, else from a JSON file beside it ({@code NAME.architecture.json}), else
     * inferred from tensor names and shapes (a chain of Linear layers such as ggml's MNIST MLP fc1 → fc2 with ReLU
     * between). Weights of any dtype the project decodes (so a quantized classifier loads too).
     */
    public static Classifier from(Model model, InputShape input) {
        throw new UnsupportedOperationException("API draft");
    }

    /** Opens, reads and closes a model file ({@link #from(Model, InputShape)}); 28 × 28 grey images unless the file says otherwise. */
    public static Classifier load(Path file) throws IOException {
        throw new UnsupportedOperationException("API draft");
    }

    /** Writes F32 safetensors with the architecture in {@code __metadata__}: to a temp file, verified, then renamed. */
    public void save(Path target) throws IOException {
        throw new UnsupportedOperationException("API draft");
    }

    public Architecture architecture() {
        return architecture;
    }

    /** The live array of one parameter (training updates it in place). */
    public float[] tensor(String name) {
        float[] t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("The classifier has no parameter " + name + ".");
        return t;
    }

    /** A deep copy. */
    public Classifier copy() {
        throw new UnsupportedOperationException("API draft");
    }

    /** Logits of {@code batch} examples laid out one after another ({@code batch × input.features()}), at inference (dropout off, batch norm's running statistics). */
    public float[] logits(float[] inputs, int batch, int threads) {
        throw new UnsupportedOperationException("API draft");
    }
}
