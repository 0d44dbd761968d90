package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.eval.llamacpp.ToolRun;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code quantscope bench MODEL --json} run in a fresh JVM, for the rounds of {@code bench --vs-llama-cpp}.
 * <p>
 * Why a process of its own each round, and not this JVM: llama-bench starts cold each round, and so should we. In
 * one long-lived JVM the second round would run code the JIT compiled (and profiled) in the first, and every round
 * would share one heap and one set of compiled kernels, so the rounds would not be independent samples: their
 * spread would hide the JIT's run-to-run variance, which is part of what a user gets. The child is this JVM's own
 * command: the same java, the same JVM options (the launcher's kernel-inlining directives, --add-modules, -Xmx),
 * the same class path; debugger and agent options are left out, they are not the product.
 */
final class OwnBenchProcess {
    private OwnBenchProcess() {}

    /** The one entry point, by name: the Launcher uses this package, and no import should run back up to it. */
    private static final String LAUNCHER = "dev.quantscope.Launcher";

    /** Our side of one round: tokens per second, NaN for a phase that did not run, and the child's peak RSS. */
    record Figures(double pp, double tg, double peakRssMb) {}

    /** The child's command: {@code java [this JVM's options] -cp … dev.quantscope.Launcher bench MODEL …}. */
    static List<String> command(Path model, int pp, int tg, int threads, int repetitions, String kvCache) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-agentlib:") || arg.startsWith("-agentpath:") || arg.startsWith("-javaagent:")
                    || arg.startsWith("-Xrunjdwp") || arg.equals("-Xdebug")) {
                continue;
            }
            c.add(arg);
        }
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(LAUNCHER);
        c.addAll(List.of("bench", model.toString(), "--pp", Integer.toString(pp), "--tg", Integer.toString(tg),
                "--threads", Integer.toString(threads), "-r", Integer.toString(repetitions), "--kv-cache", kvCache,
                "--json"));
        return c;
    }

    /** The same command as a user types it, for the line under a table (the JVM's options are the launcher's). */
    static String userLine(Path model, int pp, int tg, int threads, int repetitions, String kvCache) {
        return "quantscope bench " + model + " --pp " + pp + " --tg " + tg + " --threads " + threads + " -r "
                + repetitions + " --kv-cache " + kvCache + " --json";
    }

    /**
     * Runs the child and reads its figures.
     *
     * @throws IllegalArgumentException naming the file and our engine's own one-line reason, when it refuses it
     */
    static Figures run(List<String> command, Path model) throws IOException, InterruptedException {
        ToolRun run = ToolRun.run(command, () -> false);
        if (run.status() != 0) {
            // The child's CliFailureHandler already made its failure one line, "quantscope: …".
            String reason = run.err().lines().filter(l -> l.startsWith("quantscope: ")).reduce((a, b) -> b)
                    .map(l -> l.substring("quantscope: ".length())).orElseGet(run::reason);
            // A JVM that did not start (no main class, a bad option) prints no such line: then its last line is shown.
            throw new IllegalArgumentException(model + ": QuantScope's bench refused it (" + reason + ")");
        }
        JsonNode doc = new ObjectMapper().readTree(run.out());
        return new Figures(number(doc, "pp"), number(doc, "tg"), number(doc, "peak_rss_mb"));
    }

    private static double number(JsonNode doc, String key) {
        JsonNode n = doc.path(key);
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
