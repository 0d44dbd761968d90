package dev.quantscope.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.eval.sweep.Latency;
import dev.quantscope.eval.sweep.LatencyProbe;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench MODEL [--pp N] [--tg N] [--threads N] [--kv-cache f16|f32] [-r N] [--json]}: inference
 * speed like llama-bench.
 * Prompt processing (pp) feeds N tokens in one batch from an empty cache; text generation (tg) decodes N tokens one
 * at a time, also from an empty cache, as llama-bench's separate tg test does. Warm-up runs first let the JIT
 * compile the hot loops (until it is idle), then {@code --repetitions} timed runs give the medians; the same probe
 * measures a sweep's points. Mixed into
 * {@link BenchCommand}, so that {@code bench MODEL} runs it while {@code bench stats …} still reaches the
 * subcommand.
 */
public final class BenchModelCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "Llama-family model to benchmark.")
    Path model;

    @Option(names = "--pp", paramLabel = "N", defaultValue = "128", description = "Prompt tokens (default: ${DEFAULT-VALUE}).")
    int pp;

    @Option(names = "--tg", paramLabel = "N", defaultValue = "32", description = "Generated tokens, from an empty cache like llama-bench's tg test (default: ${DEFAULT-VALUE}).")
    int tg;

    @Mixin
    ThreadsOption threads;

    @Mixin
    KvCacheOption kvCache;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "3",
            description = "Timed runs after the warm-up; their medians are reported (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Mixin
    JsonOption json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Measured figures, tokens per second; each phase's allocation per token (see {@link LatencyProbe.Probe}). */
    public record Result(double ppTokensPerSecond, double tgTokensPerSecond, double peakRssMb,
                         double ppBytesPerToken, double tgBytesPerToken) {}

    /**
     * {@code bench MODEL --json}: the figures rounded as the text prints them; a phase that did not run (its N is
     * 0) has no rate and no allocation, null (see {@link CliJson}).
     */
    record Json(@JsonProperty("pp") BigDecimal pp, @JsonProperty("tg") BigDecimal tg,
                @JsonProperty("peak_rss_mb") BigDecimal peakRssMb, @JsonProperty("kv_cache") String kvCache,
                @JsonProperty("pp_alloc_bytes_per_token") BigDecimal ppAllocBytesPerToken,
                @JsonProperty("tg_alloc_bytes_per_token") BigDecimal tgAllocBytesPerToken) {

        static Json of(Result r, KvCacheType cacheType) {
            return new Json(CliJson.rounded(r.ppTokensPerSecond(), 2), CliJson.rounded(r.tgTokensPerSecond(), 2),
                    CliJson.rounded(r.peakRssMb(), 1), cacheType.name().toLowerCase(Locale.ROOT),
                    CliJson.rounded(r.ppBytesPerToken(), 0), CliJson.rounded(r.tgBytesPerToken(), 0));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (model == null) throw new IllegalArgumentException("no MODEL given");
        if (pp < 0 || tg < 0 || pp + tg < 1) {
            throw new IllegalArgumentException("--pp and --tg must not be negative, and one must be at least 1");
        }
        int n = threads.count();
        KvCacheType cacheType = kvCache.type();
        if (repetitions < 1) throw new IllegalArgumentException("--repetitions must be at least 1");
        Result r = run(model, pp, tg, n, cacheType, repetitions);
        java.io.PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            out.println(CliJson.compact(Json.of(r, cacheType)));
        } else {
            out.printf(Locale.ROOT, "%s, %d threads, %s KV cache%n", model.getFileName(), n, cacheType.name());
            if (pp > 0) out.printf(Locale.ROOT, "pp%d  %10.2f tok/s%n", pp, r.ppTokensPerSecond());
            if (tg > 0) out.printf(Locale.ROOT, "tg%d  %10.2f tok/s%n", tg, r.tgTokensPerSecond());
            out.printf(Locale.ROOT, "peak RSS %.1f MB%n", r.peakRssMb());
        }
        out.flush();
        return 0;
    }

    /** Warm-up until the JIT is idle, then {@code repetitions} timed runs; the medians are reported. */
    public static Result run(Path file, int pp, int tg, int threads, KvCacheType kvCacheType, int repetitions)
            throws IOException {
        try (Model m = ModelOpener.open(file)) {
            LatencyProbe.Probe p = LatencyProbe.probe(m, pp, tg, threads, kvCacheType, repetitions);
            Latency l = p.latency();
            return new Result(l.promptTokensPerSecond(), l.generationTokensPerSecond(), peakRssMb(),
                    p.promptBytesPerToken(), p.generationBytesPerToken());
        }
    }

    /** Peak resident set size of this process (VmHWM in /proc/self/status), or NaN where there is no /proc. */
    static double peakRssMb() {
        long kb = ProcessStatus.kilobytes("VmHWM");
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }
}
