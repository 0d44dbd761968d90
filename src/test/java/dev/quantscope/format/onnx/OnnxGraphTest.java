package dev.quantscope.format.onnx;

import dev.quantscope.format.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.quantscope.format.onnx.Proto.*;
import static org.junit.jupiter.api.Assertions.*;

/** The main graph an ONNX model's details keep: nodes in order with their int, ints and float attributes. */
class OnnxGraphTest {
    @TempDir
    Path dir;

    private static OnnxGraph graph(Model m) {
        return ((OnnxModelInfo) m.details()).graph().orElseThrow(() -> new AssertionError("no graph kept"));
    }

    @Test
    void aPyTorchExportKeepsItsNodesInputsAndAttributes() throws Exception {
        Path file = Path.of(OnnxGraphTest.class.getResource("/dev/quantscope/engine/classifier/onnx/cnn.onnx").toURI());
        try (Model m = OnnxReader.open(file)) {
            OnnxGraph g = graph(m);
            assertEquals(List.of(new OnnxValueInfo("image", List.of(1L, 1L, 28L, 28L))), g.inputs());
            assertEquals(List.of(new OnnxValueInfo("logits", List.of(1L, 10L))), g.outputs());
            assertEquals(List.of("Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"),
                    g.nodes().stream().map(OnnxNode::opType).toList());
            OnnxNode conv = g.nodes().getFirst();
            assertEquals("/0/Conv", conv.name());
            assertEquals(List.of("image", "0.weight", "0.bias"), conv.inputs());
            assertEquals(List.of("/0/Conv_output_0"), conv.outputs());
            assertEquals(Map.of("dilations", List.of(1L, 1L), "group", List.of(1L), "kernel_shape", List.of(3L, 3L),
                    "pads", List.of(1L, 1L, 1L, 1L), "strides", List.of(1L, 1L)), conv.ints());
            OnnxNode gemm = g.nodes().getLast();
            assertEquals(Map.of("alpha", 1f, "beta", 1f), gemm.floats());
            assertEquals(java.util.Optional.of(1L), gemm.intAttribute("transB"));
            assertEquals(List.of(), gemm.otherAttributes());
        }
    }

    @Test
    void unpackedIntsSymbolicDimsOtherAttributesAndNoSubgraphNodes() throws Exception {
        Proto body = message().string(2, "body").message(1, message().string(1, "a").string(2, "b").string(4, "Neg"));
        Proto dims = message()
                .message(1, message().string(2, "N"))      // dim_param: symbolic
                .message(1, message().varint(1, 3));
        Proto graph = message()
                .message(1, message().string(1, "x").string(2, "y").string(3, "pool").string(4, "MaxPool")
                        // ints written one varint each, as a writer may
                        .message(5, message().string(1, "kernel_shape").varint(8, 2).varint(8, 2).varint(20, 7))
                        // an INT set to 0 with only its type: proto2 writers may omit a zero
                        .message(5, message().string(1, "ceil_mode").varint(20, 2))
                        .message(5, message().string(1, "auto_pad").string(4, "SAME_UPPER").varint(20, 3)))
                .message(1, message().string(1, "y").string(2, "z").string(4, "Loop")
                        .message(5, message().string(1, "body").varint(20, 5).message(6, body)))
                .string(2, "main")
                .message(11, message().string(1, "x").message(2, message().message(1,
                        message().varint(1, 1).message(2, dims))))
                .message(12, message().string(1, "z"));
        Path file = dir.resolve("graph.onnx");
        Files.write(file, model(graph));
        try (Model m = OnnxReader.open(file)) {
            OnnxGraph g = graph(m);
            assertEquals(List.of(new OnnxValueInfo("x", List.of(-1L, 3L))), g.inputs());
            assertEquals(List.of(new OnnxValueInfo("z", List.of())), g.outputs());
            assertEquals(2, g.nodes().size(), "the Loop body's node is not the main graph's");
            OnnxNode pool = g.nodes().getFirst();
            assertEquals(Map.of("kernel_shape", List.of(2L, 2L), "ceil_mode", List.of(0L)), pool.ints());
            assertEquals(List.of("auto_pad"), pool.otherAttributes());
            assertEquals(List.of("body"), g.nodes().getLast().otherAttributes());
            assertEquals(3L, m.metadata().get("onnx.node_count"));
        }
    }

    @Test
    void aGraphOfMoreThanTheKeptNodesIsCountedButNotKept() throws Exception {
        Proto graph = message().string(2, "big");
        for (int i = 0; i <= OnnxModelParser.MAX_KEPT_NODES; i++) {
            graph.message(1, message().string(1, "v" + i).string(2, "v" + (i + 1)).string(4, "Relu"));
        }
        Path file = dir.resolve("big.onnx");
        Files.write(file, model(graph));
        try (Model m = OnnxReader.open(file)) {
            assertTrue(((OnnxModelInfo) m.details()).graph().isEmpty());
            assertEquals((long) OnnxModelParser.MAX_KEPT_NODES + 1, m.metadata().get("onnx.node_count"));
        }
    }
}
