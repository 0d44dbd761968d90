package dev.quantscope.eval.sweep;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.quant.imatrix.ImatrixComputation;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.imatrix.ImportanceMatrix;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A sweep's importance matrix: its {@link #identity()}, which goes into every cache key of a point quantized with
 * it, known at once; its contents, loaded or computed, when the first such point must really be measured.
 *
 * <p>A file's identity is a digest of the matrix it holds (every entry's name, sums and counts), so the same matrix
 * under another file name hits the cache and an edited file misses. A matrix computed from a text is identified by
 * what determines it (the calibration text's digest, chunk size and count; the model's digest is in the key
 * already) rather than by its sums: that lets a sweep answered from the cache skip the computation, and the sums
 * may differ in their last bits between runs (the engine's vector reductions), which would make every run a miss.
 */
final class SweepImatrix {
    private final ImatrixSource source;
    private final String identity;
    private ImatrixFile file; // null until loaded or computed

    private SweepImatrix(ImatrixSource source, String identity, ImatrixFile file) {
        this.source = source;
        this.identity = identity;
        this.file = file;
    }

    /**
     * @return null for {@link ImatrixSource.None}
     * @throws IOException when the file cannot be read or is not an importance matrix (the message names it)
     */
    static SweepImatrix of(ImatrixSource source) throws IOException {
        return switch (source) {
            case ImatrixSource.None n -> null;
            case ImatrixSource.FromFile f -> {
                ImatrixFile read = ImatrixFile.read(f.file());
                yield new SweepImatrix(source, digest(read.matrix()), read);
            }
            case ImatrixSource.FromText t -> new SweepImatrix(source, sha256(String.join("\n",
                    "computed-imatrix/1", SweepCache.sha256(t.text()), "ctx " + t.ctx(), "chunks " + t.chunks())), null);
        };
    }

    /** Digest of the matrix (or of how it is computed); see the class comment. */
    String identity() { return identity; }

    /** Whether {@link #file} has work to do: a matrix computed from a text that has not been computed yet. */
    boolean needsComputing() { return file == null; }

    /**
     * The matrix, computing it over {@code base} the first time when it comes from a text.
     *
     * @throws java.util.concurrent.CancellationException when cancelled while computing
     * @throws IllegalArgumentException when the calibration text is too short for two chunks
     */
    ImatrixFile file(Model base, int threads, ProgressMonitor monitor) throws IOException {
        if (file != null) return file;
        ImatrixSource.FromText t = (ImatrixSource.FromText) source;
        Tokenizer tokenizer = Tokenizers.forModel(base);
        int[] tokens = tokenizer.encode(t.text(), true);
        // As `quantscope imatrix` does: BOS starts every chunk exactly when the tokenizer adds one.
        int bos = tokens.length > 0 && tokenizer.specials().addBos() && tokens[0] == tokenizer.bos() ? tokenizer.bos() : -1;
        if (tokens.length < 2L * t.ctx()) {
            throw new IllegalArgumentException("the calibration text tokenizes to " + tokens.length + " tokens; an "
                    + "importance matrix at ctx " + t.ctx() + " needs at least " + 2 * t.ctx());
        }
        try (LlamaEngine engine = new LlamaEngine(base, t.ctx(), threads)) {
            ImportanceMatrix m = ImatrixComputation.compute(engine, tokens, t.ctx(), bos, t.chunks(), false,
                    List.of(t.name()), monitor);
            file = new ImatrixFile(t.name(), m);
        }
        return file;
    }

    /** SHA-256 over every entry, in name order: name, column count, counts and sums as little-endian floats. */
    static String digest(ImportanceMatrix m) {
        MessageDigest md = sha256();
        for (Map.Entry<String, ImportanceMatrix.Entry> e : m.entries().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            float[] counts = e.getValue().counts(), sums = e.getValue().sums();
            ByteBuffer b = ByteBuffer.allocate(Math.addExact(12 + name.length,
                    Math.multiplyExact(4, Math.addExact(counts.length, sums.length)))).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(name.length).put(name).putInt(e.getValue().rowLength()).putInt(counts.length);
            for (float c : counts) b.putFloat(c);
            for (float s : sums) b.putFloat(s);
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
