package dev.quantscope.quant.job;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufArray;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.quant.metrics.UnitRunner;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a {@link SyntheticLlama} as a GGUF file llama.cpp can load: full llama metadata, a tokenizer, and random
 * weights that look like a trained model's to a quantizer (N(0, 0.02) with a few heavy-tailed input columns, as
 * real attention and FFN matrices have; norm scales near 1).
 *
 * <p>The weights are generated in parallel straight into a memory-mapped scratch file next to the output, never
 * on the heap, and {@link GgufWriter} then writes (and verifies) the real file from that mapping and the scratch
 * file is deleted: a 713 MB model needs a few MB of heap, but twice its size of free disk for a moment. Every
 * chunk of rows has its own random stream derived from the seed, so the file does not depend on the thread count.
 */
public final class SyntheticLlamaWriter {
    private SyntheticLlamaWriter() {}

    /** Elements generated per unit of work. */
    private static final int CHUNK_ELEMENTS = 1 << 16;
    private static final long SCALE = 1_000_000, GENERATE_SHARE = 600_000;
    private static final double WEIGHT_SD = 0.02;
    /** SentencePiece's placeholder pieces come after 3 special tokens and 256 byte tokens. */
    static final int SPECIAL_AND_BYTE_TOKENS = 3 + 256;

    private record Unit(int tensor, long firstRow, int rows) {}

