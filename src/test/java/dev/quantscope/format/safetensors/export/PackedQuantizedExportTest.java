package dev.quantscope.format.safetensors.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.safetensors.SafetensorsReader;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackedQuantizedExportTest {
    @TempDir
    Path dir;

    /**
     * Worked by hand from compressed-tensors' pack_to_int32: 8 bits, values [1, 2] are offset by 128 to
     * [129, 130], padded to [129, 130, 0, 0], and placed lowest first: 0x00008281 = 33409 (its docstring's example).
     */
    @Test
    void packToInt32ByHandEightBits() {
        int[] out = new int[1];
        Int32Packing.packRow(new byte[] {1, 2}, 0, 2, 8, out, 0);
        assertArrayEquals(new int[] {33409}, out);
    }

    /**
     * 4 bits, codes -8..7 offset by 8 to 0..15: the first eight (0..7) make 0x76543210, the next eight (8..15)
     * make 0xFEDCBA98, which as a signed int32 is -19088744.
     */
    @Test
    void packToInt32ByHandFourBits() {
        byte[] codes = new byte[16];
        for (int i = 0; i < 16; i++) codes[i] = (byte) (i - 8);
        int[] out = new int[2];
        Int32Packing.packRow(codes, 0, 16, 4, out, 0);
        assertArrayEquals(new int[] {0x76543210, -19088744}, out);
        // along dimension 0: a column of 9 rows takes two ints; the ninth code sits alone, low bits, padded with 0
        byte[] column = {-8, -7, -6, -5, -4, -3, -2, -1, 7};
        assertArrayEquals(new int[] {0x76543210, 0xF}, Int32Packing.packColumns(column, 9, 1, 4));
    }

    /** compressed-tensors' unpack_from_int32, restated independently: (word >> bits·i) & mask, minus 2^(bits-1). */
    private static int[][] unpack(TensorInfo packed, int bits, int rows, int columns, boolean alongRows) {
        int factor = 32 / bits;
        int mask = (1 << bits) - 1;
        int offset = 1 << (bits - 1);
        long[] dims = packed.shape().dims();
        int[][] out = new int[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                long index = alongRows ? (long) (r / factor) * dims[1] + c : (long) r * dims[1] + c / factor;
                int word = packed.data().getAtIndex(Layouts.I32, index);
                int shift = bits * (alongRows ? r % factor : c % factor);
                out[r][c] = ((word >>> shift) & mask) - offset;
            }
        }
        return out;
    }

    private static PackedLinearWeight random(PackedScheme s, int rows, int columns, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] codes = new byte[rows * columns];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) rnd.nextInt(s.minCode(), s.maxCode() + 1);
        int groups = s.groups(columns);
        float[] scales = new float[rows * groups];
        // multiples of 2^-10 up to 1: exact in BF16 and F16, so they can be compared exactly after the round trip
        for (int i = 0; i < scales.length; i++) scales[i] = (rnd.nextInt(1, 128)) / 1024f;
        byte[] zps = null;
        if (!s.symmetric()) {
            zps = new byte[rows * groups];
            for (int i = 0; i < zps.length; i++) zps[i] = (byte) rnd.nextInt(s.minCode(), s.maxCode() + 1);
        }
        return new PackedLinearWeight(rows, columns, codes, scales, zps);
    }

    private void roundTrip(PackedScheme scheme, int rows, int columns) throws IOException {
        PackedLinearWeight w = random(scheme, rows, columns, rows * 31L + columns);
        float[] norm = {1f, 2f, 3f};
        List<PackedQuantizedExport.Entry> entries = List.of(
                new PackedQuantizedExport.Quantized("model.layers.0.mlp.up_proj", rows, columns, () -> w),
                new PackedQuantizedExport.Dense(new DequantizedTensor("model.norm.weight", new long[] {3},
                        FloatFormat.BF16, RowSource.of(norm, 1, 3))));
        Path out = dir.resolve("packed-" + scheme.bits() + scheme.symmetric() + ".safetensors");
        PackedQuantizedExport.write(scheme, entries, Map.of(), out, List.of(), ProgressMonitor.NONE);

        try (Model m = SafetensorsReader.open(out)) {
            @SuppressWarnings("unchecked")
            Map<String, String> meta = (Map<String, String>) m.metadata().get("__metadata__");
            assertEquals("pt", meta.get("format"));
            assertEquals(scheme.describe(), meta.get("quantization.scheme"));
            String p = "model.layers.0.mlp.up_proj.";
            int factor = 32 / scheme.bits();
            int groups = scheme.groups(columns);

            TensorInfo packed = m.tensor(p + "weight_packed").orElseThrow();
            assertEquals(DType.I32, packed.dtype());
            assertArrayEquals(new long[] {rows, (columns + factor - 1) / factor}, packed.shape().dims());
            int[][] codes = unpack(packed, scheme.bits(), rows, columns, false);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) assertEquals(w.codes()[r * columns + c], codes[r][c], "code " + r + "," + c);
            }

            TensorInfo scale = m.tensor(p + "weight_scale").orElseThrow();
            assertEquals(scheme.scaleFormat().dtype().dtype(), scale.dtype());
            assertArrayEquals(new long[] {rows, groups}, scale.shape().dims());
            assertArrayEquals(w.scales(), Decoders.decodeAll(scale));

            TensorInfo shape = m.tensor(p + "weight_shape").orElseThrow();
            assertEquals(DType.I64, shape.dtype());
            assertArrayEquals(new long[] {2}, shape.shape().dims());
            assertEquals(rows, shape.data().getAtIndex(Layouts.I64, 0));
            assertEquals(columns, shape.data().getAtIndex(Layouts.I64, 1));

            assertEquals(!scheme.symmetric(), m.tensor(p + "weight_zero_point").isPresent());
            if (!scheme.symmetric()) {
                TensorInfo zp = m.tensor(p + "weight_zero_point").orElseThrow();
                assertEquals(DType.I32, zp.dtype());
                assertArrayEquals(new long[] {(rows + factor - 1) / factor, groups}, zp.shape().dims());
                int[][] zps = unpack(zp, scheme.bits(), rows, groups, true);
                for (int r = 0; r < rows; r++) {
                    for (int g = 0; g < groups; g++) assertEquals(w.zeroPoints()[r * groups + g], zps[r][g], "zp " + r + "," + g);
                }
            }
            assertArrayEquals(norm, Decoders.decodeAll(m.tensor("model.norm.weight").orElseThrow()));
            assertFalse(m.tensor(p + "weight").isPresent(), "no dense weight next to the packed one");
        }
    }

    @Test
    void fourBitAsymmetricGroupsRoundTrip() throws IOException {
        // 10 rows: zero points need a padded second int32 row (10 is not a multiple of 8)
        roundTrip(new PackedScheme(4, false, 16, FloatFormat.BF16), 10, 64);
    }

    @Test
    void fourBitSymmetricGroupsWithUnalignedColumnsRoundTrip() throws IOException {
        roundTrip(new PackedScheme(4, true, 4, FloatFormat.F16), 3, 12); // 12 columns: 1.5 int32 per row
    }

    @Test
    void eightBitChannelRoundTrips() throws IOException {
        roundTrip(new PackedScheme(8, true, PackedScheme.CHANNEL, FloatFormat.F32), 5, 24);
        roundTrip(new PackedScheme(8, false, PackedScheme.CHANNEL, FloatFormat.BF16), 6, 8);
    }

    @Test
    void unsignedCodesShiftIntoTheSignedRangeKeepingTheDifference() {
        PackedLinearWeight w = PackedLinearWeight.fromUnsigned(4, 1, 4, new int[] {0, 15, 8, 3}, new float[] {1f}, new int[] {8});
        assertArrayEquals(new byte[] {-8, 7, 0, -5}, w.codes());
        assertArrayEquals(new byte[] {0}, w.zeroPoints());
        assertThrows(IllegalArgumentException.class,
                () -> PackedLinearWeight.fromUnsigned(4, 1, 1, new int[] {16}, new float[] {1f}, null));
    }

    @Test
    void badCodesFailTheExportAndLeaveNothing() throws IOException {
        PackedScheme scheme = new PackedScheme(4, true, 4, FloatFormat.F16);
        PackedLinearWeight bad = new PackedLinearWeight(1, 4, new byte[] {0, 1, 2, 8}, new float[] {1f}, null);
        Path out = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class, () -> PackedQuantizedExport.write(scheme,
                List.of(new PackedQuantizedExport.Quantized("m", 1, 4, () -> bad)), Map.of(), out, List.of(),
                ProgressMonitor.NONE));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
        assertThrows(IllegalArgumentException.class, () -> new PackedScheme(3, true, 4, FloatFormat.F16));
        assertThrows(IllegalArgumentException.class, () -> scheme.groups(6));
    }

    @Test
    void configJsonCarriesTheCompressedTensorsBlock() throws IOException {
        PackedScheme scheme = new PackedScheme(4, true, 128, FloatFormat.BF16);
        Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("model_type", "llama", "torch_dtype", "bfloat16"));
        config.put("quantization_config", PackedQuantizedExport.quantizationConfig(scheme, List.of("lm_head")));
        Path file = dir.resolve("config.json");
        HfConfigJson.write(config, file, List.of(), ProgressMonitor.NONE);
        JsonNode q = new ObjectMapper().readTree(file.toFile()).path("quantization_config");
        assertEquals("compressed-tensors", q.path("quant_method").asText());
        assertEquals("pack-quantized", q.path("format").asText());
        assertEquals("compressed", q.path("quantization_status").asText());
        assertEquals("lm_head", q.path("ignore").path(0).asText());
        JsonNode group = q.path("config_groups").path("group_0");
        assertEquals("Linear", group.path("targets").path(0).asText());
        JsonNode w = group.path("weights");
        assertEquals(4, w.path("num_bits").asInt());
        assertEquals("int", w.path("type").asText());
        assertTrue(w.path("symmetric").asBoolean());
        assertEquals("group", w.path("strategy").asText());
        assertEquals(128, w.path("group_size").asInt());
        assertTrue(group.path("input_activations").isNull());

        Map<String, Object> channel = PackedQuantizedExport.quantizationConfig(
                new PackedScheme(8, false, PackedScheme.CHANNEL, FloatFormat.F16), List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> weights = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                channel.get("config_groups")).get("group_0")).get("weights");
        assertEquals("channel", weights.get("strategy"));
        assertEquals(null, weights.get("group_size"));
        assertEquals(false, weights.get("symmetric"));
    }
}
