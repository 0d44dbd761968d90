package dev.quantscope.quant.scheme;

import dev.quantscope.quant.scheme.SchemeTestData.Matrix;
import dev.quantscope.tensor.MiniFloats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantize → dequantize on realistic rows for every scheme family, each checked against the error bound its
 * definition implies, computed independently of the codec.
 */
class QuantSchemeRoundTripTest {
    private static List<Matrix> data;

    @BeforeAll
    static void load() throws IOException {
        data = SchemeTestData.all();
    }

    private static List<Granularity> granularities() {
        return List.of(Granularity.TENSOR, Granularity.CHANNEL, Granularity.group(32), Granularity.group(128));
    }

    @Test
    void integerRoundToNearestIsWithinHalfAStep() {
        for (Matrix m : data) {
            for (int bits = 2; bits <= 8; bits++) {
                for (boolean sym : new boolean[] {true, false}) {
                    for (Granularity g : granularities()) {
                        IntegerScheme s = new IntegerScheme(bits, sym, g, Rounding.NEAREST);
                        QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
                        float[] back = s.dequantize(q);
                        Segments seg = Segments.of(g, m.rows(), m.rowLength());
                        assertEquals(seg.count(), q.scales().length, s.id());
                        for (int k = 0; k < seg.count(); k++) {
                            float scale = q.scales()[k];
                            assertEquals(scale, Float.float16ToFloat(Float.floatToFloat16(scale)), "scale is FP16");
                            if (!sym) {
                                float z = q.offsets()[k];
                                assertTrue(z == Math.rint(z) && z >= 0 && z <= (1 << bits) - 1, s.id() + " zero " + z);
                            }
                            for (int i = seg.start(k); i < seg.end(k); i++) {
                                double err = Math.abs((double) m.values()[i] - back[i]);
                                assertTrue(err <= scale / 2 * (1 + 1e-6) + 1e-12,
                                        m.name() + " " + s.id() + " [" + i + "] err " + err + " scale " + scale);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void mseClipSearchNeverLosesToRoundToNearest() {
        int strictlyBetter = 0;
        for (Matrix m : data) {
            for (int bits : new int[] {2, 3, 4, 8}) {
                for (boolean sym : new boolean[] {true, false}) {
                    for (Granularity g : granularities()) {
                        IntegerScheme rtn = new IntegerScheme(bits, sym, g, Rounding.NEAREST);
                        IntegerScheme mse = new IntegerScheme(bits, sym, g, Rounding.MSE_CLIP);
                        double eRtn = SchemeTestData.sse(m.values(), rtn.dequantize(rtn.quantize(m.values(), m.rows(), m.rowLength())));
                        double eMse = SchemeTestData.sse(m.values(), mse.dequantize(mse.quantize(m.values(), m.rows(), m.rowLength())));
                        assertTrue(eMse <= eRtn * (1 + 1e-9), m.name() + " " + mse.id() + " " + eMse + " > " + eRtn);
                        if (eMse < eRtn * 0.99) strictlyBetter++;
                    }
                }
            }
        }
        // On heavy-tailed rows clipping pays off in most low-bit configurations.
        assertTrue(strictlyBetter > 20, "MSE clipping clearly better in only " + strictlyBetter + " cases");
    }

    @Test
    void ternaryValuesAreMinusZeroPlusScale() {
        for (Matrix m : data) {
            for (Granularity g : List.of(Granularity.CHANNEL, Granularity.group(64))) {
                Ternary t = new Ternary(g);
                QuantizedTensor q = t.quantize(m.values(), m.rows(), m.rowLength());
                float[] back = t.dequantize(q);
                Segments seg = Segments.of(g, m.rows(), m.rowLength());
                int zeros = 0;
                for (int k = 0; k < seg.count(); k++) {
                    double meanAbs = 0;
                    for (int i = seg.start(k); i < seg.end(k); i++) meanAbs += Math.abs(m.values()[i]);
                    meanAbs /= seg.end(k) - seg.start(k);
                    float s = q.scales()[k];
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16((float) meanAbs)), s, 1e-9, "absmean scale");
                    for (int i = seg.start(k); i < seg.end(k); i++) {
                        float x = m.values()[i];
                        float want = s == 0 ? 0 : Math.abs(x) < s / 2 ? 0 : Math.copySign(s, x);
                        if (Math.abs(Math.abs(x) - s / 2) > 1e-7 * s) assertEquals(want, back[i], 0f, t.id() + " " + x);
                        if (back[i] == 0) zeros++;
                    }
                }
                assertTrue(zeros > 0 && zeros < back.length, "ternary uses zero and non-zero values");
            }
        }
    }

    @Test
    void binaryValuesAreSignTimesMeanAbs() {
        for (Matrix m : data) {
            Binary b = new Binary(Granularity.group(128));
            QuantizedTensor q = b.quantize(m.values(), m.rows(), m.rowLength());
            float[] back = b.dequantize(q);
            Segments seg = Segments.of(b.granularity(), m.rows(), m.rowLength());
            for (int k = 0; k < seg.count(); k++) {
                float s = q.scales()[k];
                for (int i = seg.start(k); i < seg.end(k); i++) {
                    assertEquals(m.values()[i] >= 0 ? s : -s, back[i], 0f, m.name() + " [" + i + "]");
                }
            }
        }
    }

    @Test
    void fp8IsTheNearestGridValueWithinItsRelativeError() {
        for (Matrix m : data) {
            for (Fp8.Format f : Fp8.Format.values()) {
                float[] table = f == Fp8.Format.E4M3 ? MiniFloats.E4M3FN : MiniFloats.E5M2;
                double rel = f == Fp8.Format.E4M3 ? 0x1p-4 : 0x1p-3;
                double minNormal = f == Fp8.Format.E4M3 ? 0x1p-6 : 0x1p-14;
                double halfSubnormal = f == Fp8.Format.E4M3 ? 0x1p-10 : 0x1p-17;
                for (Granularity g : List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
                    Fp8 s = new Fp8(f, g);
                    QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
                    float[] back = s.dequantize(q);
                    Segments seg = Segments.of(g, m.rows(), m.rowLength());
                    for (int k = 0; k < seg.count(); k++) {
                        float scale = q.scales()[k];
                        float amax = 0;
                        for (int i = seg.start(k); i < seg.end(k); i++) amax = Math.max(amax, Math.abs(m.values()[i]));
                        assertEquals(amax / f.max(), scale, 0f, "absmax / max finite");
                        for (int i = seg.start(k); i < seg.end(k); i++) {
                            double v = m.values()[i] / scale;
                            double got = table[q.codes()[i] & 0xFF];
                            double best = Double.MAX_VALUE;
                            for (float t : table) if (Float.isFinite(t)) best = Math.min(best, Math.abs(v - t));
                            assertEquals(best, Math.abs(v - got), 1e-12, s.id() + " nearest at " + i);
                            if (Math.abs(v) >= minNormal) {
                                assertTrue(Math.abs(v - got) <= rel * Math.abs(v) * (1 + 1e-6), s.id() + " rel err " + v);
                            } else {
                                assertTrue(Math.abs(v - got) <= halfSubnormal * (1 + 1e-6), s.id() + " subnormal " + v);
                            }
                            assertEquals(got * scale, back[i], Math.abs(got * scale) * 1e-6 + 1e-30);
                        }
                    }
                }
            }
        }
    }

    @Test
    void fp8RoundsTiesToEvenAndSaturates() {
        MiniFloatGrid g = MiniFloatGrid.E4M3;
        assertEquals(0x40, g.encode(2.0f));               // exact
        assertEquals(0x40, g.encode(2.125f));             // tie between 2.0 (even) and 2.25
        assertEquals(0x42, g.encode(2.375f));             // tie between 2.25 and 2.5 (even)
        assertEquals(0x7E, g.encode(1e6f));               // saturates at 448, never NaN
        assertEquals(0xFE, g.encode(-1e6f));
        assertEquals(0x7B, MiniFloatGrid.E5M2.encode(1e9f));
        assertEquals(0x01, g.encode(0x1p-9f));           // smallest subnormal
    }

    @Test
    void nf4CodesAreTheNearestTableEntries() {
        for (Matrix m : data) {
            Nf4 s = Nf4.standard(false);
            QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
            float[] back = s.dequantize(q);
            int[] codes = BitPacking.unpack(q.codes(), 4, q.elements());
            Segments seg = Segments.of(Granularity.group(64), m.rows(), m.rowLength());
            for (int k = 0; k < seg.count(); k++) {
                float a = q.scales()[k];
                float amax = 0;
                for (int i = seg.start(k); i < seg.end(k); i++) amax = Math.max(amax, Math.abs(m.values()[i]));
                assertEquals(amax, a, 0f);
                for (int i = seg.start(k); i < seg.end(k); i++) {
                    float v = m.values()[i] / a;
                    float best = Float.MAX_VALUE;
                    for (float t : CodeTables.NF4) best = Math.min(best, Math.abs(v - t));
                    assertEquals(best, Math.abs(v - CodeTables.NF4[codes[i]]), 0f, m.name() + " [" + i + "]");
                    assertEquals(CodeTables.NF4[codes[i]] * a, back[i], 0f);
                }
            }
        }
    }

    @Test
    void nf4DoubleQuantizationKeepsTheAbsmaxClose() {
        for (Matrix m : data) {
            Nf4 plain = Nf4.standard(false);
            Nf4 dq = Nf4.standard(true);
            QuantizedTensor qp = plain.quantize(m.values(), m.rows(), m.rowLength());
            QuantizedTensor qd = dq.quantize(m.values(), m.rows(), m.rowLength());
            assertArrayEquals(qp.codes(), qd.codes(), "same 4-bit codes");
            float[] exact = qp.scales();
            float[] decoded = Nf4Codec.absmax(dq, qd);
            for (int k = 0; k < exact.length; k++) {
                float s2 = qd.scales()[k / Nf4.SCALE_BLOCK];
                // the dynamic map's widest step is 0.9/64 (in [0.1, 1]): half of it is the worst rounding
                assertTrue(Math.abs(decoded[k] - exact[k]) <= 0.9 / 128 * s2 * (1 + 1e-5) + 1e-9,
                        m.name() + " block " + k + ": " + decoded[k] + " vs " + exact[k]);
            }
            assertTrue(qd.storedBytes() < qp.storedBytes());
            double ep = SchemeTestData.sse(m.values(), plain.dequantize(qp));
            double ed = SchemeTestData.sse(m.values(), dq.dequantize(qd));
            assertTrue(ed < ep * 1.05, m.name() + ": double quantization costs little accuracy " + ed + " vs " + ep);
        }
    }

    @Test
    void fp4ValuesAreNearestE2M1TimesTheBlockScale() {
        float[] mags = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        for (Matrix m : data) {
            Fp4 s = new Fp4(32);
            QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
            float[] back = s.dequantize(q);
            Segments seg = Segments.of(Granularity.group(32), m.rows(), m.rowLength());
            for (int k = 0; k < seg.count(); k++) {
                float scale = q.scales()[k];
                for (int i = seg.start(k); i < seg.end(k); i++) {
                    float v = Math.abs(m.values()[i] / scale);
                    float best = Float.MAX_VALUE;
                    for (float t : mags) best = Math.min(best, Math.abs(v - t));
                    assertTrue(v <= 6f, "scale covers the block");
                    assertEquals(best, Math.abs(v - Math.abs(back[i] / scale)), 1e-6f, m.name() + " [" + i + "]");
                }
            }
        }
    }

    @Test
    void mxfp4UsesThePowerOfTwoScaleOfTheMxSpec() {
        float[] mags = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        for (Matrix m : data) {
            Mxfp4 s = new Mxfp4();
            QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
            float[] back = s.dequantize(q);
            Segments seg = Segments.of(Granularity.group(32), m.rows(), m.rowLength());
            assertEquals(seg.count(), q.scaleCodes().length);
            for (int k = 0; k < seg.count(); k++) {
                float amax = 0;
                for (int i = seg.start(k); i < seg.end(k); i++) amax = Math.max(amax, Math.abs(m.values()[i]));
                double scale = MiniFloats.E8M0[q.scaleCodes()[k] & 0xFF];
                if (amax > 0) {
                    assertEquals(Math.pow(2, Math.floor(Math.log(amax) / Math.log(2)) - 2), scale, 0.0, "block " + k);
                }
                for (int i = seg.start(k); i < seg.end(k); i++) {
                    double v = Math.min(6.0, Math.abs(m.values()[i] / scale)); // saturation above 6
                    double best = Double.MAX_VALUE;
                    for (float t : mags) best = Math.min(best, Math.abs(v - t));
                    assertEquals(best, Math.abs(v - Math.abs(back[i] / scale)), 1e-6, m.name() + " [" + i + "]");
                    assertTrue(back[i] == 0 || Math.signum(back[i]) == Math.signum(m.values()[i]));
                }
            }
        }
    }

    @Test
    void keepIsTheIdentity() {
        for (Matrix m : data) {
            Keep k = Keep.INSTANCE;
            assertArrayEquals(m.values(), k.dequantize(k.quantize(m.values(), m.rows(), m.rowLength())));
        }
    }

    @Test
    void storedBytesMatchTheSizeAccounting() {
        List<QuantScheme> schemes = new ArrayList<>(List.of(
                new IntegerScheme(4, false, Granularity.group(128), Rounding.NEAREST),
                new IntegerScheme(3, true, Granularity.group(32), Rounding.MSE_CLIP),
                new IntegerScheme(5, false, Granularity.CHANNEL, Rounding.NEAREST),
                new IntegerScheme(7, true, Granularity.TENSOR, Rounding.NEAREST),
                new Ternary(Granularity.CHANNEL), new Binary(Granularity.group(64)),
                new Fp8(Fp8.Format.E4M3, Granularity.TENSOR), new Fp8(Fp8.Format.E5M2, Granularity.CHANNEL),
                Nf4.standard(false), Nf4.standard(true), new Fp4(16), new Mxfp4(),
                new GgmlBlock(dev.quantscope.tensor.DType.Q4_0)));
        for (Matrix m : data) {
            for (QuantScheme s : schemes) {
                if (s.unsupportedReason(m.rowLength()).isPresent()) continue;
                QuantizedTensor q = s.quantize(m.values(), m.rows(), m.rowLength());
                assertEquals(s.size(dev.quantscope.tensor.DType.F32, m.rows(), m.rowLength()).bytes(), q.storedBytes(),
                        m.name() + " " + s.id());
            }
        }
    }
}
