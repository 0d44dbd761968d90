package dev.quantscope.format.gguf;

import dev.quantscope.format.FileCommit;
import dev.quantscope.format.Model;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes GGUF v3 files safely. The file is written to a temporary file next to the target, read back with
 * {@link GgufReader} and compared with what was meant to be written (key/values, tensor names, dimensions, types,
 * sizes and every data byte), synced to disk, and only then renamed over the target in one atomic step. So the
 * target is either the complete, verified file or untouched; on any failure or cancellation the temporary file is
 * deleted. The target may never be one of the input files (also through a symlink or a hard link), since the
 * inputs are memory-mapped while the output is written.
 */
public final class GgufWriter {
    private GgufWriter() {}

    /** Bytes moved between cancellation checks and progress reports. */
    static final int CHUNK = 4 << 20;

    /**
     * Opens the channel the temporary file is written through. Tests inject one that fails mid-way. Kept as
     * GGUF's own name for {@link FileCommit.ChannelOpener}.
     */
    @FunctionalInterface
    public interface ChannelOpener extends FileCommit.ChannelOpener {
        ChannelOpener FILE = FileCommit.ChannelOpener.FILE::open;
    }

    /**
     * Writes {@code output} to {@code target}.
     *
     * @param inputs  files the output must not replace (the models being read)
     * @param monitor progress in bytes, over writing and then verifying; cancellation between chunks
     * @return the layout that was written
     * @throws IllegalArgumentException when {@code target} is one of {@code inputs} or a directory
     * @throws java.util.concurrent.CancellationException when cancelled (nothing is left behind)
     */
    public static GgufOutputLayout write(GgufOutput output, Path target, Collection<Path> inputs,
                                         ProgressMonitor monitor) throws IOException {
        return write(output, target, inputs, monitor, ChannelOpener.FILE);
    }

    static GgufOutputLayout write(GgufOutput output, Path target, Collection<Path> inputs, ProgressMonitor monitor,
                                  FileCommit.ChannelOpener opener) throws IOException {
        FileCommit.checkTarget(target, inputs);
        GgufOutputLayout layout = GgufOutputLayout.of(output);
        long total = Math.multiplyExact(layout.fileSize(), 2L);
        // Bytes made while writing are gone when the file is read back: they are verified by their checksum.
        long[] checksums = new long[output.tensors().size()];
        FileCommit.write(target, inputs, monitor, opener,
                ch -> writeAll(ch, output, layout, monitor, total, checksums),
                temp -> verify(temp, output, layout, monitor, total, checksums));
        monitor.progress(total, total);
        return layout;
    }

    private static void writeAll(WritableByteChannel ch, GgufOutput output, GgufOutputLayout layout,
                                 ProgressMonitor monitor, long total, long[] checksums) throws IOException {
        long done = 0;
        FileCommit.writeFully(ch, ByteBuffer.wrap(layout.header()));
        done += layout.dataOffset();
        monitor.progress(done, total);
        ByteBuffer zeros = ByteBuffer.allocate(layout.alignment());
        List<GgufOutputTensor> tensors = output.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            GgufOutputTensor t = tensors.get(i);
            monitor.checkCancelled();
            MemorySegment data = switch (t.bytes()) {
                case TensorBytes.Present p -> p.data();
                case TensorBytes.Produced p -> p.open();
            };
            try {
                CRC32C crc = t.bytes() instanceof TensorBytes.Produced ? new CRC32C() : null;
                for (long pos = 0; pos < data.byteSize(); pos += CHUNK) {
                    monitor.checkCancelled();
                    long n = Math.min(CHUNK, data.byteSize() - pos);
                    ByteBuffer chunk = data.asSlice(pos, n).asByteBuffer();
                    if (crc != null) crc.update(chunk.duplicate());
                    FileCommit.writeFully(ch, chunk);
                    done += n;
                    monitor.progress(done, total);
                }
                if (crc != null) checksums[i] = crc.getValue();
            } finally {
                if (t.bytes() instanceof TensorBytes.Produced p) p.release();
            }
            int pad = (int) (GgufOutputLayout.padded(data.byteSize(), layout.alignment()) - data.byteSize());
            FileCommit.writeFully(ch, zeros.clear().limit(pad));
            done += pad;
        }
        monitor.checkCancelled();
    }

    /** Reads the written file back and checks it holds exactly what was meant. */
    private static void verify(Path temp, GgufOutput output, GgufOutputLayout layout, ProgressMonitor monitor,
                               long total, long[] checksums) throws IOException {
        long size = Files.size(temp);
        if (size != layout.fileSize()) {
            throw new IOException("written file has " + size + " bytes, expected " + layout.fileSize());
        }
        long done = layout.fileSize();
        try (Model written = GgufReader.open(temp)) {
            GgufFile g = (GgufFile) written.details();
            if (g.version() != GgufOutputLayout.VERSION) throw mismatch("version " + g.version());
            if (g.alignment() != layout.alignment()) throw mismatch("alignment " + g.alignment());
            if (g.dataOffset() != layout.dataOffset()) throw mismatch("data offset " + g.dataOffset());
            List<GgufKv> kvs = g.metadata();
            if (kvs.size() != output.metadata().size()) throw mismatch(kvs.size() + " key/values");
            for (int i = 0; i < kvs.size(); i++) {
                GgufKv want = output.metadata().get(i);
                if (!kvs.get(i).key().equals(want.key()) || kvs.get(i).type() != want.type()) {
                    throw mismatch("key/value #" + i + " is " + kvs.get(i).key() + " " + kvs.get(i).type());
                }
            }
            List<TensorInfo> tensors = written.tensors();
            long[] offsets = layout.offsets();
            if (tensors.size() != output.tensors().size()) throw mismatch(tensors.size() + " tensors");
            for (int i = 0; i < tensors.size(); i++) {
                TensorInfo got = tensors.get(i);
                GgufOutputTensor want = output.tensors().get(i);
                DType type = got.dtype();
                if (!got.name().equals(want.name())) throw mismatch("tensor #" + i + " is named " + got.name());
                if (type != want.type()) throw mismatch(want.name() + " has type " + type);
                if (!Arrays.equals(got.shape().dims(), want.storedNe())) {
                    throw mismatch(want.name() + " has shape " + got.shape());
                }
                if (g.tensors().get(i).offset() != offsets[i]) throw mismatch(want.name() + " offset");
                if (got.byteSize() != want.byteSize()) throw mismatch(want.name() + " has " + got.byteSize() + " bytes");
                boolean produced = want.bytes() instanceof TensorBytes.Produced;
                CRC32C crc = new CRC32C();
                for (long pos = 0; pos < got.byteSize(); pos += CHUNK) {
                    monitor.checkCancelled();
                    long n = Math.min(CHUNK, got.byteSize() - pos);
                    if (produced) {
                        crc.update(got.data().asSlice(pos, n).asByteBuffer());
                    } else if (MemorySegment.mismatch(got.data(), pos, pos + n, want.data(), pos, pos + n) != -1) {
                        throw mismatch(want.name() + " data differs near byte " + pos);
                    }
                    done += n;
                    monitor.progress(done, total);
                }
                if (produced && crc.getValue() != checksums[i]) throw mismatch(want.name() + " data differs (checksum)");
            }
        }
    }

    private static IOException mismatch(String what) {
        return new IOException("verification of the written GGUF file failed: " + what);
    }
}
