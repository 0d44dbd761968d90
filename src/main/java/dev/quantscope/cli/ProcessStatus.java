package dev.quantscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of this process from Linux's /proc/self/status, for the bench commands. */
final class ProcessStatus {
    private ProcessStatus() {}

    private static final Path STATUS = Path.of("/proc/self/status");

    /** The value of a "Key:   1234 kB" line (VmHWM, RssAnon, …) in kB, or -1 where there is no /proc or no such line. */
    static long kilobytes(String key) {
        String prefix = key + ":";
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
