package dev.quantscope.pipeline.export;

import dev.quantscope.pipeline.plan.Plans;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.format.safetensors.SafetensorsReader;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.format.safetensors.export.LlamaGgufToHf;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.QuantizedTensor;
import dev.quantscope.recipe.FileDigest;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeJson;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.recipe.RecipeStamp;
import dev.quantscope.recipe.Rule;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelExportTest {

    private static final Path DEV = SharedFiles.file("models/synth-llama-dev-f16.gguf");
    private static final Path STORIES = SharedFiles.file("models/stories260K.gguf");

    @TempDir
    Path dir;

    private static ExportOptions options(Path out) {
        return ExportOptions.forTarget(out).withThreads(2);
    }

    private static float[] decode(TensorInfo t) {
        float[] x = new float[Math.toIntExact(t.parameters())];
        Decoders.find(t.dtype()).orElseThrow().decode(t.data(), 0, x, 0, x.length);
        return x;
    }

    private static byte[] bytes(TensorInfo t) {
        return t.data().toArray(Layouts.I8);
    }

    @Test
    void recipeWithRulesWritesThePlannedTypesTheSchemesBytesAndTheStamp() throws Exception {
        Recipe recipe = Recipe.of(QuantScheme.parse("ggml:Q4_K"),
                Rule.of("blk.*.ffn_down*", "ggml:Q6_K"),
                Rule.of("token_embd.weight", "ggml:Q8_0"),
                Rule.of("re:^output\\.weight$", "cast:BF16")).withName("test mix");
        Path out = dir.resolve("mix.gguf");
        try (Model source = GgufReader.open(DEV)) {
            ModelPlan plan = Plans.resolve(recipe, source);
            ExportResult r = ModelExport.export(source, recipe, out, options(out), ProgressMonitor.NONE);
            assertEquals(Files.size(out), r.fileBytes());
            assertTrue(r.stamp().isPresent(), "recipes are stamped by default");
            try (Model written = GgufReader.open(out)) {
                assertEquals(source.tensors().size(), written.tensors().size());
                for (TensorPlan p : plan.tensors()) {
                    TensorInfo src = source.tensor(p.name()).orElseThrow();
                    TensorInfo w = written.tensor(p.name()).orElseThrow();
                    TensorExport e = r.tensors().stream().filter(t -> t.name().equals(p.name())).findFirst().orElseThrow();
                    float[] x = decode(src);
                    switch (p.scheme()) {
                        case Keep k -> {
                            assertEquals(src.dtype(), w.dtype(), p.name());
                            assertArrayEquals(bytes(src), bytes(w), p.name());
                            assertEquals(Double.POSITIVE_INFINITY, e.error().sqnrDb(), p.name());
                        }
                        default -> {
                            DType expected = p.scheme() instanceof GgmlBlock g ? g.type() : DType.BF16;
                            assertEquals(expected, w.dtype(), p.name());
                            // the file holds exactly the scheme's own quantization of the source values
                            QuantizedTensor q = p.scheme().quantize(x, (int) p.rows(), (int) p.rowLength());
                            assertArrayEquals(q.codes(), bytes(w), p.name());
                            float[] back = decode(w);
                            assertArrayEquals(p.scheme().dequantize(q), back, p.name());
                            // and the reported error is the error of those values
                            double err = 0, sig = 0;
                            for (int i = 0; i < x.length; i++) {
                                err += (double) (x[i] - back[i]) * (x[i] - back[i]);
                                sig += (double) x[i] * x[i];
                            }
                            assertEquals(10 * Math.log10(sig / err), e.error().sqnrDb(), 1e-6, p.name());
                        }
                    }
                }
                assertEquals(DType.Q6_K, written.tensor("blk.1.ffn_down.weight").orElseThrow().dtype());
                assertEquals(DType.Q4_K, written.tensor("blk.1.ffn_up.weight").orElseThrow().dtype());
                assertEquals(DType.F32, written.tensor("blk.1.ffn_norm.weight").orElseThrow().dtype());
                // Q4_K is held by the most tensors: llama.cpp's MOSTLY_Q4_K_M
                assertEquals(15L, written.metadata().get("general.file_type"));
                assertEquals(2L, written.metadata().get("general.quantization_version"));
                String json = (String) written.metadata().get(RecipeStamp.RECIPE_KEY);
                assertEquals(recipe, RecipeJson.parse(json, "test"));
                assertEquals(FileDigest.sha256(DEV), written.metadata().get(RecipeStamp.SOURCE_SHA256_KEY));
                // every source key is still there
                for (var kv : ((GgufFile) source.details()).metadata()) {
                    assertTrue(written.metadata().containsKey(kv.key()), kv.key());
                }
            }
        }
    }

    @Test
    void presetRecipeWritesLlamaQuantizesBytesUnlessStamped() throws Exception {
        Path plain = dir.resolve("q4km.gguf");
        Path stamped = dir.resolve("q4km-stamped.gguf");
        try (Model source = GgufReader.open(DEV)) {
            Recipe preset = Recipe.preset(Preset.Q4_K_M);
            ExportResult r = ModelExport.export(source, preset, plain, options(plain), ProgressMonitor.NONE);
            assertTrue(r.stamp().isEmpty());
            assertEquals(-1L, Files.mismatch(plain, SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf")));
            ModelExport.export(source, preset, stamped, options(stamped).withStamp(StampMode.ON), ProgressMonitor.NONE);
        }
        try (Model a = GgufReader.open(plain); Model b = GgufReader.open(stamped)) {
            assertFalse(a.metadata().containsKey(RecipeStamp.RECIPE_KEY));
            assertEquals(Preset.Q4_K_M.name(), RecipeJson.parse((String) b.metadata().get(RecipeStamp.RECIPE_KEY), "b")
                    .name());
            for (TensorInfo t : a.tensors()) {
                assertArrayEquals(bytes(t), bytes(b.tensor(t.name()).orElseThrow()), t.name());
            }
        }
    }

    @Test
    void presetWithExtraRulesKeepsThePresetsFileTypeAndIsStamped() throws Exception {
        Recipe recipe = new Recipe("Q4_K_M, Q8_0 output", new dev.quantscope.recipe.RecipeBase.PresetChoices(Preset.Q4_K_M),
                java.util.List.of(Rule.of("output.weight", "ggml:Q8_0")));
        Path out = dir.resolve("q4km-q8out.gguf");
        try (Model source = GgufReader.open(DEV)) {
            ExportResult r = ModelExport.export(source, recipe, out, options(out), ProgressMonitor.NONE);
            assertTrue(r.stamp().isPresent(), "a preset with rules is a recipe: stamped");
        }
        try (Model written = GgufReader.open(out);
             Model reference = GgufReader.open(SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf"))) {
            assertEquals((long) Preset.Q4_K_M.llamaFtype(), written.metadata().get("general.file_type"));
            assertEquals(DType.Q8_0, written.tensor("output.weight").orElseThrow().dtype());
            for (TensorInfo t : reference.tensors()) {
                if (t.name().equals("output.weight")) continue;
                assertArrayEquals(bytes(t), bytes(written.tensor(t.name()).orElseThrow()), t.name());
            }
        }
    }

    @Test
    void dequantizedSafetensorsOfStoriesCarriesTheSchemesValuesUnderHfNames() throws Exception {
        Recipe recipe = Recipe.of(QuantScheme.parse("int4-asym-g32-mse"),
                Rule.of("blk.*.ffn_*", "nf4-b64"),
                Rule.of("token_embd.weight", "int8-sym-row-rtn"));
        Path out = dir.resolve("stories.safetensors");
        try (Model source = GgufReader.open(STORIES)) {
            ModelPlan plan = Plans.resolve(recipe, source);
            ExportResult r = ModelExport.export(source, recipe, out, options(out), ProgressMonitor.NONE);
            long heads = (Long) source.metadata().get("llama.attention.head_count");
            long kvHeads = (Long) source.metadata().get("llama.attention.head_count_kv");
            try (Model written = SafetensorsReader.open(out)) {
                @SuppressWarnings("unchecked")
                Map<String, String> meta = (Map<String, String>) written.metadata().get("__metadata__");
                assertEquals(FileDigest.sha256(STORIES), meta.get(RecipeStamp.SOURCE_SHA256_KEY));
                assertEquals(recipe, RecipeJson.parse(meta.get(RecipeStamp.RECIPE_KEY), "meta"));
                int checked = 0;
                for (TensorPlan p : plan.tensors()) {
                    String hf = LlamaGgufToHf.hfName(p.name()).orElseThrow();
                    TensorInfo w = written.tensor(hf).orElseThrow(() -> new AssertionError(hf));
                    assertEquals(DType.F16, w.dtype(), hf);
                    long[] ne = source.tensor(p.name()).orElseThrow().shape().dims();
                    long[] rowMajor = new long[ne.length];
                    for (int d = 0; d < ne.length; d++) rowMajor[d] = ne[ne.length - 1 - d];
                    assertArrayEquals(rowMajor, w.shape().dims(), hf);

                    float[] x = decode(source.tensor(p.name()).orElseThrow());
                    float[] expected = p.scheme().dequantize(p.scheme().quantize(x, (int) p.rows(), (int) p.rowLength()));
                    for (int i = 0; i < expected.length; i++) expected[i] = Float.float16ToFloat(Float.floatToFloat16(expected[i]));
                    LongUnaryOperator row = LongUnaryOperator.identity();
                    if (p.name().endsWith("attn_q.weight")) row = LlamaGgufToHf.unpermuteRope(p.rows(), heads);
                    if (p.name().endsWith("attn_k.weight")) row = LlamaGgufToHf.unpermuteRope(p.rows(), kvHeads);
                    float[] got = decode(w);
                    int len = (int) p.rowLength();
                    for (int rr = 0; rr < p.rows(); rr++) {
                        int src = (int) row.applyAsLong(rr);
                        assertArrayEquals(Arrays.copyOfRange(expected, src * len, src * len + len),
                                Arrays.copyOfRange(got, rr * len, rr * len + len), hf + " row " + rr);
                    }
                    TensorExport e = r.tensors().stream().filter(t -> t.name().equals(p.name())).findFirst().orElseThrow();
                    assertEquals(hf, e.outputName());
                    assertEquals(p.scheme(), e.scheme());
                    assertTrue(e.error().sqnrDb() > 5, hf + " " + e.error().sqnrDb());
                    checked++;
                }
                assertEquals(written.tensors().size(), checked);
                assertTrue(plan.tensors().stream().anyMatch(p -> p.scheme() instanceof IntegerScheme));
            }
        }
    }

    @Test
    void packedInt4AsymG128HoldsTheSchemesCodesScalesAndZeroPoints() throws Exception {
        IntegerScheme scheme = (IntegerScheme) QuantScheme.parse("int4-asym-g128-rtn");
        Recipe recipe = Recipe.of(scheme, Rule.of("output.weight", "ggml:Q8_0"));
        Path out = dir.resolve("packed/model.safetensors");
        try (Model source = GgufReader.open(DEV)) {
            ModelPlan plan = Plans.resolve(recipe, source);
            ExportResult r = ModelExport.export(source, recipe, out, options(out).withPacked(true), ProgressMonitor.NONE);
            assertEquals(out.resolveSibling("config.json").toAbsolutePath(), r.config().orElseThrow());
            JsonNode config = new ObjectMapper().readTree(r.config().get().toFile());
            JsonNode qc = config.get("quantization_config");
            assertEquals("compressed-tensors", qc.get("quant_method").asText());
            assertEquals("pack-quantized", qc.get("format").asText());
            JsonNode weights = qc.get("config_groups").get("group_0").get("weights");
            assertEquals(4, weights.get("num_bits").asInt());
            assertFalse(weights.get("symmetric").asBoolean());
            assertEquals(128, weights.get("group_size").asInt());
            assertEquals("[\"lm_head\"]", qc.get("ignore").toString(), "the Q8_0 output is dense, so ignored");
            assertEquals(256, config.get("hidden_size").asInt());

            long heads = (Long) source.metadata().get("llama.attention.head_count");
            long kvHeads = (Long) source.metadata().get("llama.attention.head_count_kv");
            try (Model written = SafetensorsReader.open(out)) {
                assertEquals(DType.F16, written.tensor("lm_head.weight").orElseThrow().dtype());
                assertEquals(DType.F16, written.tensor("model.embed_tokens.weight").orElseThrow().dtype(),
                        "an embedding is not a Linear: written dequantized");
                int modules = 0;
                for (TensorPlan p : plan.tensors()) {
                    if (!p.scheme().equals(scheme) || p.name().startsWith("token_embd")) continue;
                    String module = LlamaGgufToHf.hfName(p.name()).orElseThrow().replaceFirst("\\.weight$", "");
                    float[] x = decode(source.tensor(p.name()).orElseThrow());
                    int rows = (int) p.rows(), cols = (int) p.rowLength(), groups = cols / 128;
                    QuantizedTensor q = scheme.quantize(x, rows, cols);
                    int[] codes = PackedStore.unpack(q.codes(), 4, rows * cols);
                    LongUnaryOperator perm = p.name().endsWith("attn_q.weight") ? LlamaGgufToHf.unpermuteRope(rows, heads)
                            : p.name().endsWith("attn_k.weight") ? LlamaGgufToHf.unpermuteRope(rows, kvHeads)
                            : LongUnaryOperator.identity();

                    TensorInfo packed = written.tensor(module + ".weight_packed").orElseThrow();
                    TensorInfo scales = written.tensor(module + ".weight_scale").orElseThrow();
                    TensorInfo zeros = written.tensor(module + ".weight_zero_point").orElseThrow();
                    TensorInfo shape = written.tensor(module + ".weight_shape").orElseThrow();
                    assertArrayEquals(new long[] {rows, cols / 8}, packed.shape().dims());
                    assertArrayEquals(new long[] {rows, groups}, scales.shape().dims());
                    assertArrayEquals(new long[] {rows / 8, groups}, zeros.shape().dims());
                    assertEquals(rows, shape.data().get(Layouts.I64, 0));
                    assertEquals(cols, shape.data().get(Layouts.I64, 8));
                    float[] fileScales = decode(scales);
                    for (int rr = 0; rr < rows; rr++) {
                        int src = (int) perm.applyAsLong(rr);
                        for (int c = 0; c < cols; c++) {
                            int word = packed.data().get(Layouts.I32, 4L * (rr * (cols / 8) + c / 8));
                            int stored = (word >>> (4 * (c % 8))) & 0xF; // code + 8
                            assertEquals(codes[src * cols + c], stored, module + " code " + rr + "," + c);
                        }
                        for (int g = 0; g < groups; g++) {
                            assertEquals(q.scales()[src * groups + g], fileScales[rr * groups + g], module + " scale");
                            int word = zeros.data().get(Layouts.I32, 4L * ((rr / 8) * groups + g));
                            int storedZero = (word >>> (4 * (rr % 8))) & 0xF; // zero point + 8
                            assertEquals((int) q.offsets()[src * groups + g], storedZero, module + " zero point");
                        }
                    }
                    modules++;
                }
                assertEquals(3 * 7, modules);
            }
            ErrorMetrics total = r.totalError();
            assertTrue(total.sqnrDb() > 15 && total.sqnrDb() < 40, "int4 g128 SQNR " + total.sqnrDb());
        }
    }

    @Test
    void unrepresentableCombinationsAreRefusedWithoutWritingAnything() throws Exception {
        try (Model source = GgufReader.open(DEV)) {
            Path gguf = dir.resolve("x.gguf");
            var e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                    Recipe.of(QuantScheme.parse("int4-asym-g128-rtn")), gguf, options(gguf), ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("cannot be stored in GGUF") && e.getMessage().contains(".safetensors"),
                    e.getMessage());
            Path st = dir.resolve("x.safetensors");
            e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                    Recipe.of(QuantScheme.parse("int4-asym-g128-rtn"), Rule.of("blk.*.ffn_*", "int8-sym-row-rtn")),
                    st, options(st).withPacked(true), ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("one integer scheme"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                    Recipe.of(QuantScheme.parse("int3-sym-g128-rtn")), st, options(st).withPacked(true),
                    ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("4 or 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                    Recipe.of(QuantScheme.parse("nf4-b64")), st, options(st).withPacked(true), ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("nothing to pack"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ExportOptions.forTarget(gguf).withPacked(true));
        }
        try (Model stories = GgufReader.open(STORIES)) {
            Path gguf = dir.resolve("y.gguf");
            var e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(stories,
                    Recipe.of(QuantScheme.parse("ggml:Q4_K")), gguf, options(gguf), ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("blk.0") || e.getMessage().contains("token_embd")
                    || e.getMessage().contains("output"), e.getMessage());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void theInputIsNeverOverwritten() throws Exception {
        Path copy = dir.resolve("model.gguf");
        Files.copy(STORIES, copy);
        String before = FileDigest.sha256(copy);
        try (Model source = GgufReader.open(copy)) {
            for (String scheme : new String[] {"ggml:Q8_0", "keep"}) {
                assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                        Recipe.of(QuantScheme.parse(scheme)), copy, options(copy), ProgressMonitor.NONE));
            }
            Path link = dir.resolve("link.gguf");
            Files.createSymbolicLink(link, copy);
            assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source,
                    Recipe.of(QuantScheme.parse("ggml:Q8_0")), link, options(link), ProgressMonitor.NONE));
        }
        assertEquals(before, FileDigest.sha256(copy));
    }

    @Test
    void cancellationLeavesNothingBehind() throws Exception {
        for (String name : new String[] {"c.gguf", "c.safetensors"}) {
            Path out = dir.resolve(name);
            AtomicBoolean cancelled = new AtomicBoolean();
            ProgressMonitor monitor = new ProgressMonitor() {
                @Override public void progress(long done, long total) { if (done > total / 5) cancelled.set(true); }
                @Override public boolean isCancelled() { return cancelled.get(); }
            };
            try (Model source = GgufReader.open(DEV)) {
                Recipe recipe = Recipe.of(QuantScheme.parse(name.endsWith(".gguf") ? "ggml:Q4_K" : "int4-sym-g128-mse"));
                assertThrows(CancellationException.class, () -> ModelExport.export(source, recipe, out, options(out),
                        monitor));
            }
            assertTrue(cancelled.get());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count(), name);
            }
        }
    }

    @Test
    void safetensorsSourceKeepsItsNamesAndPacksInt8PerChannelWithItsOwnConfig() throws Exception {
        // a Hugging Face folder: the dequantized F32 export of stories260K plus a config.json
        Path hf = dir.resolve("hf/model.safetensors");
        try (Model stories = GgufReader.open(STORIES)) {
            ModelExport.export(stories, Recipe.of(Keep.INSTANCE), hf, options(hf).withDtype(FloatFormat.F32)
                    .withStamp(StampMode.OFF), ProgressMonitor.NONE);
        }
        Files.writeString(hf.resolveSibling("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
        IntegerScheme scheme = (IntegerScheme) QuantScheme.parse("int8-sym-row-mse");
        Path out = dir.resolve("packed/model.safetensors");
        try (Model source = SafetensorsReader.open(hf.getParent())) {
            ExportResult r = ModelExport.export(source, Recipe.of(scheme), out, options(out).withPacked(true),
                    ProgressMonitor.NONE);
            assertEquals(FileDigest.sha256(hf), r.stamp().orElseThrow().sourceSha256(), "the folder's one weights file");
            for (Path inside : new Path[] {hf, hf.resolveSibling("config.json")}) {
                assertThrows(IllegalArgumentException.class, () -> ModelExport.export(source, Recipe.of(scheme),
                        inside, options(hf).withPacked(true), ProgressMonitor.NONE), inside.toString());
            }
            JsonNode config = new ObjectMapper().readTree(r.config().orElseThrow().toFile());
            assertEquals(64, config.get("hidden_size").asInt(), "the source's own config.json, extended");
            JsonNode weights = config.get("quantization_config").get("config_groups").get("group_0").get("weights");
            assertEquals("channel", weights.get("strategy").asText());
            assertTrue(weights.get("symmetric").asBoolean());
            try (Model written = SafetensorsReader.open(out)) {
                String module = "model.layers.2.mlp.down_proj";
                TensorInfo src = source.tensor(module + ".weight").orElseThrow();
                int rows = (int) src.shape().rows(), cols = (int) src.shape().rowLength();
                QuantizedTensor q = scheme.quantize(decode(src), rows, cols);
                int[] codes = PackedStore.unpack(q.codes(), 8, rows * cols);
                TensorInfo packed = written.tensor(module + ".weight_packed").orElseThrow();
                assertArrayEquals(new long[] {rows, (cols + 3) / 4}, packed.shape().dims(), "172 columns: padded int32s");
                for (int rr = 0; rr < rows; rr++) {
                    for (int c = 0; c < cols; c++) {
                        int word = packed.data().get(Layouts.I32, 4L * (rr * ((cols + 3) / 4) + c / 4));
                        assertEquals(codes[rr * cols + c], (word >>> (8 * (c % 4))) & 0xFF, "code " + rr + "," + c);
                    }
                }
                assertArrayEquals(q.scales(), decode(written.tensor(module + ".weight_scale").orElseThrow()));
                assertTrue(written.tensor(module + ".weight_zero_point").isEmpty(), "symmetric: no zero points");
                assertEquals(DType.F16, written.tensor("model.norm.weight").orElseThrow().dtype());
            }
        }
        assertEquals("{\"model_type\": \"llama\", \"hidden_size\": 64}", Files.readString(hf.resolveSibling("config.json")));
    }

    @Test
    void customMixFileTypeFollowsLlamaCppsGuess() {
        assertEquals(15, LlamaFileType.of(java.util.List.of(DType.F32, DType.Q4_K, DType.Q6_K, DType.Q4_K)));
        assertEquals(0, LlamaFileType.of(java.util.List.of(DType.F32, DType.F32, DType.Q8_0)));
        // a tie goes to the type that got there first
        assertEquals(7, LlamaFileType.of(java.util.List.of(DType.Q8_0, DType.F16, DType.Q8_0, DType.F16)));
        assertEquals(1, LlamaFileType.of(java.util.List.of(DType.Q8_0, DType.F16, DType.F16, DType.Q8_0)));
        assertEquals(32, LlamaFileType.of(java.util.List.of(DType.BF16)));
        assertNotEquals(LlamaFileType.mostly(DType.Q3_K).orElseThrow(), LlamaFileType.mostly(DType.Q4_K).orElseThrow());
    }
}
