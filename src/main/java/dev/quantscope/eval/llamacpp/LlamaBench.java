package dev.quantscope.eval.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * llama.cpp's {@code llama-bench} on one model file: the prompt (pp) and generation (tg) tests with the same token
 * counts and threads as {@code quantscope bench MODEL}, read from its JSON output.
 * <p>
 * What is compared: llama-bench times each test {@code -r} times after one warm-up run, from an empty cache, as
 * QuantScope's bench does; QuantScope reports the median of its timed runs, so the figure taken here is the median
 * of llama-bench's {@code samples_ts} too (its own {@code avg_ts} is their mean, which one slow run on a shared
 * machine pulls down more). The KV cache type is passed as {@code -ctk/-ctv}: llama-bench's default is F16, and it
 * offers no F32 cache, so a comparison runs both engines with F16.
 */
public final class LlamaBench {
    private LlamaBench() {}

    /** The only KV cache type both engines offer (llama-bench takes no f32 cache). */
    public static final String KV_CACHE = "f16";

    /**
     * One llama-bench run.
     *
     * @param pp        prompt tokens per second (median of the timed runs), NaN when the test did not run
     * @param tg        generated tokens per second (median), NaN when the test did not run
     * @param peakRssMb the tool's peak resident set (see {@link ToolRun}), NaN where unknown
     * @param command   the command line, as run
     */
    public record Result(double pp, double tg, double peakRssMb, List<String> command) {}

    /** The figures of one llama-bench JSON document: pp and tg medians, NaN for a test it does not hold. */
    public record Figures(double pp, double tg) {}

    /** The command that benchmarks {@code model}; {@code -o json} so that {@link #parse} can read it. */
    public static List<String> command(LlamaCppTools tools, Path model, int pp, int tg, int threads, int repetitions) {
        return command(tools, model, pp, tg, threads, repetitions, OptionalInt.empty());
    }

    /**
     * As {@link #command(LlamaCppTools, Path, int, int, int, int)}, with llama-bench's {@code --poll} when given: how
     * much its waiting threads spin (0-100, its default 50). Spinning is fastest on an idle machine; on a loaded one
     * a spinning thread keeps its partner off the core and generation collapses (measured here at a load average of
     * 8 on 2 cores: tg16 of a Q4_0 model at 1.1 tokens/s with the default, 7 with {@code --poll 0}).
     */
    public static List<String> command(LlamaCppTools tools, Path model, int pp, int tg, int threads, int repetitions,
                                       OptionalInt poll) {
        List<String> c = new ArrayList<>(tools.command("bench"));
        c.addAll(List.of("-m", model.toString(), "-p", Integer.toString(pp), "-n", Integer.toString(tg),
                "-t", Integer.toString(threads), "-r", Integer.toString(repetitions),
                "-ctk", KV_CACHE, "-ctv", KV_CACHE));
        poll.ifPresent(p -> c.addAll(List.of("--poll", Integer.toString(p))));
        c.addAll(List.of("-o", "json"));
        return c;
    }

    /**
     * Runs llama-bench on {@code model}.
     *
     * @throws IllegalArgumentException naming the file and llama.cpp's reason when llama-bench refuses it (not a
     *                                  model it can load, a type it does not know)
     */
    public static Result run(LlamaCppTools tools, Path model, int pp, int tg, int threads, int repetitions,
                             BooleanSupplier cancelled) throws IOException, InterruptedException {
        return run(command(tools, model, pp, tg, threads, repetitions), model, cancelled);
    }

    /** Runs a llama-bench {@code command} made by {@link #command} for {@code model}. */
    public static Result run(List<String> command, Path model, BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(model)) throw new NoSuchFileException(model.toString());
        ToolRun run = ToolRun.run(command, cancelled);
        if (run.status() != 0) {
            throw run.failure("llama.cpp's llama-bench", model);
        }
        Figures f;
        try {
            f = parse(run.out());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(model + ": llama-bench's output was not what it prints (" + e.getMessage() + ")");
        }
        return new Result(f.pp(), f.tg(), run.peakRssMb(), run.command());
    }

    /**
     * The pp and tg figures of llama-bench's {@code -o json} output: the test with prompt tokens and none generated
     * is pp, the one with generated tokens and no prompt is tg; each is the median of its {@code samples_ts}.
     *
     * @throws IllegalArgumentException when the text is no such document
     */
    public static Figures parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (root == null || !root.isArray() || root.isEmpty()) throw new IllegalArgumentException("no tests in it");
        double pp = Double.NaN, tg = Double.NaN;
        for (JsonNode test : root) {
            int prompt = test.path("n_prompt").asInt(0), gen = test.path("n_gen").asInt(0);
            double rate = median(test);
            if (prompt > 0 && gen == 0) pp = rate;
            else if (gen > 0 && prompt == 0) tg = rate;
        }
        if (Double.isNaN(pp) && Double.isNaN(tg)) throw new IllegalArgumentException("neither a pp nor a tg test");
        return new Figures(pp, tg);
    }

    /** The median of a test's samples_ts; its avg_ts where an older llama-bench lists no samples. */
    private static double median(JsonNode test) {
        JsonNode samples = test.path("samples_ts");
        if (!samples.isArray() || samples.isEmpty()) {
            if (!test.path("avg_ts").isNumber()) throw new IllegalArgumentException("a test without avg_ts");
            return test.path("avg_ts").asDouble();
        }
        double[] v = new double[samples.size()];
        for (int i = 0; i < v.length; i++) v[i] = samples.get(i).asDouble();
        return median(v);
    }

    /** The median of {@code values} (the mean of the middle two for an even count); NaN for none. */
    public static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
