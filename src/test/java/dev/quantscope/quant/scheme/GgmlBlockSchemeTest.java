package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.scheme.SchemeTestData.Matrix;
import dev.quantscope.tensor.DType;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ggml block schemes give exactly ggml's bytes and decode exactly like ggml. */
class GgmlBlockSchemeTest {
    private static final List<DType> TYPES = List.of(DType.Q8_0, DType.Q5_0, DType.Q5_1, DType.Q4_0, DType.Q4_1,
            DType.Q6_K, DType.Q5_K, DType.Q4_K, DType.Q3_K, DType.Q2_K, DType.IQ4_NL, DType.TQ1_0, DType.TQ2_0);

    private static String fileName(DType t) {
        String n = t.name().toLowerCase();
        return n.endsWith("_k") ? n.substring(0, n.length() - 2) + "_K" : n;
    }

    @Test
    void bytesAndDequantizedValuesEqualGgmlsReference() throws IOException {
        Matrix m = SchemeTestData.ggmlRows();
        for (DType t : TYPES) {
            GgmlBlock s = new GgmlBlock(t);
            QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
            byte[] want = Files.readAllBytes(SharedFiles.file("testvectors/ggml-quants/" + fileName(t) + ".bin"));
            assertArrayEquals(want, q.codes(), t.name());
            float[] wantBack = SchemeTestData.readF32(
                    SharedFiles.file("testvectors/ggml-quants/" + fileName(t) + ".dequant.f32"));
            assertArrayEquals(wantBack, s.dequantize(q), t.name());
            assertEquals(want.length, s.size(DType.F32, m.rows(), m.rowLength()).bytes());
        }
    }

    /** F16 and BF16 casts give ggml's conversion bytes (round to nearest even) and decode back like ggml. */
    @Test
    void castsEqualGgmlsFloatConversions() throws IOException {
        Matrix m = SchemeTestData.ggmlRows();
        for (DType t : List.of(DType.F16, DType.BF16)) {
            Cast c = new Cast(t);
            String name = t.name().toLowerCase();
            QuantizedTensor q = c.quantize(m.values(), m.rows(), m.rowLength());
            assertArrayEquals(Files.readAllBytes(SharedFiles.file("testvectors/ggml-quants/" + name + ".bin")), q.codes(), name);
            assertArrayEquals(SchemeTestData.readF32(SharedFiles.file("testvectors/ggml-quants/" + name + ".dequant.f32")),
                    c.dequantize(q), name);
            assertEquals(q.storedBytes(), c.size(DType.F32, m.rows(), m.rowLength()).bytes());
        }
        Cast f32 = new Cast(DType.F32);
        assertArrayEquals(m.values(), f32.dequantize(f32.quantize(m.values(), m.rows(), m.rowLength())));
    }

    @Test
    void sameBytesAsTheQuantizerOnTrainedWeights() throws IOException {
        for (Matrix m : SchemeTestData.storiesMatrices()) {
            for (DType t : TYPES) {
                GgmlBlock s = new GgmlBlock(t);
                if (s.unsupportedReason(m.rowLength()).isPresent()) continue;
                byte[] direct = new byte[(int) t.byteSize(m.values().length)];
                GgmlQuantizer.create(t).quantize(m.values(), 0, m.values().length, direct, 0);
                assertArrayEquals(direct, s.quantize(m.values(), m.rows(), m.rowLength()).codes(), m.name() + " " + t);
            }
        }
    }
}
