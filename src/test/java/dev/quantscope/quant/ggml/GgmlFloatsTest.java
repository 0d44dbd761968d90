package dev.quantscope.quant.ggml;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The rounding primitives: each must round the way ggml's C does, which differs between them. */
class GgmlFloatsTest {

    @Test
    void nearestIntRoundsHalfToEven() {
        assertEquals(0, GgmlFloats.nearestInt(0.5f));
        assertEquals(2, GgmlFloats.nearestInt(1.5f));
        assertEquals(2, GgmlFloats.nearestInt(2.5f));
        assertEquals(-2, GgmlFloats.nearestInt(-2.5f));
        assertEquals(-4, GgmlFloats.nearestInt(-3.5f));
        assertEquals(3, GgmlFloats.nearestInt(2.5000002f));
        assertEquals(0, GgmlFloats.nearestInt(-0.49999997f));
        assertEquals(4194303, GgmlFloats.nearestInt(4194303f));
        assertEquals(-4194303, GgmlFloats.nearestInt(-4194303f));
    }

    @Test
    void roundHalfAwayMatchesCRoundf() {
        assertEquals(1f, GgmlFloats.roundHalfAway(0.5f));
        assertEquals(-1f, GgmlFloats.roundHalfAway(-0.5f));
        assertEquals(3f, GgmlFloats.roundHalfAway(2.5f));
        assertEquals(-3f, GgmlFloats.roundHalfAway(-2.5f));
        // the largest float below 0.5: a float addition of 0.5 would round it up to 1
        assertEquals(0f, GgmlFloats.roundHalfAway(0.49999997f));
        assertEquals(-0f, GgmlFloats.roundHalfAway(-0.49999997f));
        assertEquals(8388609f, GgmlFloats.roundHalfAway(8388609f));
    }

    @Test
    void halfConversionRoundsToNearestEven() {
        // 1 + 2^-11 lies exactly between two halves (1 and 1 + 2^-10): ties go to the even mantissa
        assertEquals((short) 0x3C00, GgmlFloats.toHalf(1f + 0x1p-11f));
        assertEquals((short) 0x3C02, GgmlFloats.toHalf(1f + 3 * 0x1p-11f));
        assertEquals((short) 0x8000, GgmlFloats.toHalf(-0f));
        assertEquals((short) 0x7C00, GgmlFloats.toHalf(65520f)); // rounds up past the largest half
        assertEquals((short) 0x0001, GgmlFloats.toHalf(0x1p-24f)); // smallest subnormal
        assertEquals(0.5f, GgmlFloats.fromHalf((short) 0x3800));
        byte[] b = new byte[3];
        GgmlFloats.putHalf(b, 1, (short) 0xABCD);
        assertArrayEquals(new byte[] {0, (byte) 0xCD, (byte) 0xAB}, b);
    }
}
