package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The F16 kernel's shortcut (bits moved into place, the activation scaled by 2^112) against the full conversion:
 * bit for bit, on every kind of half (subnormals, zeros of both signs, the largest), and a tensor holding an
 * infinity or a NaN is noticed and takes the full conversion.
 */
class F16KernelTest {
    static final int ROWS = 9, COLS = 4 * 64 + 5; // a tail past the last whole vector

    @Test
    void shortcutEqualsTheFullConversionBitForBit() {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(3);
            TensorInfo t = tensor(arena, i -> {
                int kind = rnd.nextInt(5);
                return switch (kind) {
                    case 0 -> (short) rnd.nextInt(0x0400);            // zero or subnormal, positive
                    case 1 -> (short) (0x8000 | rnd.nextInt(0x0400)); // negative subnormal or -0
                    case 2 -> (short) 0x7bff;                          // the largest half, 65504
                    default -> (short) (rnd.nextInt(0x7c00) | (rnd.nextBoolean() ? 0x8000 : 0)); // any finite half
                };
            });
            float[] v = KernelsTest.activation(8, COLS);
            v[7] = 70000; // rounds to infinity in F16: the activation's own infinities stay infinite
            v[8] = 1e-7f; // an F16 subnormal
            Activation x = Activation.of(v);
            VectorKernels.F16 k = new VectorKernels.F16(t);
            for (int r = 0; r < ROWS; r++) {
                x.ensureF16();
                float fast = k.rowDot(x, r * k.rowBytes, null);
                float full = fullConversion(k, x, r);
                assertEquals(Float.floatToRawIntBits(full), Float.floatToRawIntBits(fast), "row " + r);
            }
        }
    }

    @Test
    void aTensorWithAnInfinityOrANaNTakesTheFullConversion() {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            for (short special : new short[] {(short) 0x7c00, (short) 0xfc00, (short) 0x7e01}) {
                TensorInfo t = tensor(arena, i -> i == 3 * COLS + 100 ? special : Float.floatToFloat16(0.5f));
                assertTrue(VectorKernels.F16.hasInfinityOrNaN(t.data()));
                float[] out = new float[ROWS];
                new VectorKernels.F16(t).matvec(Activation.of(KernelsTest.activation(2, COLS)), out, 0, ROWS);
                assertFalse(Float.isFinite(out[3]), "row 3 holds " + Integer.toHexString(special & 0xFFFF));
                assertTrue(Float.isFinite(out[2]));
            }
            assertFalse(VectorKernels.F16.hasInfinityOrNaN(tensor(arena, i -> (short) 0x7bff).data()));
        }
    }

    private static float fullConversion(VectorKernels.F16 k, Activation x, int r) {
        float[] y = x.f16();
        jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.zero(VectorKernels.F);
        int i = 0, L = VectorKernels.L;
        long at = r * k.rowBytes;
        for (; i + L <= COLS; i += L) acc = VectorKernels.halfToFloat(k.data, at + 2L * i).fma(VectorKernels.y(y, i), acc);
        float sum = VectorKernels.sumLanes(acc);
        for (; i < COLS; i++) sum += ScalarKernels.half(k.data, at + 2L * i) * y[i];
        return sum;
    }

    private static TensorInfo tensor(Arena arena, java.util.function.IntFunction<Short> half) {
        MemorySegment seg = arena.allocate(2L * ROWS * COLS, 64);
        for (int i = 0; i < ROWS * COLS; i++) seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, half.apply(i));
        return new TensorInfo("f16", Shape.ggml(COLS, ROWS), DType.F16, 2L * ROWS * COLS, seg);
    }
}
