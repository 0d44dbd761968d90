package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte counts worked out by hand from each scheme's definition: codes + every scale, zero point and offset. */
class SchemeSizeTest {
    private static final long N = 4096L * 4096;

    private static QuantizedSize size(String id, long rows, long rowLength) {
        return QuantScheme.parse(id).size(DType.F16, rows, rowLength);
    }

    @Test
    void int4AsymGroup128IsFourAndAQuarterBits() {
        QuantizedSize s = size("int4-asym-g128-rtn", 4096, 4096);
        assertEquals(N / 2 + N / 128 * 4, s.bytes());          // nibbles + (f16 scale + f16 zero) per 128
        assertEquals(8_912_896L, s.bytes());
        assertEquals(4.25, s.bitsPerWeight(), 0.0);
        assertEquals(4.125, size("int4-sym-g128-mse", 4096, 4096).bitsPerWeight(), 0.0); // no zero point
    }

    @Test
    void oddBitWidthsAndShortGroupsCountExactly() {
        // 3 rows of 100: 300 codes × 3 bits = 900 bits = 113 bytes; 4 groups per row (32,32,32,4) × 3 rows × 2 bytes
        assertEquals(113 + 24, size("int3-sym-g32-rtn", 3, 100).bytes());
        // stories260K's ffn_down: 64 rows of 172, int8 with one f16 scale per row
        assertEquals(64 * 172 + 64 * 2, size("int8-sym-row-rtn", 64, 172).bytes());
        // one f16 scale and zero for the whole tensor
        assertEquals(64 * 172 * 5 / 8 + 4, size("int5-asym-tensor-rtn", 64, 172).bytes());
    }

    @Test
    void ternaryAndBinary() {
        assertEquals(64 * 64 * 2 / 8 + 64 * 2, size("ternary-row", 64, 64).bytes());
        assertEquals(2 * 256 / 8 + 2 * 2 * 2, size("binary-g128", 2, 256).bytes());
        assertEquals(1.0 + 16.0 / 128, size("binary-g128", 4096, 4096).bitsPerWeight(), 0.0);
    }

    @Test
    void floatSchemes() {
        assertEquals(N + 4096 * 4, size("fp8-e4m3-row", 4096, 4096).bytes());
        assertEquals(N + 4, size("fp8-e5m2-tensor", 4096, 4096).bytes());
        assertEquals(N / 2 + N / 64 * 4, size("nf4-b64", 4096, 4096).bytes());
        assertEquals(4.5, size("nf4-b64", 4096, 4096).bitsPerWeight(), 0.0);
        // 8-bit absmax per block of 64, an f32 per 256 blocks, one f32 offset
        assertEquals(N / 2 + N / 64 + N / 64 / 256 * 4 + 4, size("nf4-b64-dq", 4096, 4096).bytes());
        assertEquals(8_654_852L, size("nf4-b64-dq", 4096, 4096).bytes());
        assertEquals(N / 2 + N / 32, size("mxfp4", 4096, 4096).bytes());
        assertEquals(4.25, size("mxfp4", 4096, 4096).bitsPerWeight(), 0.0);
        assertEquals(16 + 2 * 2, size("fp4-e2m1-b16", 1, 32).bytes());
    }

    @Test
    void ggmlBlocksAndKeep() {
        assertEquals(256L * 144, size("ggml:Q4_K", 256, 256).bytes());
        assertEquals(4.5, size("ggml:Q4_K", 256, 256).bitsPerWeight(), 0.0);
        assertEquals(8.5, size("ggml:Q8_0", 64, 64).bitsPerWeight(), 0.0);
        assertEquals(200, size("keep", 10, 10).bytes());                                        // F16 source
        assertEquals(400, Keep.INSTANCE.size(DType.F32, 10, 10).bytes());
        assertTrue(new GgmlBlock(DType.Q4_K).unsupportedReason(172).isPresent());
        assertThrows(IllegalArgumentException.class, () -> size("ggml:Q4_K", 64, 172));
    }

    @Test
    void largeTensorsDoNotOverflow() {
        QuantizedSize s = size("int4-asym-g128-rtn", 1L << 20, 1L << 20);
        assertEquals((1L << 40) / 2 + (1L << 40) / 32, s.bytes());
    }
}
