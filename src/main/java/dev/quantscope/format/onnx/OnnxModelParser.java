package dev.quantscope.format.onnx;

import dev.quantscope.format.FileStart;
import dev.quantscope.format.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks a ModelProto (field numbers from onnx.proto): model-level metadata, the main graph's initializers and
 * nodes, and, through node attributes of type GRAPH/GRAPHS, every subgraph (If branches, Loop and Scan bodies)
 * down to {@link #MAX_GRAPH_DEPTH}. Collects the tensors it finds without touching their data.
 */
final class OnnxModelParser {
    /** Real models nest subgraphs a few levels deep; the cap keeps a hostile file from exhausting the stack. */
    static final int MAX_GRAPH_DEPTH = 32;

    /**
     * The main graph is kept ({@link OnnxGraph}) only up to this many nodes: a small classifier has tens, a language
     * model thousands of nodes it would be pointless to hold.
     */
    static final int MAX_KEPT_NODES = 4096;
    /** Names and attribute values kept over the whole main graph; past this the graph is not kept either. */
    static final int MAX_KEPT_VALUES = 1 << 16;

    /** A tensor found in the model, named as QuantScope lists it, with the reader its errors are reported against. */
    record FoundTensor(String name, OnnxTensorProto proto, ProtoReader context, boolean constant) {}

    private final Path file;
    private final MemorySegment seg;
    private final List<FoundTensor> tensors = new ArrayList<>();
    private final Map<String, Long> opTypes = new HashMap<>();
    private long nodeCount;
    private long initializerCount;
    private long constantCount;
    private long subgraphCount;
    private long sparseInitializers;
    /** The main graph's nodes as kept so far; null once the graph is too large to keep. */
    private List<OnnxNode> mainNodes = new ArrayList<>();
    private final List<OnnxValueInfo> mainInputs = new ArrayList<>();
    private final List<OnnxValueInfo> mainOutputs = new ArrayList<>();
    private long keptValues;

    private OnnxModelParser(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
    }

    record Parsed(OnnxModelInfo info, List<FoundTensor> tensors, String domain, long modelVersion) {}

    static Parsed parse(Path file, MemorySegment seg) throws ModelFormatException {
        try {
            return new OnnxModelParser(file, seg).model();
        } catch (ModelFormatException e) {
            if (startsLikeModelProto(seg)) throw e;
            // Text or another format named .onnx: say that first; where the protobuf reader tripped comes after.
            throw ModelFormatException.notOfKind(file, "an ONNX model",
                    FileStart.itStartsWith(seg, 8, "a protobuf ModelProto's ir_version"), e);
        }
    }

    /**
     * Every exporter writes ir_version (field 1, a varint: tag byte 0x08) first, as protobuf writes fields in
     * number order; a file that starts otherwise and fails to parse is not a model whose bytes went bad.
     */
    private static boolean startsLikeModelProto(MemorySegment seg) {
        return seg.byteSize() > 0 && seg.get(ValueLayout.JAVA_BYTE, 0) == 0x08;
    }

    private Parsed model() throws ModelFormatException {
        ProtoReader in = new ProtoReader(file, seg, 0, seg.byteSize(), "model");
        Long irVersion = null;
        Map<String, Long> opsets = new LinkedHashMap<>();
        String producerName = "";
        String producerVersion = "";
        String domain = "";
        long modelVersion = 0;
        Map<String, String> props = new LinkedHashMap<>();
        String graphName = null;
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> irVersion = in.int64(f, "ir_version");
                case 2 -> producerName = in.string(f, "producer_name");
                case 3 -> producerVersion = in.string(f, "producer_version");
                case 4 -> domain = in.string(f, "domain");
                case 5 -> modelVersion = in.int64(f, "model_version");
                case 7 -> {
                    in.expect(f, WireType.LEN, "graph");
                    if (graphName != null) throw in.error("graph", f.tagOffset(), "appears twice");
                    graphName = graph(in.sub(f, "model.graph"), 0);
                }
                case 8 -> {
                    in.expect(f, WireType.LEN, "opset_import");
                    opset(in.sub(f, "model.opset_import"), opsets);
                }
                case 14 -> {
                    in.expect(f, WireType.LEN, "metadata_props");
                    entry(in.sub(f, "model.metadata_props"), props);
                }
                default -> { /* doc_string, training_info, functions: not needed to list tensors */ }
            }
        }
        // protobuf has no magic and no terminator: a file that is not ONNX, or one cut between fields, may still
        // parse, so insist on the two fields every ONNX model must have.
        if (irVersion == null) throw in.error("ir_version", 0, "is missing (not an ONNX model, or truncated)");
        if (graphName == null) throw in.error("graph", seg.byteSize(), "is missing (not an ONNX model, or truncated)");
        List<Map.Entry<String, Long>> ops = new ArrayList<>(opTypes.entrySet());
        ops.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> sortedOps = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : ops) sortedOps.put(e.getKey(), e.getValue());
        Optional<OnnxGraph> graph = mainNodes == null ? Optional.empty()
                : Optional.of(new OnnxGraph(mainInputs, mainOutputs, mainNodes));
        OnnxModelInfo info = new OnnxModelInfo(irVersion, opsets, producerName, producerVersion, graphName, props,
                nodeCount, sortedOps, initializerCount, constantCount, subgraphCount, sparseInitializers, graph);
        // Weights first: graphs list their nodes (and so Constant tensors) before their initializers, but the
        // initializers are what a user opening a model looks for.
        List<FoundTensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(FoundTensor::constant));
        return new Parsed(info, uniqueNames(ordered), domain, modelVersion);
    }

    /** Reads a GraphProto and returns its name. */
    private String graph(ProtoReader in, int depth) throws ModelFormatException {
        if (depth > MAX_GRAPH_DEPTH) {
            throw in.error("graph", in.position(), "subgraphs nested deeper than " + MAX_GRAPH_DEPTH);
        }
        if (depth > 0) subgraphCount++;
        String name = "";
        int initializers = 0;
        int nodes = 0;
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> {
                    in.expect(f, WireType.LEN, "node");
                    node(in.sub(f, in.message() + ".node[" + nodes + "]"), depth);
                    nodes++;
                }
                case 2 -> name = in.string(f, "name");
                case 5 -> {
                    in.expect(f, WireType.LEN, "initializer");
                    ProtoReader t = in.sub(f, in.message() + ".initializer[" + initializers + "]");
                    OnnxTensorProto proto = OnnxTensorProto.parse(t);
                    String tensorName = proto.name().isEmpty() ? t.message() : proto.name();
                    add(tensorName, proto, t, false);
                    initializers++;
                    initializerCount++;
                }
                case 11, 12 -> {
                    String what = f.number() == 11 ? "input" : "output";
                    in.expect(f, WireType.LEN, what);
                    if (depth == 0 && mainNodes != null) {
                        OnnxValueInfo v = valueInfo(in.sub(f, in.message() + "." + what));
                        if (keep(1 + v.dims().size())) (f.number() == 11 ? mainInputs : mainOutputs).add(v);
                    }
                }
                case 15 -> {
                    in.expect(f, WireType.LEN, "sparse_initializer");
                    sparseInitializers++;
                }
                default -> { /* value_info, doc_string, annotations */ }
            }
        }
        return name;
    }

    private void node(ProtoReader in, int depth) throws ModelFormatException {
        nodeCount++;
        String opType = "";
        String domain = "";
        String firstOutput = null;
        String nodeName = "";
        List<ProtoField> attributes = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        boolean keepNode = depth == 0 && mainNodes != null;
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> {
                    if (keepNode) inputs.add(in.string(f, "input"));
                }
                case 2 -> {
                    String out = in.string(f, "output");
                    if (firstOutput == null) firstOutput = out;
                    if (keepNode) outputs.add(out);
                }
                case 3 -> nodeName = in.string(f, "name");
                case 4 -> opType = in.string(f, "op_type");
                case 5 -> {
                    in.expect(f, WireType.LEN, "attribute");
                    attributes.add(f);
                }
                case 7 -> domain = in.string(f, "domain");
                default -> { /* doc_string */ }
            }
        }
        boolean isConstant = opType.equals("Constant") && (domain.isEmpty() || domain.equals("ai.onnx"));
        opTypes.merge(domain.isEmpty() || domain.equals("ai.onnx") ? opType : domain + "." + opType, 1L, Long::sum);
        Attributes kept = keepNode ? new Attributes() : null;
        for (int i = 0; i < attributes.size(); i++) {
            ProtoReader a = in.sub(attributes.get(i), in.message() + ".attribute[" + i + "]");
            attribute(a, depth, isConstant, firstOutput != null ? firstOutput : nodeName, kept);
        }
        if (keepNode && mainNodes.size() < MAX_KEPT_NODES && keep(1 + inputs.size() + outputs.size() + kept.values)) {
            mainNodes.add(new OnnxNode(opType, domain, nodeName, inputs, outputs, kept.ints, kept.floats, kept.others));
        } else if (keepNode) {
            mainNodes = null;
        }
    }

    /** Counts {@code values} against {@link #MAX_KEPT_VALUES}; false (and the graph dropped) once it is spent. */
    private boolean keep(long values) {
        keptValues += values;
        if (keptValues > MAX_KEPT_VALUES) mainNodes = null;
        return mainNodes != null;
    }

    /** The attributes of one main-graph node, as {@link OnnxNode} keeps them. */
    private static final class Attributes {
        final Map<String, List<Long>> ints = new LinkedHashMap<>();
        final Map<String, Float> floats = new LinkedHashMap<>();
        final List<String> others = new ArrayList<>();
        long values;
    }

    /** AttributeProto.type values for the kinds that are kept. */
    private static final int FLOAT = 1, INT = 2, INTS = 7;

    /** A ValueInfoProto: name, and the dims of type.tensor_type.shape when declared. */
    private static OnnxValueInfo valueInfo(ProtoReader in) throws ModelFormatException {
        String name = "";
        List<Long> dims = new ArrayList<>();
        while (in.hasMore()) {
            ProtoField f = in.next();
            if (f.number() == 1) {
                name = in.string(f, "name");
            } else if (f.number() == 2) {
                in.expect(f, WireType.LEN, "type");
                ProtoReader type = in.sub(f, in.message() + ".type");
                while (type.hasMore()) {
                    ProtoField t = type.next();
                    if (t.number() != 1) continue; // sequence, map, optional, sparse types: no image shape
                    type.expect(t, WireType.LEN, "tensor_type");
                    ProtoReader tensor = type.sub(t, type.message() + ".tensor_type");
                    while (tensor.hasMore()) {
                        ProtoField s = tensor.next();
                        if (s.number() != 2) continue;
                        tensor.expect(s, WireType.LEN, "shape");
                        dims.clear();
                        ProtoReader shape = tensor.sub(s, tensor.message() + ".shape");
                        while (shape.hasMore()) {
                            ProtoField d = shape.next();
                            if (d.number() != 1) continue;
                            shape.expect(d, WireType.LEN, "dim");
                            dims.add(dimension(shape.sub(d, shape.message() + ".dim[" + dims.size() + "]")));
                        }
                    }
                }
            }
        }
        return new OnnxValueInfo(name, dims);
    }

    /** A TensorShapeProto.Dimension: dim_value, or -1 for a symbolic (dim_param) or unset one. */
    private static long dimension(ProtoReader in) throws ModelFormatException {
        long value = -1;
        while (in.hasMore()) {
            ProtoField f = in.next();
            if (f.number() == 1) value = in.int64(f, "dim_value");
            else if (f.number() == 2) value = -1;
        }
        return value < 0 ? -1 : value;
    }

    private void attribute(ProtoReader in, int depth, boolean constantNode, String outputName, Attributes kept)
            throws ModelFormatException {
        String name = "";
        ProtoField tensor = null;
        List<ProtoField> graphs = new ArrayList<>();
        Float floatValue = null;
        Long intValue = null;
        List<Long> intValues = new ArrayList<>();
        boolean other = false;
        long type = 0;
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> name = in.string(f, "name");
                // the values below are read only for a node whose attributes are kept, as they were not read before
                case 2 -> {
                    if (kept == null) continue;
                    in.expect(f, WireType.I32, "f");
                    floatValue = Float.intBitsToFloat((int) f.value());
                }
                case 3 -> {
                    if (kept == null) continue;
                    intValue = in.int64(f, "i");
                }
                case 8 -> {
                    if (kept == null) continue;
                    // repeated int64: packed (one LEN of varints) or one VARINT per value, as writers choose
                    if (f.wire() == WireType.LEN) {
                        ProtoReader packed = in.sub(f, in.message() + ".ints");
                        while (packed.hasMore()) {
                            long v = packed.varint("ints");
                            if (intValues.size() <= MAX_KEPT_VALUES) intValues.add(v);
                        }
                    } else {
                        long v = in.int64(f, "ints");
                        if (intValues.size() <= MAX_KEPT_VALUES) intValues.add(v);
                    }
                }
                case 20 -> {
                    if (kept == null) continue;
                    type = in.int64(f, "type");
                }
                case 4, 7, 9, 10, 21, 22, 23 -> other = true;
                case 5 -> {
                    in.expect(f, WireType.LEN, "t");
                    tensor = f;
                }
                case 6, 11 -> {
                    in.expect(f, WireType.LEN, f.number() == 6 ? "g" : "graphs");
                    graphs.add(f);
                }
                default -> { /* doc_string and fields of later IR versions */ }
            }
        }
        if (kept != null) {
            // proto2 writes a set 0 too, but the type field, where present, says the kind even with no value
            if (intValue != null || type == INT) {
                kept.ints.put(name, List.of(intValue == null ? 0L : intValue));
                kept.values++;
            } else if (!intValues.isEmpty() || type == INTS) {
                kept.ints.put(name, intValues);
                kept.values += intValues.size();
            } else if (floatValue != null || type == FLOAT) {
                kept.floats.put(name, floatValue == null ? 0f : floatValue);
                kept.values++;
            } else if (other || tensor != null || !graphs.isEmpty() || type != 0) {
                kept.others.add(name);
                kept.values++;
            }
        }
        if (constantNode && name.equals("value") && tensor != null) {
            ProtoReader t = in.sub(tensor, in.message() + ".t");
            OnnxTensorProto proto = OnnxTensorProto.parse(t);
            String tensorName = !outputName.isEmpty() ? outputName : !proto.name().isEmpty() ? proto.name() : t.message();
            add(tensorName, proto, t, true);
            constantCount++;
        }
        for (int i = 0; i < graphs.size(); i++) {
            String sub = in.message() + " '" + name + "'" + (graphs.get(i).number() == 11 ? "[" + i + "]" : "") + ".graph";
            graph(in.sub(graphs.get(i), sub), depth + 1);
        }
    }

    private void add(String name, OnnxTensorProto proto, ProtoReader context, boolean constant) {
        tensors.add(new FoundTensor(name, proto, context, constant));
    }

    /**
     * Makes names unique by suffixing "#2", "#3"… to names already taken: subgraphs have scopes of their own, so
     * a name may recur. Run on the final order, so initializers keep their names before Constant outputs do.
     */
    private static List<FoundTensor> uniqueNames(List<FoundTensor> in) {
        Map<String, Integer> uses = new HashMap<>();
        List<FoundTensor> out = new ArrayList<>(in.size());
        for (FoundTensor t : in) {
            int n = uses.merge(t.name(), 1, Integer::sum);
            String unique = t.name();
            while (n > 1 && uses.containsKey(unique)) unique = t.name() + "#" + n++;
            if (n > 1) {
                uses.put(t.name(), n - 1);
                uses.put(unique, 1);
            }
            out.add(new FoundTensor(unique, t.proto(), t.context(), t.constant()));
        }
        return out;
    }

    private static void opset(ProtoReader in, Map<String, Long> opsets) throws ModelFormatException {
        String domain = "";
        long version = 0;
        while (in.hasMore()) {
            ProtoField f = in.next();
            if (f.number() == 1) domain = in.string(f, "domain");
            else if (f.number() == 2) version = in.int64(f, "version");
        }
        opsets.put(domain.isEmpty() ? "ai.onnx" : domain, version);
    }

    private static void entry(ProtoReader in, Map<String, String> out) throws ModelFormatException {
        String key = "";
        String value = "";
        while (in.hasMore()) {
            ProtoField f = in.next();
            if (f.number() == 1) key = in.string(f, "key");
            else if (f.number() == 2) value = in.string(f, "value");
        }
        out.put(key, value);
    }
}
