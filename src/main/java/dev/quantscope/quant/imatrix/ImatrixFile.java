package dev.quantscope.quant.imatrix;

import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufValueType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An importance matrix as {@code llama-quantize --imatrix FILE} uses it: the matrix plus the file name it came
 * from, which goes into the quantized model's metadata.
 *
 * @param name   the file as named on the command line (recorded as {@code quantize.imatrix.file})
 * @param matrix the sums and counts read from it
 */
public record ImatrixFile(String name, ImportanceMatrix matrix) {

    /** llama-quantize's metadata keys (LLM_KV_QUANTIZE_IMATRIX_*). */
    public static final String KEY_FILE = "quantize.imatrix.file", KEY_DATASET = "quantize.imatrix.dataset",
            KEY_ENTRIES = "quantize.imatrix.entries_count", KEY_CHUNKS = "quantize.imatrix.chunks_count";

    /** llama-quantize copies strings into a 128-byte override value: 127 bytes at most survive. */
    private static final int MAX_STRING_BYTES = 127;

    public ImatrixFile {
        Objects.requireNonNull(name);
        Objects.requireNonNull(matrix);
    }

    /** Reads {@code file} (GGUF or legacy .dat); the file is named as given. */
    public static ImatrixFile read(Path file) throws IOException {
        return new ImatrixFile(file.toString(), ImatrixFiles.read(file));
    }

    /**
     * The importance that weights tensor {@code tensorName} of {@code rowLength} columns and {@code matrices} matrices
     * (ne[2]; 1 for a dense weight): per matrix its columns' importance, concatenated. Empty when the imatrix has no
     * entry for the tensor: llama-quantize then logs "did not find weights" and quantizes it without weights.
     *
     * @throws IllegalArgumentException when the entry's size is not {@code rowLength × matrices}: llama-quantize stops
     *                                  there too (an imatrix made for another model), except for the token embedding,
     *                                  which it then quantizes without weights
     */
    public Optional<float[]> importance(String tensorName, long rowLength, long matrices) {
        Optional<ImportanceMatrix.Entry> found = matrix.entry(tensorName);
        if (found.isEmpty()) return Optional.empty();
        ImportanceMatrix.Entry e = found.get();
        if (e.rowLength() != rowLength || e.matrices() != matrices) {
            if (tensorName.equals("token_embd.weight")) return Optional.empty();
            throw new IllegalArgumentException(name + ": importance of " + tensorName + " has " + e.matrices() + " x "
                    + e.rowLength() + " values, the tensor " + matrices + " x " + rowLength
                    + " (an imatrix for another model?)");
        }
        float[] all = new float[Math.toIntExact(Math.multiplyExact(rowLength, matrices))];
        for (int m = 0; m < matrices; m++) {
            System.arraycopy(e.importance(m), 0, all, Math.toIntExact((long) m * rowLength), (int) rowLength);
        }
        return Optional.of(all);
    }

    /**
     * The key/values llama-quantize appends when given an imatrix: the file name, the first calibration dataset (if
     * any), the number of entries, and the chunk count when positive; strings cut to 127 bytes, counts as UINT32.
     */
    public List<GgufKv> metadata() {
        List<GgufKv> kvs = new ArrayList<>(4);
        kvs.add(new GgufKv(KEY_FILE, GgufValueType.STRING, truncated(name)));
        if (!matrix.datasets().isEmpty()) {
            kvs.add(new GgufKv(KEY_DATASET, GgufValueType.STRING, truncated(matrix.datasets().getFirst())));
        }
        kvs.add(new GgufKv(KEY_ENTRIES, GgufValueType.UINT32, (long) matrix.entries().size()));
        if (matrix.chunkCount() > 0) kvs.add(new GgufKv(KEY_CHUNKS, GgufValueType.UINT32, (long) matrix.chunkCount()));
        return kvs;
    }

    /**
     * {@code output} with {@link #metadata()} set as gguf_set_val sets a key: an existing key of the same name is
     * removed and the new one appended, after everything llama-quantize copied and set before.
     */
    public GgufOutput appendTo(GgufOutput output) {
        List<GgufKv> added = metadata();
        List<GgufKv> kvs = new ArrayList<>(output.metadata().size() + added.size());
        for (GgufKv kv : output.metadata()) {
            if (added.stream().noneMatch(a -> a.key().equals(kv.key()))) kvs.add(kv);
        }
        kvs.addAll(added);
        return new GgufOutput(kvs, output.tensors());
    }

    /** The longest prefix of {@code s} within 127 UTF-8 bytes that does not split a character. */
    private static String truncated(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (utf8.length <= MAX_STRING_BYTES) return s;
        int end = MAX_STRING_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
        return new String(utf8, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
