package dev.quantscope.format.onnx;

import java.util.List;

/**
 * A graph input or output (ValueInfoProto): its name and the tensor shape it declares, outermost dimension first.
 * A symbolic dimension (dim_param, e.g. a dynamic batch) or an unset one is -1; {@code dims} is empty when no shape
 * is declared.
 */
public record OnnxValueInfo(String name, List<Long> dims) {

    public OnnxValueInfo {
        dims = List.copyOf(dims);
    }
}
