package dev.quantscope.engine.classifier;

import dev.quantscope.format.Model;
import dev.quantscope.format.onnx.OnnxGraph;
import dev.quantscope.format.onnx.OnnxModelInfo;
import dev.quantscope.format.onnx.OnnxNode;
import dev.quantscope.format.onnx.OnnxValueInfo;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A classifier's architecture read off an ONNX file's graph, as PyTorch's exporter writes an nn.Sequential or a
 * module calling its layers one after another: a chain from the graph's input to its output of Conv (stride 1, odd
 * square kernel, "same" padding), Relu, MaxPool (window = stride, no padding), Flatten or Reshape to [batch, features],
 * Gemm (transB = 1) or MatMul of a transposed weight + Add, and BatchNormalization, which are the layers the engine
 * runs. A layer's name is its parameters' prefix ({@code conv1.weight} → conv1, {@code 0.weight} → 0), so the
 * weights are found by name as in any other file.
 */
final class OnnxGraphArchitecture {
    /** PyTorch's batch norm ε, the one {@link LayerSpec.BatchNorm} uses. */
    private static final String RUNS = "Conv, Relu, MaxPool, Flatten, Reshape, Gemm, MatMul + Add and BatchNormalization";

    private final Model model;
    private final String file;
    private final OnnxGraph graph;
    private final List<Layer> layers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    /** Outputs of Transpose nodes over a weight, to the weight they transpose (a MatMul's [out, in] weight). */
    private final Map<String, String> transposedWeights = new HashMap<>();
    private InputShape shape;

    private OnnxGraphArchitecture(Model model, OnnxGraph graph) {
        this.model = model;
        this.file = model.source().getFileName().toString();
        this.graph = graph;
    }

    /** The architecture of {@code model}'s graph; empty when the model is not ONNX or its graph was not kept. */
    static Optional<Architecture> of(Model model, InputShape fallback) {
        if (!(model.details() instanceof OnnxModelInfo info) || info.graph().isEmpty()) return Optional.empty();
        return Optional.of(new OnnxGraphArchitecture(model, info.graph().get()).read(fallback));
    }

    private Architecture read(InputShape fallback) {
        List<OnnxValueInfo> inputs = graph.inputs().stream().filter(v -> model.tensor(v.name()).isEmpty()).toList();
        if (inputs.size() != 1) throw refuse("its graph has " + inputs.size() + " inputs, not one image");
        if (graph.outputs().size() != 1) throw refuse("its graph has " + graph.outputs().size() + " outputs, not one");
        InputShape input = declared(inputs.getFirst(), fallback);
        shape = input;
        String current = inputs.getFirst().name();
        String pendingBias = null; // a MatMul's layer, until its Add
        for (OnnxNode node : graph.nodes()) {
            String op = node.defaultDomain() ? node.opType() : node.domain() + "." + node.opType();
            if (op.equals("Constant")) continue; // its tensor is one of the model's, read where a node uses it
            if (op.equals("Transpose") && !node.inputs().isEmpty() && isWeight(node.inputs().getFirst())) {
                transposedWeights.put(single(node), transposeOfMatrix(node));
                continue;
            }
            if (node.inputs().isEmpty() || !node.inputs().getFirst().equals(current)) {
                throw refuse("its graph is not a chain of layers: " + describe(node) + " does not read the output of the node before it");
            }
            if (pendingBias != null && !op.equals("Add")) {
                throw refuse("the MatMul of layer " + pendingBias + " is not followed by the Add of its bias " + pendingBias + ".bias");
            }
            switch (op) {
                case "Conv" -> conv(node);
                case "Relu" -> add(node, "relu", new LayerSpec.Relu());
                case "MaxPool" -> maxPool(node);
                case "Flatten" -> flatten(node);
                case "Reshape" -> reshape(node);
                case "Gemm" -> gemm(node);
                case "MatMul" -> pendingBias = matMul(node);
                case "Add" -> {
                    if (pendingBias == null) throw refuse(describe(node) + " adds to something other than a MatMul; QuantScope runs " + RUNS);
                    bias(node, pendingBias);
                    pendingBias = null;
                }
                case "BatchNormalization" -> batchNorm(node);
                default -> throw refuse("its graph holds " + describe(node) + ", and QuantScope runs " + RUNS);
            }
            current = single(node);
        }
        if (pendingBias != null) throw refuse("the MatMul of layer " + pendingBias + " ends the graph without the Add of its bias");
        if (!current.equals(graph.outputs().getFirst().name())) {
            throw refuse("the chain of layers from its input does not end at its output " + graph.outputs().getFirst().name());
        }
        if (layers.isEmpty() || !(layers.getLast().spec() instanceof LayerSpec.Dense out)) {
            throw refuse("its graph does not end in a Gemm (Linear) layer");
        }
        try {
            return new Architecture(input, layers, out.units());
        } catch (IllegalArgumentException e) {
            throw refuse(stripDot(e.getMessage()));
        }
    }

