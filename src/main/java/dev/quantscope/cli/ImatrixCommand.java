package dev.quantscope.cli;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.imatrix.ImatrixComputation;
import dev.quantscope.quant.imatrix.ImatrixFiles;
import dev.quantscope.quant.imatrix.ImportanceMatrix;
import dev.quantscope.task.ProgressMonitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope imatrix MODEL --text FILE -o OUT [--ctx N] [--chunks N]}: computes an importance matrix as
 * llama-imatrix does (chunks of n_ctx tokens, squared inputs of every matrix multiplication) and writes it in
 * llama.cpp's GGUF imatrix format, which llama-quantize --imatrix and quantscope both read.
 */
@Command(name = "imatrix", mixinStandardHelpOptions = true,
        description = "Compute an importance matrix over a calibration text (llama-imatrix's method), written as GGUF.")
public final class ImatrixCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Llama-family model (GGUF or Hugging Face folder).")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "UTF-8 calibration text.")
    Path text;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Importance matrix file to write (GGUF).")
    Path output;

    @Mixin
    ContextOption context;

    @Mixin
    ChunksOption chunks;

    @Option(names = "--process-output", description = "Also collect the output head's input (llama-imatrix --process-output).")
    boolean processOutput;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads.count();
        String content = Files.readString(text, StandardCharsets.UTF_8);
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = ModelOpener.open(model); LlamaEngine engine = new LlamaEngine(m, context.ctx, n)) {
            Tokenizer tokenizer = Tokenizers.forModel(m);
            int[] tokens = tokenizer.encode(content, true);
            int bos = tokens.length > 0 && tokenizer.specials().addBos() && tokens[0] == tokenizer.bos() ? tokenizer.bos() : -1;
            long start = System.nanoTime();
            ImportanceMatrix im = ImatrixComputation.compute(engine, tokens, context.ctx, bos, chunks.chunks, processOutput,
                    List.of(text.getFileName().toString()), ProgressMonitor.NONE);
            double seconds = (System.nanoTime() - start) / 1e9;
            ImatrixFiles.writeGguf(im, output);
            out.printf(Locale.ROOT, "%d chunks of %d tokens, %d tensors, %.1f s -> %s%n",
                    im.chunkCount(), im.chunkSize(), im.entries().size(), seconds, output);
        }
        return 0;
    }
}
