package dev.quantscope.eval.llamacpp;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One child process run to its end: what it printed, its exit status, its wall time and its peak resident memory.
 * <p>
 * The peak is the kernel's high-water mark of the child's resident set (VmHWM in /proc/PID/status), the same figure
 * QuantScope's bench reports of itself. It is read every {@link #POLL_MS} ms while the child runs, and it only grows,
 * so the last read misses at most what the child added in its last few milliseconds (a tool's peak is its model and
 * buffers, held from load to exit). A shell wrapper that {@code exec}s the tool (llama.cpp's {@code llama}) keeps
 * the process id, so the figure is the tool's. NaN where there is no /proc, or the child ended before one read.
 *
 * @param status     exit status
 * @param out        standard output
 * @param err        standard error
 * @param seconds    wall time from start to exit, as a user timing the command would see it
 * @param peakRssMb  peak resident set in MiB, or NaN
 */
public record ToolRun(List<String> command, int status, String out, String err, double seconds, double peakRssMb) {
    static final long POLL_MS = 10;

    /** Runs {@code command} with no input; {@code cancelled} is asked between polls and stops the child when true. */
    public static ToolRun run(List<String> command, BooleanSupplier cancelled) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long start = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream()), err = drain(p.getErrorStream());
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peakKb = -1;
        try {
            while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) throw new CancellationException();
                peakKb = Math.max(peakKb, vmHwmKb(status));
            }
        } catch (InterruptedException | CancellationException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new ToolRun(List.copyOf(command), p.exitValue(), out.join(), err.join(), seconds,
                peakKb < 0 ? Double.NaN : peakKb / 1024.0);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    /** VmHWM of a running process in kB, or -1 (no /proc, or the process has just ended). */
    static long vmHwmKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The shell's and the loader's status for a program that could not start (a missing shared library). */
    private static final int NOT_STARTED = 127;
    /** Killed by SIGILL (128 + 4): a build for instructions this CPU lacks (the shared tools need AVX-512). */
    private static final int ILLEGAL_INSTRUCTION = 132;

    /**
     * The failure of a run that did not exit with 0, in one sentence: a tool that could not start says so (its input
     * is not to blame); otherwise {@code file} was refused, for the tool's own reason.
     */
    public RuntimeException failure(String tool, java.nio.file.Path file) {
        if (status == NOT_STARTED) return new IllegalStateException(tool + " did not start (" + reason() + ")");
        if (status == ILLEGAL_INSTRUCTION) {
            return new IllegalStateException(tool + " stopped on an illegal instruction: it was built for a CPU with "
                    + "instructions this one lacks");
        }
        return new IllegalArgumentException(file + ": " + tool + " refused it (" + reason() + ")");
    }

    /**
     * The tool's own reason for a failure: its last line that says "error" (llama.cpp prefixes them so), else its
     * last non-empty line of stderr, else the exit status.
     */
    public String reason() {
        List<String> lines = err.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            int at = l.toLowerCase(java.util.Locale.ROOT).indexOf("error:");
            if (at >= 0) return l.substring(at + "error:".length()).strip();
        }
        return lines.isEmpty() ? "exit status " + status : lines.getLast();
    }
}