    /**
     * @param tokenizerSource a GGUF whose tokenizer.ggml.* keys are copied (its vocabulary must have
     *                        {@code model.vocab()} tokens); empty for a generated placeholder SentencePiece vocabulary
     * @return the layout written
     */
    public static GgufOutputLayout write(SyntheticLlama model, Optional<Path> tokenizerSource, Path out, int threads,
                                         ProgressMonitor monitor) throws IOException {
        List<GgufKv> metadata = metadata(model, tokenizer(model, tokenizerSource));
        List<SyntheticLlama.Tensor> tensors = model.tensors();
        long[] offsets = new long[tensors.size()];
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i] = total;
            total = Math.addExact(total, GgufOutputLayout.padded(tensors.get(i).type().byteSize(tensors.get(i).elements()), 64));
        }

        Path target = out.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path scratch = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".weights");
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(total, 1), arena);
            List<GgufOutputTensor> outputs = new ArrayList<>(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                SyntheticLlama.Tensor t = tensors.get(i);
                outputs.add(new GgufOutputTensor(t.name(), t.ne(), t.type(),
                        data.asSlice(offsets[i], t.type().byteSize(t.elements()))));
            }
            generate(model, tensors, outputs, threads, new ProgressSlice(monitor, 0, GENERATE_SHARE, SCALE));
            return GgufWriter.write(new GgufOutput(metadata, outputs), target, List.of(scratch),
                    new ProgressSlice(monitor, GENERATE_SHARE, SCALE - GENERATE_SHARE, SCALE));
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    private static void generate(SyntheticLlama model, List<SyntheticLlama.Tensor> tensors, List<GgufOutputTensor> outputs,
                                 int threads, ProgressMonitor monitor) {
        List<Unit> units = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            SyntheticLlama.Tensor t = tensors.get(i);
            long rowLength = t.ne()[0];
            long rows = t.elements() / rowLength;
            int chunkRows = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
            for (long r = 0; r < rows; r += chunkRows) units.add(new Unit(i, r, (int) Math.min(chunkRows, rows - r)));
            total += t.elements();
        }
        boolean[][] heavyColumns = new boolean[tensors.size()][];
        for (int i = 0; i < tensors.size(); i++) heavyColumns[i] = heavyColumns(model.seed(), i, (int) tensors.get(i).ne()[0]);
        long grandTotal = total;
        AtomicLong done = new AtomicLong();
        UnitRunner.run(units.size(), threads, () -> new UnitRunner.Worker() {
            float[] row = new float[0];

            @Override
            public void run(int index) {
                Unit u = units.get(index);
                SyntheticLlama.Tensor t = tensors.get(u.tensor());
                MemorySegment dst = outputs.get(u.tensor()).data();
                int rowLength = (int) t.ne()[0];
                if (row.length < rowLength) row = new float[rowLength];
                SplittableRandom rnd = new SplittableRandom(mix(model.seed(), u.tensor(), u.firstRow()));
                boolean[] heavy = heavyColumns[u.tensor()];
                for (int r = 0; r < u.rows(); r++) {
                    for (int c = 0; c < rowLength; c++) {
                        row[c] = t.norm() ? normScale(rnd) : weight(rnd, heavy[c]);
                    }
                    long element = (u.firstRow() + r) * rowLength;
                    if (t.type() == DType.F16) {
                        for (int c = 0; c < rowLength; c++) {
                            dst.set(Layouts.I16, 2 * (element + c), Float.floatToFloat16(row[c]));
                        }
                    } else {
                        MemorySegment.copy(row, 0, dst, Layouts.F32, 4 * element, rowLength);
                    }
                }
                monitor.progress(done.addAndGet((long) u.rows() * rowLength), grandTotal);
            }
        }, monitor);
    }

    /** A weight: N(0, 0.02), or in a heavy column a wider distribution with occasional large outliers. */
    private static float weight(SplittableRandom rnd, boolean heavyColumn) {
        double g = rnd.nextGaussian() * WEIGHT_SD;
        if (!heavyColumn) return (float) g;
        double scale = rnd.nextDouble() < 0.02 ? 25 : 5;
        return (float) (g * scale);
    }

    /** RMS-norm scales as trained models have them: around 1, a few percent apart, never near zero. */
    private static float normScale(SplittableRandom rnd) {
        return (float) Math.max(0.05, 1 + 0.1 * rnd.nextGaussian());
    }

    /** About one input column in 128 (at least one) is heavy-tailed, the same for every row of the tensor. */
    private static boolean[] heavyColumns(long seed, int tensor, int rowLength) {
        boolean[] heavy = new boolean[rowLength];
        SplittableRandom rnd = new SplittableRandom(mix(seed, tensor, -1));
        int count = Math.max(1, rowLength / 128);
        for (int i = 0; i < count; i++) heavy[rnd.nextInt(rowLength)] = true;
        return heavy;
    }

    /** A seed for one random stream, well mixed from the model's seed, the tensor and the first row. */
    static long mix(long seed, long tensor, long row) {
        long z = seed;
        z = splitMix(z + 0x9E37_79B9_7F4A_7C15L * (tensor + 1));
        z = splitMix(z ^ (row * 0xBF58_476D_1CE4_E5B9L + 0x94D0_49BB_1331_11EBL));
        return z;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    static List<GgufKv> metadata(SyntheticLlama m, List<GgufKv> tokenizer) {
        List<GgufKv> kvs = new ArrayList<>();
        kvs.add(new GgufKv("general.architecture", GgufValueType.STRING, "llama"));
        kvs.add(new GgufKv("general.name", GgufValueType.STRING, "synthetic-llama"));
        kvs.add(u32("llama.context_length", 2048));
        kvs.add(u32("llama.embedding_length", m.dim()));
        kvs.add(u32("llama.block_count", m.layers()));
        kvs.add(u32("llama.feed_forward_length", m.ffn()));
        kvs.add(u32("llama.attention.head_count", m.heads()));
        kvs.add(u32("llama.attention.head_count_kv", m.kvHeads()));
        kvs.add(u32("llama.rope.dimension_count", m.headDim()));
        kvs.add(new GgufKv("llama.rope.freq_base", GgufValueType.FLOAT32, 10000.0));
        kvs.add(new GgufKv("llama.attention.layer_norm_rms_epsilon", GgufValueType.FLOAT32, 1.0e-5));
        kvs.add(u32("llama.vocab_size", m.vocab()));
        // llama_ftype: ALL_F32 = 0, MOSTLY_F16 = 1
        kvs.add(u32("general.file_type", m.dtype() == DType.F16 ? 1 : 0));
        kvs.addAll(tokenizer);
        return kvs;
    }

    private static GgufKv u32(String key, long v) {
        return new GgufKv(key, GgufValueType.UINT32, v);
    }

    private static List<GgufKv> tokenizer(SyntheticLlama m, Optional<Path> source) throws IOException {
        if (source.isEmpty()) return placeholderVocabulary(m.vocab());
        try (Model model = GgufReader.open(source.get())) {
            GgufFile g = (GgufFile) model.details();
            List<GgufKv> kvs = g.metadata().stream().filter(kv -> kv.key().startsWith("tokenizer.ggml.")).toList();
            GgufKv tokens = g.kv("tokenizer.ggml.tokens").orElseThrow(
                    () -> new IllegalArgumentException(source.get() + " has no tokenizer.ggml.tokens"));
            int size = ((GgufArray) tokens.value()).size();
            if (size != m.vocab()) {
                throw new IllegalArgumentException("the tokenizer of " + source.get() + " has " + size
                        + " tokens, the model " + m.vocab());
            }
            return kvs;
        }
    }

    /**
     * A SentencePiece ("llama") vocabulary of {@code vocab} tokens that llama.cpp accepts: &lt;unk&gt;, &lt;s&gt;,
     * &lt;/s&gt;, the 256 byte tokens &lt;0x00&gt;..&lt;0xFF&gt;, then distinct placeholder pieces with falling
     * scores.
     */
    static List<GgufKv> placeholderVocabulary(int vocab) {
        if (vocab < SPECIAL_AND_BYTE_TOKENS + 1) {
            throw new IllegalArgumentException("a placeholder SentencePiece vocabulary needs at least "
                    + (SPECIAL_AND_BYTE_TOKENS + 1) + " tokens (3 special, 256 bytes, pieces), got " + vocab);
        }
        String[] tokens = new String[vocab];
        double[] scores = new double[vocab];
        long[] types = new long[vocab];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2; // UNKNOWN
        types[1] = 3; // CONTROL
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6; // BYTE
        }
        for (int i = SPECIAL_AND_BYTE_TOKENS; i < vocab; i++) {
            int k = i - SPECIAL_AND_BYTE_TOKENS;
            // "▁" marks a word start in SentencePiece; alternate word starts and continuations of the same letters
            tokens[i] = (k % 2 == 0 ? "\u2581" : "") + letters(k / 2);
            scores[i] = -k;
            types[i] = 1; // NORMAL
        }
        List<GgufKv> kvs = new ArrayList<>();
        kvs.add(new GgufKv("tokenizer.ggml.model", GgufValueType.STRING, "llama"));
        kvs.add(new GgufKv("tokenizer.ggml.tokens", GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, tokens)));
        kvs.add(new GgufKv("tokenizer.ggml.scores", GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT32, scores)));
        kvs.add(new GgufKv("tokenizer.ggml.token_type", GgufValueType.ARRAY, new GgufArray(GgufValueType.INT32, types)));
        kvs.add(u32("tokenizer.ggml.unknown_token_id", 0));
        kvs.add(u32("tokenizer.ggml.bos_token_id", 1));
        kvs.add(u32("tokenizer.ggml.eos_token_id", 2));
        return kvs;
    }

    /** 0 → "a", 25 → "z", 26 → "aa", …: distinct lowercase words. */
    static String letters(int k) {
        StringBuilder sb = new StringBuilder();
        int n = k;
        do {
            sb.append((char) ('a' + n % 26));
            n = n / 26 - 1;
        } while (n >= 0);
        return sb.reverse().toString();
    }
}
