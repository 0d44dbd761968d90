package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.app.tradeoff.ImatrixChoice;
import dev.quantscope.app.tradeoff.SchemeOption;
import dev.quantscope.app.tradeoff.TradeoffViewModel;
import dev.quantscope.eval.sweep.SpeedNoise;
import dev.quantscope.eval.sweep.Sweep;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepListener;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepRequest;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Trade-off page in the real window under Xvfb: a two-preset sweep of stories260K on a little Shakespeare. */
@ExtendWith(ApplicationExtension.class)
class TradeoffWindowTest {
    private static final double MIB = 1024.0 * 1024.0;
    private static final int CTX = 64;
    private static final int KB = 8;

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "tradeoff");
        shell = app.shell();
        window = app.window();
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
        System.clearProperty(SweepCache.DIRECTORY_PROPERTY);
    }

    @Test
    void twoPresetsBecomeTwoPointsOnBothChartsAndFitMyDevicePicksWhatFits(FxRobot robot, @TempDir Path dir)
            throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        Path text = dir.resolve("shakespeare-start.txt");
        try (InputStream in = Files.newInputStream(SharedFiles.file("data/text/tinyshakespeare.txt"))) {
            Files.write(text, in.readNBytes(KB * 1024 + 512)); // a little more: the page cuts at a line break
        }
        ModelDocument doc = openStories(robot);
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        robot.interact(() -> {
            for (SchemeOption o : vm.presets()) {
                o.selectedProperty().set(o.scheme().id().equals("Q6_K") || o.scheme().id().equals("Q2_K"));
            }
            vm.textProperty().set(new SweepText.FromFile(text));
            vm.textKilobytesProperty().set(KB);
            vm.ctxProperty().set(CTX);
        });
        List<Boolean> runningWhenAdded = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> vm.points().addListener((javafx.collections.ListChangeListener<SweepPoint>) c -> {
            while (c.next()) if (c.wasAdded()) runningWhenAdded.add(vm.job().runningProperty().get());
        }));
        robot.clickOn("#runButton");
        SweepResult result = awaitDone(vm);
        assertEquals(List.of(true, true), runningWhenAdded, "each point reaches the page while the sweep still runs");

        // The same sweep straight through the engine: the page shows exactly its figures.
        String sample = new String(Files.readAllBytes(text), 0, KB * 1024, StandardCharsets.ISO_8859_1);
        sample = sample.substring(0, sample.lastIndexOf('\n') + 1); // tinyshakespeare is ASCII
        SweepResult direct = Sweep.run(doc.model(), SweepRequest.of(
                        List.of(SweepScheme.of(Preset.Q6_K), SweepScheme.of(Preset.Q2_K)), sample, CTX),
                SweepCache.disabled(), SweepListener.NONE, ProgressMonitor.NONE);
        assertEquals(2, result.measured().size(), () -> "both presets measured: " + result.points());
        assertEquals(2, vm.points().size());
        for (int i = 0; i < 2; i++) {
            SweepPoint.Measured shown = (SweepPoint.Measured) vm.points().get(i);
            SweepPoint.Measured expected = direct.measured().get(i);
            assertEquals(expected.label(), shown.label());
            assertEquals(expected.bytes(), shown.bytes());
            assertEquals(expected.accuracy().tokens(), shown.accuracy().tokens(), "the same text, cut at the same line");
            // Parallel float sums may add in another order between runs: equal to float precision, not bit for bit.
            assertEquals(expected.accuracy().kldMean(), shown.accuracy().kldMean(), 1e-4 * expected.accuracy().kldMean());
            assertEquals(expected.accuracy().sameTopP(), shown.accuracy().sameTopP(), 0.002);
        }
        SweepPoint.Measured q6k = (SweepPoint.Measured) vm.points().get(0);
        SweepPoint.Measured q2k = (SweepPoint.Measured) vm.points().get(1);
        assertTrue(q2k.accuracy().kldMean() > q6k.accuracy().kldMean(), "Q2_K diverges more than Q6_K");
        assertTrue(q2k.bytes() < q6k.bytes());

        XYDataset size = chart(robot, "#sweepSizeChart");
        XYDataset speed = chart(robot, "#sweepSpeedChart");
        assertEquals(3, size.getSeriesCount());
        assertEquals(2, size.getItemCount(0), "two points on the size chart");
        assertEquals(2, speed.getItemCount(0), "two points on the speed chart");
        assertEquals(q6k.bytes() / MIB, size.getXValue(0, 0), 1e-12);
        assertEquals(q2k.accuracy().kldMean(), size.getYValue(0, 1), 1e-15);
        assertEquals(q6k.latency().generationTokensPerSecond(), speed.getXValue(0, 0), 1e-9);
        // Smaller and worse vs larger and better: neither dominates, both are on the size front.
        assertEquals(2, size.getItemCount(1));
        assertEquals(1, size.getItemCount(2), "the current choice is marked");
        assertEquals(2, robot.lookup("#pointsTable").queryAs(TableView.class).getItems().size());
        Screenshots.save(robot, window.stage().getScene(), "tradeoff");

        // Fit my device: room for Q2_K but not Q6_K.
        TextField budget = robot.lookup("#budgetField").queryAs(TextField.class);
        robot.interact(() -> budget.setText(Long.toString(q2k.bytes() + 1)));
        robot.clickOn("#recommendButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("→ Q2_K", robot.lookup(".fit-choice").queryAs(Label.class).getText());
        String reason = robot.lookup(".fit-reason").queryAs(Label.class).getText();
        assertTrue(reason.startsWith("Q2_K fits") && reason.contains("Q6_K (too large"), reason);
        assertEquals(q2k.bytes() / MIB, chart(robot, "#sweepSizeChart").getXValue(2, 0), 1e-12,
                "the recommendation becomes the current choice on the chart");
        Screenshots.save(robot, window.stage().getScene(), "fit");

        // The recommendation can be read as text: the Generate page opens with it as the variant.
        robot.clickOn("#tryButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("generatePage", robot.lookup(".document-pages").queryAs(TabPane.class)
                .getSelectionModel().getSelectedItem().getId());
        assertEquals(dev.quantscope.app.generate.VariantChoice.of(Preset.Q2_K), doc.generate().variantProperty().get());
        WindowFixture.selectPage(robot, "tradeoffPage");

        // A KL limit below both points: nothing qualifies, and the page says why.
        robot.interact(() -> {
            budget.setText("1 GiB");
            vm.maxKldProperty().set(Double.toString(q6k.accuracy().kldMean() / 2));
        });
        robot.clickOn("#recommendButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Nothing fits", robot.lookup(".fit-choice").queryAs(Label.class).getText());

        // Running again takes both points from the cache.
        robot.interact(vm::runSweep);
        SweepResult again = awaitDone(vm);
        assertEquals(2, again.cacheHits());
        assertTrue(vm.points().stream().allMatch(p -> ((SweepPoint.Measured) p).fromCache()));
    }

    /**
     * With "Compute from the evaluation text" a one-preset sweep gives two points, Q4_K_M and Q4_K_M+imatrix, each on
     * both charts in its own series (the imatrix one with its own legend entry), joined by the imatrix effect line.
     */
    @Test
    void anImatrixPutsEachSchemeTwiceOnBothCharts(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        Path text = dir.resolve("shakespeare-start.txt");
        try (InputStream in = Files.newInputStream(SharedFiles.file("data/text/tinyshakespeare.txt"))) {
            Files.write(text, in.readNBytes(KB * 1024 + 512));
        }
        ModelDocument doc = openStories(robot);
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        // "Load file…" without a file: Run says what is missing (the file chooser cannot run under TestFX).
        robot.interact(() -> {
            for (SchemeOption o : vm.presets()) o.selectedProperty().set(o.scheme().id().equals("Q4_K_M"));
            vm.textProperty().set(new SweepText.FromFile(text));
            vm.textKilobytesProperty().set(KB);
            vm.ctxProperty().set(CTX);
            vm.imatrixChoiceProperty().set(ImatrixChoice.FILE);
        });
        robot.interact(vm::runSweep);
        assertTrue(vm.problemProperty().get().startsWith("Choose an importance matrix file"), vm.problemProperty().get());
        // The page's own control: pick "Compute from the evaluation text" in the combo box.
        ComboBox<ImatrixChoice> combo = robot.lookup("#imatrixCombo").queryAs(ComboBox.class);
        robot.interact(() -> combo.setValue(ImatrixChoice.FROM_TEXT));
        assertEquals(ImatrixChoice.FROM_TEXT, vm.imatrixChoiceProperty().get());
        robot.clickOn("#runButton");
        SweepResult result = awaitDone(vm);

        assertEquals(List.of("Q4_K_M", "Q4_K_M+imatrix"), vm.points().stream().map(SweepPoint::label).toList());
        SweepPoint.Measured plain = assertInstanceOf(SweepPoint.Measured.class, vm.points().get(0));
        SweepPoint.Measured weighted = assertInstanceOf(SweepPoint.Measured.class, vm.points().get(1));
        assertTrue(!plain.imatrix() && weighted.imatrix());
        assertEquals(2, result.measured().size());
        assertTrue(weighted.accuracy().kldMean() != plain.accuracy().kldMean(), "the importance matrix changed nothing");
        System.out.printf("Q4_K_M on the page: mean KLD %.6f without, %.6f with the imatrix%n",
                plain.accuracy().kldMean(), weighted.accuracy().kldMean());

        for (String id : List.of("#sweepSizeChart", "#sweepSpeedChart")) {
            XYDataset data = chart(robot, id);
            assertEquals(5, data.getSeriesCount(), id);
            assertEquals(1, data.getItemCount(0), id + ": the plain point");
            assertEquals(1, data.getItemCount(3), id + ": the imatrix point");
            assertEquals(weighted.accuracy().kldMean(), data.getYValue(3, 0), 1e-15, id);
            assertEquals(plain.accuracy().kldMean(), data.getYValue(0, 0), 1e-15, id);
            assertEquals(3, data.getItemCount(4), id + ": one segment from the plain point to the imatrix point");
        }
        XYDataset size = chart(robot, "#sweepSizeChart");
        assertEquals(weighted.bytes() / MIB, size.getXValue(3, 0), 1e-12);
        assertEquals(weighted.latency().generationTokensPerSecond(),
                chart(robot, "#sweepSpeedChart").getXValue(3, 0), 1e-9);
        var legend = robot.lookup("#sweepSizeChart").queryAs(ChartViewer.class).getChart().getXYPlot().getLegendItems();
        List<String> entries = new java.util.ArrayList<>();
        for (int i = 0; i < legend.getItemCount(); i++) entries.add(legend.get(i).getLabel());
        assertTrue(entries.contains("with imatrix") && entries.contains("without imatrix"), entries.toString());
        assertEquals(2, robot.lookup("#pointsTable").queryAs(TableView.class).getItems().size());
        // Generate quantizes without an importance matrix: an imatrix point cannot be tried there.
        robot.interact(() -> vm.currentProperty().set(weighted));
        assertTrue(!vm.canTryCurrent());
        robot.interact(() -> vm.currentProperty().set(plain));
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-imatrix");

        // Again: both from the cache, the imatrix point still told apart.
        robot.interact(vm::runSweep);
        SweepResult again = awaitDone(vm);
        assertEquals(2, again.cacheHits());
        assertEquals(List.of(false, true), vm.points().stream().map(SweepPoint::imatrix).toList());
    }

    @Test
    void cancelStopsTheSweepAndKeepsThePointsSoFar(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        ModelDocument doc = openStories(robot);
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        robot.interact(() -> {
            for (SchemeOption o : vm.presets()) o.selectedProperty().set(o.unavailable().isEmpty());
            vm.customIdsProperty().set("int8-sym-row-rtn, int4-asym-g32-mse, nf4-b64-dq");
            vm.textProperty().set(new SweepText.FromFile(SharedFiles.file("data/text/tinyshakespeare.txt")));
            vm.textKilobytesProperty().set(24);
            vm.ctxProperty().set(128);
        });
        robot.clickOn("#runButton");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !vm.points().isEmpty() || !vm.job().runningProperty().get());
        robot.clickOn("#cancelButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.job().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Cancelled.class, vm.job().state());
        int total = (int) vm.presets().stream().filter(o -> o.unavailable().isEmpty()).count() + 3;
        assertTrue(!vm.points().isEmpty() && vm.points().size() < total, vm.points().size() + " of " + total);
        assertTrue(vm.statusProperty().get().startsWith("Cancelled after"), vm.statusProperty().get());
        assertEquals(vm.points().size(), chart(robot, "#sweepSizeChart").getItemCount(0), "the points so far stay drawn");

        // Running again finishes what was left (the points measured before come from the cache).
        robot.interact(vm::runSweep);
        SweepResult full = awaitDone(vm);
        assertEquals(total, full.points().size());
        assertTrue(full.cacheHits() >= 1, "the points measured before the cancel are reused: " + full.cacheHits());
        assertEquals(full.measured().size(), chart(robot, "#sweepSizeChart").getItemCount(0));
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-full");
    }

    /**
     * A new user's first sweep: the bundled model, the page's defaults (its ticked presets and the bundled text,
     * already chosen), one click on Run. When it has finished nothing on the page may still say it is busy, show
     * an error, a Java class name or a placeholder; the size chart has its front, and the speed chart either a
     * front or, when the speeds are within their runs' noise, the sentence saying so and no front.
     */
    @Test
    void aFirstSweepOnTheBundledModelIsOneClick(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        ModelDocument doc = open(robot, Path.of("assets/models/stories260K.gguf"));
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        assertEquals(SweepText.bundled(), vm.textProperty().get(), "the bundled text is preselected");
        assertEquals("Shakespeare (bundled sample)", robot.lookup("#textLabel").queryAs(Label.class).getText());
        long ticked = vm.presets().stream().filter(o -> o.selectedProperty().get()).count();
        assertTrue(ticked >= 2, "the default presets that apply to this model are ticked: " + ticked);

        robot.clickOn("#runButton");
        SweepResult result = awaitDone(vm, 600);
        assertEquals(ticked, result.points().size());
        assertEquals(ticked, result.measured().size(), () -> "every ticked preset measured: " + result.points());
        assertTrue(result.measured().stream().allMatch(m -> m.latency().generationSpread().runs() >= 3),
                "each speed is a median of repeated runs, with their spread");

        XYDataset size = chart(robot, "#sweepSizeChart");
        XYDataset speed = chart(robot, "#sweepSpeedChart");
        assertEquals(ticked, size.getItemCount(0));
        assertEquals(ticked, speed.getItemCount(0));
        assertTrue(size.getItemCount(1) >= 1, "the size front stays");
        SpeedNoise noise = SpeedNoise.of(result.points());
        System.out.printf("first sweep on stories260K: tg %s; %s%n", result.measured().stream()
                .map(m -> String.format(java.util.Locale.ROOT, "%s %.0f ±%.0f%%", m.label(),
                        m.latency().generationTokensPerSecond(), 100 * m.latency().generationSpread().relativeHalfWidth()))
                .toList(), noise);
        if (noise.withinNoise()) {
            assertTrue(titles(robot, "#sweepSpeedChart").stream().anyMatch(t -> t.startsWith(
                    "Speed differences on this model are within measurement noise (±")), titles(robot, "#sweepSpeedChart").toString());
            assertEquals(0, speed.getItemCount(1), "no speed front drawn from noise");
        } else {
            assertTrue(titles(robot, "#sweepSpeedChart").stream().noneMatch(t -> t.startsWith("Speed differences")));
            assertTrue(speed.getItemCount(1) >= 1);
        }
        assertTrue(titles(robot, "#sweepSizeChart").stream().noneMatch(t -> t.startsWith("Speed differences")));
        assertNothingStale(robot);
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-first-run");
    }

    /** A message about the settings goes once the settings change, and Run checks them again. */
    @Test
    void aStaleProblemGoesWhenItsCauseIsFixed(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        Label problem = robot.lookup("#problemLabel").queryAs(Label.class);
        robot.interact(() -> vm.textProperty().set(null));
        robot.clickOn("#runButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Choose a text file to measure on.", problem.getText());
        assertTrue(problem.isVisible());
        assertInstanceOf(Async.Idle.class, vm.job().state());
        robot.interact(() -> vm.textProperty().set(SweepText.bundled()));
        assertEquals("", problem.getText(), "a text chosen: the message about the missing text goes");
        assertTrue(!problem.isVisible());

        robot.interact(() -> vm.customIdsProperty().set("int5-sym-nonsense"));
        robot.interact(vm::runSweep);
        assertTrue(problem.getText().contains("int5-sym-nonsense"), problem.getText());
        robot.interact(() -> vm.customIdsProperty().set(""));
        assertEquals("", problem.getText(), "the unknown id removed: its message goes");

        // Fit my device: a bad limit is reported, and the report goes with the edit that fixes it.
        Label fitProblem = robot.lookup("#fitProblemLabel").queryAs(Label.class);
        robot.interact(() -> vm.maxKldProperty().set("abc"));
        robot.interact(vm::recommend);
        assertTrue(fitProblem.getText().contains("'abc' is not a number"), fitProblem.getText());
        robot.interact(() -> vm.maxKldProperty().set("0.05"));
        assertEquals("", fitProblem.getText());
        robot.interact(vm::recommend);
        assertTrue(fitProblem.getText().startsWith("Run a sweep first"), fitProblem.getText());
        robot.interact(() -> vm.budgetProperty().set("1 MiB"));
        assertEquals("", fitProblem.getText());

        // A run that fails (a text too short for two windows) says why; changing the settings clears it.
        robot.interact(() -> {
            for (SchemeOption o : vm.presets()) o.selectedProperty().set(o.scheme().id().equals("Q2_K"));
            vm.textKilobytesProperty().set(1);
            vm.ctxProperty().set(4096);
        });
        robot.clickOn("#runButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.job().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Failed.class, vm.job().state());
        String failure = vm.statusProperty().get();
        // One sentence that names what is short and the way out, with no class name before it.
        assertTrue(failure.startsWith("The text is ") && failure.endsWith("use more of the text or a smaller context."),
                failure);
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-failed");
        robot.interact(() -> vm.ctxProperty().set(64));
        assertInstanceOf(Async.Idle.class, vm.job().state(), "the failure described the old context");
        assertEquals("", vm.statusProperty().get());
        assertNoError(robot);
    }

    // ---- helpers ----

    /**
     * Fails on any visible text of the Trade-off page that says it is still busy, shows an error or a Java class
     * name, or is a placeholder for something that should be there by now (a sweep has finished).
     */
    private static void assertNothingStale(FxRobot robot) {
        List<String> shown = assertNoError(robot);
        for (String t : shown) {
            for (String stale : List.of("Computing", "so far", "No point measured yet", "No points yet", "none yet")) {
                assertTrue(!t.contains(stale), "still showing '" + stale + "': " + t);
            }
        }
    }

    /** Fails on a visible error, failure or Java class name on the Trade-off page; returns the visible texts. */
    private static List<String> assertNoError(FxRobot robot) {
        javafx.scene.Node page = page(robot);
        List<String> shown = new java.util.ArrayList<>();
        robot.interact(() -> collectVisibleText(page, shown));
        java.util.regex.Pattern className = java.util.regex.Pattern.compile("\\b([a-z]+\\.)+[A-Z]\\w+|\\w+(Exception|Error)\\b");
        for (String t : shown) {
            assertTrue(!className.matcher(t).find(), "a class name on the page: " + t);
            for (String stale : List.of("Choose a text", "failed", "Failed", "null", "NaN")) {
                assertTrue(!t.contains(stale), "still showing '" + stale + "': " + t);
            }
        }
        assertTrue(robot.from(page).lookup(".state-error").queryAll().stream()
                        .noneMatch(n -> shownWithin(n, page) && !(n instanceof javafx.scene.control.Labeled l && l.getText().isEmpty())),
                "an error label is visible: " + shown);
        return shown;
    }

    /** Whether the node and every parent up to {@code root} are visible. */
    private static boolean shownWithin(javafx.scene.Node node, javafx.scene.Node root) {
        for (javafx.scene.Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) return false;
            if (n == root) return true;
        }
        return true;
    }

    private static void collectVisibleText(javafx.scene.Node node, List<String> into) {
        if (!node.isVisible()) return;
        if (node instanceof javafx.scene.control.Labeled l && l.getText() != null && !l.getText().isBlank()) into.add(l.getText());
        if (node instanceof javafx.scene.text.Text t && t.getText() != null && !t.getText().isBlank()) into.add(t.getText());
        if (node instanceof javafx.scene.Parent p) for (javafx.scene.Node c : p.getChildrenUnmodifiable()) collectVisibleText(c, into);
    }

    /** The chart's visible subtitles: its summary line and, on the speed chart, the noise sentence. */
    private static List<String> titles(FxRobot robot, String id) {
        var chart = robot.lookup(id).queryAs(ChartViewer.class).getChart();
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            if (chart.getSubtitle(i) instanceof org.jfree.chart.title.TextTitle t && t.isVisible() && !t.getText().isEmpty()) {
                out.add(t.getText());
            }
        }
        return out;
    }

    /** The Trade-off page's content (its tab is no node of its own). */
    private static javafx.scene.Node page(FxRobot robot) {
        TabPane tabs = robot.lookup(".document-pages").queryAs(TabPane.class);
        return tabs.getTabs().stream().filter(t -> "tradeoffPage".equals(t.getId())).findFirst().orElseThrow().getContent();
    }

    private static XYDataset chart(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
    }

    private ModelDocument openStories(FxRobot robot) throws Exception {
        return open(robot, SharedFiles.file("models/stories260K.gguf"));
    }

    private ModelDocument open(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    private static SweepResult awaitDone(TradeoffViewModel vm) throws Exception {
        return awaitDone(vm, 240);
    }

    private static SweepResult awaitDone(TradeoffViewModel vm, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS,
                () -> !vm.job().runningProperty().get() && !(vm.job().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, vm.job().state(), () -> "sweep did not complete: " + vm.job().state());
        return ((Async.Done<SweepResult>) vm.job().state()).value();
    }
}
