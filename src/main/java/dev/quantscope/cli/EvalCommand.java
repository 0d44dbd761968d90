package dev.quantscope.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.eval.KlDivergence;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.eval.Perplexity;
import dev.quantscope.eval.PerplexityResult;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope eval MODEL --text FILE [--ctx N] [--base MODEL] [--kv-cache f16|f32] [--json]}: perplexity as llama-perplexity
 * computes it, and with {@code --base} the KL divergence of MODEL against the base model, both run here.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Perplexity over a text (llama-perplexity's method); with --base, KL divergence against a base model.",
        footer = "--json prints one object: ppl, kld_mean, kld_median, kld_p99, kld_max, same_top_p, tokens "
                + "(the kld_ and same_top_p keys are null without --base).")
public final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Llama-family model (GGUF or Hugging Face folder).")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "UTF-8 text to score.")
    Path text;

    @Mixin
    ContextOption context;

    @Option(names = "--base", paramLabel = "MODEL", description = "Base model for KL divergence (same vocabulary; run with the same --kv-cache).")
    Path base;

    @Mixin
    ThreadsOption threads;

    @Mixin
    KvCacheOption kvCache;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    /**
     * {@code eval --json}: the figures with six decimals as before; the KL figures are null without {@code --base},
     * and a figure that is not a number (a PPL over nothing scored) is null too (see {@link CliJson}).
     */
    record Json(@JsonProperty("ppl") BigDecimal ppl, @JsonProperty("kld_mean") BigDecimal kldMean,
                @JsonProperty("kld_median") BigDecimal kldMedian, @JsonProperty("kld_p99") BigDecimal kldP99,
                @JsonProperty("kld_max") BigDecimal kldMax, @JsonProperty("same_top_p") BigDecimal sameTopP,
                @JsonProperty("tokens") long tokens) {

        private static final int DECIMALS = 6;

        static Json of(PerplexityResult r) {
            return new Json(CliJson.rounded(r.ppl(), DECIMALS), null, null, null, null, null, r.tokens());
        }

        static Json of(KlDivergenceResult r) {
            return new Json(CliJson.rounded(r.ppl(), DECIMALS), CliJson.rounded(r.kldMean(), DECIMALS),
                    CliJson.rounded(r.kldMedian(), DECIMALS), CliJson.rounded(r.kldP99(), DECIMALS),
                    CliJson.rounded(r.kldMax(), DECIMALS), CliJson.rounded(r.sameTopP(), DECIMALS), r.tokens());
        }
    }

    @Override
    public Integer call() throws Exception {
        int n = threads.count();
        String content = Files.readString(text, StandardCharsets.UTF_8);
        PrintWriter out = spec.commandLine().getOut();
        KvCacheType cacheType = kvCache.type();
        int ctx = context.ctx;
        try (Model m = ModelOpener.open(model); LlamaEngine engine = new LlamaEngine(m, ctx, n, cacheType)) {
            Tokenizer tokenizer = Tokenizers.forModel(m);
            int[] tokens = tokenizer.encode(content, true);
            // llama.cpp puts BOS at the start of every window exactly when the tokenizer adds one.
            int bos = tokens.length > 0 && tokenizer.specials().addBos() && tokens[0] == tokenizer.bos() ? tokenizer.bos() : -1;
            if (base == null) {
                PerplexityResult r = Perplexity.compute(engine, tokens, ctx, bos, ProgressMonitor.NONE);
                if (json.json) {
                    out.println(CliJson.compact(Json.of(r)));
                } else {
                    out.printf(Locale.ROOT, "%d chunks of %d tokens, %d scored%nPPL = %.4f +/- %.5f%n",
                            r.chunks(), ctx, r.tokens(), r.ppl(), r.pplError());
                }
            } else {
                try (Model b = ModelOpener.open(base); LlamaEngine baseEngine = new LlamaEngine(b, ctx, n, cacheType)) {
                    KlDivergenceResult r = KlDivergence.compute(baseEngine, engine, tokens, ctx, bos, ProgressMonitor.NONE);
                    if (json.json) {
                        out.println(CliJson.compact(Json.of(r)));
                    } else {
                        out.printf(Locale.ROOT, """
                                %d chunks of %d tokens, %d scored
                                Mean PPL(Q)    : %10.6f
                                Mean PPL(base) : %10.6f
                                Mean    KLD    : %10.6f
                                Maximum KLD    : %10.6f
                                99.0%%   KLD    : %10.6f
                                90.0%%   KLD    : %10.6f
                                Median  KLD    : %10.6f
                                Mean    Δp     : %6.3f %%
                                RMS Δp         : %6.3f %%
                                Same top p     : %6.3f %%
                                """, r.chunks(), ctx, r.tokens(), r.ppl(), r.pplBase(), r.kldMean(), r.kldMax(),
                                r.kldP99(), r.kldP90(), r.kldMedian(), 100 * r.deltaPMean(), 100 * r.deltaPRms(),
                                100 * r.sameTopP());
                    }
                }
            }
        }
        out.flush();
        return 0;
    }
}
