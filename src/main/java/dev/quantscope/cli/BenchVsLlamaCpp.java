package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.eval.llamacpp.LlamaBench;
import dev.quantscope.eval.llamacpp.LlamaCppTools;
import dev.quantscope.tensor.Units;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench MODEL… --vs-llama-cpp PATH}: QuantScope's engine and llama.cpp's llama-bench on the same file, the same
 * token counts and threads, in alternating rounds.
 * <p>
 * Both engines vary by 10-30 % from run to run on a shared machine, and a machine's load drifts over minutes; so a
 * figure of ours taken now and one of llama.cpp's taken later compare the load as much as the engines. Each round
 * therefore runs both, one after the other, and the ratio is taken within the round; the order alternates
 * (llama.cpp first in odd rounds, so that a file llama.cpp refuses stops the command before our slower side runs),
 * and the summary is the median of the rounds' ratios. Each side is a fresh process every round (see
 * {@link OwnBenchProcess}). Both use an F16 KV cache: llama-bench offers no F32 one.
 */
final class BenchVsLlamaCpp {
    private BenchVsLlamaCpp() {}

    /** What both sides run: the options of {@code bench MODEL}, and how many alternating rounds. */
    record Settings(int pp, int tg, int threads, int repetitions, int rounds, java.util.OptionalInt llamaPoll) {}

    /** One engine's figures in one round, tokens per second (NaN for a phase that did not run) and peak RSS, MiB. */
    record Side(double pp, double tg, double peakRssMb) {}

    /** One round: both sides, and which ran first. */
    record Round(int number, boolean llamaCppFirst, Side ours, Side theirs) {
        double ppRatio() { return ours.pp() / theirs.pp(); }

        double tgRatio() { return ours.tg() / theirs.tg(); }
    }

    /** One model's comparison: every round, and the two commands that produced them. */
    record Comparison(Path model, long bytes, Settings settings, List<Round> rounds, String ourCommand,
                      String theirCommand) {
        double median(ToDoubleFunction<Round> f) {
            return LlamaBench.median(rounds.stream().mapToDouble(f).toArray());
        }
    }

