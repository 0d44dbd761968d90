package dev.quantscope.quant.metrics;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

class QuantErrorMeterTest {
    private static final String DIR = "testvectors/ggml-quants/";

    /** ggml's figures for its 4 reference rows of 512 (README of the vectors): the table, row by row. */
    @ParameterizedTest
    @CsvSource({
            "f16,F16,4096,16.0,5.48e-05,74.69",
            "bf16,BF16,4096,16.0,4.33e-04,56.73",
            "q4_0,Q4_0,1152,4.5,0.01950,23.66",
            "q4_1,Q4_1,1280,5.0,0.01744,24.63",
            "q5_0,Q5_0,1408,5.5,0.00939,30.00",
            "q5_1,Q5_1,1536,6.0,0.00862,30.74",
            "q8_0,Q8_0,2176,8.5,0.00114,48.33",
            "q2_K,Q2_K,672,2.625,0.06726,12.90",
            "q3_K,Q3_K,880,3.4375,0.03810,17.84",
            "q4_K,Q4_K,1152,4.5,0.01611,25.32",
            "q5_K,Q5_K,1408,5.5,0.00800,31.40",
            "q6_K,Q6_K,1680,6.5625,0.00392,37.59",
            "iq4_nl,IQ4_NL,1152,4.5,0.01919,23.80",
            "tq1_0,TQ1_0,432,1.6875,0.14546,6.20",
            "tq2_0,TQ2_0,528,2.0625,0.14546,6.20"})
    void figuresMatchGgmlsTable(String file, DType type, long bytes, double bpw, double rmse, double sqnr) throws IOException {
        byte[] input = Files.readAllBytes(SharedFiles.file(DIR + "input.f32"));
        int n = input.length / 4;
        TensorInfo x = tensor("x", DType.F32, n, input);

        // ggml's own bytes, and ours when QuantScope quantizes to this type (the same bytes, so the same figures)
        byte[] theirs = Files.readAllBytes(SharedFiles.file(DIR + file + ".bin"));
        assertEquals(bytes, theirs.length);
        check(x, tensor("q", type, n, theirs), bpw, rmse, sqnr);
        if (GgmlQuantizer.supports(type)) {
            float[] values = Decoders.decodeAll(x);
            byte[] ours = new byte[theirs.length];
            GgmlQuantizer.create(type).quantize(values, 0, n, ours, 0);
            check(x, tensor("q", type, n, ours), bpw, rmse, sqnr);
        }
    }

    private static void check(TensorInfo x, TensorInfo q, double bpw, double rmse, double sqnr) {
        ErrorMetrics e = QuantErrorMeter.measure(x, q, 2, ProgressMonitor.NONE);
        assertEquals(2048, e.elements());
        assertEquals(bpw, q.byteSize() * 8.0 / q.parameters(), 1e-12);
        assertEquals(sqnr, e.sqnrDb(), 0.0051, "SQNR of " + q.dtype());
        assertEquals(rmse, e.rmse(), rmse * 0.005, "RMSE of " + q.dtype()); // printed to 3-4 significant digits
    }

    @Test
    void agreesWithANaiveComputationOnRandomTensors() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (DType type : new DType[] {DType.Q4_K, DType.Q8_0, DType.Q2_K, DType.IQ4_NL}) {
            int n = 256 * (1 + rnd.nextInt(700)); // from one block up to several chunks, uneven last chunk
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) (rnd.nextGaussian() * 0.02 * (i % 97 == 0 ? 20 : 1));
            ByteBuffer f16 = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) f16.putShort(Float.floatToFloat16(v));
            TensorInfo source = tensor("src", DType.F16, n, f16.array());
            float[] exact = Decoders.decodeAll(source);
            byte[] qBytes = new byte[(int) type.byteSize(n)];
            GgmlQuantizer.create(type).quantize(exact, 0, n, qBytes, 0);
            TensorInfo stored = tensor("q", type, n, qBytes);
            float[] q = Decoders.decodeAll(stored);

            double sx = 0, se = 0, sd = 0, sq = 0, max = 0;
            for (int i = 0; i < n; i++) {
                double a = exact[i], b = q[i], d = a - b;
                sx += a * a;
                se += d * d;
                sd += a * b;
                sq += b * b;
                max = Math.max(max, Math.abs(d));
            }
            for (int threads : new int[] {1, 3}) {
                ErrorMetrics e = QuantErrorMeter.measure(source, stored, threads, ProgressMonitor.NONE);
                String what = type + " n=" + n + " threads=" + threads;
                assertEquals(n, e.elements(), what);
                assertEquals(se / n, e.mse(), 1e-9 * se / n, what);
                assertEquals(10 * Math.log10(sx / se), e.sqnrDb(), 1e-9, what);
                assertEquals(sd / Math.sqrt(sx * sq), e.cosine(), 1e-12, what);
                assertEquals(max, e.maxAbsError(), 0.0, what);
                assertEquals(sx, e.signalEnergy(), 1e-9 * sx, what);
            }
        }
    }

    @Test
    void exactCopiesAndEmptySignals() {
        byte[] ones = new byte[4 * 64];
        ByteBuffer.wrap(ones).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(filled(64, 0.5f));
        TensorInfo a = tensor("a", DType.F32, 64, ones);
        ErrorMetrics same = QuantErrorMeter.measure(a, a, 1, ProgressMonitor.NONE);
        assertEquals(Double.POSITIVE_INFINITY, same.sqnrDb());
        assertEquals(0.0, same.mse());
        assertEquals(1.0, same.cosine(), 1e-15);

        TensorInfo zeros = tensor("z", DType.F32, 64, new byte[4 * 64]);
        assertTrue(Double.isNaN(QuantErrorMeter.measure(zeros, a, 1, ProgressMonitor.NONE).sqnrDb()));
        assertTrue(Double.isNaN(ErrorMetrics.NONE.mse()));

        ErrorMetrics sum = same.plus(QuantErrorMeter.measure(a, zeros, 1, ProgressMonitor.NONE));
        assertEquals(128, sum.elements());
        assertEquals(0.5, sum.maxAbsError());
        assertEquals(10 * Math.log10(2.0), sum.sqnrDb(), 1e-12); // signal of both halves over the error of one
    }

    @Test
    void refusesTensorsOfDifferentSizesAndStopsWhenCancelled() {
        TensorInfo a = tensor("a", DType.F32, 64, new byte[256]);
        TensorInfo b = tensor("b", DType.F32, 32, new byte[128]);
        assertThrows(IllegalArgumentException.class, () -> QuantErrorMeter.measure(a, b, 1, ProgressMonitor.NONE));
        ProgressMonitor cancelled = new ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return true; }
        };
        assertThrows(CancellationException.class, () -> QuantErrorMeter.measure(a, a, 2, cancelled));
    }

    @Test
    void unitRunnerPropagatesTheFirstFailure() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> UnitRunner.run(100, 2, () -> u -> {
            if (u == 37) throw new IllegalStateException("unit " + u);
        }, ProgressMonitor.NONE));
        assertEquals("unit 37", e.getMessage());
        int[] count = new int[1];
        UnitRunner.run(10, 1, () -> u -> count[0]++, ProgressMonitor.NONE);
        assertEquals(10, count[0]);
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }

    private static TensorInfo tensor(String name, DType type, int n, byte[] bytes) {
        return new TensorInfo(name.toLowerCase(Locale.ROOT), Shape.ggml(n), type, bytes.length, MemorySegment.ofArray(bytes));
    }
}
