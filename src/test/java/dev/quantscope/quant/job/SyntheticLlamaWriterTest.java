package dev.quantscope.quant.job;

import dev.quantscope.pipeline.export.PresetExport;
import dev.quantscope.pipeline.export.QuantizeResult;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticLlamaWriterTest {

    @TempDir
    Path dir;

    private static final SyntheticLlama SMALL = new SyntheticLlama(256, 2, 8, 2, 512, 300, DType.F16, 1);

    @Test
    void writtenFileReopensWithLlamaShapesAndMetadata() throws Exception {
        Path out = dir.resolve("small.gguf");
        SyntheticLlamaWriter.write(SMALL, Optional.empty(), out, 2, ProgressMonitor.NONE);
        try (Model m = ModelOpener.open(out)) {
            assertEquals("llama", m.architecture());
            assertEquals(2 + 9 * 2 + 1, m.tensors().size());
            assertShape(m, "token_embd.weight", DType.F16, 256, 300);
            assertShape(m, "output.weight", DType.F16, 256, 300);
            assertShape(m, "output_norm.weight", DType.F32, 256);
            assertShape(m, "blk.1.attn_norm.weight", DType.F32, 256);
            assertShape(m, "blk.1.ffn_norm.weight", DType.F32, 256);
            assertShape(m, "blk.0.attn_q.weight", DType.F16, 256, 256);
            assertShape(m, "blk.0.attn_k.weight", DType.F16, 256, 64); // 2 kv heads of 32
            assertShape(m, "blk.0.attn_v.weight", DType.F16, 256, 64);
            assertShape(m, "blk.1.attn_output.weight", DType.F16, 256, 256);
            assertShape(m, "blk.1.ffn_gate.weight", DType.F16, 256, 512);
            assertShape(m, "blk.1.ffn_up.weight", DType.F16, 256, 512);
            assertShape(m, "blk.1.ffn_down.weight", DType.F16, 512, 256);
            assertEquals(SMALL.parameterCount(), m.parameterCount());

            var md = m.metadata();
            assertEquals(256L, md.get("llama.embedding_length"));
            assertEquals(2L, md.get("llama.block_count"));
            assertEquals(512L, md.get("llama.feed_forward_length"));
            assertEquals(8L, md.get("llama.attention.head_count"));
            assertEquals(2L, md.get("llama.attention.head_count_kv"));
            assertEquals(32L, md.get("llama.rope.dimension_count"));
            assertEquals(2048L, md.get("llama.context_length"));
            assertEquals(1.0e-5, (Double) md.get("llama.attention.layer_norm_rms_epsilon"), 1e-12);
            assertEquals(10000.0, md.get("llama.rope.freq_base"));
            assertEquals(1L, md.get("general.file_type"));
            assertEquals("llama", md.get("tokenizer.ggml.model"));
            List<?> tokens = (List<?>) md.get("tokenizer.ggml.tokens");
            assertEquals(300, tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.subList(0, 4));
            assertEquals("<0xFF>", tokens.get(258));
            assertEquals(300, Stream.of(tokens.toArray()).distinct().count(), "tokens are distinct");
            assertEquals(300, ((List<?>) md.get("tokenizer.ggml.scores")).size());
            assertEquals(List.of(2L, 3L, 3L, 6L), ((List<?>) md.get("tokenizer.ggml.token_type")).subList(0, 4));
            assertEquals(1L, md.get("tokenizer.ggml.bos_token_id"));

            // Weights look trained: centred, sd about 0.02 with a heavier tail; norms about 1.
            float[] w = Decoders.decodeAll(m.tensor("blk.0.ffn_up.weight").orElseThrow());
            double sum = 0, sq = 0, max = 0;
            for (float v : w) { sum += v; sq += v * v; max = Math.max(max, Math.abs(v)); }
            double mean = sum / w.length, sd = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0, mean, 0.001);
            assertTrue(sd > 0.02 && sd < 0.03, "sd " + sd);
            assertTrue(max > 0.2, "heavy-tailed columns give outliers, max " + max);
            float[] norm = Decoders.decodeAll(m.tensor("output_norm.weight").orElseThrow());
            double nm = 0;
            for (float v : norm) { nm += v; assertTrue(v > 0); }
            assertEquals(1, nm / norm.length, 0.05);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no scratch file left");
        }
    }

    @Test
    void sameSeedSameBytesWhateverTheThreads() throws Exception {
        SyntheticLlamaWriter.write(SMALL, Optional.empty(), dir.resolve("a.gguf"), 1, ProgressMonitor.NONE);
        SyntheticLlamaWriter.write(SMALL, Optional.empty(), dir.resolve("b.gguf"), 3, ProgressMonitor.NONE);
        assertEquals(-1L, Files.mismatch(dir.resolve("a.gguf"), dir.resolve("b.gguf")));
        SyntheticLlama other = new SyntheticLlama(256, 2, 8, 2, 512, 300, DType.F16, 2);
        SyntheticLlamaWriter.write(other, Optional.empty(), dir.resolve("c.gguf"), 2, ProgressMonitor.NONE);
        assertNotEquals(-1L, Files.mismatch(dir.resolve("a.gguf"), dir.resolve("c.gguf")));
    }

    @Test
    void storiesTokenizerIsCopiedAndTheModelQuantizes() throws Exception {
        Path stories = SharedFiles.file("models/stories260K.gguf");
        SyntheticLlama m = new SyntheticLlama(256, 3, 4, 2, 768, 512, DType.F32, 5);
        Path out = dir.resolve("s.gguf");
        SyntheticLlamaWriter.write(m, Optional.of(stories), out, 2, ProgressMonitor.NONE);
        try (Model written = ModelOpener.open(out); Model source = ModelOpener.open(stories)) {
            List<GgufKv> want = ((GgufFile) source.details()).metadata().stream()
                    .filter(kv -> kv.key().startsWith("tokenizer.ggml.")).toList();
            assertFalse(want.isEmpty());
            for (GgufKv kv : want) {
                GgufKv got = ((GgufFile) written.details()).kv(kv.key()).orElseThrow();
                assertEquals(kv.type(), got.type(), kv.key());
                assertEquals(source.metadata().get(kv.key()), written.metadata().get(kv.key()), kv.key());
            }
            TensorInfo q = written.tensor("blk.2.attn_q.weight").orElseThrow();
            assertEquals(DType.F32, q.dtype());
            QuantizeResult r = PresetExport.quantize(written, Preset.Q4_K_M, dir.resolve("q.gguf"), 2, ProgressMonitor.NONE);
            double sqnr = r.metrics().totalError().sqnrDb();
            assertTrue(sqnr > 18 && sqnr < 35, "Q4_K_M SQNR " + sqnr);
        }
    }

    @Test
    void refusesImpossibleShapesAndVocabularies() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticLlama(100, 1, 3, 1, 64, 300, DType.F16, 0));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticLlama(96, 1, 6, 4, 64, 300, DType.F16, 0));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticLlama(96, 0, 6, 2, 64, 300, DType.F16, 0));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticLlama(96, 1, 6, 2, 64, 300, DType.Q8_0, 0));
        SyntheticLlama tiny = new SyntheticLlama(64, 1, 2, 2, 64, 100, DType.F16, 0);
        assertThrows(IllegalArgumentException.class,
                () -> SyntheticLlamaWriter.write(tiny, Optional.empty(), dir.resolve("t.gguf"), 1, ProgressMonitor.NONE));
        assertEquals("a", SyntheticLlamaWriter.letters(0));
        assertEquals("z", SyntheticLlamaWriter.letters(25));
        assertEquals("aa", SyntheticLlamaWriter.letters(26));
        assertEquals("ba", SyntheticLlamaWriter.letters(52));
    }

    private static void assertShape(Model m, String name, DType type, long... ne) {
        TensorInfo t = m.tensor(name).orElseThrow(() -> new AssertionError("no " + name));
        assertArrayEquals(ne, t.shape().dims(), name);
        assertEquals(type, t.dtype(), name);
    }
}
