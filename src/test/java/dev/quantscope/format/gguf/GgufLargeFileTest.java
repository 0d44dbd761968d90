package dev.quantscope.format.gguf;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Files over 2 GB: offsets and sizes beyond int range. The file is sparse, so it costs no disk. */
class GgufLargeFileTest {
    @Test
    void readsATensorPastTheTwoGigabyteMark(@TempDir Path dir) throws Exception {
        long bigOffset = 3L << 30; // 3 GiB into the data section
        GgufBuilder b = new GgufBuilder().header(3, 2, 0);
        b.tensorInfo("huge.weight", new long[] {1L << 20, 768}, 1, 0); // 1.5 GiB of F16, never read here
        b.tensorInfo("tail.weight", new long[] {4}, 0, bigOffset);
        b.align(32);
        long dataStart = b.size();
        Path f = dir.resolve("big.gguf");
        Files.write(f, b.bytes());
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(dataStart + bigOffset);
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            tail.putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(0f);
            raf.write(tail.array());
        }
        assertTrue(Files.size(f) > (3L << 30));
        try (Model m = ModelOpener.open(f)) {
            TensorInfo huge = m.tensor("huge.weight").orElseThrow();
            assertEquals((1L << 20) * 768 * 2, huge.byteSize());
            TensorInfo tail = m.tensor("tail.weight").orElseThrow();
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f}, Decoders.decodeAll(tail));
        }
    }
}
