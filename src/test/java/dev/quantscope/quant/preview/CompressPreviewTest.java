package dev.quantscope.quant.preview;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.PlanError;
import dev.quantscope.pipeline.plan.PlanErrors;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.Nf4;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.Rule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compress preview engine on the synthetic F16 Llama: sizes, errors, Pareto front and block walkthroughs. */
class CompressPreviewTest {
    private static Model model;

    @BeforeAll
    static void open() throws Exception {
        model = dev.quantscope.format.ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void presetPlanSizesAreThePlannersTypesTimesTheShapes() {
        for (Preset p : Preset.values()) {
            ModelPlan plan = Plans.ofPreset(p, model);
            List<TensorChoice> reference = PresetPlanner.plan(p, (GgufFile) model.details());
            long expected = 0;
            for (TensorChoice c : reference) {
                long n = Arrays.stream(c.source().ne()).reduce(1, Math::multiplyExact);
                expected += c.type().byteSize(n);
                DType planned = plan.tensor(c.name()).orElseThrow().ggmlType().orElseThrow();
                assertEquals(c.type(), planned, p + " " + c.name());
            }
            assertEquals(expected, plan.bytes(), p.name());
            assertTrue(plan.ggufWritable());
        }
        // Q4_K_M is mostly 4.5-bit blocks with some Q6_K and F32 norms: between 4.5 and 6.6 bits per weight.
        double bpw = Plans.ofPreset(Preset.Q4_K_M, model).bitsPerWeight();
        assertTrue(bpw > 4.5 && bpw < 6.6, "bpw " + bpw);
    }

    @Test
    void customPlanAppliesTheFirstMatchingRuleAndKeepsNorms() {
        Recipe recipe = Recipe.of(new GgmlBlock(DType.Q4_0),
                Rule.of("blk.*.ffn_down.weight", "ggml:Q8_0"),
                Rule.of("re:^blk\\.0\\.", "keep"));
        ModelPlan plan = Plans.of(recipe, "custom", model);
        assertEquals(new GgmlBlock(DType.Q8_0), plan.tensor("blk.0.ffn_down.weight").orElseThrow().scheme());
        assertEquals(Keep.INSTANCE, plan.tensor("blk.0.attn_q.weight").orElseThrow().scheme());
        assertEquals(new GgmlBlock(DType.Q4_0), plan.tensor("blk.1.attn_q.weight").orElseThrow().scheme());
        assertEquals(Keep.INSTANCE, plan.tensor("blk.1.attn_norm.weight").orElseThrow().scheme());
        TensorPlan q = plan.tensor("blk.1.attn_q.weight").orElseThrow();
        assertEquals(DType.Q4_0.byteSize(q.elements()), q.size().bytes());
        assertTrue(plan.ggufWritable());
        assertThrows(IllegalArgumentException.class, () -> Rule.of("re:blk.(", "keep"));
    }

    @Test
    void integerSchemePlanSizeIsTheSchemesExactSize() {
        QuantScheme int4 = QuantScheme.parse("int4-asym-g128-mse");
        ModelPlan plan = Plans.of(Recipe.of(int4), "int4", model);
        long expected = 0;
        for (TensorInfo t : model.tensors()) {
            TensorPlan p = plan.tensor(t.name()).orElseThrow();
            expected += p.scheme() instanceof Keep ? t.byteSize() : int4.size(t.dtype(), p.rows(), p.rowLength()).bytes();
        }
        assertEquals(expected, plan.bytes());
        TensorPlan up = plan.tensor("blk.1.ffn_up.weight").orElseThrow();
        // 4 bits per code, plus an FP16 scale and an FP16 zero point per 128 weights: 4.25 bits per weight
        assertEquals(4.25, up.size().bitsPerWeight(), 1e-9);
        assertFalse(plan.ggufWritable(), "integer grids have no GGUF type");
    }

    @Test
    void integerAndNf4WalkthroughsRebuildTheCodecsValues() {
        TensorInfo t = model.tensor("blk.2.ffn_down.weight").orElseThrow();
        float[] all = Decoders.decodeAll(t);
        int rowLength = (int) t.shape().rowLength();
        float[] row = Arrays.copyOfRange(all, 3 * rowLength, 4 * rowLength);
        for (String id : List.of("int4-asym-g128-mse", "int4-sym-g128-rtn", "int8-sym-row-rtn", "int3-asym-g16-rtn",
                "int2-sym-tensor-mse", "nf4-b64", "nf4-b64-dq", "fp8-e4m3-row", "ternary-row", "mxfp4")) {
            QuantScheme s = QuantScheme.parse(id);
            float[] y = s.dequantize(s.quantize(row, 1, rowLength));
            // The grid drawn is the first weight's unit: with groups of 16 a block of 32 spans two.
            int sameUnit = id.contains("-g16-") ? 16 : 32;
            for (int block : new int[] {0, 5, 11}) {
                BlockWalkthrough w = Walkthroughs.explain(t.name(), s, 3, row, block);
                assertEquals(32, w.size(), id);
                for (int i = 0; i < 32; i++) {
                    assertEquals(y[block * 32 + i], w.dequantized()[i], id + " weight " + i);
                    if (i >= sameUnit) continue;
                    double v = w.dequantized()[i];
                    assertTrue(Arrays.stream(w.levels()).anyMatch(l -> Math.abs(l - v) <= 1e-6 * Math.max(1, Math.abs(v))),
                            id + " weight " + i + " = " + v + " is on the drawn grid");
                }
            }
        }
        BlockWalkthrough int4 = Walkthroughs.explain(t.name(), QuantScheme.parse("int4-asym-g128-rtn"), 3, row, 4);
        assertEquals(16, int4.levels().length);
        assertTrue(int4.steps().stream().anyMatch(st -> st.name().startsWith("z")), "asymmetric: a zero point");
        assertTrue(Arrays.stream(int4.codes()).allMatch(c -> c >= 0 && c <= 15));
        assertTrue(int4.decodeRule().contains("q − z"), int4.decodeRule());
        BlockWalkthrough fp8 = Walkthroughs.explain(t.name(), QuantScheme.parse("fp8-e4m3-row"), 3, row, 4);
        assertTrue(fp8.levels().length > 200 && fp8.levels().length <= 256, "the E4M3 grid: " + fp8.levels().length);
        assertTrue(Arrays.stream(fp8.codes()).allMatch(c -> c >= 0 && c <= 255));
        BlockWalkthrough nf4 = Walkthroughs.explain(t.name(), Nf4.standard(true), 3, row, 4);
        assertEquals(16, nf4.levels().length);
        assertTrue(nf4.steps().stream().anyMatch(st -> st.name().startsWith("a-code")), "double quantization shown");
    }

    @Test
    void errorsAreExactOnASmallModelAndMatchADirectRoundTrip() {
        ErrorEstimator est = new ErrorEstimator(model, Sampling.DEFAULT);
        assertTrue(est.exact());
        ModelPlan plan = Plans.ofPreset(Preset.Q4_0, model);
        PlanError err = PlanErrors.evaluate(est, plan, ProgressMonitor.NONE);
        TensorPlan tp = plan.tensor("blk.1.ffn_up.weight").orElseThrow();
        TensorInfo t = model.tensor(tp.name()).orElseThrow();
        float[] x = Decoders.decodeAll(t);
        float[] q = RoundTrip.apply(tp.scheme(), x, (int) tp.rowLength());
        // The direct figures from the project's ErrorAccumulator, summed here by hand as a check
        double signal = 0, error = 0;
        for (int i = 0; i < x.length; i++) {
            signal += (double) x[i] * x[i];
            error += ((double) x[i] - q[i]) * ((double) x[i] - q[i]);
        }
        ErrorMetrics measured = est.measure(tp.name(), tp.rowLength(), tp.effectiveScheme());
        assertEquals(error, measured.errorEnergy(), 1e-9 * error);
        assertEquals(signal, measured.signalEnergy(), 1e-9 * signal);
        assertEquals(x.length, measured.elements());
        // Q4_0 keeps roughly 4 bits of signal: SQNR near 6 dB per bit, well above 10 and below 30.
        double sqnr = measured.sqnrDb();
        assertTrue(sqnr > 10 && sqnr < 30, "SQNR " + sqnr);
        // Q8_0 is far better than Q4_0 on the same model.
        PlanError q8 = PlanErrors.evaluate(est, Plans.ofPreset(Preset.Q8_0, model), ProgressMonitor.NONE);
        assertTrue(q8.total().sqnrDb() > err.total().sqnrDb() + 15);
    }

    @Test
    void sampledEstimatesUseEvenlySpacedWholeRows() {
        ErrorEstimator est = new ErrorEstimator(model, new Sampling(0, 8));
        assertFalse(est.exact());
        TensorSample s = est.sample("blk.1.ffn_up.weight", 256);
        assertEquals(8, s.sampledRows());
        assertEquals(768, s.rows());
        assertEquals(0, s.rowIndex()[0]);
        assertEquals(96, s.rowIndex()[1]);
        float[] all = Decoders.decodeAll(model.tensor("blk.1.ffn_up.weight").orElseThrow());
        assertEquals(all[96 * 256 + 5], s.values()[256 + 5]);
        TensorPlan tp = Plans.ofPreset(Preset.Q8_0, model).tensor("blk.1.ffn_up.weight").orElseThrow();
        ErrorMetrics m = est.measure(tp.name(), tp.rowLength(), tp.effectiveScheme());
        assertEquals(tp.elements(), m.elements(), "sample extrapolated to the whole tensor");
        ErrorMetrics sampleOnly = ErrorEstimator.metrics(s.values(), RoundTrip.apply(tp.scheme(), s.values(), 256));
        assertEquals(sampleOnly.errorEnergy() * 768 / 8, m.errorEnergy(), 1e-9 * m.errorEnergy());
    }

    @Test
    void paretoFrontDropsDominatedPoints() {
        var pts = List.of(new Pareto.Point<>("a", 1, 5), new Pareto.Point<>("b", 2, 3), new Pareto.Point<>("c", 3, 4),
                new Pareto.Point<>("d", 4, 1), new Pareto.Point<>("e", 2, 6), new Pareto.Point<>("f", 5, Double.NaN));
        assertEquals(List.of("a", "b", "d"), Pareto.front(pts).stream().map(Pareto.Point::item).toList());
    }

    @Test
    void walkthroughsReadTheFieldsThatRebuildGgmlsValues() {
        TensorInfo t = model.tensor("blk.2.ffn_down.weight").orElseThrow(); // rows of 768: every K type fits
        float[] all = Decoders.decodeAll(t);
        long rowLength = t.shape().rowLength();
        float[] row = Arrays.copyOfRange(all, (int) (3 * rowLength), (int) (4 * rowLength));
        for (DType type : List.of(DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q8_0, DType.IQ4_NL,
                DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.F16)) {
            for (int block : new int[] {0, 3, 7, 9}) {
                // explain() itself checks the shown formula against ggml's dequantizer and throws on a mismatch.
                BlockWalkthrough w = Walkthroughs.explain(t.name(),
                        type == DType.F16 ? new Cast(type) : new GgmlBlock(type), 3, row, block);
                assertEquals(32, w.size());
                assertEquals(row[block * 32 + 1], w.original()[1]);
                for (int i = 0; i < 32; i++) {
                    double v = w.dequantized()[i];
                    boolean onGrid = Arrays.stream(w.levels()).anyMatch(l -> Math.abs(l - v) <= 1e-6 * Math.max(1, Math.abs(v)));
                    assertTrue(onGrid, type + " weight " + i + " = " + v + " is not on the grid");
                }
                assertTrue(w.maxAbsError() < 0.5 * Math.abs(w.levels()[w.levels().length - 1] - w.levels()[0]) + 1e-9);
            }
        }
        BlockWalkthrough q4k = Walkthroughs.explain(t.name(), new GgmlBlock(DType.Q4_K), 3, row, 5);
        assertTrue(q4k.steps().stream().anyMatch(s -> s.name().startsWith("dmin")));
        assertEquals(16, q4k.levels().length);
        assertTrue(Arrays.stream(q4k.codes()).allMatch(c -> c >= 0 && c <= 15));
    }
}
