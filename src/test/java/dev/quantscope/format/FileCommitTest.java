package dev.quantscope.format;

import dev.quantscope.task.ProgressMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileCommitTest {
    @TempDir
    Path dir;

    private static FileCommit.Content text(String s) {
        return ch -> FileCommit.writeFully(ch, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    private void onlyFileIs(Path p) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void replacesTheTargetOnlyAfterVerification() throws IOException {
        Path target = dir.resolve("out.bin");
        Files.writeString(target, "old");
        String[] seen = new String[1];
        FileCommit.write(target, List.of(), ProgressMonitor.NONE, FileCommit.ChannelOpener.FILE, text("new"),
                temp -> seen[0] = Files.readString(temp) + " " + Files.readString(target));
        assertEquals("new old", seen[0], "the verifier reads the synced temp file while the target is still old");
        assertEquals("new", Files.readString(target));
        onlyFileIs(target);
    }

    @Test
    void aFailedVerificationLeavesTheTargetUntouched() throws IOException {
        Path target = dir.resolve("out.bin");
        Files.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> FileCommit.write(target, List.of(), ProgressMonitor.NONE,
                FileCommit.ChannelOpener.FILE, text("new"), temp -> { throw new IOException("mismatch"); }));
        assertEquals("mismatch", e.getMessage());
        assertEquals("old", Files.readString(target));
        onlyFileIs(target);
    }

    @Test
    void anInjectedChannelFailureLeavesNoFile() throws IOException {
        Path target = dir.resolve("new.bin");
        FileCommit.ChannelOpener broken = temp -> new java.nio.channels.WritableByteChannel() {
            @Override public int write(ByteBuffer src) throws IOException { throw new IOException("No space left on device"); }
            @Override public boolean isOpen() { return true; }
            @Override public void close() {}
        };
        assertThrows(IOException.class, () -> FileCommit.write(target, List.of(), ProgressMonitor.NONE, broken,
                text("data"), temp -> {}));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void cancellationAfterVerificationStillLeavesNothing() throws IOException {
        Path target = dir.resolve("out.bin");
        Files.writeString(target, "old");
        boolean[] cancelled = {false};
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return cancelled[0]; }
        };
        assertThrows(CancellationException.class, () -> FileCommit.write(target, List.of(), monitor,
                FileCommit.ChannelOpener.FILE, text("new"), temp -> cancelled[0] = true));
        assertEquals("old", Files.readString(target));
        onlyFileIs(target);
    }

    @Test
    void refusesInputsByPathSymlinkAndHardLink() throws IOException {
        Path input = Files.writeString(dir.resolve("model.bin"), "weights");
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), input);
        Path hard = Files.createLink(dir.resolve("hard.bin"), input);
        for (Path target : List.of(input, link, hard, dir.resolve("x").resolve("..").resolve("model.bin"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileCommit.write(target,
                    List.of(input), ProgressMonitor.NONE, FileCommit.ChannelOpener.FILE, text("oops"), temp -> {}));
            assertTrue(e.getMessage().startsWith("refusing to overwrite the input file"), e.getMessage());
        }
        assertEquals("weights", Files.readString(input));
        // refusing works in both directions: the input named through the link, the real file as target
        assertThrows(IllegalArgumentException.class, () -> FileCommit.checkTarget(input, List.of(link)));
    }
}
