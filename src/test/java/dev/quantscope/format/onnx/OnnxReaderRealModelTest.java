package dev.quantscope.format.onnx;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reads the int8 all-MiniLM-L6-v2 model from langchain4j's test-scoped jar. Every expected figure below was
 * cross-checked with an independent Python script that parses the protobuf bytes of the same file directly.
 */
class OnnxReaderRealModelTest {
    @TempDir
    static Path dir;
    static Model model;

    @BeforeAll
    static void open() throws Exception {
        Path file = dir.resolve("all-minilm-l6-v2-q.onnx");
        try (InputStream in = OnnxReaderRealModelTest.class.getResourceAsStream("/all-minilm-l6-v2-q.onnx")) {
            assertNotNull(in, "the langchain4j all-minilm-l6-v2-q jar must be on the test classpath");
            Files.copy(in, file);
        }
        assertEquals(ModelFormat.ONNX, ModelOpener.detect(file));
        model = ModelOpener.open(file);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void metadata() {
        Map<String, Object> m = model.metadata();
        assertEquals(6L, m.get("onnx.ir_version"));
        assertEquals(Map.of("ai.onnx", 11L), m.get("onnx.opset_import"));
        assertEquals("onnx.quantize", m.get("onnx.producer_name"));
        assertEquals("0.1.0", m.get("onnx.producer_version"));
        assertEquals("torch_jit", m.get("onnx.graph_name"));
        assertEquals(Map.of("onnx.infer", "onnxruntime.quant"), m.get("onnx.metadata_props"));
        assertEquals(772L, m.get("onnx.node_count"));
        Map<?, ?> ops = (Map<?, ?>) m.get("onnx.op_types");
        assertEquals(22, ops.size());
        assertEquals(146L, ops.get("Constant"));
        assertEquals(36L, ops.get("MatMulInteger"));
        assertEquals(24L, ops.get("DynamicQuantizeLinear"));
        assertEquals(98L, ops.get("Mul"));
        assertEquals("Constant", ops.keySet().iterator().next(), "most frequent op first");
        assertEquals(180L, m.get("onnx.initializer_count"));
        assertEquals(146L, m.get("onnx.constant_count"));
        OnnxModelInfo info = (OnnxModelInfo) model.details();
        assertEquals(772L, info.nodeCount());
        assertEquals(0L, info.subgraphCount());
    }

    @Test
    void tensorCountsAndParameters() {
        assertEquals(180 + 146, model.tensors().size());
        long initializerParams = model.tensors().subList(0, 180).stream().mapToLong(TensorInfo::parameters).sum();
        assertEquals(22_607_366L, initializerParams);
        assertEquals(22_607_366L + 146, model.parameterCount(), "146 Constant tensors of one element each");
        assertEquals("embeddings.position_ids", model.tensors().getFirst().name(), "initializers come first");
    }

    @Test
    void rawInitializersAreViewsWithExactShapes() {
        TensorInfo emb = model.tensor("embeddings.word_embeddings.weight_quantized").orElseThrow();
        assertEquals(Shape.rowMajor(30522, 384), emb.shape());
        assertEquals(DType.U8, emb.dtype());
        assertEquals(11_720_448L, emb.byteSize());
        assertTrue(emb.data().isMapped(), "raw_data must be a view over the mapped file");
        float[] first = firstValues(emb, 8);
        assertArrayEquals(new float[] {126, 128, 126, 129, 128, 130, 130, 129}, first);

        TensorInfo q = model.tensor("onnx::MatMul_787_quantized").orElseThrow();
        assertEquals(Shape.rowMajor(384, 384), q.shape());
        assertEquals(DType.I8, q.dtype());
        assertArrayEquals(new float[] {-39, 9, -13, 3, 4, 22, -43, 30}, firstValues(q, 8));

        TensorInfo ffn = model.tensor("onnx::MatMul_798_quantized").orElseThrow();
        assertEquals(Shape.rowMajor(384, 1536), ffn.shape());

        TensorInfo ln = model.tensor("embeddings.LayerNorm.weight").orElseThrow();
        assertEquals(Shape.rowMajor(384), ln.shape());
        assertEquals(DType.F32, ln.dtype());
        assertArrayEquals(new float[] {0.5989283323287964f, 0.583594799041748f, 0.6335410475730896f, 0.6244606375694275f},
                firstValues(ln, 4));

        TensorInfo pos = model.tensor("embeddings.position_ids").orElseThrow();
        assertEquals(Shape.rowMajor(1, 512), pos.shape());
        assertEquals(DType.I64, pos.dtype());
        float[] ids = Decoders.decodeAll(pos);
        assertEquals(0f, ids[0]);
        assertEquals(3f, ids[3]);
        assertEquals(511f, ids[511]);
    }

    @Test
    void typedFieldInitializers() {
        // scalars stored in float_data / int32_data rather than raw_data
        TensorInfo scale = model.tensor("embeddings.word_embeddings.weight_scale").orElseThrow();
        assertEquals(Shape.rowMajor(), scale.shape());
        assertEquals(DType.F32, scale.dtype());
        assertEquals(0.008230588398873806f, Decoders.decodeAll(scale)[0]);
        TensorInfo zp = model.tensor("embeddings.word_embeddings.weight_zero_point").orElseThrow();
        assertEquals(DType.U8, zp.dtype());
        assertEquals(1, zp.byteSize());
        assertEquals(128f, Decoders.decodeAll(zp)[0]);

        TensorInfo chScale = model.tensor("onnx::MatMul_787_scale").orElseThrow();
        assertEquals(Shape.rowMajor(384), chScale.shape());
        assertArrayEquals(new float[] {0.003779624355956912f, 0.004134236369282007f, 0.004429904278367758f,
                0.0047553526237607f}, firstValues(chScale, 4));
        TensorInfo chZp = model.tensor("onnx::MatMul_787_zero_point").orElseThrow();
        assertEquals(Shape.rowMajor(384), chZp.shape());
        assertEquals(DType.I8, chZp.dtype());
        assertEquals(384, chZp.byteSize());
        for (float v : Decoders.decodeAll(chZp)) assertEquals(0f, v);
    }

    @Test
    void constantNodesAreNamedByTheirOutput() {
        TensorInfo one = model.tensor("/Constant_output_0").orElseThrow();
        assertEquals(Shape.rowMajor(), one.shape());
        assertEquals(DType.F32, one.dtype());
        assertEquals(1.0f, Decoders.decodeAll(one)[0]);
        TensorInfo min = model.tensor("/Constant_1_output_0").orElseThrow();
        assertEquals(-Float.MAX_VALUE, Decoders.decodeAll(min)[0]); // bytes ff ff 7f ff
        TensorInfo axes = model.tensor("/embeddings/Constant_2_output_0").orElseThrow();
        assertEquals(Shape.rowMajor(1), axes.shape());
        assertEquals(DType.I64, axes.dtype());
        assertEquals(1f, Decoders.decodeAll(axes)[0]);
        long int64Constants = model.tensors().subList(180, 326).stream().filter(t -> t.dtype() == DType.I64).count();
        assertEquals(94, int64Constants);
        assertEquals(146, model.tensors().subList(180, 326).stream().filter(t -> t.parameters() == 1).count());
    }

    private static float[] firstValues(TensorInfo t, int n) {
        float[] out = new float[n];
        Decoders.find(t.dtype()).orElseThrow().decode(t.data(), 0, out, 0, n);
        return out;
    }
}
