package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Byte-for-byte comparison with ggml's own reference quantizer run on known rows
 * ({@code shared/testvectors/ggml-quants}: 4 rows of 512 floats covering gaussian, outliers, exact zeros and
 * uniform data).
 */
class GgmlReferenceVectorsTest {
    private static final String DIR = "testvectors/ggml-quants/";

    static Stream<DType> types() {
        return Stream.of(DType.Q8_0, DType.Q5_0, DType.Q5_1, DType.Q4_0, DType.Q4_1, DType.Q6_K, DType.Q5_K,
                DType.Q4_K, DType.Q3_K, DType.Q2_K, DType.IQ4_NL, DType.TQ1_0, DType.TQ2_0);
    }

    /** ggml's type name, as the vector files are named: lower case except the K of k-quants ("q4_K"). */
    static String ggmlName(DType type) {
        return type.name().toLowerCase(Locale.ROOT).replace("_k", "_K");
    }

    static float[] readFloats(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    @ParameterizedTest
    @MethodSource("types")
    void bytesEqualGgmlReference(DType type) throws IOException {
        float[] input = readFloats(SharedFiles.file(DIR + "input.f32"));
        assertEquals(4 * 512, input.length);
        byte[] expected = Files.readAllBytes(SharedFiles.file(DIR + ggmlName(type) + ".bin"));

        GgmlQuantizer q = GgmlQuantizer.create(type);
        assertEquals(type, q.type());
        assertEquals(expected.length, q.byteSize(input.length));

        // quantized row by row, as ggml_quantize_chunk does
        byte[] actual = new byte[expected.length];
        int rowBytes = (int) q.byteSize(512);
        for (int r = 0; r < 4; r++) q.quantize(input, r * 512, 512, actual, r * rowBytes);
        assertSameBytes(type, expected, actual);

        // the MemorySegment path, all rows at once, into a segment at a non-zero offset
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(expected.length + 7);
            q.quantize(input, 0, input.length, seg, 7);
            byte[] viaSegment = seg.asSlice(7).toArray(ValueLayout.JAVA_BYTE);
            assertSameBytes(type, expected, viaSegment);
        }
    }

    static void assertSameBytes(DType type, byte[] expected, byte[] actual) {
        int at = Arrays.mismatch(expected, actual);
        if (at < 0) return;
        int block = at / type.blockBytes();
        fail(type + ": first difference at byte " + at + " (block " + block + ", byte " + at % type.blockBytes()
                + " of the block): ggml " + (expected[at] & 0xFF) + ", ours " + (actual[at] & 0xFF)
                + "; differing blocks " + differingBlocks(type, expected, actual));
    }

    private static String differingBlocks(DType type, byte[] expected, byte[] actual) {
        int bb = type.blockBytes();
        int count = 0;
        for (int b = 0; b < expected.length / bb; b++) {
            if (!Arrays.equals(expected, b * bb, (b + 1) * bb, actual, b * bb, (b + 1) * bb)) count++;
        }
        return count + " of " + expected.length / bb;
    }
}
