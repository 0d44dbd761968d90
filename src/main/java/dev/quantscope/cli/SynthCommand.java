package dev.quantscope.cli;

import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.quant.job.SyntheticLlama;
import dev.quantscope.quant.job.SyntheticLlamaWriter;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope synth OUT --dim D --layers L --heads H --kv-heads K --ffn F --vocab V [--dtype f16|f32]
 * [--seed S]}: a llama-architecture GGUF with random weights, for benchmarks and tests of any size.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a synthetic llama-architecture GGUF model with random weights (llama.cpp loads it; its text is noise).",
                "With --vocab 512 the tokenizer of stories260K is copied when found (or give --tokenizer-from FILE);"
                        + " otherwise a placeholder SentencePiece vocabulary of V tokens is generated."})
public final class SynthCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OUT", description = "The .gguf file to write.")
    Path out;

    @Option(names = "--dim", required = true, paramLabel = "D", description = "Embedding length.")
    int dim;

    @Option(names = "--layers", required = true, paramLabel = "L", description = "Number of blocks.")
    int layers;

    @Option(names = "--heads", required = true, paramLabel = "H", description = "Attention heads.")
    int heads;

    @Option(names = "--kv-heads", required = true, paramLabel = "K", description = "Key/value heads.")
    int kvHeads;

    @Option(names = "--ffn", required = true, paramLabel = "F", description = "Feed-forward length.")
    int ffn;

    @Option(names = "--vocab", required = true, paramLabel = "V", description = "Vocabulary size.")
    int vocab;

    @Option(names = "--dtype", paramLabel = "f16|f32", defaultValue = "f16",
            description = "Type of the weight matrices (default: ${DEFAULT-VALUE}); norms are F32.")
    String dtype;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tokenizer-from", paramLabel = "FILE",
            description = "Copy the tokenizer.ggml.* keys of this GGUF (its vocabulary must have V tokens).")
    Path tokenizerFrom;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    /** The shared folder's small real model whose 512-token SentencePiece vocabulary a --vocab 512 model gets. */
    static final String STORIES_VOCAB = "models/stories260K.gguf";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
                case "f16" -> DType.F16;
                case "f32" -> DType.F32;
                default -> throw new IllegalArgumentException("--dtype must be f16 or f32, got " + dtype);
            };
            if (!this.out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
                throw new IllegalArgumentException("OUT must be a .gguf file, got " + this.out.getFileName());
            }
            SyntheticLlama model = new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, type, seed);
            Optional<Path> tokenizer = tokenizerSource();
            int n = threads.count();
            long start = System.nanoTime();
            GgufOutputLayout layout = SyntheticLlamaWriter.write(model, tokenizer, this.out, n, ProgressMonitor.NONE);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "wrote %s: llama, %d layers, dim %d, %d/%d heads, ffn %d, vocab %d (%s), %s weights%n",
                    this.out, layers, dim, heads, kvHeads, ffn, vocab,
                    tokenizer.map(p -> "tokenizer of " + p.getFileName()).orElse("placeholder vocabulary"), type);
            out.printf(Locale.ROOT, "  %d parameters (%s), %d bytes (%s), %.2f s%n", model.parameterCount(),
                    Units.count(model.parameterCount()), layout.fileSize(), Units.bytes(layout.fileSize()), seconds);
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        }
    }

    private Optional<Path> tokenizerSource() {
        if (tokenizerFrom != null) return Optional.of(tokenizerFrom);
        if (vocab != 512) return Optional.empty();
        Path shared = Path.of(System.getProperty("quantscope.shared", "../shared")).resolve(STORIES_VOCAB);
        return Files.isRegularFile(shared) ? Optional.of(shared) : Optional.empty();
    }
}
