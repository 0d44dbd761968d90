package dev.quantscope.format.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node of an ONNX model's main graph, as far as a reader of small image classifiers needs it: its op, the
 * values it reads and writes (by name; "" for an omitted optional input) and its INT, INTS and FLOAT attributes.
 * Attributes of other kinds (strings, tensors, graphs) are only named, so a reader can refuse what it cannot see.
 *
 * @param opType          NodeProto.op_type
 * @param domain          NodeProto.domain ("" for the default ai.onnx)
 * @param name            NodeProto.name ("" when absent); PyTorch writes the module path, e.g. {@code /0/Conv}
 * @param inputs          NodeProto.input in order
 * @param outputs         NodeProto.output in order
 * @param ints            INT attributes as one-element lists, INTS attributes as they are
 * @param floats          FLOAT attributes
 * @param otherAttributes names of attributes of any other type
 */
public record OnnxNode(String opType, String domain, String name, List<String> inputs, List<String> outputs,
                       Map<String, List<Long>> ints, Map<String, Float> floats, List<String> otherAttributes) {

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        ints = Collections.unmodifiableMap(new LinkedHashMap<>(ints));
        floats = Collections.unmodifiableMap(new LinkedHashMap<>(floats));
        otherAttributes = List.copyOf(otherAttributes);
    }

    /** True for the default operator set (an empty domain or "ai.onnx"). */
    public boolean defaultDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** The INT attribute {@code attribute}, or empty when the node does not set it (or sets a list). */
    public Optional<Long> intAttribute(String attribute) {
        List<Long> v = ints.get(attribute);
        return v != null && v.size() == 1 ? Optional.of(v.getFirst()) : Optional.empty();
    }
}
