package dev.quantscope.cli;

import dev.quantscope.engine.llama.Generation;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code quantscope generate MODEL --prompt TEXT [-n N]}: continues a prompt, greedy unless --temp is given. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a Llama-family model.")
public final class GenerateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Llama-family model (GGUF or Hugging Face folder).")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Text to continue.")
    String prompt;

    @Option(names = "-n", paramLabel = "N", defaultValue = "64", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--temp", paramLabel = "T", defaultValue = "0", description = "Temperature; 0 = greedy (default).")
    float temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Nucleus size (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (tokens < 0) throw new IllegalArgumentException("-n must not be negative");
        int n = threads.count();
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = ModelOpener.open(model)) {
            Tokenizer tokenizer = Tokenizers.forModel(m);
            int[] ids = tokenizer.encode(prompt, true);
            try (LlamaEngine engine = new LlamaEngine(m, Math.addExact(ids.length, tokens), n)) {
                Sampler sampler = new Sampler(engine.config().vocab(), temperature, topP, seed);
                // Pieces are bytes (a byte-fallback token is part of a character): collect, then decode once.
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                Generation.run(engine, ids, tokens, sampler, t -> {
                    if (t == tokenizer.eos()) return false;
                    text.writeBytes(tokenizer.pieceBytes(t, false));
                    return true;
                });
                out.println(prompt + text.toString(StandardCharsets.UTF_8));
            }
        }
        out.flush();
        return 0;
    }
}
