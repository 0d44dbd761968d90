package dev.quantscope.format;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Gives back the pages of a memory-mapped file that were read once and are not needed again (a tensor just copied
 * into an interleaved layout, or quantized and written), so that they stop counting in the process's resident memory: {@code madvise} with
 * {@code MADV_DONTNEED}, which for a file mapping only drops this process's references; the data stays in the file
 * and in the page cache, and a later read faults it back in. Never used on anonymous memory, where the same call
 * would zero the pages. Where there is no {@code madvise} (not Linux, no native access) it does nothing.
 */
public final class MappedPages {
    private MappedPages() {}

    private static final int MADV_DONTNEED = 4; // Linux
    private static final long PAGE = 4096;
    private static final Optional<MethodHandle> MADVISE = lookup();

    /** Drops the resident pages wholly inside {@code s}, when it maps a file; a hint, failures are ignored. */
    public static void release(MemorySegment s) {
        if (!s.isNative() || !s.isMapped() || MADVISE.isEmpty()) return;
        long start = s.address(), end = start + s.byteSize();
        long from = (start + PAGE - 1) & -PAGE, to = end & -PAGE; // pages shared with a neighbouring tensor stay
        if (to <= from) return;
        try {
            int ignored = (int) MADVISE.get().invokeExact(MemorySegment.ofAddress(from), to - from, MADV_DONTNEED);
        } catch (Throwable hintOnly) {
            // a failed hint costs memory, not correctness
        }
    }

    private static Optional<MethodHandle> lookup() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return Optional.empty();
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)));
        } catch (RuntimeException | LinkageError noNativeAccess) {
            return Optional.empty();
        }
    }
}
