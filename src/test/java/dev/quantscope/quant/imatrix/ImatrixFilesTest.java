package dev.quantscope.quant.imatrix;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImatrixFilesTest {

    private static ImportanceMatrix sample() {
        float[] dense = new float[64];
        for (int j = 0; j < dense.length; j++) dense[j] = 0.25f * j + 1e-7f * j * j;
        float[] experts = new float[2 * 32];
        for (int j = 0; j < experts.length; j++) experts[j] = j;
        return new ImportanceMatrix(Map.of(
                "blk.0.attn_q.weight", new ImportanceMatrix.Entry(dense, new float[] {512}),
                "blk.0.ffn_down_exps.weight", new ImportanceMatrix.Entry(experts, new float[] {10, 0})),
                7, 512, List.of("a.txt", "b.txt"));
    }

    @Test
    void ggufRoundTripIsExactIncludingExpertMatrices(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("im.gguf");
        ImportanceMatrix im = sample();
        ImatrixFiles.writeGguf(im, f);
        ImportanceMatrix back = ImatrixFiles.read(f);
        assertEquals(im, back);
        ImportanceMatrix.Entry exps = back.entry("blk.0.ffn_down_exps.weight").orElseThrow();
        assertEquals(2, exps.matrices());
        assertEquals(32, exps.rowLength());
        assertEquals(3f / 10, exps.importance(0)[3]);
        // an expert no token reached gets importance 1, as llama-quantize fills it
        assertTrue(Arrays.equals(exps.importance(1), filled(32, 1f)));
        assertEquals((0.25f * 5 + 1e-7f * 5 * 5) / 512, back.importance("blk.0.attn_q.weight").orElseThrow()[5]);
        assertTrue(back.importance("output.weight").isEmpty());
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** A legacy .dat file as llama-imatrix --output-format dat writes it. */
    private static byte[] legacy(boolean trailer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        for (String name : List.of("blk.0.ffn_up.weight", "blk.1.ffn_up.weight")) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.putInt(n.length).put(n);
            b.putInt(4); // ncall
            b.putInt(3); // nval
            b.putFloat(4f).putFloat(8f).putFloat(name.startsWith("blk.0") ? 2f : 0f);
        }
        if (trailer) {
            b.putInt(4);
            byte[] ds = "calib.txt".getBytes(StandardCharsets.UTF_8);
            b.putInt(ds.length).put(ds);
        }
        out.write(b.array(), 0, b.position());
        return out.toByteArray();
    }

    @Test
    void readsTheLegacyFormatAsLlamaQuantizeDoes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("im.dat");
        Files.write(f, legacy(true));
        ImportanceMatrix im = ImatrixFiles.read(f);
        assertEquals(2, im.entries().size());
        assertEquals(4, im.chunkCount());
        assertEquals(0, im.chunkSize());
        assertEquals(List.of("calib.txt"), im.datasets());
        // stored values are means × ncall; the importance divides ncall out again
        assertArrayEquals(new float[] {1f, 2f, 0.5f}, im.importance("blk.0.ffn_up.weight").orElseThrow());

        Files.write(f, legacy(false));
        assertEquals(4, ImatrixFiles.read(f).chunkCount());
        assertTrue(ImatrixFiles.read(f).datasets().isEmpty());
    }

    @Test
    void legacyDamageIsReportedWithFieldAndOffset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.dat");
        byte[] good = legacy(true);

        Files.write(f, Arrays.copyOf(good, 40));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight"), e.getMessage());
        assertEquals(f, e.file());

        byte[] negative = good.clone();
        // first entry's third value (offset 4 + 4 + 19 + 4 + 4 + 8)
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putFloat(43, -1f);
        Files.write(f, negative);
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertEquals(43, e.offset());
        assertTrue(e.field().contains("value 2"), e.field());

        byte[] hugeCount = good.clone();
        ByteBuffer.wrap(hugeCount).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1_000_000);
        Files.write(f, hugeCount);
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertEquals("n_entries", e.field());

        byte[] extra = Arrays.copyOf(good, good.length + 3);
        Files.write(f, extra);
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertEquals("end of file", e.field());
    }

    private static MemorySegment floats(float... v) {
        MemorySegment seg = MemorySegment.ofArray(new byte[v.length * 4]);
        MemorySegment.copy(v, 0, seg, Layouts.F32, 0, v.length);
        return seg;
    }

    private static void gguf(Path f, List<GgufKv> kvs, List<GgufOutputTensor> tensors) throws Exception {
        GgufWriter.write(new GgufOutput(kvs, tensors), f, List.of(), ProgressMonitor.NONE);
    }

    private static final GgufKv CHUNKS = new GgufKv("imatrix.chunk_count", GgufValueType.UINT32, 3L);

    @Test
    void ggufDamageIsReported(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.gguf");
        GgufOutputTensor sums = new GgufOutputTensor("w.in_sum2", new long[] {32, 1}, DType.F32, floats(filled(32, 2f)));
        GgufOutputTensor counts = new GgufOutputTensor("w.counts", new long[] {1, 1}, DType.F32, floats(4f));

        gguf(f, List.of(), List.of(sums, counts));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertEquals("imatrix.chunk_count", e.field());

        gguf(f, List.of(CHUNKS), List.of(sums));
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertTrue(e.getMessage().contains("has no .counts"), e.getMessage());

        float[] bad = filled(32, 2f);
        bad[9] = Float.POSITIVE_INFINITY;
        gguf(f, List.of(CHUNKS), List.of(
                new GgufOutputTensor("w.in_sum2", new long[] {32, 1}, DType.F32, floats(bad)), counts));
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertTrue(e.field().contains("value 9"), e.field());
        assertTrue(e.offset() > 0);

        gguf(f, List.of(CHUNKS), List.of(sums,
                new GgufOutputTensor("w.counts", new long[] {1, 2}, DType.F32, floats(4f, 4f))));
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertTrue(e.getMessage().contains("2 counts for 1 matrices"), e.getMessage());

        gguf(f, List.of(CHUNKS, new GgufKv("general.type", GgufValueType.STRING, "model")), List.of(sums, counts));
        e = assertThrows(ModelFormatException.class, () -> ImatrixFiles.read(f));
        assertEquals("general.type", e.field());

        // a valid minimal file reads
        gguf(f, List.of(CHUNKS), List.of(sums, counts));
        ImportanceMatrix im = ImatrixFiles.read(f);
        assertEquals(3, im.chunkCount());
        assertArrayEquals(filled(32, 0.5f), im.importance("w").orElseThrow());
    }
}
