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

/**
 * Walks a ModelProto (field numbers from onnx.proto): model-level metadata, the main graph's initializers and
 * nodes, and, through node attributes of type GRAPH/GRAPHS, every subgraph (If branches, Loop and Scan bodies)
 * down to {@link #MAX_GRAPH_DEPTH}. Collects the tensors it finds without touching their data.
 */
final class OnnxModelParser {
    /** Real models nest subgraphs a few levels deep; the cap keeps a hostile file from exhausting the stack. */
    static final int MAX_GRAPH_DEPTH = 32;

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
        OnnxModelInfo info = new OnnxModelInfo(irVersion, opsets, producerName, producerVersion, graphName, props,
                nodeCount, sortedOps, initializerCount, constantCount, subgraphCount, sparseInitializers);
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
                case 15 -> {
                    in.expect(f, WireType.LEN, "sparse_initializer");
                    sparseInitializers++;
                }
                default -> { /* inputs, outputs, value_info, doc_string, annotations */ }
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
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 2 -> {
                    String out = in.string(f, "output");
                    if (firstOutput == null) firstOutput = out;
                }
                case 3 -> nodeName = in.string(f, "name");
                case 4 -> opType = in.string(f, "op_type");
                case 5 -> {
                    in.expect(f, WireType.LEN, "attribute");
                    attributes.add(f);
                }
                case 7 -> domain = in.string(f, "domain");
                default -> { /* inputs, doc_string */ }
            }
        }
        boolean isConstant = opType.equals("Constant") && (domain.isEmpty() || domain.equals("ai.onnx"));
        opTypes.merge(domain.isEmpty() || domain.equals("ai.onnx") ? opType : domain + "." + opType, 1L, Long::sum);
        for (int i = 0; i < attributes.size(); i++) {
            ProtoReader a = in.sub(attributes.get(i), in.message() + ".attribute[" + i + "]");
            attribute(a, depth, isConstant, firstOutput != null ? firstOutput : nodeName);
        }
    }

    private void attribute(ProtoReader in, int depth, boolean constantNode, String outputName)
            throws ModelFormatException {
        String name = "";
        ProtoField tensor = null;
        List<ProtoField> graphs = new ArrayList<>();
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> name = in.string(f, "name");
                case 5 -> {
                    in.expect(f, WireType.LEN, "t");
                    tensor = f;
                }
                case 6, 11 -> {
                    in.expect(f, WireType.LEN, f.number() == 6 ? "g" : "graphs");
                    graphs.add(f);
                }
                default -> { /* scalars, lists, tensors lists, sparse tensors: not model weights */ }
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
