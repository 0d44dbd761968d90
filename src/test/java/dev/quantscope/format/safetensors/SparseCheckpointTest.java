package dev.quantscope.format.safetensors;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.safetensors.sparse.SparseCheckpoint;
import dev.quantscope.format.safetensors.sparse.SparseFormat;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static dev.quantscope.format.safetensors.SafetensorsTestWriter.bytes;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.f32;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.u16;
import static org.junit.jupiter.api.Assertions.*;

/** Sparse checkpoints written by {@link SparseTestWriter} open as their dense models, whatever their shape and dtype. */
class SparseCheckpointTest {
    @TempDir
    Path dir;

    private static float[] sparse(int n, double sparsity, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() < sparsity ? 0f : (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    private static byte[] bytesOf(TensorInfo t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }

    private static TensorInfo tensor(Model m, String name) {
        return m.tensor(name).orElseThrow(() -> new AssertionError("no tensor " + name + " in " + m.tensors()));
    }

    /** compressed-tensors' test_bitmask_sizes and test_reload_match, on smaller shapes. */
    @ParameterizedTest
    @CsvSource({"51, 102, 0.5, F32", "83, 54, 0.8, F32", "25, 70, 0.9, F16", "7, 8, 0.3, F16"})
    void theLibrarysOwnExpectationsHold(int rows, int cols, double sparsity, String dtype) throws IOException {
        float[] dense = sparse(rows * cols, sparsity, rows);
        long[] dims = {rows, cols};
        Map<String, SparseTestWriter.Part> parts = SparseTestWriter.bitmask("dummy", dtype, dims, dense);

        assertEquals(4, parts.size(), "each dense tensor has 4 parameters for compression");
        assertArrayEquals(SafetensorsTestWriter.i64(dims), parts.get("dummy.shape").bytes());
        assertArrayEquals(new long[] {rows, (cols + 7) / 8}, parts.get("dummy.bitmask").shape());
        long nonZero = 0;
        for (float x : dense) if (x != 0) nonZero++;
        assertArrayEquals(new long[] {nonZero}, parts.get("dummy.compressed").shape());
        assertArrayEquals(new long[] {rows}, parts.get("dummy.row_offsets").shape());

        Path file = SparseTestWriter.write(new SafetensorsTestWriter(), parts).write(dir.resolve("m.safetensors"));
        try (Model m = ModelOpener.open(file)) {
            assertEquals(List.of("dummy.weight"), m.tensors().stream().map(TensorInfo::name).toList());
            TensorInfo t = tensor(m, "dummy.weight");
            assertArrayEquals(dims, t.shape().dims());
            assertEquals(DType.valueOf(dtype), t.dtype());
            assertArrayEquals(SparseTestWriter.encode(dtype, dense), bytesOf(t));
            assertEquals("sparse-bitmask", m.metadata().get(SparseCheckpoint.FORMAT_KEY));
            assertEquals(1L, m.metadata().get(SparseCheckpoint.TENSORS_KEY));
        }
    }

    @Test
    void everyWholeByteDtypeComesBackByteForByte() throws IOException {
        byte[] bf16 = u16(0x3F80, 0, 0, 0xC040, 0, 0x0080, 0, 0, 0x3E20, 0, 0, 0x7F80);
        byte[] fp8 = bytes(0x38, 0, 0xC0, 0, 0, 0, 0x7E, 0x01, 0, 0, 0, 0x80 + 0x10);
        byte[] i8 = bytes(0, 0, -128, 0, 127, 0, 0, 0, 1, 0, 0, -1);
        byte[] i32 = SafetensorsTestWriter.i32(0, 5, 0, 0, -100000, 0, 0, 0, 0, 0, 7, 0);
        SafetensorsTestWriter w = new SafetensorsTestWriter();
        SparseTestWriter.write(w, SparseTestWriter.bitmaskOfBytes("bf16", "BF16", new long[] {3, 4}, bf16, 2));
        SparseTestWriter.write(w, SparseTestWriter.bitmaskOfBytes("fp8", "F8_E4M3", new long[] {2, 6}, fp8, 1));
        SparseTestWriter.write(w, SparseTestWriter.bitmaskOfBytes("i8", "I8", new long[] {4, 3}, i8, 1));
        SparseTestWriter.write(w, SparseTestWriter.bitmaskOfBytes("i32", "I32", new long[] {12}, i32, 4));
        try (Model m = ModelOpener.open(w.write(dir.resolve("m.safetensors")))) {
            assertArrayEquals(bf16, bytesOf(tensor(m, "bf16.weight")));
            assertEquals(DType.BF16, tensor(m, "bf16.weight").dtype());
            assertArrayEquals(fp8, bytesOf(tensor(m, "fp8.weight")));
            assertEquals(DType.F8_E4M3, tensor(m, "fp8.weight").dtype());
            assertArrayEquals(i8, bytesOf(tensor(m, "i8.weight")));
            assertArrayEquals(i32, bytesOf(tensor(m, "i32.weight")));
            assertArrayEquals(new long[] {12}, tensor(m, "i32.weight").shape().dims());
        }
    }

    /** Until 0.8 the library compressed every tensor, named in full: layer.weight.compressed, layer.bias.bitmask. */
    @Test
    void theOlderLayoutNamedEveryTensorInFull() throws IOException {
        float[] matrix = sparse(5 * 9, 0.6, 1);
        float[] norm = {0, 1.5f, 0, 0, -2, 0, 0, 0, 0, 3};
        float[] bias = {0, 0, 0.25f};
        SafetensorsTestWriter w = new SafetensorsTestWriter();
        SparseTestWriter.write(w, SparseTestWriter.bitmask("layer.weight", "F32", new long[] {5, 9}, matrix));
        SparseTestWriter.write(w, SparseTestWriter.bitmask("norm.weight", "F32", new long[] {10}, norm));
        SparseTestWriter.write(w, SparseTestWriter.bitmask("layer.bias", "F32", new long[] {3}, bias));
        SparseTestWriter.write(w, SparseTestWriter.bitmask("ssm.A_log", "F32", new long[] {3}, bias));
        try (Model m = ModelOpener.open(w.write(dir.resolve("m.safetensors")))) {
            assertEquals(List.of("layer.bias", "layer.weight", "norm.weight", "ssm.A_log"),
                    m.tensors().stream().map(TensorInfo::name).sorted().toList());
            assertArrayEquals(f32(matrix), bytesOf(tensor(m, "layer.weight")));
            assertArrayEquals(f32(norm), bytesOf(tensor(m, "norm.weight")));
            assertArrayEquals(new long[] {10}, tensor(m, "norm.weight").shape().dims());
            assertArrayEquals(f32(bias), bytesOf(tensor(m, "layer.bias")));
        }
    }

    @Test
    void higherRanksEmptyRowsAndEmptyTensors() throws IOException {
        float[] cube = sparse(2 * 3 * 10, 0.5, 3);
        float[] zeros = new float[4 * 9];
        SafetensorsTestWriter w = new SafetensorsTestWriter();
        SparseTestWriter.write(w, SparseTestWriter.bitmask("cube", "F32", new long[] {2, 3, 10}, cube));
        SparseTestWriter.write(w, SparseTestWriter.bitmask("zeros", "F32", new long[] {4, 9}, zeros));
        SparseTestWriter.write(w, SparseTestWriter.bitmask("none", "F32", new long[] {0, 5}, new float[0]));
        try (Model m = ModelOpener.open(w.write(dir.resolve("m.safetensors")))) {
            assertArrayEquals(new long[] {2, 3, 10}, tensor(m, "cube.weight").shape().dims());
            assertArrayEquals(f32(cube), bytesOf(tensor(m, "cube.weight")));
            assertArrayEquals(f32(zeros), bytesOf(tensor(m, "zeros.weight")));
            assertEquals(0, tensor(m, "none.weight").byteSize());
            assertArrayEquals(new long[] {0, 5}, tensor(m, "none.weight").shape().dims());
        }
    }

    /** Rows are expanded in blocks of about 64 KiB of bitmask, in parallel: here blocks of 4 rows and one of 1. */
    @Test
    void blocksOfRowsMeetExactly() throws IOException {
        float[] dense = sparse(5 * 131_072, 0.7, 11);
        Path file = SparseTestWriter.write(new SafetensorsTestWriter(),
                SparseTestWriter.bitmask("wide", "F32", new long[] {5, 131_072}, dense)).write(dir.resolve("m.safetensors"));
        try (Model m = ModelOpener.open(file)) {
            assertArrayEquals(f32(dense), bytesOf(tensor(m, "wide.weight")));
        }
    }

    /** Rows without elements have a bitmask of no bytes, however many: they are not walked one by one. */
    @Test
    void aTrillionEmptyRowsOpenAtOnce() throws IOException {
        Path file = new SafetensorsTestWriter()
                .tensor("e.shape", "I64", new long[] {2, 1}, SafetensorsTestWriter.i64(1L << 40, 0))
                .tensor("e.compressed", "F16", new long[] {1L << 40, 0}, new byte[0])
                .tensor("e.bitmask", "U8", new long[] {1L << 40, 0}, new byte[0])
                .write(dir.resolve("m.safetensors"));
        try (Model m = ModelOpener.open(file)) {
            assertArrayEquals(new long[] {1L << 40, 0}, tensor(m, "e.weight").shape().dims());
            assertEquals(0, tensor(m, "e.weight").byteSize());
        }
    }

    @Test
    void paddingBitsAfterARowAreIgnoredAsNumpyUnpacksThem() throws IOException {
        float[] dense = {1, 0, 2, 0, 0, 0, 0, 0, 0, 3};
        Map<String, SparseTestWriter.Part> parts = SparseTestWriter.bitmask("w", "F32", new long[] {1, 10}, dense);
        byte[] mask = parts.get("w.bitmask").bytes();
        mask[1] |= (byte) 0xF0; // bits 12..15 stand for no element
        try (Model m = ModelOpener.open(SparseTestWriter.write(new SafetensorsTestWriter(), parts)
                .write(dir.resolve("m.safetensors")))) {
            assertArrayEquals(f32(dense), bytesOf(tensor(m, "w.weight")));
        }
    }

    @Test
    void aTwoFourWeightWithoutConfigIsKnownByItsTensors() throws IOException {
        float[] dense = {0, 0.5f, -0.25f, 0, 1, 0, 0, -2, 0, 0, 3, 4, 5, 6, 0, 0};
        SafetensorsTestWriter w = new SafetensorsTestWriter()
                .tensor("layer.weight_scale", "F32", new long[] {1}, f32(0.5f));
        SparseTestWriter.write(w, SparseTestWriter.sparse24("layer", "F16", 2, 8, dense));
        try (Model m = ModelOpener.open(w.write(dir.resolve("m.safetensors")))) {
            assertEquals("sparse-24-bitmask", m.metadata().get(SparseCheckpoint.FORMAT_KEY));
            assertArrayEquals(SparseTestWriter.encode("F16", dense), bytesOf(tensor(m, "layer.weight")));
            assertArrayEquals(f32(0.5f), bytesOf(tensor(m, "layer.weight_scale")), "others pass through");
        }
    }

    @Test
    void partsMayLieInDifferentShardsOfAnIndexedFolder() throws IOException {
        float[] dense = sparse(6 * 11, 0.5, 7);
        Map<String, SparseTestWriter.Part> parts = SparseTestWriter.bitmask("model.proj", "F32", new long[] {6, 11}, dense);
        Path folder = Files.createDirectories(dir.resolve("m"));
        SafetensorsTestWriter first = new SafetensorsTestWriter().tensor("model.norm.weight", "F32", new long[] {2}, f32(1, 2));
        SafetensorsTestWriter second = new SafetensorsTestWriter();
        StringBuilder map = new StringBuilder("\"model.norm.weight\": \"a.safetensors\"");
        for (Map.Entry<String, SparseTestWriter.Part> e : parts.entrySet()) {
            boolean inFirst = e.getKey().endsWith(".compressed") || e.getKey().endsWith(".shape");
            (inFirst ? first : second).tensor(e.getKey(), e.getValue().dtype(), e.getValue().shape(), e.getValue().bytes());
            map.append(", \"").append(e.getKey()).append("\": \"").append(inFirst ? "a" : "b").append(".safetensors\"");
        }
        first.write(folder.resolve("a.safetensors"));
        second.write(folder.resolve("b.safetensors"));
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": {" + map + "}}");
        // where the library kept its config until late 2024
        Files.writeString(folder.resolve("config.json"),
                "{\"model_type\": \"llama\", \"compression_config\": {\"sparsity_config\": {\"format\": \"sparse-bitmask\"}}}");
        try (Model m = ModelOpener.open(folder)) {
            assertEquals(List.of("model.norm.weight", "model.proj.weight"),
                    m.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(f32(dense), bytesOf(tensor(m, "model.proj.weight")));
            assertEquals("sparse-bitmask", m.metadata().get(SparseCheckpoint.FORMAT_KEY));
        }
    }

    @Test
    void expandedTensorsLiveAndDieWithTheModel() throws IOException {
        Path file = SparseTestWriter.write(new SafetensorsTestWriter(),
                SparseTestWriter.bitmask("w", "F32", new long[] {4, 4}, sparse(16, 0.5, 9))).write(dir.resolve("m.safetensors"));
        TensorInfo t;
        try (Model m = ModelOpener.open(file)) {
            t = tensor(m, "w.weight");
            assertTrue(t.data().scope().isAlive());
        }
        assertFalse(t.data().scope().isAlive(), "the model's arena owns the dense bytes");
    }

    @Test
    void aPlainFileNeverReadsTheConfigBesideIt() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{ not json");
        Path file = new SafetensorsTestWriter().tensor("w.shape", "I64", new long[] {2}, SafetensorsTestWriter.i64(1, 2))
                .tensor("a", "F32", new long[] {2}, f32(1, 0)).write(dir.resolve("m.safetensors"));
        try (Model m = ModelOpener.open(file)) {
            assertEquals(List.of("a", "w.shape"), m.tensors().stream().map(TensorInfo::name).toList());
            assertFalse(m.metadata().containsKey(SparseCheckpoint.FORMAT_KEY));
        }
    }

    @Test
    void theConfigNamesTheFormatWhereverTheLibraryKeptIt() {
        Map<String, Object> now = Map.of("quantization_config", Map.of("sparsity_config", Map.of("format", "sparse-24-bitmask")));
        Map<String, Object> until2024 = Map.of("compression_config", Map.of("sparsity_config", Map.of("format", "sparse-bitmask")));
        Map<String, Object> first = Map.of("sparsity_config", Map.of("format", "sparse-bitmask"));
        Map<String, Object> dense = Map.of("quantization_config", Map.of("sparsity_config", Map.of("format", "dense")));
        assertEquals(Optional.of(SparseFormat.SPARSE_24_BITMASK), SparseFormat.declaredIn(now));
        assertEquals(Optional.of(SparseFormat.SPARSE_BITMASK), SparseFormat.declaredIn(until2024));
        assertEquals(Optional.of(SparseFormat.SPARSE_BITMASK), SparseFormat.declaredIn(first));
        assertEquals(Optional.empty(), SparseFormat.declaredIn(dense));
        assertEquals(Optional.empty(), SparseFormat.declaredIn(Map.of("quantization_config", Map.of())));
        assertEquals(List.of("sparse-bitmask", "sparse-24-bitmask"),
                Arrays.stream(SparseFormat.values()).map(SparseFormat::configName).toList());
    }
}
