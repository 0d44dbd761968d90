package dev.quantscope.engine.classifier;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.safetensors.SafetensorsDType;
import dev.quantscope.format.safetensors.SafetensorsWriter;
import dev.quantscope.format.safetensors.SafetensorsWriterSource;
import dev.quantscope.format.safetensors.SafetensorsWriterTensor;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A classifier: its architecture and its weights as floats on the heap (small models: an MNIST MLP is 400 k weights),
 * named and shaped as {@link Architecture#parameters()} says. Inference only; training is in {@code dev.quantscope.train}.
 */
public final class Classifier {
    /** Examples per forward batch at inference: big enough to fill the matrix kernels, small enough for the cache. */
    static final int INFERENCE_BATCH = 128;

    private final Architecture architecture;
    private final Map<String, float[]> tensors;

    /** Checks that {@code tensors} holds every parameter of the architecture with its size, and nothing else. */
    public Classifier(Architecture architecture, Map<String, float[]> tensors) {
        this.architecture = architecture;
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (ParameterTensor p : architecture.parameters()) {
            float[] t = tensors.get(p.name());
            if (t == null) throw new IllegalArgumentException("The weights lack the tensor " + p.name() + " that the architecture needs.");
            if (t.length != p.size()) {
                throw new IllegalArgumentException("The tensor " + p.name() + " has " + t.length + " values where the architecture needs " + p.size() + ".");
            }
            copy.put(p.name(), t);
        }
        for (String name : tensors.keySet()) {
            if (!copy.containsKey(name)) throw new IllegalArgumentException("The weights hold a tensor " + name + " that the architecture has no place for.");
        }
        this.tensors = copy;
    }

    /** PyTorch's default initialisation (nn.Linear / nn.Conv2d: U(±1/√fan_in) for weights and biases; BN γ 1, β 0, mean 0, var 1), from a seed. */
    public static Classifier initialized(Architecture architecture, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (ParameterTensor p : architecture.parameters()) {
            float[] t = new float[p.size()];
            String name = p.name();
            long[] shape = p.shape();
            boolean norm = name.endsWith(".running_var") || (isBatchNorm(architecture, name) && name.endsWith(".weight"));
            if (norm) {
                java.util.Arrays.fill(t, 1f);
            } else if (isBatchNorm(architecture, name)) {
                // β and the running mean start at 0
            } else {
                // kaiming_uniform(a = √5) for the weight gives exactly 1/√fan_in, as the bias's default does
                long fanIn = name.endsWith(".weight") ? p.size() / shape[0] : fanInOfBias(architecture, name);
                double bound = 1 / Math.sqrt(fanIn);
                for (int i = 0; i < t.length; i++) t[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            tensors.put(name, t);
        }
        return new Classifier(architecture, tensors);
    }

    private static boolean isBatchNorm(Architecture architecture, String parameter) {
        String layer = parameter.substring(0, parameter.lastIndexOf('.'));
        return architecture.layers().stream().anyMatch(l -> l.name().equals(layer) && l.spec() instanceof LayerSpec.BatchNorm);
    }

    private static long fanInOfBias(Architecture architecture, String bias) {
        String weight = bias.substring(0, bias.lastIndexOf('.')) + ".weight";
        for (ParameterTensor p : architecture.parameters()) if (p.name().equals(weight)) return p.size() / p.shape()[0];
        throw new IllegalStateException("No weight for " + bias);
    }

    /**
     * The classifier a model file holds: its architecture from the safetensors {@code __metadata__} key
     * {@value ArchitectureJson#METADATA_KEY}, else from a JSON file beside it ({@code NAME.architecture.json}), else
     * from an ONNX file's graph ({@link OnnxGraphArchitecture}: PyTorch's exports of Conv, ReLU, MaxPool, Flatten,
     * Linear and BatchNorm layers, with the graph's declared input shape), else inferred from tensor names and shapes
     * (a chain of Linear layers such as ggml's MNIST MLP fc1 → fc2 with ReLU between). Weights of any dtype the project decodes (so a quantized classifier loads too).
     */
    public static Classifier from(Model model, InputShape input) {
        Architecture architecture = ModelArchitecture.of(model, input);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (ParameterTensor p : architecture.parameters()) {
            TensorInfo t = model.tensor(p.name()).orElseThrow(() -> new IllegalArgumentException(
                    model.source().getFileName() + " has no tensor " + p.name() + ", which its classifier architecture needs."));
            if (!t.decodable()) {
                throw new IllegalArgumentException(model.source().getFileName() + ": the tensor " + p.name() + " is of type " + t.dtype() + ", which cannot be decoded.");
            }
            if (t.parameters() != p.size()) {
                throw new IllegalArgumentException(model.source().getFileName() + ": the tensor " + p.name() + " has " + t.parameters()
                        + " values where the classifier architecture needs " + p.size() + ".");
            }
            tensors.put(p.name(), Decoders.decodeAll(t));
        }
        return new Classifier(architecture, tensors);
    }

    /** The input a model file is read as when nothing says otherwise: 28 × 28 grey images (MNIST's, Fashion-MNIST's). */
    public static final InputShape DEFAULT_INPUT = InputShape.image(28, 28);

    /**
     * The weight of the output layer when {@code model} is a classifier ({@link #architectureOf} on
     * {@link #DEFAULT_INPUT}): the layer every pruning leaves dense, as a Llama's head.
     */
    public static Optional<String> outputWeightOf(Model model) {
        return architectureOf(model, DEFAULT_INPUT).map(a -> a.layers().getLast().name() + ".weight");
    }

    /**
     * The classifier architecture {@code model} holds or implies ({@link #from}'s three ways), without reading its
     * weights; empty when the file is not a classifier QuantScope can run. Exports carry it into the files they write.
     */
    public static Optional<Architecture> architectureOf(Model model, InputShape input) {
        try {
            return Optional.of(ModelArchitecture.of(model, input));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Opens, reads and closes a model file ({@link #from(Model, InputShape)}); 28 × 28 grey images unless the file says otherwise. */
    public static Classifier load(Path file) throws IOException {
        try (Model model = ModelOpener.open(file)) {
            return from(model, DEFAULT_INPUT);
        }
    }

    /** Writes F32 safetensors with the architecture in {@code __metadata__}: to a temp file, verified, then renamed. */
    public void save(Path target) throws IOException {
        List<SafetensorsWriterTensor> out = architecture.parameters().stream().map(p -> {
            float[] values = tensors.get(p.name());
            return new SafetensorsWriterTensor(p.name(), SafetensorsDType.F32, p.shape(), sink -> {
                MemorySegment bytes = MemorySegment.ofArray(new byte[values.length * Float.BYTES]);
                MemorySegment.copy(values, 0, bytes, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, values.length);
                sink.write(bytes);
            });
        }).toList();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put(ArchitectureJson.METADATA_KEY, ArchitectureJson.write(architecture));
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        SafetensorsWriter.write(out, metadata, target, List.of(), ProgressMonitor.NONE);
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
        Map<String, float[]> copy = new LinkedHashMap<>();
        tensors.forEach((name, values) -> copy.put(name, values.clone()));
        return new Classifier(architecture, copy);
    }

    /** Copies every parameter's values from {@code other}, which has the same architecture (keep-best restores this way). */
    public void copyFrom(Classifier other) {
        if (!other.architecture.equals(architecture)) throw new IllegalArgumentException("The classifiers' architectures differ.");
        tensors.forEach((name, values) -> System.arraycopy(other.tensors.get(name), 0, values, 0, values.length));
    }

    /** Logits of {@code batch} examples laid out one after another ({@code batch × input.features()}), at inference (dropout off, batch norm's running statistics). */
    public float[] logits(float[] inputs, int batch, int threads) {
        return logits(inputs, batch, threads, null);
    }

    /** {@link #logits(float[], int, int)}, showing each layer's input to {@code observer} (null: none) as the pass goes. */
    public float[] logits(float[] inputs, int batch, int threads, LayerInputObserver observer) {
        int features = architecture.input().features();
        if (inputs.length < Math.multiplyExact(batch, features)) {
            throw new IllegalArgumentException(inputs.length + " input values for " + batch + " examples of " + features + ".");
        }
        int classes = architecture.classes();
        float[] logits = new float[Math.multiplyExact(batch, classes)];
        int step = Math.min(batch, INFERENCE_BATCH);
        if (batch == 0) return logits;
        try (InferencePass pass = new InferencePass(this, step, threads)) {
            float[] part = new float[step * classes];
            for (int from = 0; from < batch; from += step) {
                int n = Math.min(step, batch - from);
                pass.logits(inputs, from, n, part, observer);
                System.arraycopy(part, 0, logits, from * classes, n * classes);
            }
        }
        return logits;
    }

    /** A forward pass kept open for batches of up to {@code capacity} examples (see {@link ClassifierInference}). */
    public ClassifierInference inference(int capacity, int threads) {
        return new ClassifierInference(this, capacity, threads);
    }

    /** The scalar reference of {@link #logits}: every layer in plain loops, one example at a time (for tests). */
    public float[] logitsScalar(float[] inputs, int batch) {
        return ScalarInference.logits(this, inputs, batch);
    }
}