    /** The graph input's [N, C, H, W] or [N, features]; the caller's shape when the file leaves dimensions open. */
    private InputShape declared(OnnxValueInfo input, InputShape fallback) {
        List<Long> dims = input.dims();
        if (dims.isEmpty() || dims.subList(1, dims.size()).contains(-1L)) return fallback;
        if (dims.size() != 2 && dims.size() != 4) {
            throw refuse("its input " + input.name() + " is declared " + dims + ", not [N, C, H, W] or [N, features]");
        }
        try {
            return dims.size() == 2 ? InputShape.flat(Math.toIntExact(dims.get(1)))
                    : new InputShape(Math.toIntExact(dims.get(1)), Math.toIntExact(dims.get(2)), Math.toIntExact(dims.get(3)));
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw refuse("its input " + input.name() + " is declared " + dims + ", which is no image size");
        }
    }

    private void conv(OnnxNode node) {
        String layer = layerOf(node, 1, 2);
        long[] w = dims(node.inputs().get(1));
        if (w.length != 4 || w[1] != shape.channels() || w[2] != w[3]) {
            throw refuse(describe(node) + " has a weight of " + java.util.Arrays.toString(w) + " where [out, " + shape.channels() + ", k, k] is needed");
        }
        int k = toInt(w[2], node);
        if (k % 2 == 0) throw refuse(describe(node) + " has an even kernel of " + k + "; QuantScope runs odd ones with \"same\" padding");
        only(node, Set.of("kernel_shape", "pads", "strides", "dilations", "group"), Set.of());
        expect(node, "kernel_shape", List.of((long) k, (long) k), "the weight's " + k + "×" + k);
        expect(node, "strides", List.of(1L, 1L), "stride 1");
        expect(node, "dilations", List.of(1L, 1L), "1");
        expect(node, "group", List.of(1L), "1");
        long p = k / 2;
        expect(node, "pads", List.of(p, p, p, p), p + " on every side (\"same\" padding for a " + k + "×" + k + " kernel)");
        if (p > 0 && !node.ints().containsKey("pads")) throw refuse(describe(node) + " does not pad, where QuantScope runs \"same\" padding of " + p);
        add(layer, new LayerSpec.Conv(toInt(w[0], node), k), node);
        checkBias(node, layer, w[0]);
    }

    private void maxPool(OnnxNode node) {
        only(node, Set.of("kernel_shape", "strides", "pads", "dilations", "ceil_mode", "storage_order"), Set.of());
        List<Long> kernel = node.ints().get("kernel_shape");
        if (kernel == null || kernel.size() != 2 || !kernel.get(0).equals(kernel.get(1)) || kernel.get(0) < 2) {
            throw refuse(describe(node) + " has kernel_shape " + kernel + "; QuantScope pools square windows of 2 or more");
        }
        long n = kernel.getFirst();
        expect(node, "strides", List.of(n, n), "the window's " + n);
        expect(node, "pads", List.of(0L, 0L, 0L, 0L), "0");
        expect(node, "dilations", List.of(1L, 1L), "1");
        expect(node, "ceil_mode", List.of(0L), "0");
        expect(node, "storage_order", List.of(0L), "0");
        add(node, "pool", new LayerSpec.MaxPool(toInt(n, node)));
    }

