package dev.quantscope.app.generate;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.quant.preset.Preset;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * State of the Generate page of one open model: the prompt and sampling settings, the variant to compare with,
 * and the two token streams. A run quantizes the variant in memory if needed (kept while it stays the choice),
 * then generates with both models at once off the FX thread; tokens reach the lists as they are made.
 * Starting again, or Stop, cancels the run in progress (latest wins).
 */
public final class GenerateViewModel {
    private final ModelSession session;
    private final VariantCache variants;
    private final BackgroundJob<SideBySide.Outcome> job;
    private final StringProperty prompt = new SimpleStringProperty("Once upon a time");
    private final IntegerProperty maxTokens = new SimpleIntegerProperty(48);
    private final ObjectProperty<VariantChoice> variant = new SimpleObjectProperty<>();
    private final ObjectProperty<Float> temperature = new SimpleObjectProperty<>(0f);
    private final LongProperty seed = new SimpleLongProperty(0);
    private final ObservableList<GeneratedToken> original = FXCollections.observableArrayList();
    private final ObservableList<GeneratedToken> compressed = FXCollections.observableArrayList();
    /** What the status strip says before the first run: the panes are empty until then. */
    public static final String IDLE_HINT = "Press Generate to continue the prompt with the original and the chosen variant.";
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(IDLE_HINT);
    private final ReadOnlyStringWrapper runningPrompt = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper runningVariant = new ReadOnlyStringWrapper("");
    private final ReadOnlyLongWrapper variantBytes = new ReadOnlyLongWrapper(0);
    /** Tokens from runs older than this are dropped: a cancelled run may still deliver a few. */
    private final ReadOnlyLongWrapper run = new ReadOnlyLongWrapper(0);
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** Nucleus size when sampling: the CLI's default. */
    static final float TOP_P = 0.95f;

