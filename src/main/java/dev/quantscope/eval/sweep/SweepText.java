package dev.quantscope.eval.sweep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The text a sweep measures accuracy on: a file the user chose, or the excerpt of Shakespeare that ships inside
 * the application (the project's {@code assets/text/}, packed into the jar, so the launcher in {@code target/} and
 * an installed image both find it without a path), so a first sweep needs no file at all.
 */
public sealed interface SweepText {

    /** What the page and the command line call the text. */
    String name();

    /** The whole text as bytes. */
    InputStream open() throws IOException;

    /** The text that ships with QuantScope. */
    static SweepText bundled() { return new Bundled(); }

    /**
     * The first {@code limit} bytes, cut back to the last line break so no character or word is split (the whole
     * text when it is shorter, or has no line break there), decoded as UTF-8.
     */
    default String read(long limit) throws IOException {
        byte[] bytes;
        boolean more;
        try (InputStream in = open()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit));
            more = in.read() >= 0;
        }
        int end = bytes.length;
        if (more) {
            for (int i = bytes.length - 1; i > 0; i--) {
                if (bytes[i] == '\n') {
                    end = i + 1;
                    break;
                }
            }
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** The whole text. */
    default String readAll() throws IOException { return read(Integer.MAX_VALUE - 8); }

    record FromFile(Path file) implements SweepText {
        public FromFile {
            Objects.requireNonNull(file);
        }

        @Override
        public String name() { return file.getFileName().toString(); }

        @Override
        public InputStream open() throws IOException { return Files.newInputStream(file); }
    }

    /**
     * The first 40 KB of tinyshakespeare, the opening of Coriolanus (public domain): many windows of a small
     * model's context (see {@code assets/text/LICENSE-shakespeare.txt}).
     */
    record Bundled() implements SweepText {
        /** Where the build puts {@code assets/text/shakespeare.txt} in the jar. */
        static final String RESOURCE = "/dev/quantscope/eval/sweep/text/shakespeare.txt";

        @Override
        public String name() { return "Shakespeare (bundled sample)"; }

        @Override
        public InputStream open() throws IOException {
            InputStream in = SweepText.class.getResourceAsStream(RESOURCE);
            if (in == null) throw new NoSuchFileException(RESOURCE, null, "the bundled sample text is missing from this build");
            return in;
        }
    }
}
