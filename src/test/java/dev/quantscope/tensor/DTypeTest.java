package dev.quantscope.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

class DTypeTest {
    @Test
    void ggmlBlockSizesMatchGgmlCommon() {
        assertEquals(18, DType.Q4_0.blockBytes());
        assertEquals(210, DType.Q6_K.blockBytes());
        assertEquals(144, DType.Q4_K.byteSize(256));
        assertEquals(DType.Q8_0, DType.ofGgmlId(8).orElseThrow());
        assertTrue(DType.ofGgmlId(4).isEmpty(), "Q4_2 was removed from ggml");
        assertEquals(4.5, DType.Q4_0.bitsPerElement());
        assertThrows(IllegalArgumentException.class, () -> DType.Q4_0.byteSize(33));
    }

    @Test
    void fp8TablesFollowTheOcpDefinitions() {
        assertEquals(448f, MiniFloats.E4M3FN[0x7E]);
        assertTrue(Float.isNaN(MiniFloats.E4M3FN[0x7F]));
        assertEquals(0.001953125f, MiniFloats.E4M3FN[0x01]); // smallest subnormal 2^-9
        assertEquals(57344f, MiniFloats.E5M2[0x7B]);
        assertEquals(Float.POSITIVE_INFINITY, MiniFloats.E5M2[0x7C]);
        assertEquals(1f, MiniFloats.E8M0[127]);
    }

    @Test
    void halfAndBfloatDecodeLittleEndian() {
        MemorySegment s = MemorySegment.ofArray(new byte[] {0x00, 0x3C, (byte) 0x80, 0x3F});
        float[] out = new float[1];
        Decoders.find(DType.F16).orElseThrow().decode(s, 0, out, 0, 1);
        assertEquals(1f, out[0]);
        Decoders.find(DType.BF16).orElseThrow().decode(s, 1, out, 0, 1);
        assertEquals(1f, out[0]);
    }
}
