package dev.quantscope.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a whole file read-only into {@code arena}. Works for files over 2 GB; the mapping lives until the arena
 * (one per open model) is closed.
 */
public final class MappedFile {
    private MappedFile() {}

    public static MemorySegment map(Path file, Arena arena) throws IOException {
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file, "file", -1, "not a regular file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) return MemorySegment.NULL.reinterpret(0);
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }
}
