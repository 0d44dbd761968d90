package dev.quantscope.format.safetensors;

import dev.quantscope.format.MappedFile;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.safetensors.sparse.SparseCheckpoint;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reference checkpoints under {@code src/test/resources/.../sparse/}, written by {@code make_sparse_fixtures.py}
 * (compressed-tensors' sparse compressors followed line by line in numpy, saved with the safetensors package), open
 * as exactly the dense models beside them: as a folder, as a single file with its config.json, and as a single
 * file alone. And {@link SparseTestWriter}, which the other sparse tests write their files with, writes the very
 * same tensors from the same dense weights.
 */
class SparseReferenceTest {
    @TempDir
    Path dir;

    private static Path resource(String relative) throws URISyntaxException {
        return Path.of(SparseReferenceTest.class.getResource("/dev/quantscope/format/safetensors/sparse/" + relative)
                .toURI());
    }

    @ParameterizedTest
    @CsvSource({"bitmask, sparse-bitmask", "24, sparse-24-bitmask"})
    void aHuggingFaceFolderOpensAsItsDenseModel(String name, String format) throws Exception {
        try (Model sparse = ModelOpener.open(resource(name));
             Model dense = ModelOpener.open(resource(name + "-dense.safetensors"))) {
            assertSameTensors(dense, sparse);
            assertEquals(format, sparse.metadata().get(SparseCheckpoint.FORMAT_KEY));
            assertEquals(2L, sparse.metadata().get(SparseCheckpoint.TENSORS_KEY));
            assertEquals("LlamaForCausalLM", sparse.architecture());
        }
    }

    @ParameterizedTest
    @CsvSource({"bitmask, sparse-bitmask", "24, sparse-24-bitmask"})
    void aSingleFileTakesItsFormatFromTheConfigBesideIt(String name, String format) throws Exception {
        try (Model sparse = ModelOpener.open(resource(name + "/model.safetensors"));
             Model dense = ModelOpener.open(resource(name + "-dense.safetensors"))) {
            assertSameTensors(dense, sparse);
            assertEquals(format, sparse.metadata().get(SparseCheckpoint.FORMAT_KEY));
        }
    }

    @ParameterizedTest
    @CsvSource({"bitmask, sparse-bitmask", "24, sparse-24-bitmask"})
    void aSingleFileAloneShowsItsFormatByItsTensors(String name, String format) throws Exception {
        Path alone = Files.copy(resource(name + "/model.safetensors"), dir.resolve("model.safetensors"));
        try (Model sparse = ModelOpener.open(alone);
             Model dense = ModelOpener.open(resource(name + "-dense.safetensors"))) {
            assertSameTensors(dense, sparse);
            assertEquals(format, sparse.metadata().get(SparseCheckpoint.FORMAT_KEY));
            assertFalse(sparse.metadata().containsKey("config.json"));
        }
    }

    @ParameterizedTest
    @CsvSource({"bitmask, model.layers.0.self_attn.q_proj.weight", "bitmask, model.layers.0.mlp.down_proj.weight",
            "24, model.layers.0.self_attn.q_proj.weight", "24, model.layers.0.mlp.down_proj.weight"})
    void theTestWriterWritesTheLibrarysBytes(String name, String weight) throws Exception {
        Map<String, SparseTestWriter.Part> written;
        try (Model dense = ModelOpener.open(resource(name + "-dense.safetensors"))) {
            TensorInfo t = dense.tensor(weight).orElseThrow();
            float[] values = Decoders.decodeAll(t);
            long[] dims = t.shape().dims();
            String prefix = SparseTestWriter.prefix(weight);
            written = name.equals("24")
                    ? SparseTestWriter.sparse24(prefix, t.dtype().name(), dims[0], dims[1], values)
                    : SparseTestWriter.bitmask(prefix, t.dtype().name(), dims, values);
        }
        Path reference = resource(name + "/model.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = MappedFile.map(reference, arena);
            SafetensorsHeader header = SafetensorsHeaderParser.parse(reference, seg);
            assertTrue(header.entries().stream().map(SafetensorsEntry::name).toList().containsAll(written.keySet()),
                    "the library stores " + written.keySet());
            assertTrue(header.entries().stream().noneMatch(e -> e.name().equals(weight)), weight + " is not stored");
            for (SafetensorsEntry e : header.entries()) {
                SparseTestWriter.Part p = written.get(e.name());
                if (p == null) continue;
                assertEquals(e.type().name(), p.dtype(), e.name());
                assertArrayEquals(e.shape(), p.shape(), e.name());
                byte[] bytes = seg.asSlice(header.dataStart() + e.begin(), e.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(bytes, p.bytes(), e.name());
            }
        }
    }

    /** Same names in the same order, each with the same shape, dtype and bytes. */
    static void assertSameTensors(Model expected, Model actual) {
        assertEquals(expected.tensors().stream().map(TensorInfo::name).toList(),
                actual.tensors().stream().map(TensorInfo::name).toList());
        for (TensorInfo e : expected.tensors()) {
            TensorInfo a = actual.tensor(e.name()).orElseThrow();
            assertArrayEquals(e.shape().dims(), a.shape().dims(), e.name());
            assertEquals(e.shape(), a.shape(), e.name());
            assertEquals(e.dtype(), a.dtype(), e.name());
            assertEquals(e.byteSize(), a.byteSize(), e.name());
            assertEquals(-1, e.data().mismatch(a.data()), e.name() + " differs at byte " + e.data().mismatch(a.data()));
        }
    }

}
