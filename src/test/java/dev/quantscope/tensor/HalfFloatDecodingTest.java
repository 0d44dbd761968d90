package dev.quantscope.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The F16/BF16 decoders against the one-value-at-a-time definitions, for every 16-bit code, once JIT-compiled
 * (C2 vectorises the per-element segment reads; a hand-written bulk path measured slower, so there is none).
 */
class HalfFloatDecodingTest {

    @Test
    void everyCodeDecodesBitForBitAtAnyAlignmentAndOffset() {
        int codes = 1 << 16;
        try (Arena arena = Arena.ofConfined()) {
            // a slice at an odd byte offset: the reads are unaligned
            MemorySegment s = arena.allocate(2L * codes + 8, 8).asSlice(3, 2L * codes + 2);
            for (int c = 0; c < codes; c++) s.setAtIndex(Layouts.I16, c + 1, (short) c); // element 0 is padding
            ElementDecoder f16 = Decoders.find(DType.F16).orElseThrow();
            ElementDecoder bf16 = Decoders.find(DType.BF16).orElseThrow();
            // many rounds first so that the loops are JIT-compiled (and vectorised) when they are checked below
            float[] warm = new float[codes];
            for (int round = 0; round < 300; round++) {
                f16.decode(s, 1, warm, 0, codes);
                bf16.decode(s, 1, warm, 0, codes);
            }
            for (int[] cut : new int[][] {{1, codes}, {1, 1}, {5, 2047}, {100, 2049}, {4097, 12345}}) {
                int first = cut[0], n = cut[1];
                float[] a = new float[n + 7], b = new float[n + 7];
                f16.decode(s, first, a, 7, n);
                bf16.decode(s, first, b, 7, n);
                for (int i = 0; i < n; i++) {
                    short code = s.getAtIndex(Layouts.I16, first + i);
                    assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(code)), Float.floatToRawIntBits(a[7 + i]),
                            "F16 code " + Integer.toHexString(code & 0xFFFF));
                    assertEquals(Float.floatToRawIntBits(Float.intBitsToFloat(code << 16)), Float.floatToRawIntBits(b[7 + i]),
                            "BF16 code " + Integer.toHexString(code & 0xFFFF));
                }
                for (int i = 0; i < 7; i++) assertEquals(0f, a[i], "nothing written before the offset");
            }
        }
    }
}
