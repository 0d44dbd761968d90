package dev.quantscope.format;

import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;

/**
 * The one safe way every exporter puts a file on disk. The content is written to a temporary file in the
 * target's folder (so the final rename never crosses file systems), synced, read back and verified by the
 * caller, and only then renamed over the target in one atomic step. The target is therefore either the
 * complete, verified file or untouched; on any failure — an I/O error, a full disk, a failed verification or
 * cancellation — the temporary file is deleted and nothing partial is left behind.
 *
 * <p>The target may never be one of the input files, also not through a symlink, a {@code ..} path or a hard
 * link: the inputs are usually memory-mapped while the output is written, and replacing one would both lose
 * the user's model and pull the pages from under the running export.
 */
public final class FileCommit {
    private FileCommit() {}

    /** Opens the channel the temporary file is written through. Tests inject one that fails mid-way. */
    @FunctionalInterface
    public interface ChannelOpener {
        WritableByteChannel open(Path temp) throws IOException;

        ChannelOpener FILE = temp -> FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Writes the whole content into the channel of the temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /** Reads the synced temporary file back and throws when it does not hold what was meant. */
    @FunctionalInterface
    public interface Verifier {
        void verify(Path written) throws IOException;
    }

    /**
     * Writes {@code content} to {@code target} through a verified temporary file.
     *
     * @param inputs  files the output must not replace (the models being read)
     * @param monitor cancellation is checked once more after verification, right before the rename
     * @throws IllegalArgumentException when {@code target} is one of {@code inputs} or a directory
     * @throws java.util.concurrent.CancellationException when cancelled (nothing is left behind)
     */
    public static void write(Path target, Collection<Path> inputs, ProgressMonitor monitor, ChannelOpener opener,
                             Content content, Verifier verifier) throws IOException {
        Path absolute = checkTarget(target, inputs);
        Path dir = absolute.getParent();
        Files.createDirectories(dir);

        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".part");
        try {
            makeReadable(temp);
            try (WritableByteChannel ch = opener.open(temp)) {
                content.writeTo(ch);
            }
            // Durable before it becomes visible: a crash after the rename must not leave a hole-filled file.
            try (FileChannel sync = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                sync.force(true);
            }
            verifier.verify(temp);
            monitor.checkCancelled();
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + temp + " to " + absolute + " atomically", e);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
    }

    /**
     * Checks a target before any work starts, so a long export is not done in vain: it must not be a directory
     * nor one of the inputs.
     *
     * @return the target as an absolute path
     */
    public static Path checkTarget(Path target, Collection<Path> inputs) throws IOException {
        Path absolute = target.toAbsolutePath();
        refuseInputs(absolute, inputs);
        if (Files.isDirectory(absolute)) throw new IllegalArgumentException(absolute + " is a directory");
        return absolute;
    }

    /** Refuses a target that is, or resolves to, one of the inputs: by real path (symlinks) and by file identity. */
    public static void refuseInputs(Path target, Collection<Path> inputs) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path realTarget = realPathOf(absolute);
        for (Path in : inputs) {
            Path realIn = realPathOf(in.toAbsolutePath());
            // isSameFile compares file keys (device + inode), which is what catches a hard link
            boolean same = realIn.equals(realTarget)
                    || (Files.exists(absolute) && Files.exists(in) && Files.isSameFile(absolute, in));
            if (same) {
                throw new IllegalArgumentException("refusing to overwrite the input file " + in + " (output " + target + ")");
            }
        }
    }

    /** The real path of a file that may not exist yet: its parent's real path plus its name. */
    private static Path realPathOf(Path p) throws IOException {
        if (Files.exists(p)) return p.toRealPath();
        Path parent = p.getParent();
        if (parent != null && Files.exists(parent)) return parent.toRealPath().resolve(p.getFileName());
        return p.normalize();
    }

    private static void makeReadable(Path temp) {
        try {
            // createTempFile makes the file private (rw-------); a model file is normally readable by all.
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException notPosix) {
            // not a POSIX file system: keep the default permissions
        }
    }

    /** Writes every remaining byte of {@code b}; a channel that writes nothing is asked again. */
    public static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.write(b) < 0) throw new IOException("the channel refused to write");
        }
    }
}
