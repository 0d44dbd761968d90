package dev.quantscope.format.safetensors;

import dev.quantscope.format.FileCommit;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes one spec-conformant .safetensors file (layout in {@link SafetensorsWriterLayout}). Tensor bytes come from
 * streaming {@link SafetensorsWriterSource}s, written chunk by chunk, so the model never has to fit on the heap.
 *
 * <p>Safety is {@link FileCommit}'s: a temporary file next to the target, synced, read back with
 * {@link SafetensorsReader} and checked (header length, metadata, every entry's name, dtype, shape and offsets,
 * and a CRC-32C of every tensor's bytes computed while writing), then renamed atomically. A source is not asked
 * for its bytes twice: the checksum is what lets the writer verify data it no longer holds.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Bytes moved between cancellation checks and progress reports. */
    static final int CHUNK = 4 << 20;

    /**
     * Writes {@code tensors} (any order; the file orders them) with {@code metadata} to {@code target}.
     *
     * @param inputs  files the output must not replace (the models being read)
     * @param monitor progress in bytes, over writing and then verifying; cancellation between chunks
     * @return the layout that was written
     * @throws IllegalArgumentException when {@code target} is one of {@code inputs} or a directory, or when the
     *                                  tensors cannot be laid out (a name given twice)
     * @throws java.util.concurrent.CancellationException when cancelled (nothing is left behind)
     */
    public static SafetensorsWriterLayout write(List<SafetensorsWriterTensor> tensors, Map<String, String> metadata,
                                                Path target, Collection<Path> inputs, ProgressMonitor monitor)
            throws IOException {
        return write(tensors, metadata, target, inputs, monitor, FileCommit.ChannelOpener.FILE);
    }

    static SafetensorsWriterLayout write(List<SafetensorsWriterTensor> tensors, Map<String, String> metadata,
                                         Path target, Collection<Path> inputs, ProgressMonitor monitor,
                                         FileCommit.ChannelOpener opener) throws IOException {
        FileCommit.checkTarget(target, inputs);
        SafetensorsWriterLayout layout = SafetensorsWriterLayout.of(tensors, metadata);
        long total = Math.multiplyExact(layout.fileSize(), 2L);
        int[] checksums = new int[layout.tensors().size()];
        FileCommit.write(target, inputs, monitor, opener,
                ch -> writeAll(ch, layout, checksums, monitor, total),
                temp -> verify(temp, layout, checksums, monitor, total));
        monitor.progress(total, total);
        return layout;
    }

    private static void writeAll(WritableByteChannel ch, SafetensorsWriterLayout layout, int[] checksums,
                                 ProgressMonitor monitor, long total) throws IOException {
        byte[] header = layout.header();
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
        FileCommit.writeFully(ch, prefix);
        FileCommit.writeFully(ch, ByteBuffer.wrap(header));
        long done = layout.dataStart();
        monitor.progress(done, total);
        List<SafetensorsWriterTensor> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            monitor.checkCancelled();
            SafetensorsWriterTensor t = tensors.get(i);
            CountingSink sink = new CountingSink(ch, t, monitor, done, total);
            t.source().writeTo(sink);
            if (sink.written != t.byteSize()) {
                throw new IOException("tensor '" + t.name() + "' produced " + sink.written + " bytes, but "
                        + t.byteSize() + " were declared (" + t + ")");
            }
            checksums[i] = (int) sink.crc.getValue();
            done += sink.written;
        }
        monitor.checkCancelled();
    }

    /** Passes bytes to the file in chunks, counting them, checksumming them, checking for cancellation. */
    private static final class CountingSink implements SafetensorsWriterSink {
        private final WritableByteChannel ch;
        private final SafetensorsWriterTensor tensor;
        private final ProgressMonitor monitor;
        private final long before;
        private final long total;
        private final CRC32C crc = new CRC32C();
        private long written;
        private byte[] copyBuffer;

        CountingSink(WritableByteChannel ch, SafetensorsWriterTensor tensor, ProgressMonitor monitor, long before,
                     long total) {
            this.ch = ch;
            this.tensor = tensor;
            this.monitor = monitor;
            this.before = before;
            this.total = total;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                int n = Math.min(CHUNK, bytes.remaining());
                ByteBuffer piece = bytes.slice(bytes.position(), n);
                accept(piece);
                bytes.position(bytes.position() + n);
            }
        }

        @Override
        public void write(MemorySegment bytes) throws IOException {
            // asByteBuffer only works for native segments and heap segments over byte[]
            boolean direct = bytes.heapBase().map(base -> base instanceof byte[]).orElse(true);
            for (long pos = 0; pos < bytes.byteSize(); pos += CHUNK) {
                int n = (int) Math.min(CHUNK, bytes.byteSize() - pos);
                MemorySegment piece = bytes.asSlice(pos, n);
                if (direct) {
                    accept(piece.asByteBuffer());
                } else {
                    if (copyBuffer == null || copyBuffer.length < n) copyBuffer = new byte[n];
                    MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, 0, copyBuffer, 0, n);
                    accept(ByteBuffer.wrap(copyBuffer, 0, n));
                }
            }
        }

        private void accept(ByteBuffer piece) throws IOException {
            monitor.checkCancelled();
            int n = piece.remaining();
            // refused before writing, so a misbehaving source cannot spill into the next tensor's bytes
            if (written + n > tensor.byteSize()) {
                throw new IOException("tensor '" + tensor.name() + "' produced more than the " + tensor.byteSize()
                        + " bytes declared (" + tensor + ")");
            }
            crc.update(piece.duplicate());
            FileCommit.writeFully(ch, piece);
            written += n;
            monitor.progress(before + written, total);
        }
    }

    /** Reads the written file back with the project's reader and checks it holds exactly what was meant. */
    private static void verify(Path temp, SafetensorsWriterLayout layout, int[] checksums, ProgressMonitor monitor,
                               long total) throws IOException {
        long size = Files.size(temp);
        if (size != layout.fileSize()) {
            throw mismatch("the file has " + size + " bytes, expected " + layout.fileSize());
        }
        long done = layout.fileSize();
        try (Model written = SafetensorsReader.open(temp)) {
            SafetensorsDetails details = (SafetensorsDetails) written.details();
            SafetensorsHeader h = details.files().getFirst();
            if (h.headerLength() != layout.header().length) throw mismatch("header length " + h.headerLength());
            if (!h.metadata().equals(layout.metadata())) throw mismatch("metadata " + h.metadata());
            List<SafetensorsEntry> entries = h.entries();
            List<SafetensorsWriterTensor> want = layout.tensors();
            if (entries.size() != want.size()) throw mismatch(entries.size() + " tensors");
            Map<String, TensorInfo> byName = new HashMap<>();
            for (TensorInfo t : written.tensors()) byName.put(t.name(), t);
            long[] begins = layout.begins();
            for (int i = 0; i < entries.size(); i++) {
                SafetensorsEntry e = entries.get(i);
                SafetensorsWriterTensor w = want.get(i);
                if (!e.name().equals(w.name())) throw mismatch("tensor #" + i + " is named " + e.name());
                if (e.type() != w.dtype()) throw mismatch(w.name() + " has dtype " + e.type());
                if (!Arrays.equals(e.shape(), w.shape())) throw mismatch(w.name() + " has shape " + Arrays.toString(e.shape()));
                if (e.begin() != begins[i] || e.byteSize() != w.byteSize()) throw mismatch(w.name() + " offsets " + e);
                MemorySegment data = byName.get(w.name()).data();
                CRC32C crc = new CRC32C();
                for (long pos = 0; pos < data.byteSize(); pos += CHUNK) {
                    monitor.checkCancelled();
                    long n = Math.min(CHUNK, data.byteSize() - pos);
                    crc.update(data.asSlice(pos, n).asByteBuffer());
                    done += n;
                    monitor.progress(done, total);
                }
                if ((int) crc.getValue() != checksums[i]) throw mismatch(w.name() + " data differs from what was written");
            }
        }
    }

    private static IOException mismatch(String what) {
        return new IOException("verification of the written safetensors file failed: " + what);
    }
}
