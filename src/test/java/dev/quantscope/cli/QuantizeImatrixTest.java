package dev.quantscope.cli;

import dev.quantscope.pipeline.export.PresetExport;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.imatrix.ImatrixComputation;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.imatrix.ImatrixFiles;
import dev.quantscope.quant.imatrix.ImportanceMatrix;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code quantize --imatrix}: a Q4_K_M model quantized with and without an importance matrix computed on the model
 * itself. The weighted file differs from the unweighted one exactly in the tensors that have an imatrix entry and a
 * type whose ggml quantizer uses weights, has the lower activation-weighted error on most of them, and carries
 * llama-quantize's {@code quantize.imatrix.*} keys.
 */
public class QuantizeImatrixTest {
    private static final int CTX = 128;

    @TempDir
    Path dir;

    @Test
    void stories260KWithImatrixChangesOnlyWeightedTensorsAndLowersTheirError() throws Exception {
        check(SharedFiles.file("models/stories260K.gguf"), "stories");
    }

    /** The synthetic model's rows take every K-quant, so the Q4_K/Q6_K weighted searches are exercised. */
    @Test
    void kQuantsWithImatrixChangeOnlyWeightedTensorsAndLowerTheirError() throws Exception {
        check(SharedFiles.file("models/synth-llama-dev-f16.gguf"), "dev");
    }

    private void check(Path in, String label) throws Exception {
        ImportanceMatrix im = computeImatrix(in);
        Path imFile = dir.resolve(label + ".imatrix.gguf");
        ImatrixFiles.writeGguf(im, imFile);

        Path plain = dir.resolve(label + "-plain.gguf");
        Path weighted = dir.resolve(label + "-weighted.gguf");
        QuantizeCommandTest.Run r1 = run("quantize", in.toString(), plain.toString(), "--type", "Q4_K_M", "--threads", "2");
        assertEquals(0, r1.exit(), r1.err());
        QuantizeCommandTest.Run r2 = run("quantize", in.toString(), weighted.toString(), "--type", "Q4_K_M",
                "--imatrix", imFile.toString(), "--threads", "2");
        assertEquals(0, r2.exit(), r2.err());

        int weightedTensors = 0, lower = 0;
        try (Model source = ModelOpener.open(in); Model a = ModelOpener.open(plain); Model b = ModelOpener.open(weighted)) {
            GgufFile ga = (GgufFile) a.details(), gb = (GgufFile) b.details();
            // metadata: llama-quantize's four keys, counts as UINT32, only with the imatrix
            assertEquals(Optional.empty(), ga.kv(ImatrixFile.KEY_FILE));
            assertEquals(new GgufKv(ImatrixFile.KEY_FILE, GgufValueType.STRING, imFile.toString()),
                    gb.kv(ImatrixFile.KEY_FILE).orElseThrow());
            assertEquals(new GgufKv(ImatrixFile.KEY_DATASET, GgufValueType.STRING, "tinyshakespeare.txt"),
                    gb.kv(ImatrixFile.KEY_DATASET).orElseThrow());
            assertEquals(new GgufKv(ImatrixFile.KEY_ENTRIES, GgufValueType.UINT32, (long) im.entries().size()),
                    gb.kv(ImatrixFile.KEY_ENTRIES).orElseThrow());
            assertEquals(new GgufKv(ImatrixFile.KEY_CHUNKS, GgufValueType.UINT32, (long) im.chunkCount()),
                    gb.kv(ImatrixFile.KEY_CHUNKS).orElseThrow());
            assertTrue(im.chunkCount() > 0);
            List<String> keys = gb.metadata().stream().map(GgufKv::key).toList();
            assertEquals(List.of(ImatrixFile.KEY_FILE, ImatrixFile.KEY_DATASET, ImatrixFile.KEY_ENTRIES,
                    ImatrixFile.KEY_CHUNKS), keys.subList(keys.size() - 4, keys.size()), "appended last");

            // types: as the planner decides with an imatrix
            Map<String, DType> planned = new HashMap<>();
            for (TensorChoice c : PresetPlanner.plan(Preset.Q4_K_M, (GgufFile) source.details(), true)) {
                planned.put(c.name(), c.type());
            }
            for (TensorInfo tb : b.tensors()) {
                TensorInfo ta = a.tensor(tb.name()).orElseThrow();
                TensorInfo src = source.tensor(tb.name()).orElseThrow();
                assertEquals(planned.get(tb.name()), tb.dtype(), tb.name());
                Optional<float[]> imp = im.importance(tb.name());
                boolean usesWeights = imp.isPresent() && GgmlQuantizer.usesImportance(tb.dtype());
                if (ta.dtype() != tb.dtype()) {
                    assertTrue(usesWeights || !GgmlQuantizer.usesImportance(tb.dtype()), tb.name());
                    continue; // chosen differently with an imatrix: nothing to compare byte for byte
                }
                boolean same = bytes(ta).mismatch(bytes(tb)) == -1;
                if (!usesWeights) {
                    assertTrue(same, tb.name() + " (" + tb.dtype() + ", no importance used) must not change");
                    continue;
                }
                assertFalse(same, tb.name() + " (" + tb.dtype() + ") must be quantized with its importance");
                float[] w = Decoders.decodeAll(src);
                double ea = weightedError(w, Decoders.decodeAll(ta), imp.get());
                double eb = weightedError(w, Decoders.decodeAll(tb), imp.get());
                System.out.printf("%s %s %s: importance-weighted error %.6g -> %.6g (%.1f%%)%n", label, tb.name(),
                        tb.dtype(), ea, eb, 100 * (eb - ea) / ea);
                weightedTensors++;
                if (eb < ea) lower++;
            }
        }
        System.out.printf("%s: %d of %d weighted tensors have the lower importance-weighted error%n", label, lower,
                weightedTensors);
        assertTrue(weightedTensors >= 10, label + ": " + weightedTensors + " weighted tensors");
        assertTrue(lower * 4 >= weightedTensors * 3, label + ": lower on " + lower + " of " + weightedTensors);

        // the pipeline's own preset path writes the very same file as the export behind the CLI
        Path direct = dir.resolve(label + "-direct.gguf");
        try (Model source = ModelOpener.open(in)) {
            PresetExport.quantize(source, Preset.Q4_K_M, direct, 2, ProgressMonitor.NONE,
                    new ImatrixFile(imFile.toString(), ImatrixFiles.read(imFile)));
        }
        assertEquals(-1L, Files.mismatch(direct, weighted));
    }

