package dev.quantscope.app;

import dev.quantscope.pipeline.export.PresetExport;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.generate.GenerateViewModel;
import dev.quantscope.app.generate.GeneratedToken;
import dev.quantscope.app.generate.VariantChoice;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.engine.llama.Generation;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.Node;
import javafx.scene.control.TabPane;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Generate page in the real window under Xvfb, on stories260K. */
@ExtendWith(ApplicationExtension.class)
class GenerateWindowTest {
    private static final String PROMPT = "Once upon a time";
    private static final int TOKENS = 24;

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "generate");
        shell = app.shell();
        window = app.window();
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
    }

    @Test
    void bothPanesStreamTheirContinuationsAndTheOriginalIsWhatGenerateSays(FxRobot robot, @TempDir Path dir)
            throws Exception {
        ModelDocument doc = openStories(robot);
        GenerateViewModel vm = doc.generate();
        WindowFixture.selectPage(robot, "generatePage");
        robot.interact(() -> {
            vm.promptProperty().set(PROMPT);
            vm.maxTokensProperty().set(TOKENS);
            vm.variantProperty().set(VariantChoice.of(Preset.Q2_K));
        });
        robot.clickOn("#generateButton");
        awaitDone(vm);

        // The same generation straight through the engine, as `quantscope generate` runs it; the variant from the
        // file llama-quantize would write (the page quantizes in memory, to the same bytes).
        Path q2k = dir.resolve("stories-Q2_K.gguf");
        Direct original;
        Direct variant;
        try (Model m = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            original = generate(m);
            PresetExport.quantize(m, Preset.Q2_K, q2k, 2, ProgressMonitor.NONE);
        }
        try (Model m = ModelOpener.open(q2k)) {
            variant = generate(m);
        }
        assertTrue(original.ids.size() > 10, "stories260K writes a story: " + original.text);

        TextFlow originalFlow = robot.lookup("#originalFlow").queryAs(TextFlow.class);
        TextFlow variantFlow = robot.lookup("#variantFlow").queryAs(TextFlow.class);
        assertEquals(PROMPT, texts(originalFlow).getFirst().getText(), "each pane starts with the prompt");
        assertEquals(original.text, generatedText(originalFlow), "the original pane is what Generation produces");
        java.io.StringWriter cliOut = new java.io.StringWriter();
        picocli.CommandLine cli = dev.quantscope.cli.QuantScopeCommand.commandLine();
        cli.setOut(new java.io.PrintWriter(cliOut, true));
        assertEquals(0, cli.execute("generate", SharedFiles.file("models/stories260K.gguf").toString(),
                "--prompt", PROMPT, "-n", Integer.toString(TOKENS)));
        assertEquals(PROMPT + generatedText(originalFlow), cliOut.toString().stripTrailing(),
                "the original pane reads as `quantscope generate` prints");
        assertEquals(original.ids, vm.original().stream().map(GeneratedToken::id).toList());
        assertEquals(variant.text, generatedText(variantFlow), "the variant pane is the Q2_K file's continuation");
        assertEquals(variant.ids, vm.compressed().stream().map(GeneratedToken::id).toList());

        // Highlighted: exactly the variant tokens whose id differs from the original's at the same position.
        List<Integer> expectedMarks = new ArrayList<>();
        for (int i = 0; i < variant.ids.size(); i++) {
            if (i < original.ids.size() && !original.ids.get(i).equals(variant.ids.get(i))) expectedMarks.add(i);
        }
        List<Integer> marked = new ArrayList<>();
        List<Text> variantTexts = texts(variantFlow);
        for (int i = 1; i < variantTexts.size(); i++) {
            if (variantTexts.get(i).getStyleClass().contains("token-differs")) marked.add(i - 1);
        }
        assertEquals(expectedMarks, marked);
        assertTrue(texts(originalFlow).stream().noneMatch(t -> t.getStyleClass().contains("token-differs")),
                "the original is the reference: nothing marked there");
        String summary = robot.lookup(".generate-summary").queryAs(javafx.scene.control.Label.class).getText();
        int agree = Math.min(original.ids.size(), variant.ids.size()) - expectedMarks.size();
        assertTrue(summary.startsWith(agree + " of " + Math.min(original.ids.size(), variant.ids.size())), summary);
        assertTrue(vm.variantBytesProperty().get() < doc.model().tensorBytes(), "Q2_K is smaller than F32");
        Screenshots.save(robot, window.stage().getScene(), "generate");

        assertEquals(List.of(VariantChoice.of(Preset.Q2_K)), vm.openVariantsForTests());
        robot.interact(() -> shell.closeAll());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.openVariantsForTests().isEmpty());
    }

    @Test
    void stopEndsALongRunAndAnotherVariantReplacesTheTemporaryFile(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        GenerateViewModel vm = doc.generate();
        WindowFixture.selectPage(robot, "generatePage");
        robot.interact(() -> {
            vm.maxTokensProperty().set(4000);
            vm.variantProperty().set(VariantChoice.of(Preset.Q6_K));
        });
        robot.interact(vm::generate);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS,
                () -> vm.compressed().size() >= 5 || !vm.job().runningProperty().get());
        assertTrue(vm.job().runningProperty().get(), () -> "still generating: " + vm.job().state());
        robot.clickOn("#stopButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.job().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Cancelled.class, vm.job().state());
        assertTrue(vm.original().size() < 4000 && vm.compressed().size() < 4000);
        assertTrue(vm.summaryProperty().get().endsWith("stopped"), vm.summaryProperty().get());
        Screenshots.save(robot, window.stage().getScene(), "generate-stopped");
        assertEquals(List.of(VariantChoice.of(Preset.Q6_K)), vm.openVariantsForTests());

        robot.interact(() -> {
            vm.maxTokensProperty().set(8);
            vm.variantProperty().set(VariantChoice.parse("int4-asym-g32-mse"));
        });
        robot.interact(vm::generate);
        awaitDone(vm);
        assertEquals(List.of(VariantChoice.parse("int4-asym-g32-mse")), vm.openVariantsForTests(),
                "the Q6_K variant is freed once another is chosen");
        assertEquals(8, vm.original().size());
        assertEquals(8, vm.compressed().size());
        assertEquals("int4-asym-g32-mse", vm.runningVariantProperty().get());

        // Presets llama-quantize refuses for this model (rows of 172 have no Q8_0 fallback) are not offered.
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<VariantChoice> combo = robot.lookup("#variantCombo").queryAs(javafx.scene.control.ComboBox.class);
        assertFalse(combo.getItems().contains(VariantChoice.of(Preset.Q8_0)));
        assertTrue(combo.getItems().contains(VariantChoice.of(Preset.Q6_K)));
        assertTrue(combo.getItems().contains(VariantChoice.parse("int4-asym-g128-mse")));

        // A typed id that is no scheme is refused next to the box, not in a dialog.
        robot.interact(() -> combo.getEditor().setText("int9-nonsense"));
        robot.interact(() -> combo.commitValue());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#variantProblem").queryAs(javafx.scene.control.Label.class).getText()
                .contains("int9-nonsense"));
    }

    /** A first visit: the page says what to do, and Generate with every default fills both panes. */
    @Test
    void aFirstVisitRunsWithTheDefaults(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        GenerateViewModel vm = doc.generate();
        WindowFixture.selectPage(robot, "generatePage");
        javafx.scene.control.Label summary = robot.lookup(".generate-summary").queryAs(javafx.scene.control.Label.class);
        assertEquals(GenerateViewModel.IDLE_HINT, summary.getText(), "empty panes say what to do");
        VariantChoice preselected = vm.variantProperty().get();
        assertTrue(preselected != null, "a variant is chosen for a new user");

        robot.clickOn("#generateButton");
        awaitDone(vm);
        TextFlow variantFlow = robot.lookup("#variantFlow").queryAs(TextFlow.class);
        assertFalse(generatedText(robot.lookup("#originalFlow").queryAs(TextFlow.class)).isBlank());
        assertFalse(generatedText(variantFlow).isBlank());
        int n = Math.min(vm.original().size(), vm.compressed().size());
        assertTrue(summary.getText().matches("\\d+ of " + n + " tokens agree.* · original [0-9.]+ tok/s, "
                + java.util.regex.Pattern.quote(preselected.label()) + " [0-9.]+ tok/s \\(measured by QuantScope's engine on "
                + "this machine\\)"), summary.getText());
        assertEquals(preselected.label(), robot.lookup(".pane-title").queryAll().stream()
                .map(l -> ((javafx.scene.control.Label) l).getText()).filter(t -> !t.equals("Original"))
                .findFirst().orElseThrow(), "the variant pane is titled with what it ran");
        assertFalse(robot.lookup(".generate #activityBox").query().isVisible(), "no busy indicator once the run ended");
    }

    @Test
    void aModelThatIsNoLanguageModelSaysSoInsteadOfGenerating(FxRobot robot) throws Exception {
        Path mnist = SharedFiles.file("models/ggml-mnist-mlp.state_dict");
        robot.interact(() -> shell.open(mnist));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        GenerateViewModel vm = shell.documents().getFirst().generate();
        // A classifier's document shows its own pages instead of Generate, once its weights are read as one.
        javafx.scene.control.TabPane tabs = robot.lookup(".document-pages").queryAs(javafx.scene.control.TabPane.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> tabs.getTabs().stream().anyMatch(t -> "accuracyPage".equals(t.getId()))
                && tabs.getTabs().stream().noneMatch(t -> "generatePage".equals(t.getId())));
        // Asked anyway (the view model serves whatever document it belongs to), it refuses in one sentence.
        robot.interact(vm::generate);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> !vm.job().runningProperty().get() && !(vm.job().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<?> state = vm.job().state();
        assertInstanceOf(Async.Failed.class, state);
        assertEquals(((Async.Failed<?>) state).message(), vm.summaryProperty().get(), "the reason is on the page");
        assertTrue(vm.original().isEmpty() && vm.compressed().isEmpty());
    }

    // ---- helpers ----

    private record Direct(List<Integer> ids, String text) {}

    /** Greedy continuation of the prompt, collected and decoded as GenerateCommand does. */
    private static Direct generate(Model m) throws Exception {
        Tokenizer tokenizer = Tokenizers.forModel(m);
        int[] prompt = tokenizer.encode(PROMPT, true);
        List<Integer> ids = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LlamaEngine engine = new LlamaEngine(m, prompt.length + TOKENS, 1)) {
            Generation.run(engine, prompt, TOKENS, Sampler.greedy(engine.config().vocab()), t -> {
                if (t == tokenizer.eos()) return false;
                ids.add(t);
                bytes.writeBytes(tokenizer.pieceBytes(t, false));
                return true;
            });
        }
        return new Direct(ids, bytes.toString(StandardCharsets.UTF_8));
    }

    private static List<Text> texts(TextFlow flow) {
        List<Text> out = new ArrayList<>();
        for (Node n : flow.getChildren()) out.add((Text) n);
        return out;
    }

    private static String generatedText(TextFlow flow) {
        StringBuilder sb = new StringBuilder();
        List<Text> t = texts(flow);
        for (int i = 1; i < t.size(); i++) sb.append(t.get(i).getText());
        return sb.toString();
    }

    private ModelDocument openStories(FxRobot robot) throws Exception {
        Path model = SharedFiles.file("models/stories260K.gguf");
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    private static void awaitDone(GenerateViewModel vm) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS,
                () -> !vm.job().runningProperty().get() && !(vm.job().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, vm.job().state(), () -> "generation did not complete: " + vm.job().state());
    }
}
