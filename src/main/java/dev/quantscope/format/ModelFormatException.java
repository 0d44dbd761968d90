package dev.quantscope.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file is malformed, truncated, hostile or of a kind QuantScope refuses. The message always names the
 * file, the field that is wrong and, where there is one, the byte offset, so the user can act on it.
 */
public class ModelFormatException extends IOException {
    private final Path file;
    private final String field;
    private final long offset;

    /**
     * @param file   the file being read
     * @param field  what was being read, e.g. "tensor_count" or "tensor 'blk.0.attn_q.weight' offset"
     * @param offset byte offset in the file, or -1 when there is none
     * @param problem what is wrong, in words
     */
    public ModelFormatException(Path file, String field, long offset, String problem) {
        super(format(file, field, offset, problem));
        this.file = file;
        this.field = field;
        this.offset = offset;
    }

    public ModelFormatException(Path file, String field, long offset, String problem, Throwable cause) {
        this(file, field, offset, problem);
        initCause(cause);
    }

    private static String format(Path file, String field, long offset, String problem) {
        String where = offset >= 0 ? " at byte " + offset : "";
        return file + ": " + field + where + ": " + problem;
    }

    public Path file() { return file; }

    public String field() { return field; }

    /** Byte offset in the file, or -1. */
    public long offset() { return offset; }
}
