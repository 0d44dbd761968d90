package dev.quantscope.app.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token pieces (bytes) into text as it comes: a byte-fallback token can be a third of a
 * character, so bytes of an unfinished UTF-8 sequence wait for the next piece instead of showing as U+FFFD.
 * Concatenating what {@link #append} returns equals decoding all the bytes at once.
 */
public final class Utf8Stream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** Adds a piece and returns the text completed by it (possibly empty). */
    public String append(byte[] piece) {
        pending.writeBytes(piece);
        byte[] all = pending.toByteArray();
        int complete = completePrefix(all);
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is still waiting, decoded as it is (for the end of a run). */
    public String flush() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /** Length of the longest prefix that does not end inside a multi-byte sequence. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        // Walk back over at most three continuation bytes to the lead byte of the last sequence.
        for (int back = 1; back <= Math.min(4, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue; // continuation byte
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n; // only continuation bytes: invalid anyway, let the decoder replace them
    }
}