    private void flatten(OnnxNode node) {
        only(node, Set.of("axis"), Set.of());
        expect(node, "axis", List.of(1L), "1 (one feature vector per example)");
        add(node, "flatten", new LayerSpec.Flatten());
    }

    /** A Reshape to [batch, features] by a constant shape, as {@code x.view(x.size(0), -1)} exports with static shapes. */
    private void reshape(OnnxNode node) {
        only(node, Set.of("allowzero"), Set.of());
        expect(node, "allowzero", List.of(0L), "0");
        long[] to = node.inputs().size() == 2 ? constantLongs(node.inputs().get(1)) : null;
        long features = shape.features();
        boolean toFeatures = to != null && to.length == 2
                && ((to[1] == features && (to[0] == -1 || to[0] == 0 || to[0] >= 1))
                    || (to[1] == -1 && (to[0] == 0 || to[0] >= 1)));
        if (!toFeatures) {
            throw refuse(describe(node) + " reshapes to " + (to == null ? "a shape computed in the graph" : java.util.Arrays.toString(to))
                    + ", not to [batch, " + features + "] by a constant");
        }
        add(node, "flatten", new LayerSpec.Flatten());
    }

    private void gemm(OnnxNode node) {
        only(node, Set.of("transA", "transB"), Set.of("alpha", "beta"));
        expect(node, "transA", List.of(0L), "0");
        if (!node.intAttribute("transB").equals(Optional.of(1L))) {
            throw refuse(describe(node) + " does not set transB = 1: its weight is stored [in, out], and QuantScope reads Linear weights [out, in] as PyTorch keeps them");
        }
        for (String scale : List.of("alpha", "beta")) {
            Float v = node.floats().get(scale);
            if (v != null && v != 1f) throw refuse(describe(node) + " has " + scale + " " + v + ", where QuantScope runs 1");
        }
        String layer = layerOf(node, 1, 2);
        dense(node, layer, dims(node.inputs().get(1)));
        checkBias(node, layer, dims(node.inputs().get(1))[0]);
    }

    /** A MatMul by a Transpose (perm [1, 0]) of LAYER.weight [out, in]; returns the layer, whose bias the next Add adds. */
    private String matMul(OnnxNode node) {
        only(node, Set.of(), Set.of());
        String b = node.inputs().size() == 2 ? node.inputs().get(1) : "";
        String weight = transposedWeights.get(b);
        if (weight == null) {
            throw refuse(describe(node) + " multiplies by " + (isWeight(b) ? "the weight " + b + " as stored ([in, out])" : b)
                    + ", and QuantScope reads Linear weights [out, in] under PyTorch's names, as Gemm with transB = 1 or a Transpose of NAME.weight");
        }
        String layer = prefix(weight, ".weight");
        if (layer == null) throw misnamed(node, List.of(weight));
        dense(node, layer, dims(weight));
        return layer;
    }

    private void bias(OnnxNode node, String layer) {
        only(node, Set.of(), Set.of());
        String b = node.inputs().size() == 2 ? node.inputs().get(1) : "";
        if (!b.equals(layer + ".bias")) {
            throw refuse(describe(node) + " adds " + (b.isEmpty() ? "nothing" : b) + " where the bias " + layer + ".bias of the MatMul before it is expected");
        }
        checkBias(node, layer, shape.features());
    }

