package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Decodes the bytes ggml's own quantizer wrote ({@code shared/testvectors/ggml-quants}) and compares every float
 * with ggml's own dequantization of them, bit for bit.
 */
class GgmlReferenceVectorsTest {
    static final Path DIR = Path.of(System.getProperty("quantscope.shared", "../shared"), "testvectors", "ggml-quants");
    static final int ELEMENTS = 4 * 512;

    /** File-name stems of the block types in the test vectors (ggml's own type names). */
    static final String[] QUANT_TYPES = {
            "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "iq4_nl", "tq1_0", "tq2_0"};

    @Test
    void everyQuantTypeOfTheVectorsIsCovered() throws IOException {
        try (var files = Files.list(DIR)) {
            String[] stems = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".bin")).map(n -> n.substring(0, n.length() - 4))
                    .filter(n -> !n.equals("f16") && !n.equals("bf16")).sorted().toArray(String[]::new);
            String[] ours = QUANT_TYPES.clone();
            Arrays.sort(ours);
            assertArrayEquals(ours, stems);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K",
            "iq4_nl", "tq1_0", "tq2_0"})
    void decoderFromDecodersMatchesGgml(String stem) throws IOException {
        DType type = typeOf(stem);
        ElementDecoder decoder = Decoders.find(type).orElseThrow(() -> new AssertionError(type + " not decodable"));
        assertDecodesLikeGgml(stem, decoder);
    }

    @ParameterizedTest
    @ValueSource(strings = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K",
            "iq4_nl", "tq1_0", "tq2_0"})
    void scalarDecoderMatchesGgml(String stem) throws IOException {
        assertDecodesLikeGgml(stem, GgmlDequantizers.scalar(typeOf(stem)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"q4_0", "q4_1", "q5_0", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "iq4_nl"})
    void vectorDecoderMatchesGgml(String stem) throws IOException {
        assumeTrue(GgmlDequantizers.vectorModulePresent(), "jdk.incubator.vector not loaded");
        GgmlBlockDecoder vector = GgmlDequantizers.vector(typeOf(stem));
        assertNotNull(vector);
        assertDecodesLikeGgml(stem, vector);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f16", "bf16"})
    void plainHalfTypesMatchGgml(String stem) throws IOException {
        DType type = typeOf(stem);
        assertDecodesLikeGgml(stem, Decoders.find(type).orElseThrow());
    }

    /** A range that starts mid-tensor, written at an offset of dst, equals that slice of the full decode. */
    @ParameterizedTest
    @ValueSource(strings = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K",
            "iq4_nl", "tq1_0", "tq2_0"})
    void subRangeEqualsSliceOfFullDecode(String stem) throws IOException {
        DType type = typeOf(stem);
        MemorySegment src = MemorySegment.ofArray(Files.readAllBytes(DIR.resolve(stem + ".bin")));
        float[] expected = readFloats(DIR.resolve(stem + ".dequant.f32"));
        int block = type.blockElements();
        for (ElementDecoder decoder : decodersOf(type)) {
            float[] full = new float[ELEMENTS];
            decoder.decode(src, 0, full, 0, ELEMENTS);
            // Start after the first row's first block, end one block before the end: crosses row boundaries.
            long first = 512 + block;
            int count = ELEMENTS - (int) first - block;
            int dstOffset = 7;
            float[] part = new float[dstOffset + count + 3];
            Arrays.fill(part, Float.NaN);
            decoder.decode(src, first, part, dstOffset, count);
            assertBitsEqual(Arrays.copyOfRange(full, (int) first, (int) first + count),
                    Arrays.copyOfRange(part, dstOffset, dstOffset + count), stem + " sub-range " + decoder);
            assertBitsEqual(Arrays.copyOfRange(expected, (int) first, (int) first + count),
                    Arrays.copyOfRange(part, dstOffset, dstOffset + count), stem + " sub-range vs ggml " + decoder);
            // Nothing written outside [dstOffset, dstOffset + count).
            for (int i = 0; i < dstOffset; i++) assertTrue(Float.isNaN(part[i]), "wrote before dstOffset");
            for (int i = dstOffset + count; i < part.length; i++) assertTrue(Float.isNaN(part[i]), "wrote past count");
            // A single block in the middle.
            float[] one = new float[block];
            decoder.decode(src, 3L * block, one, 0, block);
            assertBitsEqual(Arrays.copyOfRange(full, 3 * block, 4 * block), one, stem + " block 3 " + decoder);
        }
    }

    private static GgmlBlockDecoder[] decodersOf(DType type) {
        GgmlBlockDecoder scalar = GgmlDequantizers.scalar(type);
        GgmlBlockDecoder vector = GgmlDequantizers.vectorModulePresent() ? GgmlDequantizers.vector(type) : null;
        return vector == null ? new GgmlBlockDecoder[] {scalar} : new GgmlBlockDecoder[] {scalar, vector};
    }

    static DType typeOf(String stem) {
        return DType.ofName(stem).orElseThrow(() -> new AssertionError("no DType " + stem));
    }

    /** Decodes {@code <stem>.bin} from native memory (as a mapped file would be) and compares with ggml's floats. */
    private static void assertDecodesLikeGgml(String stem, ElementDecoder decoder) throws IOException {
        DType type = typeOf(stem);
        byte[] bytes = Files.readAllBytes(DIR.resolve(stem + ".bin"));
        assertEquals(type.byteSize(ELEMENTS), bytes.length, stem + ".bin size");
        float[] expected = readFloats(DIR.resolve(stem + ".dequant.f32"));
        assertEquals(ELEMENTS, expected.length);
        float[] actual = new float[ELEMENTS];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(bytes.length, 64);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, src, 0, bytes.length);
            decoder.decode(src, 0, actual, 0, ELEMENTS);
        }
        assertBitsEqual(expected, actual, stem + " " + decoder);
        // The vectors are real data: a decoder writing zeros everywhere must not pass by accident.
        assertTrue(Arrays.stream(box(actual)).anyMatch(f -> f != 0f), "all zeros");
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                if (first < 0) first = i;
                mismatches++;
            }
        }
        if (first >= 0) {
            fail(what + ": " + mismatches + " of " + expected.length + " floats differ; first at " + first
                    + ": expected " + expected[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[first]))
                    + ") but was " + actual[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[first])) + ")");
        }
    }

    static float[] readFloats(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(out);
        return out;
    }

    private static Float[] box(float[] a) {
        Float[] out = new Float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
