package dev.quantscope.pipeline.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.metrics.QuantErrorMeter;
import dev.quantscope.quant.metrics.TensorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetNotApplicableException;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The whole pipeline against llama-quantize's own output files for the synthetic Llama. */
class PresetExportTest {

    private static final Path DEV = SharedFiles.file("models/synth-llama-dev-f16.gguf");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "Q3_K_M", "Q2_K"})
    void outputIsByteIdenticalToLlamaQuantize(String presetName) throws Exception {
        Path expected = SharedFiles.file("expected/llama-quantize-outputs/dev-" + presetName + ".gguf");
        Path out = dir.resolve("dev-" + presetName + ".gguf");
        try (Model model = ModelOpener.open(DEV)) {
            QuantizeResult r = PresetExport.quantize(model, Preset.valueOf(presetName), out, 2, ProgressMonitor.NONE);
            assertEquals(Files.size(expected), r.fileBytes());
        }
        assertEquals(Files.size(expected), Files.size(out));
        assertEquals(-1L, Files.mismatch(expected, out), "first differing byte");
    }

    @Test
    void everyPresetMatchesLlamaQuantizeTensorHashesAndFileSize() throws Exception {
        JsonNode presets = new ObjectMapper().readTree(
                SharedFiles.file("expected/synth-llama-dev-llama-quantize.json").toFile()).get("presets");
        assertEquals(15, presets.size());
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        try (Model model = ModelOpener.open(DEV)) {
            for (var p : presets.properties()) {
                Preset preset = Preset.valueOf(p.getKey());
                Path out = dir.resolve("dev-" + preset + ".gguf");
                QuantizeResult r = PresetExport.quantize(model, preset, out, 2, ProgressMonitor.NONE);
                assertEquals(p.getValue().get("file_bytes").asLong(), Files.size(out), preset + " file size");
                assertEquals(Files.size(out), r.fileBytes());
                Map<String, String[]> got = tensorHashes(out);
                assertEquals(p.getValue().get("tensors").size(), got.size(), preset + " tensor count");
                for (var t : p.getValue().get("tensors").properties()) {
                    String[] g = got.get(t.getKey());
                    assertNotNull(g, preset + " lacks " + t.getKey());
                    checked++;
                    if (!g[0].equals(t.getValue().get(0).asText()) || !g[1].equals(t.getValue().get(1).asText())) {
                        mismatches.add(preset + "/" + t.getKey() + " " + g[0]);
                    }
                }
                Files.delete(out);
            }
        }
        assertEquals(15 * 30, checked);
        assertEquals(List.of(), mismatches);
    }

    @Test
    void metricsAgreeWithAnIndependentComparisonOfTheWrittenFile() throws Exception {
        Path out = dir.resolve("q4km.gguf");
        try (Model model = ModelOpener.open(DEV)) {
            QuantizeResult r = PresetExport.quantize(model, Preset.Q4_K_M, out, 2, ProgressMonitor.NONE);
            ModelMetrics m = r.metrics();
            try (Model written = ModelOpener.open(out)) {
                ModelMetrics independent = QuantErrorMeter.compare(model, written, 1, ProgressMonitor.NONE);
                for (TensorMetrics t : m.tensors()) {
                    TensorMetrics o = independent.tensors().stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow();
                    assertEquals(o.type(), t.type(), t.name());
                    assertEquals(o.size(), t.size(), t.name());
                    assertEquals(o.error().elements(), t.error().elements(), t.name());
                    assertEquals(o.error().errorEnergy(), t.error().errorEnergy(), 1e-9 * o.error().errorEnergy(), t.name());
                    assertEquals(o.error().sqnrDb(), t.error().sqnrDb(), 1e-9, t.name());
                    assertEquals(o.error().maxAbsError(), t.error().maxAbsError(), 0.0, t.name());
                }
            }
            // Norms stay F32: copied exactly. Quantized matrices: a K-quant at ~4.5 bits gives roughly 20-26 dB.
            TensorMetrics norm = m.tensors().stream().filter(t -> t.name().equals("output_norm.weight")).findFirst().orElseThrow();
            assertEquals(Double.POSITIVE_INFINITY, norm.error().sqnrDb());
            TensorMetrics q = m.tensors().stream().filter(t -> t.name().equals("blk.1.attn_q.weight")).findFirst().orElseThrow();
            assertTrue(q.error().sqnrDb() > 15 && q.error().sqnrDb() < 30, "SQNR " + q.error().sqnrDb());
            assertTrue(q.error().cosine() > 0.99, "cosine " + q.error().cosine());
            assertEquals(m.totalSize().bytes() * 8.0 / m.totalSize().elements(), m.totalSize().bitsPerWeight(), 1e-12);
            long tensorBytes = m.tensors().stream().mapToLong(t -> t.size().bytes()).sum();
            assertTrue(tensorBytes < Files.size(out) && tensorBytes > Files.size(out) * 0.9);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() throws Exception {
        try (Model model = ModelOpener.open(DEV)) {
            QuantizeResult one = PresetExport.quantize(model, Preset.Q5_K_M, dir.resolve("a.gguf"), 1, ProgressMonitor.NONE);
            QuantizeResult three = PresetExport.quantize(model, Preset.Q5_K_M, dir.resolve("b.gguf"), 3, ProgressMonitor.NONE);
            assertEquals(-1L, Files.mismatch(dir.resolve("a.gguf"), dir.resolve("b.gguf")));
            assertEquals(one.metrics(), three.metrics());
        }
    }

    @Test
    void cancellationLeavesNoFileBehind() throws Exception {
        for (long cancelAt : new long[] {1, 500_000, 900_000}) { // while quantizing, later, and while writing
            AtomicBoolean cancelled = new AtomicBoolean();
            ProgressMonitor monitor = new ProgressMonitor() {
                @Override public void progress(long done, long total) { if (done >= cancelAt) cancelled.set(true); }
                @Override public boolean isCancelled() { return cancelled.get(); }
            };
            Path out = dir.resolve("cancelled.gguf");
            try (Model model = ModelOpener.open(DEV)) {
                assertThrows(CancellationException.class, () -> PresetExport.quantize(model, Preset.Q4_K_M, out, 2, monitor));
            }
            assertTrue(cancelled.get());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "cancelled at " + cancelAt);
            }
        }
    }

    @Test
    void progressRisesToTheEnd() throws Exception {
        List<Long> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] totals = new long[1];
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override public void progress(long done, long total) { seen.add(done); totals[0] = total; }
            @Override public boolean isCancelled() { return false; }
        };
        try (Model model = ModelOpener.open(DEV)) {
            PresetExport.quantize(model, Preset.Q8_0, dir.resolve("q8.gguf"), 1, monitor);
        }
        assertTrue(seen.size() > 10);
        assertEquals(totals[0], seen.getLast());
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back at " + i);
    }

    @Test
    void presetThatCannotApplyNamesTheTensor() throws Exception {
        // stories260K's FFN rows of 172 are not a multiple of Q4_0's blocks of 32, and Q4_0 has no fallback.
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            PresetNotApplicableException e = assertThrows(PresetNotApplicableException.class,
                    () -> PresetExport.quantize(model, Preset.Q4_0, dir.resolve("x.gguf"), 2, ProgressMonitor.NONE));
            assertTrue(e.getMessage().startsWith(e.tensor() + " cannot be Q4_0: "), e.getMessage());
            assertTrue(e.tensor().startsWith("blk."), e.tensor());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void refusesToOverwriteItsInput() throws Exception {
        Path copy = dir.resolve("in.gguf");
        Files.copy(DEV, copy);
        byte[] before = Files.readAllBytes(copy);
        try (Model model = ModelOpener.open(copy)) {
            assertThrows(IllegalArgumentException.class,
                    () -> PresetExport.quantize(model, Preset.Q8_0, copy, 2, ProgressMonitor.NONE));
        }
        assertArrayEquals(before, Files.readAllBytes(copy));
    }

    /** name → [type, sha256 of the tensor's bytes] of a written file. */
    static Map<String, String[]> tensorHashes(Path file) throws Exception {
        Map<String, String[]> out = new TreeMap<>();
        try (Model m = ModelOpener.open(file)) {
            for (TensorInfo t : m.tensors()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(t.data().asByteBuffer());
                out.put(t.name(), new String[] {t.dtype().name(), HexFormat.of().formatHex(md.digest())});
            }
        }
        return out;
    }
}
