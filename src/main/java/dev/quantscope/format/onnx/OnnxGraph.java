package dev.quantscope.format.onnx;

import java.util.List;

/**
 * The main graph of an ONNX model (not its subgraphs): inputs, outputs and nodes in file order, which ONNX requires
 * to be topologically sorted. Inputs may include initializers (files of IR version 3 and older list them there); the
 * model's tensors tell which are which. Kept only for graphs of at most {@link OnnxModelParser#MAX_KEPT_NODES} nodes,
 * the size of the classifiers QuantScope runs, so a large language model's graph costs no memory.
 */
public record OnnxGraph(List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs, List<OnnxNode> nodes) {

    public OnnxGraph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
    }
}
