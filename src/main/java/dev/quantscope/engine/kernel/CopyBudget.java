package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Whether the interleaved copies of a model's weights ({@link PackedKernel}) may be made. The copies are anonymous
 * memory, which the system cannot drop and read again as it can a mapped file's pages: a model larger than the
 * memory at hand still runs from its mapping (slowly, paging from the file), but its copies would exhaust the memory.
 * So the copies are made only when they take at most half of what the system reports available.
 */
public final class CopyBudget {
    private CopyBudget() {}

    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /** Bytes the interleaved copies of {@code matrices} would take (0 for those that stay on the file). */
    public static long bytesFor(Collection<TensorInfo> matrices) {
        long sum = 0;
        for (TensorInfo t : matrices) {
            if (Kernels.copies(t.dtype())) {
                sum = Math.addExact(sum, PackedKernel.copyBytes(t.dtype(), t.shape().rows(), t.shape().rowLength()));
            }
        }
        return sum;
    }

    /** Whether copies of {@code bytes} fit: at most half of the available memory. */
    public static boolean allows(long bytes) {
        return bytes <= availableBytes() / 2;
    }

    /**
     * MemAvailable from /proc/meminfo (memory for new work without swapping, page cache counted as free), else the
     * JVM's figure for free physical memory.
     */
    static long availableBytes() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] f = line.trim().split("\\s+");
                    return Math.multiplyExact(Long.parseLong(f[1]), 1024L);
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall through
        }
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return 0;
    }
}
