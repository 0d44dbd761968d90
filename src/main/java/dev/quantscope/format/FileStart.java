package dev.quantscope.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A file's first bytes as a message can show them, to say what a file that is not a model holds instead. */
public final class FileStart {
    private FileStart() {}

    /**
     * "it is empty", or "it starts with " its first {@code n} bytes quoted ", not with " what the format starts with:
     * what a reader says of a file that is not of its format.
     */
    public static String itStartsWith(MemorySegment seg, int n, String expected) {
        return seg.byteSize() == 0 ? "it is empty" : "it starts with " + quoted(seg, n) + ", not with " + expected;
    }

    /**
     * Up to {@code n} bytes from the start, quoted: printable ASCII as it is, anything else as {@code \xNN}
     * (text reads as text, binary as bytes).
     */
    public static String quoted(MemorySegment seg, int n) {
        StringBuilder sb = new StringBuilder("\"");
        long end = Math.min(seg.byteSize(), n);
        for (long i = 0; i < end; i++) {
            int b = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, i));
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') sb.append((char) b);
            else sb.append(String.format("\\x%02x", b));
        }
        return sb.append('"').toString();
    }
}