    /**
     * Runs the rounds on {@code model}, printing a line to {@code progress} as each side starts (a round of a large
     * model takes a minute).
     */
    static Comparison run(Path model, LlamaCppTools tools, Settings s, PrintWriter progress)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(model)) throw new NoSuchFileException(model.toString());
        List<String> ourCommand = OwnBenchProcess.command(model, s.pp(), s.tg(), s.threads(), s.repetitions(),
                LlamaBench.KV_CACHE);
        List<String> theirCommand = LlamaBench.command(tools, model, s.pp(), s.tg(), s.threads(), s.repetitions(),
                s.llamaPoll());
        List<Round> rounds = new ArrayList<>();
        for (int r = 1; r <= s.rounds(); r++) {
            boolean theirsFirst = r % 2 == 1;
            Side ours = null, theirs = null;
            for (int turn = 0; turn < 2; turn++) {
                boolean llamaCpp = theirsFirst == (turn == 0);
                // The first run is llama.cpp's, and quick: if it refuses the file, its one line is all there is to read.
                if (r > 1 || turn > 0) progress.printf(Locale.ROOT, "%s: round %d of %d, %s%n", model.getFileName(), r, s.rounds(),
                        llamaCpp ? "llama.cpp" : "QuantScope");
                progress.flush();
                if (llamaCpp) {
                    LlamaBench.Result t = LlamaBench.run(theirCommand, model, () -> false);
                    theirs = new Side(t.pp(), t.tg(), t.peakRssMb());
                } else {
                    OwnBenchProcess.Figures o = OwnBenchProcess.run(ourCommand, model);
                    ours = new Side(o.pp(), o.tg(), o.peakRssMb());
                }
            }
            rounds.add(new Round(r, theirsFirst, ours, theirs));
        }
        return new Comparison(model, Files.size(model), s, rounds,
                OwnBenchProcess.userLine(model, s.pp(), s.tg(), s.threads(), s.repetitions(), LlamaBench.KV_CACHE),
                LlamaCppTools.shellLine(theirCommand));
    }

    /** The text report of one model: a line per phase and round, then the medians, then both command lines. */
    static void printText(PrintWriter out, Comparison c) {
        Settings s = c.settings();
        out.printf(Locale.ROOT, "%s, %s, %s, F16 KV cache; %s alternating (llama.cpp first in odd rounds), each "
                        + "engine a fresh process; tokens/s, medians of %s%n",
                c.model().getFileName(), Units.bytes(c.bytes()), count(s.threads(), "thread"),
                count(s.rounds(), "round"), count(s.repetitions(), "timed run"));
        out.printf(Locale.ROOT, "%-7s %-7s %12s %12s %8s%n", "phase", "round", "QuantScope", "llama.cpp", "ratio");
        for (Phase phase : phases(s)) {
            for (Round r : c.rounds()) {
                out.printf(Locale.ROOT, "%-7s %-7d %12.2f %12.2f %8.3f%n", phase.name, r.number(),
                        phase.ours.applyAsDouble(r), phase.theirs.applyAsDouble(r), phase.ratio.applyAsDouble(r));
            }
            out.printf(Locale.ROOT, "%-7s %-7s %12.2f %12.2f %8.3f%n", phase.name, "median",
                    c.median(phase.ours), c.median(phase.theirs), c.median(phase.ratio));
        }
        out.printf(Locale.ROOT, "ratio = QuantScope / llama.cpp within each round; its median is over the rounds%n");
        out.printf(Locale.ROOT, "peak RSS, median: QuantScope %.1f MiB, llama.cpp %.1f MiB%n",
                c.median(r -> r.ours().peakRssMb()), c.median(r -> r.theirs().peakRssMb()));
        out.println("QuantScope: " + c.ourCommand() + "  (a fresh JVM each round)");
        out.println("llama.cpp:  " + c.theirCommand());
    }

    /** A phase's column of figures, for the tables. */
    private record Phase(String name, ToDoubleFunction<Round> ours, ToDoubleFunction<Round> theirs,
                         ToDoubleFunction<Round> ratio) {}

    private static List<Phase> phases(Settings s) {
        List<Phase> p = new ArrayList<>();
        if (s.pp() > 0) p.add(new Phase("pp" + s.pp(), r -> r.ours().pp(), r -> r.theirs().pp(), Round::ppRatio));
        if (s.tg() > 0) p.add(new Phase("tg" + s.tg(), r -> r.ours().tg(), r -> r.theirs().tg(), Round::tgRatio));
        return p;
    }

    /** {@code --json}: one object per model (see {@link BenchCommand}'s footer for the keys). */
    static ObjectNode json(Comparison c) {
        Settings s = c.settings();
        ObjectNode o = CliJson.object();
        o.put("model", c.model().toString());
        o.put("bytes", c.bytes());
        o.put("threads", s.threads());
        o.put("kv_cache", LlamaBench.KV_CACHE);
        o.put("pp_tokens", s.pp());
        o.put("tg_tokens", s.tg());
        o.put("repetitions", s.repetitions());
        ArrayNode rounds = o.putArray("rounds");
        for (Round r : c.rounds()) {
            ObjectNode round = rounds.addObject();
            round.put("round", r.number());
            round.put("first", r.llamaCppFirst() ? "llama.cpp" : "quantscope");
            side(round.putObject("quantscope"), r.ours());
            side(round.putObject("llama_cpp"), r.theirs());
            ObjectNode ratio = round.putObject("ratio");
            ratio.put("pp", CliJson.rounded(r.ppRatio(), 4));
            ratio.put("tg", CliJson.rounded(r.tgRatio(), 4));
        }
        ObjectNode median = o.putObject("median");
        side(median.putObject("quantscope"), new Side(c.median(r -> r.ours().pp()), c.median(r -> r.ours().tg()),
                c.median(r -> r.ours().peakRssMb())));
        side(median.putObject("llama_cpp"), new Side(c.median(r -> r.theirs().pp()), c.median(r -> r.theirs().tg()),
                c.median(r -> r.theirs().peakRssMb())));
        ObjectNode ratio = median.putObject("ratio");
        ratio.put("pp", CliJson.rounded(c.median(Round::ppRatio), 4));
        ratio.put("tg", CliJson.rounded(c.median(Round::tgRatio), 4));
        o.put("quantscope_command", c.ourCommand());
        o.put("llama_cpp_command", c.theirCommand());
        return o;
    }

    private static void side(ObjectNode node, Side s) {
        node.put("pp", CliJson.rounded(s.pp(), 2));
        node.put("tg", CliJson.rounded(s.tg(), 2));
        node.put("peak_rss_mb", CliJson.rounded(s.peakRssMb(), 1));
    }

    /**
     * {@code --markdown}: the README's table, one row per model (medians over the rounds; the ratios are the medians
     * of the rounds' ratios), then the command that made it and the machine it ran on.
     */
    static void printMarkdown(PrintWriter out, List<Comparison> all, String commandLine, String machine) {
        Settings s = all.getFirst().settings();
        String pp = "pp" + s.pp(), tg = "tg" + s.tg();
        out.printf("| weights | size | QuantScope %s | QuantScope %s | llama.cpp %s | llama.cpp %s | %s ratio | %s ratio |%n",
                pp, tg, pp, tg, pp, tg);
        out.println("|---|---|---|---|---|---|---|---|");
        for (Comparison c : all) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", c.model().getFileName(),
                    Units.bytes(c.bytes()), rate(c.median(r -> r.ours().pp())), rate(c.median(r -> r.ours().tg())),
                    rate(c.median(r -> r.theirs().pp())), rate(c.median(r -> r.theirs().tg())),
                    ratio(c.median(Round::ppRatio)), ratio(c.median(Round::tgRatio)));
        }
        out.println();
        out.printf(Locale.ROOT, "Tokens/s, %s, F16 KV cache, medians of %s alternating (each engine a fresh "
                + "process per round, %s each); ratio = QuantScope / llama.cpp within a round, median over the "
                + "rounds. %s. Made with:%n", count(s.threads(), "thread"), count(s.rounds(), "round"),
                count(s.repetitions(), "timed run"), machine);
        out.println();
        out.println("    " + commandLine);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String rate(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v) : "–";
    }

    private static String ratio(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "–";
    }

    /** The machine the figures came from: CPU model, cores, load average (a shared machine's figures move with it). */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the CPU stays unnamed
        }
        String load = "";
        try {
            load = ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            // no /proc
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores" + load;
    }
}