    private void dense(OnnxNode node, String layer, long[] w) {
        if (!shape.isFlat()) throw refuse(describe(node) + " takes a " + shape + " image that no Flatten made one vector");
        if (w.length != 2 || w[1] != shape.features()) {
            throw refuse(describe(node) + " has a weight of " + java.util.Arrays.toString(w) + " where [out, " + shape.features() + "] is needed");
        }
        add(layer, new LayerSpec.Dense(toInt(w[0], node)), node);
    }

    private void batchNorm(OnnxNode node) {
        only(node, Set.of("training_mode"), Set.of("epsilon", "momentum"));
        expect(node, "training_mode", List.of(0L), "0");
        Float epsilon = node.floats().get("epsilon");
        if (epsilon != null && Math.abs(epsilon - LayerSpec.BatchNorm.EPSILON) > 1e-9) {
            throw refuse(describe(node) + " has epsilon " + epsilon + ", where QuantScope's batch norm uses PyTorch's 1e-5");
        }
        List<String> params = node.inputs().size() == 5 ? node.inputs().subList(1, 5) : List.of();
        String layer = params.isEmpty() ? null : prefix(params.getFirst(), ".weight");
        if (layer == null || !params.equals(List.of(layer + ".weight", layer + ".bias", layer + ".running_mean", layer + ".running_var"))) {
            throw misnamed(node, params);
        }
        long channels = Architecture.normalisedChannels(shape);
        for (String p : params) {
            if (!java.util.Arrays.equals(dims(p), new long[]{channels})) throw refuse(describe(node) + ": " + p + " is not of " + channels + " values, one per channel");
        }
        add(layer, new LayerSpec.BatchNorm(), node);
    }

    /** The layer whose LAYER.weight and LAYER.bias are the node's inputs {@code weight} and {@code bias}. */
    private String layerOf(OnnxNode node, int weight, int bias) {
        if (node.inputs().size() <= bias || node.inputs().get(bias).isEmpty()) {
            throw refuse(describe(node) + " has no bias, and QuantScope's layers have one");
        }
        String w = node.inputs().get(weight), b = node.inputs().get(bias);
        String layer = prefix(w, ".weight");
        if (layer == null || !b.equals(layer + ".bias") || !isWeight(w) || !isWeight(b)) throw misnamed(node, List.of(w, b));
        return layer;
    }

    private void checkBias(OnnxNode node, String layer, long out) {
        if (!java.util.Arrays.equals(dims(layer + ".bias"), new long[]{out})) {
            throw refuse(describe(node) + ": its bias " + layer + ".bias is not of " + out + " values");
        }
    }

    private IllegalArgumentException misnamed(OnnxNode node, List<String> params) {
        return refuse("the parameters of " + describe(node) + " are named " + String.join(", ", params)
                + ", not NAME.weight and NAME.bias as PyTorch names a module's (the exporter renames them when it folds a batch norm into a convolution), so its layers cannot be told apart");
    }

    /** Adds a layer without parameters, named by the module path PyTorch writes into node names ("/1/Relu" → 1). */
    private void add(OnnxNode node, String kind, LayerSpec spec) {
        String fromPath = modulePath(node.name());
        String name = fromPath != null && !names.contains(fromPath) && model.tensor(fromPath + ".weight").isEmpty() ? fromPath : null;
        for (int i = 1; name == null; i++) if (!names.contains(kind + i)) name = kind + i;
        add(name, spec, node);
    }

    private void add(String name, LayerSpec spec, OnnxNode node) {
        if (!names.add(name)) throw refuse("two of its layers are named " + name + " (" + describe(node) + " is the second)");
        try {
            shape = Architecture.outputShape(spec, shape);
        } catch (IllegalArgumentException e) {
            throw refuse(describe(node) + ": " + ModelArchitecture.lowerFirst(stripDot(e.getMessage())));
        }
        layers.add(new Layer(name, spec));
    }

