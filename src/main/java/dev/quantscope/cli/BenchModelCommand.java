package dev.quantscope.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.eval.llamacpp.LlamaCppTools;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

    @Parameters(index = "0", arity = "0..*", paramLabel = "MODEL", description = "Llama-family model to benchmark "
            + "(several only with --vs-llama-cpp).")
    List<Path> models = new ArrayList<>();

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

    @Mixin
    LlamaCppOption llamaCpp;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "With --vs-llama-cpp: alternating rounds, each running both engines (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--llama-poll", paramLabel = "0-100",
            description = "With --vs-llama-cpp: llama-bench's --poll, how much its waiting threads spin (its default "
                    + "50); 0 makes them sleep, the fairer setting on a machine other work keeps busy.")
    Integer llamaPoll;

    @Option(names = "--markdown", description = "With --vs-llama-cpp: print one markdown table row per model, and the "
            + "command line under the table.")
    boolean markdown;

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
        if (models.isEmpty()) throw new IllegalArgumentException("no MODEL given");
        if (pp < 0 || tg < 0 || pp + tg < 1) {
            throw new IllegalArgumentException("--pp and --tg must not be negative, and one must be at least 1");
        }
        int n = threads.count();
        KvCacheType cacheType = kvCache.type();
        if (repetitions < 1) throw new IllegalArgumentException("--repetitions must be at least 1");
        Optional<LlamaCppTools> tools = llamaCpp.tools();
        if (tools.isPresent()) return compare(tools.get(), n, cacheType);
        if (markdown) throw new IllegalArgumentException("--markdown needs --vs-llama-cpp");
        if (spec.commandLine().getParseResult().hasMatchedOption("--rounds")) {
            throw new IllegalArgumentException("--rounds needs --vs-llama-cpp (alone, bench MODEL repeats with -r)");
        }
        if (llamaPoll != null) throw new IllegalArgumentException("--llama-poll needs --vs-llama-cpp");
        if (models.size() > 1) {
            throw new IllegalArgumentException("bench takes one MODEL (several only with --vs-llama-cpp)");
        }
        Path model = models.getFirst();
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

    /**
     * {@code --vs-llama-cpp}: every model against llama-bench, in alternating rounds (see {@link BenchVsLlamaCpp}).
     * llama-bench has no F32 KV cache, so both sides use F16, and an explicit {@code --kv-cache f32} is refused
     * rather than compared against a cache of half the size.
     */
    private int compare(LlamaCppTools tools, int n, KvCacheType cacheType) throws Exception {
        if (cacheType != KvCacheType.F16 && spec.commandLine().getParseResult().hasMatchedOption("--kv-cache")) {
            throw new IllegalArgumentException("llama-bench has no " + cacheType.name()
                    + " KV cache; with --vs-llama-cpp both engines use F16 (leave out --kv-cache)");
        }
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1");
        if (json.json && markdown) throw new IllegalArgumentException("give --json or --markdown, not both");
        java.io.PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (llamaPoll != null && (llamaPoll < 0 || llamaPoll > 100)) {
            throw new IllegalArgumentException("--llama-poll must be between 0 and 100");
        }
        BenchVsLlamaCpp.Settings settings = new BenchVsLlamaCpp.Settings(pp, tg, n, repetitions, rounds,
                llamaPoll == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(llamaPoll));
        // Every file is checked before the first round: a misspelt third model should not end the command after
        // minutes of work on the first two.
        for (Path model : models) {
            if (!java.nio.file.Files.isRegularFile(model)) throw new java.nio.file.NoSuchFileException(model.toString());
        }
        String machine = BenchVsLlamaCpp.machine();
        List<BenchVsLlamaCpp.Comparison> all = new ArrayList<>();
        for (Path model : models) {
            BenchVsLlamaCpp.Comparison c = BenchVsLlamaCpp.run(model, tools, settings, err);
            all.add(c);
            if (!json.json && !markdown) {
                if (all.size() > 1) out.println();
                BenchVsLlamaCpp.printText(out, c);
                out.flush();
            }
        }
        if (json.json) {
            if (all.size() == 1) {
                out.println(CliJson.pretty(BenchVsLlamaCpp.json(all.getFirst())));
            } else {
                com.fasterxml.jackson.databind.node.ArrayNode array = CliJson.object().arrayNode();
                for (BenchVsLlamaCpp.Comparison c : all) array.add(BenchVsLlamaCpp.json(c));
                out.println(CliJson.pretty(array));
            }
        } else if (markdown) {
            String command = "quantscope " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            BenchVsLlamaCpp.printMarkdown(out, all, command, machine);
        } else {
            out.println("machine: " + machine);
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
