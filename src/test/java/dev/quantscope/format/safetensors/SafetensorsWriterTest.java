package dev.quantscope.format.safetensors;

import dev.quantscope.format.FileCommit;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }

    /**
     * The reference implementation's own serialization tests (huggingface/safetensors, tensor.rs:
     * test_serialization, test_serialization_forced_alignement, test_empty) give the exact bytes it writes.
     */
    @Test
    void reproducesTheReferenceImplementationsBytes() throws IOException {
        byte[] data = f32(0, 1, 2, 3, 4, 5);
        int[] attnDot0 = {64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
                116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
                58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
                101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
                0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
        Path a = dir.resolve("a.safetensors");
        SafetensorsWriter.write(List.of(new SafetensorsWriterTensor("attn.0", SafetensorsDType.F32, new long[] {1, 2, 3},
                SafetensorsWriterSource.of(data))), Map.of(), a, List.of(), ProgressMonitor.NONE);
        assertArrayEquals(attnDot0, unsigned(Files.readAllBytes(a)));

        int[] attn0 = {72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
                121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
                91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
                115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
                32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
                160, 64};
        Path b = dir.resolve("b.safetensors");
        SafetensorsWriter.write(List.of(new SafetensorsWriterTensor("attn0", SafetensorsDType.F32, new long[] {1, 1, 2, 3},
                SafetensorsWriterSource.of(data))), Map.of(), b, List.of(), ProgressMonitor.NONE);
        assertArrayEquals(attn0, unsigned(Files.readAllBytes(b)));

        Path empty = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(List.of(), Map.of(), empty, List.of(), ProgressMonitor.NONE);
        assertArrayEquals(new int[] {8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32},
                unsigned(Files.readAllBytes(empty)));

        Path pt = dir.resolve("pt.safetensors");
        SafetensorsWriter.write(List.of(), Map.of("framework", "pt"), pt, List.of(), ProgressMonitor.NONE);
        assertArrayEquals(new int[] {40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
                95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
                116, 34, 125, 125, 32, 32, 32, 32, 32}, unsigned(Files.readAllBytes(pt)));
    }

    private static List<SafetensorsWriterTensor> mixedTensors() {
        List<SafetensorsWriterTensor> ts = new ArrayList<>();
        ts.add(new SafetensorsWriterTensor("b.norm", SafetensorsDType.F32, new long[] {3}, SafetensorsWriterSource.of(f32(1, -2, 3.5f))));
        ts.add(new SafetensorsWriterTensor("a.codes", SafetensorsDType.U8, new long[] {5}, SafetensorsWriterSource.of(new byte[] {1, 2, 3, (byte) 250, 5})));
        ts.add(new SafetensorsWriterTensor("c.shape", SafetensorsDType.I64, new long[] {2},
                SafetensorsWriterSource.of(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-9).array())));
        ts.add(new SafetensorsWriterTensor("d.half", SafetensorsDType.F16, new long[] {1, 3},
                SafetensorsWriterSource.of(ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN)
                        .putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-1f)).putShort(Float.floatToFloat16(65504f)).array())));
        ts.add(new SafetensorsWriterTensor("a.bf", SafetensorsDType.BF16, new long[] {2}, sink -> {
            // a source that writes in two pieces, through ByteBuffers
            sink.write(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0x3f}));
            sink.write(ByteBuffer.wrap(new byte[] {0x00, (byte) 0xc0}));
        }));
        ts.add(new SafetensorsWriterTensor("e.scalar", SafetensorsDType.I32, new long[] {},
                SafetensorsWriterSource.of(MemorySegment.ofArray(new int[] {0x01020304}))));
        ts.add(new SafetensorsWriterTensor("f.empty", SafetensorsDType.F32, new long[] {0, 4}, SafetensorsWriterSource.of(new byte[0])));
        return ts;
    }

    @Test
    void roundTripsThroughTheReaderWithAlignedDataInDtypeThenNameOrder() throws IOException {
        Path out = dir.resolve("mixed.safetensors");
        Map<String, String> meta = new HashMap<>(Map.of("format", "pt", "quote\"d\n", "é/\u0001"));
        SafetensorsWriterLayout layout = SafetensorsWriter.write(mixedTensors(), meta, out, List.of(), ProgressMonitor.NONE);
        assertEquals(List.of("c.shape", "b.norm", "f.empty", "e.scalar", "a.bf", "d.half", "a.codes"),
                layout.tensors().stream().map(SafetensorsWriterTensor::name).toList());
        assertEquals(0, layout.header().length % 8);
        assertEquals(layout.fileSize(), Files.size(out));
        byte[] file = Files.readAllBytes(out);
        assertEquals(layout.header().length, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong());
        String json = new String(file, 8, layout.header().length, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"quote\\\"d\\n\":\"é/\\u0001\"},\"c.shape\":"), json);
        String unpadded = json.substring(0, json.lastIndexOf('}') + 1);
        assertEquals(" ".repeat(json.length() - unpadded.length()), json.substring(unpadded.length()), "padded with spaces");
        assertTrue(json.length() - unpadded.length() < 8, "padding only up to the next multiple of 8");

        try (Model m = SafetensorsReader.open(out)) {
            SafetensorsHeader h = ((SafetensorsDetails) m.details()).files().getFirst();
            assertEquals(Map.of("format", "pt", "quote\"d\n", "é/\u0001"), h.metadata());
            long[] begins = layout.begins();
            for (int i = 0; i < h.entries().size(); i++) {
                SafetensorsEntry e = h.entries().get(i);
                assertEquals(layout.tensors().get(i).name(), e.name());
                assertEquals(begins[i], e.begin());
                int elementBytes = Math.max(1, e.type().dtype().blockBytes());
                assertEquals(0, (h.dataStart() + e.begin()) % elementBytes, e.name() + " is aligned to its element size");
                if (i > 0) assertEquals(h.entries().get(i - 1).end(), e.begin(), "no gap before " + e.name());
            }
            assertArrayEquals(new float[] {1, -2, 3.5f}, Decoders.decodeAll(m.tensor("b.norm").orElseThrow()));
            assertArrayEquals(new float[] {1, 2, 3, 250, 5}, Decoders.decodeAll(m.tensor("a.codes").orElseThrow()));
            assertArrayEquals(new float[] {7, -9}, Decoders.decodeAll(m.tensor("c.shape").orElseThrow()));
            assertArrayEquals(new float[] {0.5f, -1f, 65504f}, Decoders.decodeAll(m.tensor("d.half").orElseThrow()));
            assertArrayEquals(new float[] {1f, -2f}, Decoders.decodeAll(m.tensor("a.bf").orElseThrow()));
            TensorInfo scalar = m.tensor("e.scalar").orElseThrow();
            assertEquals(0, scalar.shape().rank());
            assertEquals(DType.I32, scalar.dtype());
            assertArrayEquals(new float[] {0x01020304}, Decoders.decodeAll(scalar));
            assertArrayEquals(new long[] {0, 4}, m.tensor("f.empty").orElseThrow().shape().dims());
            assertArrayEquals(new long[] {1, 3}, m.tensor("d.half").orElseThrow().shape().dims());
        }
    }

    @Test
    void sameTensorsAndMetadataGiveTheSameBytesWhateverTheInputOrder() throws IOException {
        Path one = dir.resolve("one.safetensors");
        Path two = dir.resolve("two.safetensors");
        List<SafetensorsWriterTensor> forward = mixedTensors();
        List<SafetensorsWriterTensor> backward = new ArrayList<>(mixedTensors()).reversed();
        Map<String, String> m1 = new LinkedHashMap<>();
        m1.put("z", "1");
        m1.put("a", "2");
        Map<String, String> m2 = new LinkedHashMap<>();
        m2.put("a", "2");
        m2.put("z", "1");
        SafetensorsWriter.write(forward, m1, one, List.of(), ProgressMonitor.NONE);
        SafetensorsWriter.write(backward, m2, two, List.of(), ProgressMonitor.NONE);
        assertEquals(-1, Files.mismatch(one, two));
    }

    @Test
    void namesSortAsUtf8BytesLikeRustStrings() {
        // U+FF21 (fullwidth A) sorts before U+1F600 as UTF-16 code units would not
        SafetensorsWriterTensor emoji = new SafetensorsWriterTensor("\uD83D\uDE00", SafetensorsDType.U8, new long[] {1}, SafetensorsWriterSource.of(new byte[1]));
        SafetensorsWriterTensor wide = new SafetensorsWriterTensor("\uFF21", SafetensorsDType.U8, new long[] {1}, SafetensorsWriterSource.of(new byte[1]));
        SafetensorsWriterLayout l = SafetensorsWriterLayout.of(List.of(emoji, wide), Map.of());
        assertEquals(List.of(wide, emoji), l.tensors());
    }

    @Test
    void aSourceWritingTheWrongNumberOfBytesFailsAndLeavesNothing() throws IOException {
        Path out = dir.resolve("bad.safetensors");
        SafetensorsWriterTensor tooFew = new SafetensorsWriterTensor("x", SafetensorsDType.F32, new long[] {4},
                SafetensorsWriterSource.of(new byte[12]));
        IOException e = assertThrows(IOException.class,
                () -> SafetensorsWriter.write(List.of(tooFew), Map.of(), out, List.of(), ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("produced 12 bytes"), e.getMessage());
        SafetensorsWriterTensor tooMany = new SafetensorsWriterTensor("x", SafetensorsDType.F32, new long[] {2},
                SafetensorsWriterSource.of(new byte[12]));
        assertThrows(IOException.class,
                () -> SafetensorsWriter.write(List.of(tooMany), Map.of(), out, List.of(), ProgressMonitor.NONE));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void rejectsWhatTheFormatForbids() {
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriterTensor("__metadata__",
                SafetensorsDType.U8, new long[] {1}, SafetensorsWriterSource.of(new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriterTensor("f4",
                SafetensorsDType.F4, new long[] {3}, SafetensorsWriterSource.of(new byte[2])));
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriterTensor("neg",
                SafetensorsDType.U8, new long[] {-1}, SafetensorsWriterSource.of(new byte[0])));
        SafetensorsWriterTensor t = new SafetensorsWriterTensor("t", SafetensorsDType.U8, new long[] {1}, SafetensorsWriterSource.of(new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriterLayout.of(List.of(t, t), Map.of()));
    }

    /** A tensor larger than the writer's chunk, streamed in odd-sized pieces; progress rises to the total. */
    @Test
    void streamsLargeTensorsInPiecesWithRisingProgress() throws IOException {
        int n = SafetensorsWriter.CHUNK + 12_345;
        SafetensorsWriterTensor big = new SafetensorsWriterTensor("big", SafetensorsDType.U8, new long[] {n}, sink -> {
            byte[] piece = new byte[100_003];
            for (int pos = 0; pos < n; pos += piece.length) {
                int len = Math.min(piece.length, n - pos);
                for (int i = 0; i < len; i++) piece[i] = (byte) ((pos + i) * 31);
                sink.write(ByteBuffer.wrap(piece, 0, len));
            }
        });
        List<long[]> reports = new ArrayList<>();
        ProgressMonitor recording = new ProgressMonitor() {
            @Override public void progress(long done, long total) { reports.add(new long[] {done, total}); }
            @Override public boolean isCancelled() { return false; }
        };
        Path out = dir.resolve("big.safetensors");
        SafetensorsWriterLayout layout = SafetensorsWriter.write(List.of(big), Map.of(), out, List.of(), recording);
        for (int i = 1; i < reports.size(); i++) assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0]);
        assertEquals(2 * layout.fileSize(), reports.getLast()[1]);
        assertEquals(reports.getLast()[1], reports.getLast()[0]);
        try (Model m = SafetensorsReader.open(out)) {
            MemorySegment data = m.tensor("big").orElseThrow().data();
            for (int i = 0; i < n; i += 4099) assertEquals((byte) (i * 31), data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
        }
    }

    /** A disk that fills up mid-way: the write fails, the temporary file is gone, an existing target is intact. */
    @Test
    void aFailingDiskLeavesNoTemporaryFileAndKeepsTheOldTarget() throws IOException {
        Path target = dir.resolve("out.safetensors");
        Files.writeString(target, "previous contents");
        AtomicLong budget = new AtomicLong(100);
        List<Path> opened = new ArrayList<>();
        FileCommit.ChannelOpener diskFull = temp -> {
            opened.add(temp);
            WritableByteChannel real = FileCommit.ChannelOpener.FILE.open(temp);
            return new WritableByteChannel() {
                @Override public int write(ByteBuffer src) throws IOException {
                    if (budget.addAndGet(-src.remaining()) < 0) throw new IOException("No space left on device");
                    return real.write(src);
                }
                @Override public boolean isOpen() { return real.isOpen(); }
                @Override public void close() throws IOException { real.close(); }
            };
        };
        IOException e = assertThrows(IOException.class, () -> SafetensorsWriter.write(mixedTensors(), Map.of(),
                target, List.of(), ProgressMonitor.NONE, diskFull));
        assertEquals("No space left on device", e.getMessage());
        assertEquals(1, opened.size());
        assertFalse(Files.exists(opened.getFirst()), "temporary file deleted");
        assertEquals("previous contents", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    /** Cancelled while the second tensor is being produced: nothing is left, the old target is intact. */
    @Test
    void cancellationMidWayLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("out.safetensors");
        Files.writeString(target, "previous contents");
        boolean[] cancel = {false};
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return cancel[0]; }
        };
        SafetensorsWriterTensor first = new SafetensorsWriterTensor("a", SafetensorsDType.F32, new long[] {2},
                sink -> { sink.write(MemorySegment.ofArray(f32(1, 2))); cancel[0] = true; });
        SafetensorsWriterTensor second = new SafetensorsWriterTensor("b", SafetensorsDType.F32, new long[] {2},
                SafetensorsWriterSource.of(f32(3, 4)));
        assertThrows(CancellationException.class,
                () -> SafetensorsWriter.write(List.of(first, second), Map.of(), target, List.of(), monitor));
        assertEquals("previous contents", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void refusesToOverwriteTheInputEvenThroughLinks() throws IOException {
        Path input = dir.resolve("in.safetensors");
        SafetensorsWriter.write(mixedTensors(), Map.of(), input, List.of(), ProgressMonitor.NONE);
        byte[] original = Files.readAllBytes(input);
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), input);
        Path hard = Files.createLink(dir.resolve("hard.safetensors"), input);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        for (Path target : List.of(input, link, hard, sub.resolve("..").resolve("in.safetensors"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(
                    mixedTensors(), Map.of(), target, List.of(input), ProgressMonitor.NONE), target.toString());
            assertTrue(e.getMessage().startsWith("refusing to overwrite the input file"), e.getMessage());
        }
        assertArrayEquals(original, Files.readAllBytes(input));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(mixedTensors(), Map.of(), sub,
                List.of(), ProgressMonitor.NONE));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }
}