    public GenerateViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.variants = new VariantCache(session.model());
        this.job = new BackgroundJob<>(executor);
        job.stateProperty().addListener((_, _, s) -> summarize(s));
        variant.set(defaultChoice(session.model()));
    }

    /** Q4_K_M, the usual first try, when llama-quantize accepts it for this model; else 4-bit integers in groups of 32. */
    static VariantChoice defaultChoice(Model model) {
        try {
            Plans.ofPreset(Preset.Q4_K_M, model);
            return VariantChoice.of(Preset.Q4_K_M);
        } catch (RuntimeException refused) {
            return VariantChoice.parse("int4-asym-g32-mse");
        }
    }

    public Model model() { return session.model(); }

    /** Starts a run with the current settings, replacing any run in progress. */
    public void generate() {
        SideBySide.Settings settings = new SideBySide.Settings(prompt.get(), maxTokens.get(), temperature.get(),
                TOP_P, seed.get());
        VariantChoice choice = variant.get();
        if (choice == null) {
            summary.set("Choose a preset or type a scheme id to compare with.");
            return;
        }
        long id = run.get() + 1;
        original.clear();
        compressed.clear();
        runningPrompt.set(settings.prompt());
        runningVariant.set(choice.label());
        variantBytes.set(0);
        run.set(id);
        job.submit("Generating with the original and " + choice.label(), monitor -> session.read(() -> {
            try {
                Tokenizer tokenizer = Tokenizers.forModel(session.model());
                // The quantized variant shares the original's untouched tensors: both live inside session.read.
                try (VariantCache.Lease lease = variants.acquire(choice, monitor)) {
                    if (monitor.isCancelled()) throw new CancellationException("stopped");
                    long bytes = lease.model().tensorBytes();
                    Platform.runLater(() -> { if (id == run.get()) variantBytes.set(bytes); });
                    // Quantizing reported its own progress; from here the bar counts tokens of both sides.
                    AtomicInteger made = new AtomicInteger();
                    long total = 2L * settings.maxTokens();
                    SideBySide.TokenSink sink = (side, index, token, text) -> {
                        monitor.progress(made.incrementAndGet(), total);
                        pending.add(new Pending(id, side, new GeneratedToken(index, token, text)));
                        if (drainScheduled.compareAndSet(false, true)) Platform.runLater(this::drain);
                    };
                    return SideBySide.run(session.model(), lease.model(), tokenizer, settings, sink, monitor::isCancelled);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** A token on its way to the FX thread, tagged with its run. */
    private record Pending(long run, Side side, GeneratedToken token) {}

    /**
     * Moves every waiting token onto the lists in one go: a small model makes thousands of tokens a second, and one
     * FX event per token would starve input (Stop would not get through). Runs on the FX thread.
     */
    private void drain() {
        drainScheduled.set(false);
        List<GeneratedToken> left = new ArrayList<>(), right = new ArrayList<>();
        for (Pending p; (p = pending.poll()) != null; ) {
            if (p.run() != run.get()) continue; // a cancelled run's last tokens
            (p.side() == Side.ORIGINAL ? left : right).add(p.token());
        }
        // The original first, so the variant's tokens are compared with the reference at once.
        if (!left.isEmpty()) original.addAll(left);
        if (!right.isEmpty()) compressed.addAll(right);
        summarize(job.state());
    }

    /** Whether the variant's token at {@code index} differs from the original's; false while the original has none there yet. */
    public boolean differs(int index) {
        return index < original.size() && index < compressed.size()
                && original.get(index).id() != compressed.get(index).id();
    }

    /** Index of the first token where the two continuations part, or -1 while they agree. */
    public int firstDivergence() {
        int n = Math.min(original.size(), compressed.size());
        for (int i = 0; i < n; i++) if (original.get(i).id() != compressed.get(i).id()) return i;
        return -1;
    }

    private void summarize(Async<SideBySide.Outcome> state) {
        int n = Math.min(original.size(), compressed.size());
        int same = 0;
        for (int i = 0; i < n; i++) if (original.get(i).id() == compressed.get(i).id()) same++;
        int first = firstDivergence();
        String agreement = n == 0 ? "" : String.format(Locale.ROOT, "%d of %d tokens agree%s", same, n,
                first < 0 ? "" : " · first difference at token " + (first + 1));
        summary.set(switch (state) {
            case Async.Done<SideBySide.Outcome>(SideBySide.Outcome o) -> joined(agreement, String.format(Locale.ROOT,
                    "original %.1f tok/s, %s %.1f tok/s (%s)", o.originalTokensPerSecond(), runningVariant.get(),
                    o.variantTokensPerSecond(), dev.quantscope.app.common.LlamaCppSetting.OURS));
            case Async.Running<SideBySide.Outcome> _ -> agreement;
            case Async.Cancelled<SideBySide.Outcome> _ -> joined(agreement, "stopped");
            case Async.Failed<SideBySide.Outcome> f -> f.message();
            case Async.Idle<SideBySide.Outcome> _ -> IDLE_HINT;
        });
    }

    private static String joined(String first, String then) {
        return first.isEmpty() ? then : first + " · " + then;
    }

    public void stop() { job.cancel(); }

    /** Cancels the run; the variants are freed by {@link #dispose()} once the model is no longer read. */
    public void cancelAll() { job.reset(); }

    /** Frees the quantized variants; call after the session has closed (no run holds them). */
    public void dispose() { variants.close(); }

    /** The temporary files currently kept, for tests. */
    public List<VariantChoice> openVariantsForTests() { return variants.open(); }

    public BackgroundJob<SideBySide.Outcome> job() { return job; }

    public StringProperty promptProperty() { return prompt; }

    public IntegerProperty maxTokensProperty() { return maxTokens; }

    public ObjectProperty<VariantChoice> variantProperty() { return variant; }

    public ObjectProperty<Float> temperatureProperty() { return temperature; }

    public LongProperty seedProperty() { return seed; }

    public ObservableList<GeneratedToken> original() { return original; }

    public ObservableList<GeneratedToken> compressed() { return compressed; }

    public ReadOnlyStringProperty summaryProperty() { return summary.getReadOnlyProperty(); }

    /** The prompt of the run on screen (the box may have been edited since). */
    public ReadOnlyStringProperty runningPromptProperty() { return runningPrompt.getReadOnlyProperty(); }

    /** Increases when a run starts: the panes start over with its prompt. */
    public ReadOnlyLongProperty runProperty() { return run.getReadOnlyProperty(); }

    /** Tensor bytes of the variant on screen, 0 until it is quantized. */
    public ReadOnlyLongProperty variantBytesProperty() { return variantBytes.getReadOnlyProperty(); }

    public ReadOnlyStringProperty runningVariantProperty() { return runningVariant.getReadOnlyProperty(); }
}
