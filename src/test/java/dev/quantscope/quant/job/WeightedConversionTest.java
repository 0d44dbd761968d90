package dev.quantscope.quant.job;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Conversion.Encode} with an importance vector: the pipeline's row chunks, per-worker quantizers and the
 * per-matrix importance of an expert tensor give exactly what one weighted quantizer per matrix gives on the whole.
 */
class WeightedConversionTest {

    @Test
    void chunkedWeightedEncodingEqualsWholeMatrixQuantization() {
        // 2 matrices (experts) of 300 rows of 512: chunks of 128 rows, the last one short, none across experts
        int rowLength = 512, rows = 300, matrices = 2;
        int n = rowLength * rows * matrices;
        Random rnd = new Random(7);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) rnd.nextGaussian() * (i % 97 == 0 ? 8 : 1);
        float[] importance = new float[rowLength * matrices];
        for (int i = 0; i < importance.length; i++) importance[i] = (float) Math.exp(2 * rnd.nextGaussian());

        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = arena.allocate(4L * n, 64);
            MemorySegment.copy(w, 0, src, Layouts.F32, 0, n);
            TensorInfo info = new TensorInfo("blk.0.ffn_up_exps.weight", Shape.ggml(rowLength, rows, matrices),
                    DType.F32, 4L * n, src);
            for (DType type : List.of(DType.Q4_K, DType.Q6_K, DType.IQ4_NL, DType.Q8_0)) {
                byte[] expected = new byte[(int) type.byteSize(n)];
                int perMatrix = rowLength * rows;
                for (int m = 0; m < matrices; m++) {
                    float[] imp = Arrays.copyOfRange(importance, m * rowLength, (m + 1) * rowLength);
                    GgmlQuantizer.create(type, imp).quantize(w, m * perMatrix, perMatrix, expected,
                            (int) type.byteSize((long) m * perMatrix));
                }
                byte[] unweighted = new byte[expected.length];
                GgmlQuantizer.create(type).quantize(w, 0, n, unweighted, 0);

                byte[] one = encode(info, type, importance, 1, arena);
                byte[] two = encode(info, type, importance, 2, arena);
                assertArrayEquals(expected, one, type.toString());
                assertArrayEquals(expected, two, type + " on 2 threads");
                assertEquals(!GgmlQuantizer.usesImportance(type), Arrays.equals(expected, unweighted),
                        type + ": the weights matter exactly when ggml's quantizer uses them");
            }
        }
    }

    @Test
    void importanceThatIsNotOnePerColumnIsRefused() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = arena.allocate(4L * 256 * 4, 64);
            TensorInfo info = new TensorInfo("t", Shape.ggml(256, 4), DType.F32, 4L * 256 * 4, src);
            TensorTask task = new TensorTask(info, new Conversion.Encode(DType.Q4_K, new float[100]),
                    QuantizePipeline.allocate(arena, DType.Q4_K.byteSize(1024)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuantizePipeline.convert(List.of(task), 1, ProgressMonitor.NONE));
            assertTrue(e.getMessage().contains("one per column"), e.getMessage());
        }
    }

    private static byte[] encode(TensorInfo info, DType type, float[] importance, int threads, Arena arena) {
        MemorySegment out = QuantizePipeline.allocate(arena, type.byteSize(info.parameters()));
        List<ErrorMetrics> errors = QuantizePipeline.convert(
                List.of(new TensorTask(info, new Conversion.Encode(type, importance), out)), threads, ProgressMonitor.NONE);
        assertTrue(errors.getFirst().sqnrDb() > 10, type + " SQNR " + errors.getFirst().sqnrDb());
        return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
