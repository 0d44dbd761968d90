package dev.quantscope.format.safetensors;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.quantscope.format.safetensors.SafetensorsTestWriter.bytes;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.f32;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.f64;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.i32;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.i64;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.u16;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsReaderTest {
    @TempDir
    Path dir;

    private static long[] dims(long... d) { return d; }

    private static TensorInfo tensor(Model m, String name) {
        return m.tensor(name).orElseThrow(() -> new AssertionError("no tensor " + name));
    }

    @Test
    void singleFileDecodesEveryNumericDtype() throws IOException {
        Path file = new SafetensorsTestWriter()
                .metadata("format", "pt")
                .tensor("f32", "F32", dims(2, 3), f32(1f, -2f, 3.5f, 0f, 1e-3f, -7.25f))
                .tensor("f64", "F64", dims(3), f64(0.125, -1e10, 2.0))
                // 1.0, -2.0, 0.5, 65504 (largest half)
                .tensor("f16", "F16", dims(4), u16(0x3C00, 0xC000, 0x3800, 0x7BFF))
                // 1.0, -3.0, 0.15625, 2^-126
                .tensor("bf16", "BF16", dims(2, 2), u16(0x3F80, 0xC040, 0x3E20, 0x0080))
                .tensor("i8", "I8", dims(3), bytes(-128, 0, 127))
                .tensor("u8", "U8", dims(3), bytes(0, 128, 255))
                .tensor("i16", "I16", dims(2), u16(0x8000, 0x7FFF))
                .tensor("u16", "U16", dims(2), u16(0xFFFF, 1))
                .tensor("i32", "I32", dims(2), i32(-100000, 123456))
                .tensor("u32", "U32", dims(1), i32(0xFFFFFFFF))
                .tensor("i64", "I64", dims(2), i64(-5, 1L << 40))
                .tensor("u64", "U64", dims(1), i64(-1L))
                .tensor("bool", "BOOL", dims(3), bytes(1, 0, 1))
                // E4M3: 1.0, -2.0, 448 (largest); E5M2: 1.0, -2.0, 57344
                .tensor("f8e4m3", "F8_E4M3", dims(3), bytes(0x38, 0xC0, 0x7E))
                .tensor("f8e5m2", "F8_E5M2", dims(3), bytes(0x3C, 0xC0, 0x7B))
                // E8M0: 2^(e-127)
                .tensor("f8e8m0", "F8_E8M0", dims(3), bytes(127, 130, 120))
                // F4 E2M1, low nibble first: 0x21 -> 0.5, 1.0; 0xF7 -> 6.0, -6.0
                .tensor("f4", "F4", dims(2, 2), bytes(0x21, 0xF7))
                .write(dir.resolve("all.safetensors"));

        try (Model m = SafetensorsReader.open(file)) {
            assertEquals(ModelFormat.SAFETENSORS, m.format());
            assertEquals(17, m.tensors().size());

            TensorInfo f = tensor(m, "f32");
            assertEquals(Shape.rowMajor(2, 3), f.shape());
            assertEquals(DType.F32, f.dtype());
            assertEquals(24, f.byteSize());
            assertEquals(3, f.shape().rowLength());
            assertEquals(2, f.shape().rows());
            assertArrayEquals(new float[] {1f, -2f, 3.5f, 0f, 1e-3f, -7.25f}, Decoders.decodeAll(f));

            assertArrayEquals(new float[] {0.125f, -1e10f, 2f}, Decoders.decodeAll(tensor(m, "f64")));
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f}, Decoders.decodeAll(tensor(m, "f16")));
            assertEquals(Shape.rowMajor(2, 2), tensor(m, "bf16").shape());
            assertArrayEquals(new float[] {1f, -3f, 0.15625f, 0x1p-126f}, Decoders.decodeAll(tensor(m, "bf16")));
            assertArrayEquals(new float[] {-128f, 0f, 127f}, Decoders.decodeAll(tensor(m, "i8")));
            assertArrayEquals(new float[] {0f, 128f, 255f}, Decoders.decodeAll(tensor(m, "u8")));
            assertArrayEquals(new float[] {-32768f, 32767f}, Decoders.decodeAll(tensor(m, "i16")));
            assertArrayEquals(new float[] {65535f, 1f}, Decoders.decodeAll(tensor(m, "u16")));
            assertArrayEquals(new float[] {-100000f, 123456f}, Decoders.decodeAll(tensor(m, "i32")));
            assertArrayEquals(new float[] {4294967295f}, Decoders.decodeAll(tensor(m, "u32")));
            assertArrayEquals(new float[] {-5f, 0x1p40f}, Decoders.decodeAll(tensor(m, "i64")));
            assertArrayEquals(new float[] {0x1p64f}, Decoders.decodeAll(tensor(m, "u64")));
            assertArrayEquals(new float[] {1f, 0f, 1f}, Decoders.decodeAll(tensor(m, "bool")));
            assertArrayEquals(new float[] {1f, -2f, 448f}, Decoders.decodeAll(tensor(m, "f8e4m3")));
            assertArrayEquals(new float[] {1f, -2f, 57344f}, Decoders.decodeAll(tensor(m, "f8e5m2")));
            assertArrayEquals(new float[] {1f, 8f, 0x1p-7f}, Decoders.decodeAll(tensor(m, "f8e8m0")));
            TensorInfo f4 = tensor(m, "f4");
            assertEquals(DType.F4_E2M1, f4.dtype());
            assertEquals(2, f4.byteSize());
            assertArrayEquals(new float[] {0.5f, 1f, 6f, -6f}, Decoders.decodeAll(f4));

            assertEquals(DType.I8, tensor(m, "i8").dtype());
            assertEquals(DType.U64, tensor(m, "u64").dtype());
            assertEquals(DType.BOOL, tensor(m, "bool").dtype());
            assertEquals(DType.F8_E8M0, tensor(m, "f8e8m0").dtype());

            assertEquals(Map.of("format", "pt"), m.metadata().get("__metadata__"));
            assertEquals(2 * 3 + 3 + 4 + 4 + 3 + 3 + 2 + 2 + 2 + 1 + 2 + 1 + 3 + 3 + 3 + 3 + 4, m.parameterCount());
            SafetensorsDetails details = assertInstanceOf(SafetensorsDetails.class, m.details());
            assertEquals(1, details.files().size());
            assertEquals(0, details.files().getFirst().dataStart() % 8, "the writer pads the header to 8 bytes");
        }
    }

    /**
     * Written by the reference implementation (Python safetensors 0.8.0, {@code safetensors.numpy.save}) from
     * numpy arrays: weight f32 [[1.5, -2, 0.25], [4, 5.5, -6.75]], half f16 [1, -0.5, 65504], ids i64 [-3, 7],
     * mask bool [T, F, T], bytes u8 [[0, 255]], d f64 [3.25], empty f32 zeros((0, 3)), c complex64 [1+2j];
     * metadata {"format": "np", "producer": "safetensors 0.8.0"}. It checks our reader, not our test writer.
     */
    private static final String REFERENCE_FILE = "GAIAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJwcm9kdWNlciI6InNhZmV0ZW5zb3JzIDAuOC4wIiwiZm9y"
            + "bWF0IjoibnAifSwiaWRzIjp7ImR0eXBlIjoiSTY0Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMCwxNl19LCJkIjp7ImR0eXBl"
            + "IjoiRjY0Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbMTYsMjRdfSwiYyI6eyJkdHlwZSI6IkM2NCIsInNoYXBlIjpbMV0sImRh"
            + "dGFfb2Zmc2V0cyI6WzI0LDMyXX0sImVtcHR5Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOlszMiwz"
            + "Ml19LCJ3ZWlnaHQiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzMyLDU2XX0sImhhbGYiOnsiZHR5"
            + "cGUiOiJGMTYiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls1Niw2Ml19LCJieXRlcyI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsx"
            + "LDJdLCJkYXRhX29mZnNldHMiOls2Miw2NF19LCJtYXNrIjp7ImR0eXBlIjoiQk9PTCIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6"
            + "WzY0LDY3XX19ICAgICAgIP3/////////BwAAAAAAAAAAAAAAAAAKQAAAgD8AAABAAADAPwAAAMAAAIA+AACAQAAAsEAAANjAADwAuP97"
            + "AP8BAAE=";

    @Test
    void readsAFileWrittenByTheReferenceImplementation() throws IOException {
        Path file = dir.resolve("reference.safetensors");
        Files.write(file, java.util.Base64.getDecoder().decode(REFERENCE_FILE));
        try (Model m = ModelOpener.open(file)) {
            assertEquals(8, m.tensors().size());
            TensorInfo w = tensor(m, "weight");
            assertEquals(Shape.rowMajor(2, 3), w.shape());
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 4f, 5.5f, -6.75f}, Decoders.decodeAll(w));
            assertArrayEquals(new float[] {1f, -0.5f, 65504f}, Decoders.decodeAll(tensor(m, "half")));
            assertArrayEquals(new float[] {-3f, 7f}, Decoders.decodeAll(tensor(m, "ids")));
            assertEquals(DType.BOOL, tensor(m, "mask").dtype());
            assertArrayEquals(new float[] {1f, 0f, 1f}, Decoders.decodeAll(tensor(m, "mask")));
            assertEquals(Shape.rowMajor(1, 2), tensor(m, "bytes").shape());
            assertArrayEquals(new float[] {0f, 255f}, Decoders.decodeAll(tensor(m, "bytes")));
            assertArrayEquals(new float[] {3.25f}, Decoders.decodeAll(tensor(m, "d")));
            assertEquals(Shape.rowMajor(0, 3), tensor(m, "empty").shape());
            assertEquals(0, tensor(m, "empty").byteSize());
            TensorInfo c = tensor(m, "c");
            assertEquals(DType.C64, c.dtype());
            // complex64 is two little-endian floats, real then imaginary
            assertEquals(1f, c.data().get(dev.quantscope.tensor.Layouts.F32, 0));
            assertEquals(2f, c.data().get(dev.quantscope.tensor.Layouts.F32, 4));
            assertEquals(Map.of("format", "np", "producer", "safetensors 0.8.0"), m.metadata().get("__metadata__"));
        }
    }

    @Test
    void typesWithoutDecoderKeepTheirDtypeAndSize() throws IOException {
        Path file = new SafetensorsTestWriter()
                .tensor("e2m3", "F6_E2M3", dims(2, 4), new byte[6])
                .tensor("e3m2", "F6_E3M2", dims(4), new byte[3])
                .tensor("c64", "C64", dims(2), f32(1f, 2f, 3f, 4f))
                .write(dir.resolve("odd.safetensors"));
        try (Model m = SafetensorsReader.open(file)) {
            assertEquals(DType.F6_E2M3, tensor(m, "e2m3").dtype());
            assertEquals(6, tensor(m, "e2m3").byteSize());
            assertEquals(Shape.rowMajor(2, 4), tensor(m, "e2m3").shape());
            assertEquals(DType.F6_E3M2, tensor(m, "e3m2").dtype());
            assertEquals(3, tensor(m, "e3m2").byteSize());
            assertEquals(DType.C64, tensor(m, "c64").dtype());
            assertEquals(16, tensor(m, "c64").byteSize());
            assertFalse(tensor(m, "c64").decodable());
        }
    }

    @Test
    void everySpecDtypeMapsToADType() {
        // the specification's names, as written in files
        List<String> spec = List.of("F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3",
                "F6_E3M2", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "C64");
        for (String name : spec) assertTrue(SafetensorsDType.of(name).isPresent(), name);
        assertEquals(DType.F4_E2M1, SafetensorsDType.of("F4").orElseThrow().dtype());
        assertEquals(SafetensorsDType.F4, SafetensorsDType.of(DType.F4_E2M1).orElseThrow());
        assertTrue(SafetensorsDType.of("f32").isEmpty(), "dtype names are case-sensitive");
        assertTrue(SafetensorsDType.of(DType.Q4_K).isEmpty());
    }

    @Test
    void zeroSizedAndScalarTensorsAreFine() throws IOException {
        Path file = new SafetensorsTestWriter()
                .tensor("empty", "F32", dims(0, 4), new byte[0])
                .tensor("scalar", "F32", dims(), f32(42f))
                .tensor("also_empty", "BF16", dims(3, 0, 2), new byte[0])
                .write(dir.resolve("edge.safetensors"));
        try (Model m = SafetensorsReader.open(file)) {
            TensorInfo empty = tensor(m, "empty");
            assertEquals(Shape.rowMajor(0, 4), empty.shape());
            assertEquals(0, empty.parameters());
            assertEquals(0, empty.byteSize());
            assertEquals(0, Decoders.decodeAll(empty).length);
            TensorInfo scalar = tensor(m, "scalar");
            assertEquals(0, scalar.shape().rank());
            assertArrayEquals(new float[] {42f}, Decoders.decodeAll(scalar));
            assertEquals(0, tensor(m, "also_empty").parameters());
            assertFalse(m.metadata().containsKey("__metadata__"), "no __metadata__ in the file");
        }
    }

    @Test
    void emptyHeaderIsAModelWithoutTensors() throws IOException {
        Path file = dir.resolve("nothing.safetensors");
        Files.write(file, SafetensorsTestWriter.raw("{}      ", new byte[0]));
        try (Model m = SafetensorsReader.open(file)) {
            assertEquals(0, m.tensors().size());
        }
    }

    @Test
    void tensorsAreListedInNaturalNameOrder() throws IOException {
        SafetensorsTestWriter w = new SafetensorsTestWriter();
        for (String n : List.of("model.layers.10.w", "model.layers.2.w", "model.layers.1.w", "lm_head.weight", "model.layers.0.w")) {
            w.tensor(n, "F32", dims(1), f32(1f));
        }
        try (Model m = SafetensorsReader.open(w.write(dir.resolve("order.safetensors")))) {
            assertEquals(List.of("lm_head.weight", "model.layers.0.w", "model.layers.1.w", "model.layers.2.w",
                    "model.layers.10.w"), m.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(List.of(-1, 0, 1, 2, 10), m.layers().stream().map(g -> g.index()).toList());
        }
    }

    @Test
    void closingTheModelUnmapsItsTensors() throws IOException {
        Path file = new SafetensorsTestWriter().tensor("x", "F32", dims(2), f32(1f, 2f))
                .write(dir.resolve("close.safetensors"));
        Model m = SafetensorsReader.open(file);
        TensorInfo x = tensor(m, "x");
        assertArrayEquals(new float[] {1f, 2f}, Decoders.decodeAll(x));
        m.close();
        assertThrows(IllegalStateException.class, () -> Decoders.decodeAll(x));
    }

    @Test
    void twentyThousandTensorsInOneFile() throws IOException {
        SafetensorsTestWriter w = new SafetensorsTestWriter();
        int n = 20_000;
        for (int i = 0; i < n; i++) w.tensor("model.layers." + i + ".w", "F32", dims(1, 2), f32(i, -i));
        Path file = w.write(dir.resolve("many.safetensors"));
        try (Model m = SafetensorsReader.open(file)) {
            assertEquals(n, m.tensors().size());
            assertEquals(n, m.layers().size());
            assertEquals("model.layers.19999.w", m.tensors().getLast().name());
            assertArrayEquals(new float[] {12345f, -12345f}, Decoders.decodeAll(tensor(m, "model.layers.12345.w")));
        }
    }

    // ---- Hugging Face folders ----

    /** Writes a fake two-shard Llama folder with every side file; returns the folder. */
    private Path fakeLlamaFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("tiny-llama"));
        new SafetensorsTestWriter()
                .metadata("format", "pt")
                .tensor("model.embed_tokens.weight", "BF16", dims(4, 2), u16(0x3F80, 0x4000, 0x4040, 0x4080,
                        0xBF80, 0xC000, 0xC040, 0xC080))
                .tensor("model.layers.0.self_attn.q_proj.weight", "F32", dims(2, 2), f32(0.5f, -0.5f, 0.25f, -0.25f))
                .tensor("model.layers.0.input_layernorm.weight", "F32", dims(2), f32(1f, 1f))
                .write(folder.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsTestWriter()
                .metadata("format", "pt")
                .tensor("model.layers.1.self_attn.q_proj.weight", "F16", dims(2, 2), u16(0x3C00, 0x4000, 0x4200, 0x4400))
                .tensor("model.norm.weight", "F32", dims(2), f32(0.9f, 1.1f))
                .tensor("lm_head.weight", "F32", dims(4, 2), f32(1, 2, 3, 4, 5, 6, 7, 8))
                .write(folder.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(folder.resolve("model.safetensors.index.json"), """
                {
                  "metadata": {"total_size": 88},
                  "weight_map": {
                    "lm_head.weight": "model-00002-of-00002.safetensors",
                    "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                    "model.layers.0.input_layernorm.weight": "model-00001-of-00002.safetensors",
                    "model.layers.0.self_attn.q_proj.weight": "model-00001-of-00002.safetensors",
                    "model.layers.1.self_attn.q_proj.weight": "model-00002-of-00002.safetensors",
                    "model.norm.weight": "model-00002-of-00002.safetensors"
                  }
                }
                """);
        Files.writeString(folder.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2,
                 "num_hidden_layers": 2, "rms_norm_eps": 1e-05, "tie_word_embeddings": false,
                 "rope_scaling": null, "torch_dtype": "float32"}
                """);
        Files.writeString(folder.resolve("generation_config.json"), """
                {"bos_token_id": 1, "eos_token_id": [2, 3], "do_sample": true, "temperature": 0.6}
                """);
        Files.writeString(folder.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "model_max_length": 2048, "chat_template": "{{ messages }}"}
                """);
        Files.writeString(folder.resolve("special_tokens_map.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"}
                """);
        Files.writeString(folder.resolve("tokenizer.json"), """
                {"version": "1.0",
                 "added_tokens": [{"id": 0, "content": "<s>", "special": true},
                                  {"id": 1, "content": "</s>", "special": true}],
                 "normalizer": null,
                 "model": {"type": "BPE", "dropout": null,
                           "vocab": {"<s>": 0, "</s>": 1, "a": 2, "b": 3, "ab": 4, "abb": 5},
                           "merges": ["a b", "ab b", ["a", "bb"]]}}
                """);
        return folder;
    }

    private static void assertTinyLlama(Model m) {
        assertEquals("LlamaForCausalLM", m.architecture());
        assertEquals(6, m.tensors().size());
        assertEquals(List.of("lm_head.weight", "model.embed_tokens.weight", "model.layers.0.input_layernorm.weight",
                "model.layers.0.self_attn.q_proj.weight", "model.layers.1.self_attn.q_proj.weight", "model.norm.weight"),
                m.tensors().stream().map(TensorInfo::name).toList());

        TensorInfo embed = tensor(m, "model.embed_tokens.weight");
        assertEquals(Shape.rowMajor(4, 2), embed.shape());
        assertEquals(DType.BF16, embed.dtype());
        assertArrayEquals(new float[] {1, 2, 3, 4, -1, -2, -3, -4}, Decoders.decodeAll(embed));
        TensorInfo q1 = tensor(m, "model.layers.1.self_attn.q_proj.weight");
        assertEquals(DType.F16, q1.dtype());
        assertArrayEquals(new float[] {1, 2, 3, 4}, Decoders.decodeAll(q1));
        assertArrayEquals(new float[] {0.5f, -0.5f, 0.25f, -0.25f},
                Decoders.decodeAll(tensor(m, "model.layers.0.self_attn.q_proj.weight")));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, Decoders.decodeAll(tensor(m, "lm_head.weight")));
        assertArrayEquals(new float[] {0.9f, 1.1f}, Decoders.decodeAll(tensor(m, "model.norm.weight")));
        assertEquals(16 + 16 + 8 + 8 + 8 + 32, m.tensorBytes());

        Map<?, ?> config = assertInstanceOf(Map.class, m.metadata().get("config.json"));
        assertEquals(2L, config.get("hidden_size"));
        assertEquals(1e-5, config.get("rms_norm_eps"));
        assertEquals(false, config.get("tie_word_embeddings"));
        assertTrue(config.containsKey("rope_scaling"));
        assertNull(config.get("rope_scaling"));
        Map<?, ?> gen = assertInstanceOf(Map.class, m.metadata().get("generation_config.json"));
        assertEquals(List.of(2L, 3L), gen.get("eos_token_id"));
        assertEquals(0.6, gen.get("temperature"));
        Map<?, ?> tokCfg = assertInstanceOf(Map.class, m.metadata().get("tokenizer_config.json"));
        assertEquals("{{ messages }}", tokCfg.get("chat_template"));
        Map<?, ?> special = assertInstanceOf(Map.class, m.metadata().get("special_tokens_map.json"));
        assertEquals("</s>", special.get("eos_token"));
        assertEquals(Map.of("content", "<s>", "lstrip", false), special.get("bos_token"));
        assertEquals(Map.of("model_type", "BPE", "vocab_size", 6L, "merges", 3L, "added_tokens", 2L),
                m.metadata().get("tokenizer.json"));
        assertEquals(Map.of("total_size", 88L), m.metadata().get("model.safetensors.index.json"));
        assertEquals(Map.of("format", "pt"), m.metadata().get("__metadata__"));

        assertEquals(List.of("lm_head", "model.embed_tokens", "model.layers.0", "model.layers.1", "model.norm"),
                m.layers().stream().map(g -> g.name()).toList());
        SafetensorsDetails details = assertInstanceOf(SafetensorsDetails.class, m.details());
        assertEquals(2, details.files().size());
        assertTrue(details.index().isPresent());
    }

    @Test
    void opensAShardedHuggingFaceFolder() throws IOException {
        Path folder = fakeLlamaFolder();
        try (Model m = ModelOpener.open(folder)) {
            assertEquals(folder, m.source());
            assertEquals(ModelFormat.SAFETENSORS, m.format());
            assertTinyLlama(m);
        }
    }

    @Test
    void opensTheIndexFileDirectly() throws IOException {
        Path index = fakeLlamaFolder().resolve("model.safetensors.index.json");
        assertEquals(ModelFormat.SAFETENSORS, ModelOpener.detect(index));
        try (Model m = ModelOpener.open(index)) {
            assertTinyLlama(m);
        }
    }

    @Test
    void oneShardAloneHasOnlyItsOwnTensors() throws IOException {
        Path shard = fakeLlamaFolder().resolve("model-00002-of-00002.safetensors");
        try (Model m = ModelOpener.open(shard)) {
            assertEquals(3, m.tensors().size());
            assertEquals("unknown", m.architecture(), "a lone file has no config.json");
        }
    }

    /** The Hugging Face cache keeps every file as a symlink into a blobs folder; such shards must open. */
    @Test
    void shardsMaySymlinkOutsideTheFolderLikeTheHubCache() throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("hub/blobs"));
        Path snapshot = Files.createDirectories(dir.resolve("hub/snapshots/abc123"));
        new SafetensorsTestWriter().tensor("w", "F32", dims(2), f32(5f, 6f)).write(blobs.resolve("9f8e7d"));
        Files.createSymbolicLink(snapshot.resolve("model-00001-of-00001.safetensors"), Path.of("../../blobs/9f8e7d"));
        Files.writeString(snapshot.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"w\": \"model-00001-of-00001.safetensors\"}}");
        try (Model m = ModelOpener.open(snapshot)) {
            assertArrayEquals(new float[] {5f, 6f}, Decoders.decodeAll(tensor(m, "w")));
        }
    }

    @Test
    void folderWithSingleModelFile() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("single"));
        new SafetensorsTestWriter().tensor("w", "F32", dims(1, 2), f32(3f, 4f)).write(folder.resolve("model.safetensors"));
        // a stray file that must be ignored when model.safetensors exists
        new SafetensorsTestWriter().tensor("w", "F32", dims(1), f32(9f)).write(folder.resolve("extra.safetensors"));
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        try (Model m = ModelOpener.open(folder)) {
            assertEquals("gpt2", m.architecture());
            assertEquals(1, m.tensors().size());
            assertArrayEquals(new float[] {3f, 4f}, Decoders.decodeAll(tensor(m, "w")));
            assertFalse(m.metadata().containsKey("tokenizer.json"));
        }
    }

    @Test
    void folderWithoutIndexReadsEverySafetensorsFile() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("loose"));
        new SafetensorsTestWriter().tensor("a", "F32", dims(1), f32(1f)).write(folder.resolve("part-b.safetensors"));
        new SafetensorsTestWriter().tensor("b", "I32", dims(2), i32(7, 8)).write(folder.resolve("part-a.safetensors"));
        Files.writeString(folder.resolve("notes.txt"), "not a model");
        try (Model m = ModelOpener.open(folder)) {
            assertEquals(List.of("a", "b"), m.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {7f, 8f}, Decoders.decodeAll(tensor(m, "b")));
        }
    }

    @Test
    void emptyFolderIsRefusedCleanly() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("empty"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelOpener.open(folder));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
