package dev.quantscope.format.onnx;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.quantscope.format.onnx.Proto.*;
import static org.junit.jupiter.api.Assertions.*;

/** A model this test writes itself: every data encoding, external data, and Constant nodes inside subgraphs. */
class OnnxReaderSyntheticTest {
    @TempDir
    Path dir;

    private Path write(byte[] model) throws Exception {
        Path file = dir.resolve("synthetic.onnx");
        Files.write(file, model);
        return file;
    }

    private static float[] values(Model m, String name) {
        return Decoders.decodeAll(m.tensor(name).orElseThrow(() -> new AssertionError("no tensor " + name)));
    }

    private static byte[] bytes(Model m, String name) {
        return m.tensor(name).orElseThrow().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Test
    void typedFieldsInEveryEncoding() throws Exception {
        Proto graph = message().string(2, "typed")
                .message(5, rawTensor("w_raw", FLOAT, new long[] {2, 3}, floatsLE(1, 2, 3, 4, 5, 6)))
                .message(5, tensor("f_packed", FLOAT, 3).packedFloats(4, 0.5f, -1.25f, 3e10f))
                .message(5, tensor("f_unpacked", FLOAT, 2).float32(4, 7.5f).float32(4, -0f))
                // float16 bit patterns 1.5 = 0x3E00 and -2 = 0xC000, one unpacked, one packed: a mix is legal
                .message(5, tensor("h", FLOAT16, 2).varint(5, 0x3E00).packedVarints(5, 0xC000))
                .message(5, tensor("bf", BFLOAT16, 1).packedVarints(5, 0x3FC0)) // bfloat16 1.5
                // int32 -1 and -128 are written as 10-byte sign-extended varints
                .message(5, tensor("i8", INT8, 3).packedVarints(5, -1, 127, -128))
                .message(5, tensor("u8", UINT8, 2).packedVarints(5, 0, 255))
                .message(5, tensor("i16", INT16, 2).packedVarints(5, -32768, 32767))
                .message(5, tensor("i32", INT32, 2).packedVarints(5, Integer.MIN_VALUE, 123456))
                .message(5, tensor("b", BOOL, 2).varint(5, 1).varint(5, 0))
                // 3 uint4 elements 1, 2, 3: bytes 0x21 and 0x03, low nibble first
                .message(5, tensor("u4", UINT4, 3).packedVarints(5, 0x21, 0x03))
                .message(5, tensor("i4", INT4, 2).packedVarints(5, 0xF7)) // 7, -1
                .message(5, tensor("i64", INT64, 2).packedVarints(7, -5, 1L << 40))
                .message(5, tensor("i64u", INT64).varint(7, 42)) // a scalar, unpacked
                .message(5, tensor("d", DOUBLE, 2).packedDoubles(10, 0.25, -1e300))
                .message(5, tensor("d1", DOUBLE, 1).fixed64(10, Double.doubleToRawLongBits(2.5)))
                .message(5, tensor("u32", UINT32, 2).packedVarints(11, 7, 0xFFFF_FFFFL))
                .message(5, tensor("u64", UINT64, 1).packedVarints(11, -1L))
                .message(5, tensor("c64", COMPLEX64, 1).packedFloats(4, 1f, 2f))
                .message(5, tensor("s", STRING, 2).string(6, "alpha").string(6, "beta"))
                .message(5, rawTensor("scalar", FLOAT, new long[0], floatsLE(9.25f)))
                .message(5, tensor("empty", FLOAT, 0, 4));
        try (Model m = ModelOpener.open(write(model(graph)))) {
            assertEquals(ModelFormat.ONNX, m.format());
            TensorInfo raw = m.tensor("w_raw").orElseThrow();
            assertEquals(Shape.rowMajor(2, 3), raw.shape());
            assertEquals(3, raw.shape().rowLength());
            assertEquals(2, raw.shape().rows());
            assertTrue(raw.data().isMapped(), "raw_data is a view over the mapped file");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, values(m, "w_raw"));
            assertArrayEquals(new float[] {0.5f, -1.25f, 3e10f}, values(m, "f_packed"));
            float[] fu = values(m, "f_unpacked");
            assertEquals(7.5f, fu[0]);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(fu[1]));
            assertEquals(DType.F16, m.tensor("h").orElseThrow().dtype());
            assertEquals(4, m.tensor("h").orElseThrow().byteSize());
            assertArrayEquals(new float[] {1.5f, -2f}, values(m, "h"));
            assertArrayEquals(new float[] {1.5f}, values(m, "bf"));
            assertArrayEquals(new float[] {-1, 127, -128}, values(m, "i8"));
            assertArrayEquals(new float[] {0, 255}, values(m, "u8"));
            assertArrayEquals(new float[] {-32768, 32767}, values(m, "i16"));
            assertArrayEquals(new float[] {Integer.MIN_VALUE, 123456}, values(m, "i32"));
            assertEquals(DType.BOOL, m.tensor("b").orElseThrow().dtype());
            assertArrayEquals(new float[] {1, 0}, values(m, "b"));
            TensorInfo u4 = m.tensor("u4").orElseThrow();
            assertEquals(DType.U4, u4.dtype());
            assertEquals(2, u4.byteSize(), "3 nibbles round up to 2 bytes");
            assertArrayEquals(new float[] {1, 2, 3}, values(m, "u4"));
            assertArrayEquals(new float[] {7, -1}, values(m, "i4"));
            assertArrayEquals(new float[] {-5, (float) (1L << 40)}, values(m, "i64"));
            assertEquals(Shape.rowMajor(), m.tensor("i64u").orElseThrow().shape());
            assertArrayEquals(new float[] {42}, values(m, "i64u"));
            assertArrayEquals(new float[] {0.25f, (float) -1e300}, values(m, "d"));
            assertArrayEquals(new float[] {2.5f}, values(m, "d1"));
            assertEquals(DType.U32, m.tensor("u32").orElseThrow().dtype());
            assertArrayEquals(new float[] {7, 4294967295f}, values(m, "u32"));
            assertArrayEquals(new float[] {18446744073709551615f}, values(m, "u64"));
            TensorInfo c = m.tensor("c64").orElseThrow();
            assertEquals(DType.C64, c.dtype());
            assertArrayEquals(floatsLE(1f, 2f), bytes(m, "c64"));
            TensorInfo s = m.tensor("s").orElseThrow();
            assertEquals(DType.STRING, s.dtype());
            assertEquals(2, s.parameters());
            assertEquals(0, s.byteSize());
            assertFalse(s.decodable());
            assertArrayEquals(new float[] {9.25f}, values(m, "scalar"));
            assertEquals(Shape.rowMajor(0, 4), m.tensor("empty").orElseThrow().shape());
            assertEquals(0, m.tensor("empty").orElseThrow().byteSize());
            assertEquals(22, m.tensors().size());
        }
    }

    @Test
    void externalDataInsideTheModelFolder() throws Exception {
        byte[] junk = new byte[16];
        for (int i = 0; i < 16; i++) junk[i] = (byte) (0xA0 + i);
        Files.write(dir.resolve("weights.bin"), concat(junk, floatsLE(-1, 0.5f, 2, 8)));
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/more.bin"), new byte[] {-3, 4, 5});
        Proto graph = message().string(2, "ext")
                .message(5, external(tensor("ext", FLOAT, 2, 2), "location", "weights.bin", "offset", "16", "length", "16"))
                .message(5, external(tensor("ext_whole", INT8, 3), "location", "sub/more.bin"))
                .message(5, external(tensor("ext_again", FLOAT, 1), "location", "./weights.bin", "offset", "28",
                        "checksum", "ignored"));
        try (Model m = OnnxReader.open(write(model(graph)))) {
            TensorInfo ext = m.tensor("ext").orElseThrow();
            assertEquals(Shape.rowMajor(2, 2), ext.shape());
            assertTrue(ext.data().isMapped());
            assertArrayEquals(new float[] {-1, 0.5f, 2, 8}, values(m, "ext"));
            assertArrayEquals(new float[] {-3, 4, 5}, values(m, "ext_whole"));
            assertArrayEquals(new float[] {8}, values(m, "ext_again"), "no length: to the end of the file");
        }
    }

    @Test
    void constantsInsideSubgraphsAndMetadata() throws Exception {
        Proto thenBranch = message().string(2, "then")
                .message(1, constantNode("then_const", rawTensor(null, FLOAT, new long[] {2}, floatsLE(3, 4))))
                .message(5, rawTensor("sub_init", FLOAT, new long[] {1}, floatsLE(11)));
        Proto innermost = message().string(2, "innermost")
                .message(1, constantNode("deep_const", tensor(null, INT64, 3).packedVarints(7, 1, 2, 3)));
        Proto loopBody = message().string(2, "body")
                .message(1, message().string(4, "If")
                        .message(5, message().string(1, "then_branch").varint(20, 5).message(6, innermost)));
        Proto otherBody = message().string(2, "other")
                .message(1, constantNode("dup", rawTensor(null, FLOAT, new long[0], floatsLE(2))));
        Proto graph = message()
                .message(1, constantNode("top_const", rawTensor(null, FLOAT, new long[0], floatsLE(1))))
                .message(1, message().string(1, "cond").string(2, "if_out").string(4, "If")
                        .message(5, message().string(1, "then_branch").varint(20, 5).message(6, thenBranch)))
                // a GRAPHS attribute holding two graphs, one of which nests a further If
                .message(1, message().string(4, "Custom").string(7, "com.example")
                        .message(5, message().string(1, "bodies").varint(20, 10).message(11, loopBody).message(11, otherBody)))
                // Constant without a "value" tensor: a scalar attribute, not listed
                .message(1, message().string(2, "vf").string(4, "Constant")
                        .message(5, message().string(1, "value_float").varint(20, 1).float32(2, 5f)))
                .message(1, message().string(2, "x").string(4, "Relu"))
                .string(2, "main")
                .message(5, rawTensor("dup", FLOAT, new long[0], floatsLE(1)));
        byte[] bytes = message().varint(1, 10).string(2, "quantscope-test").string(3, "1.0").string(4, "dev.test")
                .varint(5, 3)
                .message(8, message().varint(2, 18))
                .message(8, message().string(1, "com.example").varint(2, 1))
                .message(14, message().string(1, "author").string(2, "tests"))
                .message(14, message().string(1, "license").string(2, "MIT"))
                .message(7, graph).toBytes();
        try (Model m = OnnxReader.open(write(bytes))) {
            List<String> names = m.tensors().stream().map(TensorInfo::name).toList();
            assertEquals(List.of("sub_init", "dup", "top_const", "then_const", "deep_const", "dup#2"), names);
            assertArrayEquals(new float[] {3, 4}, values(m, "then_const"));
            assertArrayEquals(new float[] {1, 2, 3}, values(m, "deep_const"));
            assertEquals(DType.I64, m.tensor("deep_const").orElseThrow().dtype());
            assertArrayEquals(new float[] {1}, values(m, "dup"));
            assertArrayEquals(new float[] {2}, values(m, "dup#2"));
            assertArrayEquals(new float[] {11}, values(m, "sub_init"));

            Map<String, Object> meta = m.metadata();
            assertEquals(10L, meta.get("onnx.ir_version"));
            assertEquals(Map.of("ai.onnx", 18L, "com.example", 1L), meta.get("onnx.opset_import"));
            assertEquals("quantscope-test", meta.get("onnx.producer_name"));
            assertEquals("1.0", meta.get("onnx.producer_version"));
            assertEquals("dev.test", meta.get("onnx.domain"));
            assertEquals(3L, meta.get("onnx.model_version"));
            assertEquals("main", meta.get("onnx.graph_name"));
            assertEquals(List.of("author", "license"),
                    List.copyOf(((Map<?, ?>) meta.get("onnx.metadata_props")).keySet()));
            assertEquals(Map.of("author", "tests", "license", "MIT"), meta.get("onnx.metadata_props"));
            // main: 5 nodes; then: 1; body: 1 (If); innermost: 1; other: 1
            assertEquals(9L, meta.get("onnx.node_count"));
            assertEquals(Map.of("Constant", 5L, "If", 2L, "com.example.Custom", 1L, "Relu", 1L), meta.get("onnx.op_types"));
            assertEquals(4L, meta.get("onnx.subgraph_count"));
            assertEquals(4L, meta.get("onnx.constant_count"));
            assertEquals(2L, meta.get("onnx.initializer_count"));
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
