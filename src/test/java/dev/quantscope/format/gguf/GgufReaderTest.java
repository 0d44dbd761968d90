package dev.quantscope.format.gguf;

import dev.quantscope.format.LayerGroup;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GgufReaderTest {

    @Test
    void readsStories260K() throws Exception {
        Path file = SharedFiles.file("models/stories260K.gguf");
        try (Model m = ModelOpener.open(file)) {
            assertEquals(ModelFormat.GGUF, m.format());
            assertEquals("llama", m.architecture());
            assertEquals(48, m.tensors().size());
            assertEquals(19, m.metadata().size());
            assertEquals(292_800, m.parameterCount());
            assertEquals(5L, m.metadata().get("llama.block_count"));
            assertEquals(1e-5, m.metadata().get("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(4294967295L, m.metadata().get("tokenizer.ggml.padding_token_id"));
            List<?> tokens = (List<?>) m.metadata().get("tokenizer.ggml.tokens");
            assertEquals(512, tokens.size());
            assertEquals("<unk>", tokens.getFirst());

            TensorInfo emb = m.tensor("token_embd.weight").orElseThrow();
            assertArrayEquals(new long[] {64, 512}, emb.shape().dims());
            assertEquals(DType.F32, emb.dtype());
            assertEquals(512, emb.shape().rows());
            assertEquals(64, emb.shape().rowLength());

            TensorInfo q = m.tensor("blk.0.attn_q.weight").orElseThrow();
            assertArrayEquals(new long[] {64, 64}, q.shape().dims());
            float[] values = Decoders.decodeAll(q);
            float[] expected = firstFloats(file, m, q, 4);
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], values[i]);

            GgufFile gguf = (GgufFile) m.details();
            assertEquals(3, gguf.version());
            assertEquals(32, gguf.alignment());
            assertEquals(0, gguf.dataOffset() % 32);

            // 3 top-level groups (token_embd, output_norm, output) + 5 blocks
            List<LayerGroup> layers = m.layers();
            assertEquals(8, layers.size());
            LayerGroup blk0 = layers.stream().filter(g -> g.name().equals("blk.0")).findFirst().orElseThrow();
            assertEquals(0, blk0.index());
            assertEquals(9, blk0.tensors().size());
        }
    }

    /** Independent check: read the floats straight from the file with a ByteBuffer at the entry's offset. */
    private static float[] firstFloats(Path file, Model m, TensorInfo t, int n) throws Exception {
        GgufFile gguf = (GgufFile) m.details();
        GgufTensorEntry e = gguf.tensors().stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow();
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = b.getFloat((int) (gguf.dataOffset() + e.offset()) + 4 * i);
        return out;
    }

    @Test
    void readsF16SyntheticLlama() throws Exception {
        try (Model m = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            TensorInfo q = m.tensor("blk.0.attn_q.weight").orElseThrow();
            assertEquals(DType.F16, q.dtype());
            assertArrayEquals(new long[] {256, 256}, q.shape().dims());
            assertEquals(256 * 256 * 2, q.byteSize());
        }
    }

    @Test
    void readsQuantizedLlamaQuantizeOutput() throws Exception {
        try (Model m = ModelOpener.open(SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf"))) {
            assertEquals(15L, m.metadata().get("general.file_type"));
            assertTrue(m.tensors().stream().anyMatch(t -> t.dtype() == DType.Q4_K));
            assertTrue(m.tensors().stream().anyMatch(t -> t.dtype() == DType.Q6_K));
        }
    }

    @Test
    void nestedArraysAndEveryValueType(@TempDir Path dir) throws Exception {
        GgufBuilder b = new GgufBuilder().header(3, 1, 4);
        b.str("a.nested").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.ARRAY.id()).u64(2)
                .u32(GgufValueType.INT16.id()).u64(2).raw(new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF})
                .u32(GgufValueType.STRING.id()).u64(1).str("x");
        b.str("a.u64").u32(GgufValueType.UINT64.id()).u64(-1L);
        b.str("a.bool").u32(GgufValueType.BOOL.id()).u8(1);
        b.kvU32("general.alignment", 64);
        b.tensorInfo("t", new long[] {4}, 0, 0).align(64);
        for (int i = 0; i < 4; i++) b.f32(i + 0.5f);
        Path f = dir.resolve("nested.gguf");
        Files.write(f, b.bytes());
        try (Model m = ModelOpener.open(f)) {
            assertEquals(List.of(List.of(1L, -1L), List.of("x")), m.metadata().get("a.nested"));
            assertEquals(new java.math.BigInteger("18446744073709551615"), m.metadata().get("a.u64"));
            assertEquals(true, m.metadata().get("a.bool"));
            assertEquals(64, ((GgufFile) m.details()).alignment());
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, Decoders.decodeAll(m.tensors().getFirst()));
        }
    }

    @Test
    void unsupportedTypeIsListedNotDecodable(@TempDir Path dir) throws Exception {
        GgufBuilder b = new GgufBuilder().header(3, 1, 0);
        b.tensorInfo("iq", new long[] {256}, DType.IQ2_XXS.ggmlId(), 0).align(32);
        b.raw(new byte[DType.IQ2_XXS.blockBytes()]);
        Path f = dir.resolve("iq.gguf");
        Files.write(f, b.bytes());
        try (Model m = ModelOpener.open(f)) {
            TensorInfo t = m.tensors().getFirst();
            assertEquals(DType.IQ2_XXS, t.dtype());
            assertEquals(16, t.dtype().ggmlId());
            assertFalse(t.decodable());
        }
    }
}
