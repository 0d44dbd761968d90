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
    /** The words after field and offset, or null when the message was made whole by a factory below. */
    private final String problem;

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
        this.problem = problem;
    }

    public ModelFormatException(Path file, String field, long offset, String problem, Throwable cause) {
        this(file, field, offset, problem);
        initCause(cause);
    }

    private ModelFormatException(String message, Path file, String field, long offset) {
        super(message);
        this.file = file;
        this.field = field;
        this.offset = offset;
        this.problem = null;
    }

    /**
     * The file is not what its name says, e.g. text named {@code x.safetensors}: the sentence says so first, then
     * what was found and where, as in {@code x.safetensors: not a safetensors file (it starts with "hello wo", not
     * with a header length; header length at byte 0)}.
     *
     * @param kind  what the file should have been, with its article: "a GGUF file", "an ONNX model"
     * @param found what the file holds instead, in words
     */
    public static ModelFormatException notOfKind(Path file, String kind, String found, String field, long offset) {
        String where = offset >= 0 ? field + " at byte " + offset : field;
        return new ModelFormatException(file + ": not " + kind + " (" + found + "; " + where + ")", file, field, offset);
    }

    /**
     * The file is not what its name says, and a reader found that out where {@code tripped} says: the sentence
     * first, then what was found, then the reader's own field, offset and problem.
     */
    public static ModelFormatException notOfKind(Path file, String kind, String found, ModelFormatException tripped) {
        String where = tripped.offset >= 0 ? tripped.field + " at byte " + tripped.offset : tripped.field;
        String detail = tripped.problem == null ? where : where + ": " + tripped.problem;
        return new ModelFormatException(file + ": not " + kind + " (" + found + "; " + detail + ")", file,
                tripped.field, tripped.offset);
    }

    /** A problem with the file as a whole, with no field to blame: {@code x.gguf: no such file or folder}. */
    public static ModelFormatException ofFile(Path file, String problem) {
        return new ModelFormatException(file + ": " + problem, file, "file", -1);
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
