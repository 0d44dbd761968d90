package dev.quantscope.format.safetensors;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.quantscope.format.safetensors.SafetensorsTestWriter.f32;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.i64;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Sparse checkpoints broken in one place each: every one is refused with a single line that names the file, the
 * tensor that is wrong and what is wrong with it, never with a wrong dense tensor.
 */
class SparseMalformedTest {
    @TempDir
    Path dir;

    private static final long[] DIMS = {8, 12};

    /** q.weight as sparse-bitmask: 8 rows of 12, every third element kept (32 values). */
    private static Map<String, SparseTestWriter.Part> valid() {
        float[] dense = new float[96];
        for (int i = 0; i < dense.length; i += 3) dense[i] = i + 1;
        return new LinkedHashMap<>(SparseTestWriter.bitmask("q", "F32", DIMS, dense));
    }

    private static SparseTestWriter.Part with(SparseTestWriter.Part p, String dtype, long[] shape, byte[] bytes) {
        return new SparseTestWriter.Part(dtype == null ? p.dtype() : dtype, shape == null ? p.shape() : shape,
                bytes == null ? p.bytes() : bytes);
    }

    private static Arguments broken(String label, String tensor, String says, Consumer<Map<String, SparseTestWriter.Part>> edit) {
        return Arguments.of(label, tensor, says, edit, null);
    }

    private static Arguments brokenWithConfig(String label, String tensor, String says, String format,
                                              Consumer<Map<String, SparseTestWriter.Part>> edit) {
        return Arguments.of(label, tensor, says, edit, format);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                broken("bitmask one byte short", "q.bitmask", "has 15 bytes, but dims [8, 12] need 16 (8 rows of 2)",
                        m -> m.put("q.bitmask", with(m.get("q.bitmask"), null, new long[] {15},
                                Arrays.copyOf(m.get("q.bitmask").bytes(), 15)))),
                broken("bitmask one byte long", "q.bitmask", "has 17 bytes",
                        m -> m.put("q.bitmask", with(m.get("q.bitmask"), null, new long[] {17},
                                Arrays.copyOf(m.get("q.bitmask").bytes(), 17)))),
                broken("a bit too many", "q.bitmask", "marks 33 values as kept, but 'q.compressed' holds 32",
                        m -> m.get("q.bitmask").bytes()[14] |= 0b10), // in the last row, so the offsets still hold
                broken("a value too few", "q.bitmask", "marks 32 values as kept, but 'q.compressed' holds 31",
                        m -> m.put("q.compressed", with(m.get("q.compressed"), null, new long[] {31},
                                Arrays.copyOf(m.get("q.compressed").bytes(), 31 * 4)))),
                broken("no shape", "q.compressed", "has no 'q.shape' beside it", m -> m.remove("q.shape")),
                broken("no bitmask", "q.compressed", "has no 'q.bitmask' beside it", m -> m.remove("q.bitmask")),
                broken("no values", "q.bitmask", "has no 'q.compressed' beside it", m -> m.remove("q.compressed")),
                broken("shape as floats", "q.shape", "is F32, but it should hold the dense tensor's dims as integers",
                        m -> m.put("q.shape", new SparseTestWriter.Part("F32", new long[] {2}, f32(8, 12)))),
                broken("nine dims", "q.shape", "holds 9 dims; a dense tensor has 1 to 8",
                        m -> m.put("q.shape", new SparseTestWriter.Part("I64", new long[] {9}, i64(1, 1, 1, 1, 1, 1, 1, 8, 12)))),
                broken("negative dim", "q.shape", "dim 0 is -8",
                        m -> m.put("q.shape", new SparseTestWriter.Part("I64", new long[] {2}, i64(-8, 12)))),
                broken("rows past any count", "q.shape", "have more elements than a tensor can hold",
                        m -> m.put("q.shape", new SparseTestWriter.Part("I64", new long[] {3}, i64(1L << 32, 1L << 32, 1)))),
                broken("dense bytes past any size", "q.shape", "take more bytes than a tensor can hold",
                        m -> m.put("q.shape", new SparseTestWriter.Part("I64", new long[] {2}, i64(1L << 40, 1L << 22)))),
                broken("bitmask of floats", "q.bitmask", "is F32, but a bitmask is packed bytes (U8)",
                        m -> m.put("q.bitmask", with(m.get("q.bitmask"), "F32", new long[] {4}, null))),
                broken("values of four bits", "q.compressed", "holds F4_E2M1 values",
                        m -> m.put("q.compressed", with(m.get("q.compressed"), "F4", new long[] {256}, null))),
                broken("row offsets off by one", "q.row_offsets", "says row 2 starts at value 9, but the bitmask keeps 8",
                        m -> m.get("q.row_offsets").bytes()[16] = 9),
                broken("a row offset missing", "q.row_offsets", "has 7 entries for 8 rows",
                        m -> m.put("q.row_offsets", with(m.get("q.row_offsets"), null, new long[] {7},
                                Arrays.copyOf(m.get("q.row_offsets").bytes(), 56)))),
                broken("stored twice", "q.compressed", "stands for 'q.weight', which the checkpoint also stores uncompressed",
                        m -> m.put("q.weight", new SparseTestWriter.Part("F32", new long[] {1}, f32(1)))),
                brokenWithConfig("2:4 values not [rows, cols/2]", "q.compressed",
                        "has shape [32], but sparse-24-bitmask keeps half of each row of a [8, 12] matrix as [8, 6]",
                        "sparse-24-bitmask", m -> { }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedInOneLine(String label, String tensor, String says, Consumer<Map<String, SparseTestWriter.Part>> edit,
                            String configFormat) throws Exception {
        Map<String, SparseTestWriter.Part> parts = valid();
        edit.accept(parts);
        Path folder = Files.createDirectories(dir.resolve("m"));
        Path file = SparseTestWriter.write(new SafetensorsTestWriter(), parts).write(folder.resolve("model.safetensors"));
        if (configFormat != null) {
            Files.writeString(folder.resolve("config.json"),
                    "{\"quantization_config\": {\"sparsity_config\": {\"format\": \"" + configFormat + "\"}}}");
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelOpener.open(folder).close());
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.startsWith(file + ": tensor '" + tensor + "' at byte "), message);
        assertTrue(message.contains(says), message);
        assertEquals(file, e.file());
    }
}
