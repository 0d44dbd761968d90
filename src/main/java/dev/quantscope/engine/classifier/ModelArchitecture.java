package dev.quantscope.engine.classifier;

import dev.quantscope.format.Model;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where a model file's classifier architecture comes from: its metadata, a JSON file beside it, or its tensors. */
final class ModelArchitecture {
    private ModelArchitecture() {}

    /**
     * The file's own description first, then an ONNX file's graph (which states the layers and how they connect, so
     * it is read even where the tensors alone would suggest a Linear chain), then the Linear chain the tensors imply.
     */
    static Architecture of(Model model, InputShape input) {
        return described(model)
                .or(() -> OnnxGraphArchitecture.of(model, input))
                .orElseGet(() -> inferDenseChain(model, input));
    }

    /** The architecture the file's metadata or its side file describes, if either does. */
    static java.util.Optional<Architecture> described(Model model) {
        String name = model.source().getFileName().toString();
        String fromMetadata = metadataJson(model);
        if (fromMetadata != null) return java.util.Optional.of(described(name, fromMetadata));
        Path side = sideFile(model.source());
        if (Files.isRegularFile(side)) {
            try {
                return java.util.Optional.of(described(side.getFileName().toString(), Files.readString(side)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return java.util.Optional.empty();
    }

    /** {@code NAME.architecture.json} beside {@code NAME.ext}. */
    static Path sideFile(Path model) {
        String file = model.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        return model.resolveSibling(stem + ".architecture.json");
    }

    private static Architecture described(String where, String json) {
        try {
            return ArchitectureJson.read(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + lowerFirst(e.getMessage()), e);
        }
    }

    private static String metadataJson(Model model) {
        Object direct = model.metadata().get(ArchitectureJson.METADATA_KEY);
        if (direct instanceof String s) return s;
        if (model.metadata().get("__metadata__") instanceof Map<?, ?> inner && inner.get(ArchitectureJson.METADATA_KEY) instanceof String s) {
            return s;
        }
        return null;
    }

    /** A chain of Linear layers (X.weight [out, in] with X.bias [out]) from the input's features to the classes, ReLU between. */
    private static Architecture inferDenseChain(Model model, InputShape input) {
        String file = model.source().getFileName().toString();
        Map<Integer, List<String>> byInput = new HashMap<>();
        Map<String, long[]> weights = new HashMap<>();
        for (TensorInfo t : model.tensors()) {
            if (!t.name().endsWith(".weight")) continue;
            long[] dims = rowMajor(t.shape());
            String layer = t.name().substring(0, t.name().length() - ".weight".length());
            if (dims.length != 2 || model.tensor(layer + ".bias").isEmpty()) continue;
            weights.put(layer, dims);
            byInput.computeIfAbsent(Math.toIntExact(dims[1]), k -> new ArrayList<>()).add(layer);
        }
        List<Layer> layers = new ArrayList<>();
        int features = input.features(), relus = 0;
        while (true) {
            List<String> next = byInput.getOrDefault(features, List.of());
            if (next.size() > 1) throw cannotInfer(file, "more than one layer takes " + features + " inputs (" + String.join(", ", next) + ")");
            if (next.isEmpty()) break;
            String layer = next.getFirst();
            byInput.remove(features);
            if (!layers.isEmpty()) layers.add(new Layer("relu" + ++relus, new LayerSpec.Relu()));
            layers.add(new Layer(layer, new LayerSpec.Dense(Math.toIntExact(weights.get(layer)[0]))));
            features = Math.toIntExact(weights.get(layer)[0]);
        }
        if (layers.isEmpty()) {
            throw cannotInfer(file, "no Linear layer (a NAME.weight of [out, " + input.features() + "] with NAME.bias) takes a "
                    + input + " input");
        }
        int used = layers.size() - relus;
        if (used * 2 != model.tensors().size()) {
            throw cannotInfer(file, "it holds tensors beyond a chain of Linear layers; describe it in "
                    + sideFile(model.source()).getFileName());
        }
        if (features < 2) throw cannotInfer(file, "the last layer has " + features + " output");
        String flat = input.isFlat() ? null : "flatten";
        if (flat != null) layers.addFirst(new Layer(flat, new LayerSpec.Flatten()));
        return new Architecture(input, layers, features);
    }

    private static long[] rowMajor(Shape shape) {
        long[] dims = shape.dims();
        if (shape.order() == Shape.Order.FASTEST_FIRST) {
            for (int i = 0, j = dims.length - 1; i < j; i++, j--) {
                long t = dims[i];
                dims[i] = dims[j];
                dims[j] = t;
            }
        }
        return dims;
    }

    static IllegalArgumentException cannotInfer(String file, String why) {
        return new IllegalArgumentException(file + ": cannot tell its classifier architecture: " + why + ".");
    }

    static String lowerFirst(String s) {
        return s == null || s.isEmpty() ? "" : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
