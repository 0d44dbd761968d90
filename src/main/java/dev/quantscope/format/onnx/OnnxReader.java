package dev.quantscope.format.onnx;

import dev.quantscope.format.MappedFile;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ONNX models (.onnx, a protobuf ModelProto) without a protobuf library: the file is memory-mapped and
 * walked with a bounds-checked wire-format reader. Tensors are the graph initializers and the tensors of Constant
 * nodes, in the main graph and in subgraphs. raw_data and external data become views over mapped files; values
 * stored in typed fields (float_data, int32_data, …) are converted into the model's arena in the dtype's layout.
 */
public final class OnnxReader {
    private OnnxReader() {}

    /** Typed fields are for small tensors; beyond this a file is more likely hostile than real. */
    static final long TYPED_VALUES_BUDGET = 1L << 30;

    public static Model open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = MappedFile.map(path, arena);
            OnnxModelParser.Parsed parsed = OnnxModelParser.parse(path, seg);
            TypedValues typed = new TypedValues(arena, TYPED_VALUES_BUDGET);
            ExternalData external = new ExternalData(path, arena);
            List<TensorInfo> tensors = new ArrayList<>(parsed.tensors().size());
            for (OnnxModelParser.FoundTensor found : parsed.tensors()) {
                OnnxTensorProto t = found.proto();
                MemorySegment data = data(found.context(), t, seg, typed, external);
                tensors.add(new TensorInfo(found.name(), t.shape(), t.type().dtype(), data.byteSize(), data));
            }
            return new Model(path, ModelFormat.ONNX, tensors, metadata(parsed), arena, parsed.info());
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The tensor's bytes, from exactly one of: external file, raw_data, typed fields, or nothing for no elements. */
    private static MemorySegment data(ProtoReader in, OnnxTensorProto t, MemorySegment seg, TypedValues typed,
                                      ExternalData external) throws IOException {
        long bytes;
        try {
            bytes = t.rawBytes();
        } catch (ArithmeticException overflow) {
            throw in.error("dims", t.offset(), "byte size of " + t.shape() + " " + t.type() + " overflows");
        }
        if (t.external()) {
            if (t.raw() != null || t.typedField() != null) {
                throw in.error("data_location", t.offset(), "is EXTERNAL but the tensor also holds data inline");
            }
            if (t.type() == OnnxDataType.STRING) throw in.error("data_location", t.offset(), "strings cannot be external");
            return external.resolve(in, t, bytes);
        }
        if (t.raw() != null) {
            if (t.typedField() != null) {
                throw in.error("raw_data", t.raw().tagOffset(), "the tensor also holds values in " + t.typedField().protoName());
            }
            if (t.type() == OnnxDataType.STRING) throw in.error("raw_data", t.raw().tagOffset(), "strings cannot be raw");
            if (t.raw().length() != bytes) {
                throw in.error("raw_data", t.raw().start(), "holds " + t.raw().length() + " bytes but dims " + t.shape()
                        + " of " + t.type() + " need " + bytes);
            }
            return seg.asSlice(t.raw().start(), bytes);
        }
        if (t.typedField() != null) return typed.convert(in, t);
        if (t.elements() != 0) {
            throw in.error("data", t.offset(), "tensor '" + t.name() + "' of " + t.elements() + " elements holds no data");
        }
        return seg.asSlice(0, 0);
    }

    private static Map<String, Object> metadata(OnnxModelParser.Parsed parsed) {
        OnnxModelInfo info = parsed.info();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("onnx.ir_version", info.irVersion());
        meta.put("onnx.opset_import", new LinkedHashMap<String, Object>(info.opsets()));
        if (!info.producerName().isEmpty()) meta.put("onnx.producer_name", info.producerName());
        if (!info.producerVersion().isEmpty()) meta.put("onnx.producer_version", info.producerVersion());
        if (!parsed.domain().isEmpty()) meta.put("onnx.domain", parsed.domain());
        if (parsed.modelVersion() != 0) meta.put("onnx.model_version", parsed.modelVersion());
        meta.put("onnx.graph_name", info.graphName());
        if (!info.metadataProps().isEmpty()) meta.put("onnx.metadata_props", new LinkedHashMap<String, Object>(info.metadataProps()));
        meta.put("onnx.node_count", info.nodeCount());
        meta.put("onnx.op_types", new LinkedHashMap<String, Object>(info.opTypes()));
        meta.put("onnx.initializer_count", info.initializerCount());
        meta.put("onnx.constant_count", info.constantCount());
        if (info.subgraphCount() > 0) meta.put("onnx.subgraph_count", info.subgraphCount());
        if (info.sparseInitializers() > 0) meta.put("onnx.sparse_initializer_count", info.sparseInitializers());
        return meta;
    }
}
