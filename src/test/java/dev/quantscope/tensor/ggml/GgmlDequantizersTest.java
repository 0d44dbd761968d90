package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.MiniFloats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class GgmlDequantizersTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K", "IQ4_NL", "TQ1_0", "TQ2_0", "MXFP4", "Q8_K"})
    void supportedTypesAreDecodable(DType type) {
        assertNotNull(GgmlDequantizers.find(type));
        assertTrue(Decoders.find(type).isPresent());
        assertEquals(type, GgmlDequantizers.scalar(type).type());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_1", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ3_S", "IQ2_S",
            "IQ4_XS", "IQ1_M"})
    void otherBlockTypesAreNotDecodable(DType type) {
        assertNull(GgmlDequantizers.find(type));
        assertTrue(Decoders.find(type).isEmpty());
    }

    @Test
    void rangesMustBeWholeBlocksInsideTheSource() {
        ElementDecoder q4k = GgmlDequantizers.find(DType.Q4_K);
        MemorySegment twoBlocks = MemorySegment.ofArray(new byte[2 * 144]);
        float[] dst = new float[512];
        assertThrows(IllegalArgumentException.class, () -> q4k.decode(twoBlocks, 32, dst, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> q4k.decode(twoBlocks, 0, dst, 0, 100));
        assertThrows(IndexOutOfBoundsException.class, () -> q4k.decode(twoBlocks, 256, dst, 0, 512));
        assertThrows(IndexOutOfBoundsException.class, () -> q4k.decode(twoBlocks, 0, dst, 300, 256));
        q4k.decode(twoBlocks, 512, dst, 0, 0); // an empty range at the end is fine
        q4k.decode(twoBlocks, 256, dst, 256, 256);
    }

    /** MXFP4 against an independent route: the OCP FP4 E2M1 table times the E8M0 scale 2^(e-127). */
    @Test
    void mxfp4MatchesE2m1TimesE8m0() {
        ElementDecoder mxfp4 = GgmlDequantizers.find(DType.MXFP4);
        byte[] block = new byte[17];
        for (int j = 0; j < 16; j++) block[1 + j] = (byte) (j | (15 - j) << 4);
        float[] out = new float[32];
        for (int e = 0; e < 255; e++) { // 255 is NaN in E8M0; ggml does not special-case it
            block[0] = (byte) e;
            mxfp4.decode(MemorySegment.ofArray(block), 0, out, 0, 32);
            float scale = MiniFloats.E8M0[e];
            for (int j = 0; j < 16; j++) {
                float lo = MiniFloats.E2M1[j] * scale, hi = MiniFloats.E2M1[15 - j] * scale;
                // ggml's table has +0 where E2M1 has -0 (code 8): compare values, then signs apart from zero.
                assertEquals(lo == 0 ? 0f : lo, out[j], "e=" + e + " j=" + j);
                assertEquals(hi == 0 ? 0f : hi, out[16 + j], "e=" + e + " j=" + (16 + j));
            }
        }
    }

    /** Q8_K has no test vector from ggml: checked against its definition, weight = d * q with a float d. */
    @Test
    void q8kIsFloatScaleTimesCode() {
        Random random = new Random(8);
        byte[] block = new byte[292];
        random.nextBytes(block);
        MemorySegment seg = MemorySegment.ofArray(block);
        float d = 0.0123f;
        seg.set(Layouts.F32, 0, d);
        float[] out = new float[256];
        GgmlDequantizers.find(DType.Q8_K).decode(seg, 0, out, 0, 256);
        for (int j = 0; j < 256; j++) assertEquals(d * block[4 + j], out[j], "j=" + j);
    }
}
