package dev.quantscope.format.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufWriterTest {
    private static final Path SOURCE = SharedFiles.file("models/synth-llama-dev-f16.gguf");

    @TempDir
    Path dir;

    /**
     * The strongest test of the writer: each tensor's bytes are taken from a real llama-quantize output, fed in the
     * source model's tensor order together with the source's metadata, and the written file must be that output,
     * byte for byte (header, key/value order, tensor order, offsets, padding).
     */
    @ParameterizedTest
    @CsvSource({"Q4_K_M, 15", "Q3_K_M, 12", "Q2_K, 10"})
    void reproducesLlamaQuantizeOutputByteForByte(String preset, long ftype) throws IOException {
        Path expected = SharedFiles.file("expected/llama-quantize-outputs/dev-" + preset + ".gguf");
        Path out = dir.resolve("dev-" + preset + ".gguf");
        try (Model source = GgufReader.open(SOURCE); Model quantized = GgufReader.open(expected)) {
            List<GgufOutputTensor> tensors = new ArrayList<>();
            // in the source's order, which differs from the output's, so the writer's ordering is exercised too
            for (TensorInfo s : source.tensors()) {
                TensorInfo q = quantized.tensor(s.name()).orElseThrow();
                tensors.add(new GgufOutputTensor(q.name(), q.shape().dims(), q.dtype(), q.data()));
            }
            GgufOutput output = GgufOutput.likeLlamaQuantize((GgufFile) source.details(), ftype, tensors);
            GgufOutputLayout layout = GgufWriter.write(output, out, List.of(SOURCE), ProgressMonitor.NONE);
            assertEquals(Files.size(expected), layout.fileSize());
        }
        assertEquals(Files.size(expected), Files.size(out));
        assertEquals(-1, Files.mismatch(expected, out), "written file differs from llama-quantize's");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(out), left.toList(), "no temporary file left behind");
        }
    }

    /** The reference JSON's sha256 per tensor is of the tensor's data bytes exactly as stored in the output file. */
    @ParameterizedTest
    @CsvSource({"Q4_K_M", "Q3_K_M", "Q2_K"})
    void tensorBytesOfLlamaQuantizeOutputsMatchTheReferenceJson(String preset) throws Exception {
        JsonNode json = new ObjectMapper().readTree(SharedFiles.file("expected/synth-llama-dev-llama-quantize.json").toFile())
                .path("presets").path(preset);
        Path file = SharedFiles.file("expected/llama-quantize-outputs/dev-" + preset + ".gguf");
        assertEquals(json.path("file_bytes").asLong(), Files.size(file));
        try (Model m = GgufReader.open(file)) {
            assertEquals(json.path("tensors").size(), m.tensors().size());
            for (TensorInfo t : m.tensors()) {
                JsonNode entry = json.path("tensors").path(t.name());
                assertEquals(2, entry.size(), t.name());
                assertEquals(entry.get(0).asText(), t.dtype().name(), t.name());
                assertEquals(entry.get(1).asText(), sha256(t.data()), t.name());
            }
        }
    }

    @Test
    void metadataOfTheSourceIsCopiedInOrderWithQuantizationKeysLast() throws IOException {
        try (Model source = GgufReader.open(SOURCE)) {
            GgufFile g = (GgufFile) source.details();
            List<GgufOutputTensor> tensors = zeroTensors(g, DType.F32);
            GgufOutput out = GgufOutput.likeLlamaQuantize(g, 7, tensors);
            List<String> keys = out.metadata().stream().map(GgufKv::key).toList();
            List<String> sourceKeys = new ArrayList<>(g.metadata().stream().map(GgufKv::key).toList());
            sourceKeys.remove("general.file_type");
            assertEquals(sourceKeys, keys.subList(0, keys.size() - 2));
            assertEquals(List.of("general.quantization_version", "general.file_type"), keys.subList(keys.size() - 2, keys.size()));
            assertEquals(new GgufKv("general.file_type", GgufValueType.UINT32, 7L), out.metadata().getLast());
            assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight"),
                    out.tensors().stream().limit(4).map(GgufOutputTensor::name).toList());
        }
    }

    @Test
    void blocksAreOrderedNumericallyAndOtherTensorsFirst() {
        List<String> names = new ArrayList<>(List.of("blk.10.a.weight", "blk.2.b.weight", "output.weight",
                "blk.2.a.weight", "blk.9.z.weight", "token_embd.weight", "blk.x.weight"));
        names.sort(GgufOutputOrder.LLAMA_QUANTIZE);
        assertEquals(List.of("blk.x.weight", "output.weight", "token_embd.weight", "blk.2.a.weight", "blk.2.b.weight",
                "blk.9.z.weight", "blk.10.a.weight"), names);
    }

    @Test
    void everyValueTypeRoundTripsThroughTheReader() throws IOException {
        List<GgufKv> kvs = List.of(
                new GgufKv("general.alignment", GgufValueType.UINT32, 64L),
                new GgufKv("u8", GgufValueType.UINT8, 255L),
                new GgufKv("i8", GgufValueType.INT8, -128L),
                new GgufKv("u16", GgufValueType.UINT16, 65535L),
                new GgufKv("i16", GgufValueType.INT16, -2L),
                new GgufKv("u32", GgufValueType.UINT32, 4294967295L),
                new GgufKv("i32", GgufValueType.INT32, -7L),
                new GgufKv("f32", GgufValueType.FLOAT32, 1e-5),
                new GgufKv("bool", GgufValueType.BOOL, true),
                new GgufKv("str", GgufValueType.STRING, "héllo"),
                new GgufKv("u64", GgufValueType.UINT64, -1L),
                new GgufKv("i64", GgufValueType.INT64, Long.MIN_VALUE),
                new GgufKv("f64", GgufValueType.FLOAT64, Math.PI),
                new GgufKv("arr.f32", GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT32, new double[] {0.5, -1e-5})),
                new GgufKv("arr.str", GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, new String[] {"a", ""})),
                new GgufKv("arr.bool", GgufValueType.ARRAY, new GgufArray(GgufValueType.BOOL, new boolean[] {true, false})),
                new GgufKv("arr.nested", GgufValueType.ARRAY, new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                        new GgufArray(GgufValueType.INT32, new long[] {1, -2}),
                        new GgufArray(GgufValueType.UINT8, new long[] {})})));
        byte[] q8 = new byte[34 * 4];
        for (int i = 0; i < q8.length; i++) q8[i] = (byte) (i * 7);
        List<GgufOutputTensor> tensors = List.of(
                new GgufOutputTensor("a", new long[] {64, 2}, DType.Q8_0, MemorySegment.ofArray(q8)),
                new GgufOutputTensor("b", new long[] {3, 1}, DType.F32, MemorySegment.ofArray(new byte[12])),
                new GgufOutputTensor("c", new long[] {5}, DType.I8, MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5})));
        Path out = dir.resolve("all.gguf");
        GgufOutputLayout layout = GgufWriter.write(new GgufOutput(kvs, tensors), out, List.of(), ProgressMonitor.NONE);
        assertEquals(64, layout.alignment());
        assertArrayEquals(new long[] {0, 192, 256}, layout.offsets());
        assertEquals(layout.fileSize(), Files.size(out));
        try (Model m = GgufReader.open(out)) {
            GgufFile g = (GgufFile) m.details();
            assertEquals(3, g.version());
            assertEquals(64, g.alignment());
            assertEquals(kvs.size(), g.metadata().size());
            for (int i = 0; i < kvs.size(); i++) {
                assertEquals(kvs.get(i).key(), g.metadata().get(i).key());
                assertEquals(kvs.get(i).type(), g.metadata().get(i).type());
                assertEquals(List.of(kvs.get(i).value()).toString(), List.of(g.metadata().get(i).value()).toString(),
                        kvs.get(i).key());
            }
            assertArrayEquals(q8, m.tensor("a").orElseThrow().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            // ggml drops trailing dimensions of 1
            assertArrayEquals(new long[] {3}, m.tensor("b").orElseThrow().shape().dims());
            assertEquals(DType.I8, m.tensor("c").orElseThrow().dtype());
        }
    }

    @Test
    void refusesToOverwriteTheInputEvenThroughASymlink() throws IOException {
        Path input = dir.resolve("in.gguf");
        byte[] original = tinyFile(input);
        GgufOutput output = tinyOutput();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link.gguf"), input);
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linkdir"), dir);
        Path hard = Files.createLink(dir.resolve("hard.gguf"), input);
        for (Path target : List.of(input, sub.resolve("..").resolve("in.gguf"), link, linkedDir.resolve("in.gguf"), hard,
                dir.resolve(".").resolve("in.gguf"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GgufWriter.write(output, target, List.of(input), ProgressMonitor.NONE), target.toString());
            assertTrue(e.getMessage().startsWith("refusing to overwrite the input file"), e.getMessage());
        }
        assertArrayEquals(original, Files.readAllBytes(input), "the input is untouched");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }

    /** A disk that fills up mid-way: the write fails, the temporary file is gone, an existing target is intact. */
    @Test
    void aFailingDiskLeavesNoTemporaryFileAndKeepsTheOldTarget() throws IOException {
        Path target = dir.resolve("out.gguf");
        Files.writeString(target, "previous contents");
        AtomicLong budget = new AtomicLong(100);
        List<Path> opened = new ArrayList<>();
        GgufWriter.ChannelOpener diskFull = temp -> {
            opened.add(temp);
            WritableByteChannel real = GgufWriter.ChannelOpener.FILE.open(temp);
            return new WritableByteChannel() {
                @Override public int write(ByteBuffer src) throws IOException {
                    if (budget.addAndGet(-src.remaining()) < 0) throw new IOException("No space left on device");
                    return real.write(src);
                }
                @Override public boolean isOpen() { return real.isOpen(); }
                @Override public void close() throws IOException { real.close(); }
            };
        };
        IOException e = assertThrows(IOException.class,
                () -> GgufWriter.write(tinyOutput(), target, List.of(), ProgressMonitor.NONE, diskFull));
        assertEquals("No space left on device", e.getMessage());
        assertEquals(1, opened.size());
        assertFalse(Files.exists(opened.getFirst()), "temporary file deleted");
        assertEquals("previous contents", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void cancellationLeavesNothingBehindAndProgressRisesToTheTotal() throws IOException {
        Path target = dir.resolve("out.gguf");
        List<long[]> reports = new ArrayList<>();
        ProgressMonitor recording = new ProgressMonitor() {
            @Override public void progress(long done, long total) { reports.add(new long[] {done, total}); }
            @Override public boolean isCancelled() { return false; }
        };
        GgufWriter.write(tinyOutput(), target, List.of(), recording);
        long total = reports.getFirst()[1];
        assertEquals(2 * Files.size(target), total);
        for (int i = 1; i < reports.size(); i++) assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0]);
        assertEquals(total, reports.getLast()[0]);

        Path second = dir.resolve("second.gguf");
        ProgressMonitor cancelled = new ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return true; }
        };
        assertThrows(CancellationException.class, () -> GgufWriter.write(tinyOutput(), second, List.of(), cancelled));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void rejectsWhatAReaderWouldReject() {
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> new GgufOutputTensor("x", new long[] {2}, DType.F32, four));
        assertThrows(IllegalArgumentException.class, () -> new GgufOutputTensor("x", new long[] {16}, DType.Q8_0, four));
        assertThrows(IllegalArgumentException.class, () -> new GgufOutputTensor("n".repeat(64), new long[] {1}, DType.F32, four));
        GgufOutputTensor t = new GgufOutputTensor("x", new long[] {1}, DType.F32, four);
        assertThrows(IllegalArgumentException.class, () -> new GgufOutput(List.of(), List.of(t, t)));
        assertThrows(IllegalArgumentException.class, () -> new GgufOutput(
                List.of(new GgufKv("general.alignment", GgufValueType.UINT32, 48L)), List.of(t)));
        assertThrows(IllegalArgumentException.class, () -> GgufOutputLayout.of(new GgufOutput(
                List.of(new GgufKv("u8", GgufValueType.UINT8, 256L)), List.of(t))));
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> GgufOutputLayout.of(
                new GgufOutput(List.of(new GgufKv("general.name", GgufValueType.STRING, 7L)), List.of(t))));
        assertEquals("metadata 'general.name': a STRING cannot hold the integer 7", wrongType.getMessage(),
                "the value as the user knows it, not its Java class");
    }

    private static List<GgufOutputTensor> zeroTensors(GgufFile g, DType type) {
        Arena arena = Arena.ofAuto();
        List<GgufOutputTensor> out = new ArrayList<>();
        for (GgufTensorEntry e : g.tensors()) {
            long n = 1;
            for (long d : e.ne()) n *= d;
            out.add(new GgufOutputTensor(e.name(), e.ne(), type, arena.allocate(type.byteSize(n))));
        }
        return out;
    }

    private static GgufOutput tinyOutput() {
        return new GgufOutput(List.of(new GgufKv("general.name", GgufValueType.STRING, "tiny")),
                List.of(new GgufOutputTensor("t", new long[] {300}, DType.F32, MemorySegment.ofArray(new byte[1200]))));
    }

    private static byte[] tinyFile(Path p) throws IOException {
        GgufWriter.write(tinyOutput(), p, List.of(), ProgressMonitor.NONE);
        return Files.readAllBytes(p);
    }

    private static String sha256(MemorySegment data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data.asByteBuffer());
        return HexFormat.of().formatHex(md.digest());
    }
}