    /** "/features/1/Relu" → "features.1"; null for names not of that form. */
    private static String modulePath(String nodeName) {
        if (!nodeName.startsWith("/") || nodeName.lastIndexOf('/') <= 0) return null;
        String path = nodeName.substring(1, nodeName.lastIndexOf('/')).replace('/', '.');
        return path.isBlank() ? null : path;
    }

    /** Fails unless the node sets only these attributes (ints and floats; strings and tensors are never expected). */
    private void only(OnnxNode node, Set<String> ints, Set<String> floats) {
        for (String a : node.ints().keySet()) if (!ints.contains(a)) throw unexpected(node, a);
        for (String a : node.floats().keySet()) if (!floats.contains(a)) throw unexpected(node, a);
        if (!node.otherAttributes().isEmpty()) throw unexpected(node, node.otherAttributes().getFirst());
    }

    private IllegalArgumentException unexpected(OnnxNode node, String attribute) {
        return refuse(describe(node) + " sets the attribute " + attribute + ", which QuantScope's layers do not have");
    }

    /** Fails when the node sets {@code attribute} to other than {@code wanted} (unset means ONNX's default, which is wanted). */
    private void expect(OnnxNode node, String attribute, List<Long> wanted, String what) {
        List<Long> v = node.ints().get(attribute);
        if (v != null && !v.equals(wanted)) throw refuse(describe(node) + " has " + attribute + " " + v + ", where QuantScope runs " + what);
    }

    /** The weight a Transpose node turns into a MatMul's [in, out] operand. */
    private String transposeOfMatrix(OnnxNode node) {
        List<Long> perm = node.ints().get("perm");
        String w = node.inputs().getFirst();
        if (dims(w).length != 2 || (perm != null && !perm.equals(List.of(1L, 0L)))) {
            throw refuse(describe(node) + " transposes " + w + " in a way other than a matrix's [1, 0]");
        }
        return w;
    }

    private String single(OnnxNode node) {
        long used = node.outputs().stream().filter(o -> !o.isEmpty()).count();
        if (node.outputs().isEmpty() || node.outputs().getFirst().isEmpty() || used != 1) {
            throw refuse(describe(node) + " has " + used + " outputs, not one");
        }
        return node.outputs().getFirst();
    }

    private boolean isWeight(String name) {
        return !name.isEmpty() && model.tensor(name).isPresent();
    }

    private long[] dims(String tensor) {
        return model.tensor(tensor).map(t -> t.shape().dims()).orElseThrow(
                () -> refuse("the tensor " + tensor + " that its graph reads is not in the file"));
    }

    /** An INT64 tensor of the file (an initializer or a Constant's value), or null when the name is no such tensor. */
    private long[] constantLongs(String name) {
        Optional<TensorInfo> t = model.tensor(name);
        if (t.isEmpty() || t.get().dtype() != DType.I64 || t.get().parameters() > 8) return null;
        long[] values = new long[(int) t.get().parameters()];
        for (int i = 0; i < values.length; i++) values[i] = t.get().data().getAtIndex(Layouts.I64, i);
        return values;
    }

    private int toInt(long v, OnnxNode node) {
        if (v < 1 || v > Integer.MAX_VALUE) throw refuse(describe(node) + " has a size of " + v);
        return (int) v;
    }

    private static String prefix(String name, String suffix) {
        return name.endsWith(suffix) && name.length() > suffix.length() ? name.substring(0, name.length() - suffix.length()) : null;
    }

    private static String describe(OnnxNode node) {
        String op = node.defaultDomain() ? node.opType() : node.domain() + "." + node.opType();
        return node.name().isEmpty() ? "a " + op + " node" : "the " + op + " node " + node.name();
    }

    private IllegalArgumentException refuse(String why) {
        return ModelArchitecture.cannotInfer(file, why);
    }

    private static String stripDot(String s) {
        return s != null && s.endsWith(".") ? s.substring(0, s.length() - 1) : String.valueOf(s);
    }

}