    @Test
    void badImatrixFileIsOneLineNamingIt() throws Exception {
        Path bad = dir.resolve("broken.imatrix");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7});
        Path out = dir.resolve("x.gguf");
        QuantizeCommandTest.Run r = run("quantize", SharedFiles.file("models/stories260K.gguf").toString(),
                out.toString(), "--type", "Q4_K_M", "--imatrix", bad.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(bad.toString()), r.err());
        assertFalse(Files.exists(out));

        QuantizeCommandTest.Run missing = run("quantize", SharedFiles.file("models/stories260K.gguf").toString(),
                out.toString(), "--type", "Q4_K_M", "--imatrix", dir.resolve("nope.dat").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.dat"), missing.err());
    }

    /** An importance matrix for {@code modelFile}, computed by the engine on 6 KB of tinyshakespeare (the GUI tests use it too). */
    public static ImportanceMatrix computeImatrix(Path modelFile) throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String text = new String(Arrays.copyOf(all, 6_000), StandardCharsets.UTF_8);
        try (Model model = ModelOpener.open(modelFile); LlamaEngine engine = new LlamaEngine(model, CTX, 2)) {
            int[] tokens = Tokenizers.forModel(model).encode(text, true);
            return ImatrixComputation.compute(engine, tokens, CTX, 1, 0, false, List.of("tinyshakespeare.txt"),
                    ProgressMonitor.NONE);
        }
    }

    private static MemorySegment bytes(TensorInfo t) {
        return t.data().asSlice(0, t.byteSize());
    }

    /** Σ importance[column] (w − q)²: the error that reaches the layer's output on the calibration inputs. */
    private static double weightedError(float[] w, float[] q, float[] importance) {
        double e = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - q[i];
            e += importance[i % importance.length] * d * d;
        }
        return e;
    }
}
