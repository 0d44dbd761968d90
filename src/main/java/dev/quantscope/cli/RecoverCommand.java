package dev.quantscope.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quantscope.distill.llama.RecoveredModel;
import dev.quantscope.distill.llama.Recovery;
import dev.quantscope.distill.llama.RecoveryDistillation;
import dev.quantscope.distill.llama.RecoverySettings;
import dev.quantscope.distill.llama.RecoveryText;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.format.FileCommit;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope recover --dense DENSE --pruned PRUNED -o OUT [--text FILE] [--eval-text FILE] [--steps N |
 * --epochs N] [--lr X] [--temperature T] [--json]}: recovery distillation of a pruned Llama against its dense model,
 * measured on held-out text before and after.
 */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Recover what pruning cost a Llama model: train the pruned model to match the dense model's "
                + "next-token distribution over a text (KL divergence at temperature T), keeping its zeros, and write "
                + "it as GGUF.",
                "KLD and PPL against the dense model are measured on held-out text before and after (as eval "
                        + "--base measures them): --eval-text, else the last 20 %% of --text's tokens, never trained on."})
public final class RecoverCommand implements Callable<Integer> {

    /** Share of the text held out when no --eval-text is given. */
    static final double HELD_OUT_FRACTION = 0.2;

    @Option(names = "--dense", required = true, paramLabel = "DENSE", description = "The dense (unpruned) GGUF model: the teacher.")
    Path dense;

    @Option(names = "--pruned", required = true, paramLabel = "PRUNED", description = "The pruned GGUF model "
            + "(F32, F16 or BF16 weights; any method, pattern or structured cut): the student.")
    Path pruned;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The .gguf file to write (never an input).")
    Path out;

    @Option(names = "--text", paramLabel = "FILE", description = "Training text (default: the bundled Shakespeare excerpt).")
    Path text;

    @Option(names = "--eval-text", paramLabel = "FILE", description = "Held-out text to measure on (default: the last "
            + "20%% of --text's tokens, which are then not trained on).")
    Path evalText;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: 200; or --epochs, passes over the training windows).")
    Integer steps;

    /** --epochs (instead of --steps), --lr (1e-3, Adam's peak, cosine down to a tenth), --batch (4 windows per step), --seed (42, the window order). */
    @Mixin
    TrainingRunOptions run;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "Distillation temperature "
            + "(default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--ce-weight", paramLabel = "W", defaultValue = "0", description = "Weight of the cross-entropy on "
            + "the text's next token added to the loss (default: ${DEFAULT-VALUE}).")
    double ceWeight;

    /** Training windows and the held-out measure's windows are both --ctx tokens. */
    @Mixin
    ContextOption context;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    /** {@code recover --json}: the held-out figures before and after, the run's length and time. */
    record Json(@JsonProperty("kld_before") BigDecimal kldBefore, @JsonProperty("kld_after") BigDecimal kldAfter,
                @JsonProperty("ppl_dense") BigDecimal pplDense, @JsonProperty("ppl_before") BigDecimal pplBefore,
                @JsonProperty("ppl_after") BigDecimal pplAfter,
                @JsonProperty("same_top_before") BigDecimal sameTopBefore,
                @JsonProperty("same_top_after") BigDecimal sameTopAfter, @JsonProperty("steps") int steps,
                @JsonProperty("train_tokens") long trainTokens, @JsonProperty("held_out_tokens") long heldOutTokens,
                @JsonProperty("masked_zeros") long maskedZeros, @JsonProperty("seconds") BigDecimal seconds) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (steps != null && run.hasEpochs()) {
            throw new IllegalArgumentException("give --steps or --epochs, not both");
        }
        try {
            int n = threads.count(), ctx = context.ctx, batch = run.batchOr(4);
            FileCommit.checkTarget(this.out, List.of(dense, pruned));
            try (Model denseModel = ModelOpener.open(dense); Model prunedModel = ModelOpener.open(pruned)) {
                RecoveryText split = evalText == null
                        ? RecoveryText.split(denseModel, trainingText(), HELD_OUT_FRACTION)
                        : RecoveryText.of(denseModel, trainingText(), read(evalText, "held-out text"));
                int windows = split.train().length / ctx;
                if (windows < 1) {
                    throw new IllegalArgumentException("the training text gives " + split.train().length
                            + " tokens, fewer than one window of --ctx " + ctx);
                }
                int steps = run.hasEpochs()
                        ? Math.max(1, (int) Math.ceil((double) run.epochsOr(1) * windows / batch))
                        : this.steps != null ? positive(this.steps, "--steps") : 200;
                RecoverySettings settings = new RecoverySettings(steps, ctx, batch, run.learningRateOr(1e-3), temperature,
                        ceWeight, run.seedOr(42));
                HeldOutMeasure measure = new HeldOutMeasure(denseModel, split.heldOut(), ctx, split.bos(), n,
                        new ProgressLine(err, "dense model on held-out text"));
                KlDivergenceResult before = measure.measure(prunedModel, new ProgressLine(err, "pruned model"));
                Recovery r = RecoveryDistillation.run(denseModel, prunedModel, split.train(), split.bos(), settings, n,
                        new ProgressLine(err, "recovery (" + steps + " steps of " + batch + " windows)"));
                RecoveredModel.write(prunedModel, r.student().all(), this.out, n, new ProgressLine(err, "writing " + this.out.getFileName()));
                KlDivergenceResult after;
                try (Model recovered = ModelOpener.open(this.out)) {
                    after = measure.measure(recovered, new ProgressLine(err, "recovered model"));
                }
                double seconds = r.nanos() / 1e9;
                if (json.json) {
                    out.println(CliJson.compact(new Json(CliJson.rounded(before.kldMean(), 6), CliJson.rounded(after.kldMean(), 6),
                            CliJson.rounded(measure.dense().ppl(), 4), CliJson.rounded(before.ppl(), 4), CliJson.rounded(after.ppl(), 4),
                            CliJson.rounded(before.sameTopP(), 6), CliJson.rounded(after.sameTopP(), 6), r.steps(),
                            (long) r.windows() * ctx, before.tokens(), r.maskedZeros(), CliJson.rounded(seconds, 2))));
                } else {
                    out.printf(Locale.ROOT, """
                            trained %d steps of %d windows of %d tokens (%d windows, %d weights held at zero) in %.1f s
                            held-out: %d tokens scored; dense PPL %.4f
                                       KLD        PPL        same top
                            before  %9.6f  %9.4f  %6.2f %%
                            after   %9.6f  %9.4f  %6.2f %%
                            wrote %s
                            """, r.steps(), batch, ctx, r.windows(), r.maskedZeros(), seconds, before.tokens(),
                            measure.dense().ppl(), before.kldMean(), before.ppl(), 100 * before.sameTopP(), after.kldMean(),
                            after.ppl(), 100 * after.sameTopP(), this.out);
                }
            }
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        }
        out.flush();
        return 0;
    }

    private String trainingText() throws IOException {
        return text == null ? SweepText.bundled().readAll() : read(text, "training text");
    }

    private static int positive(int value, String option) {
        if (value < 1) throw new IllegalArgumentException(option + " must be at least 1");
        return value;
    }

    private static String read(Path file, String what) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": no such file");
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": it is not UTF-8 text");
        }
    }
}
