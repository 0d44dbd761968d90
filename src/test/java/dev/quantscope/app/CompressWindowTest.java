package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.Workers;
import dev.quantscope.app.compress.CompressViewModel;
import dev.quantscope.app.compress.RuleRow;
import dev.quantscope.app.compress.TradeoffResult;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.RecentFiles;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.preview.OverrideRule;
import dev.quantscope.quant.preview.TensorPreview;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Compress page in the real window under Xvfb, on the synthetic F16 Llama. */
@ExtendWith(ApplicationExtension.class)
class CompressWindowTest {
    private static final double MIB = 1024.0 * 1024.0;

    private ExecutorService workers;
    private Preferences prefs;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        workers = Workers.newPool();
        prefs = Preferences.userRoot().node("dev/quantscope/tests/compress-" + System.nanoTime());
        shell = new ShellViewModel(workers, new RecentFiles(prefs));
        window = MainWindow.show(stage, shell);
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        robot.interact(() -> shell.closeAll());
        workers.shutdownNow();
        prefs.removeNode();
    }

    @Test
    void pickingQ4KMShowsThePlannersSizeAndAPointOnTheTradeoff(FxRobot robot) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        selectTab(robot, ".document-pages", 2);
        awaitDone(vm.tradeoff()::state, "trade-off");
        Label size = robot.lookup(".compress-size").queryAs(Label.class);
        String before = size.getText();

        @SuppressWarnings("unchecked")
        ComboBox<Preset> presets = robot.lookup("#presetCombo").queryAs(ComboBox.class);
        robot.interact(() -> presets.getSelectionModel().select(Preset.Q4_K_M));
        WaitForAsyncUtils.waitForFxEvents();

        long expected = plannedBytes(Preset.Q4_K_M, doc.model());
        assertEquals(expected, vm.plan().bytes(), "the plan's bytes are the planner's types times the shapes");
        assertEquals(Numbers.bytes(expected), size.getText());
        assertTrue(!before.equals(size.getText()), "Q8_0 and Q4_K_M differ in size: " + before);

        TradeoffResult r = awaitTradeoffFor(vm, "Q4_K_M");
        assertEquals(15, r.presets().size(), "every preset applies to the synthetic Llama");
        XYDataset chart = robot.lookup("#tradeoffChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(3, chart.getSeriesCount());
        assertEquals(1, chart.getItemCount(2), "one highlighted point: the current choice");
        assertEquals(expected / MIB, chart.getXValue(2, 0), 1e-9);
        boolean presetPoint = false;
        for (int i = 0; i < chart.getItemCount(0); i++) presetPoint |= Math.abs(chart.getXValue(0, i) - expected / MIB) < 1e-9;
        assertTrue(presetPoint, "Q4_K_M is among the preset points");
        double sqnr = chart.getYValue(2, 0);
        assertTrue(sqnr > 15 && sqnr < 40, "Q4_K_M weight SQNR " + sqnr);
        assertTrue(chart.getItemCount(1) >= 2, "a Pareto front through at least two presets");
        Screenshots.save(robot, window.stage().getScene(), "compress-tradeoff");

        selectTab(robot, "#compressTabs", 1);
        CategoryDataset bars = robot.lookup("#perTensorChart").queryAs(ChartViewer.class).getChart()
                .getCategoryPlot().getDataset();
        long quantized = r.current().tensors().stream().filter(t -> t.plan().changesValues()).count();
        assertEquals(quantized, bars.getColumnCount());
        Screenshots.save(robot, window.stage().getScene(), "compress-per-tensor");

        robot.interact(() -> vm.selectedTensorProperty().set("blk.1.ffn_down.weight"));
        robot.interact(() -> vm.blockProperty().set(3));
        TensorPreview p = awaitPreviewOf(vm, "blk.1.ffn_down.weight", 3 * 32);
        assertEquals(Arrays.stream(p.original()).sum(), Arrays.stream(p.dequantized()).sum(),
                "both histograms count the same values");
        selectTab(robot, "#compressTabs", 2);
        XYDataset overlay = robot.lookup("#overlayChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(2, overlay.getSeriesCount());
        assertTrue(robot.lookup("#overlayChart").queryAs(ChartViewer.class).getChart().getXYPlot()
                .getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size() >= 16, "grid levels drawn");
        Screenshots.save(robot, window.stage().getScene(), "compress-overlay");

        selectTab(robot, "#compressTabs", 3);
        TableView<?> weights = robot.lookup("#howWeights").queryAs(TableView.class);
        assertEquals(32, weights.getItems().size());
        String rule = robot.lookup("#howRule").queryAs(Label.class).getText();
        assertTrue(rule.contains("dmin") || rule.contains("sc"), rule); // ffn_down of Q4_K_M is a K-quant
        Screenshots.save(robot, window.stage().getScene(), "compress-how-it-works");
    }

    @Test
    void customRulesChangeTheSizeAtOnceAndTheLatestSettingWins(FxRobot robot) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        selectTab(robot, ".document-pages", 2);
        robot.interact(() -> {
            vm.modeProperty().set(CompressViewModel.Mode.CUSTOM);
            vm.customTypeProperty().set(dev.quantscope.tensor.DType.Q4_0);
        });
        long q40 = vm.plan().bytes();
        // Several changes inside the debounce window: only the last may reach the chart.
        robot.interact(() -> {
            vm.customTypeProperty().set(dev.quantscope.tensor.DType.Q8_0);
            vm.customTypeProperty().set(dev.quantscope.tensor.DType.Q5_K);
            vm.rules().add(new RuleRow("token_embd.weight", OverrideRule.Syntax.GLOB, "keep"));
        });
        long withRule = vm.plan().bytes();
        assertTrue(withRule > q40);
        TradeoffResult r = awaitTradeoffFor(vm, vm.plan().label());
        assertEquals(withRule, r.current().plan().bytes());
        assertEquals(dev.quantscope.quant.preview.Target.KEEP,
                r.current().plan().tensor("token_embd.weight").orElseThrow().target());
        Screenshots.save(robot, window.stage().getScene(), "compress-custom");
    }

    @Test
    void exportWritesTheQuantizedGgufAndRefusesTheInput(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        robot.interact(() -> vm.presetProperty().set(Preset.Q4_K_M));
        Path out = dir.resolve("synth-Q4_K_M.gguf");
        robot.interact(() -> vm.exportTo(out));
        CompressViewModel.ExportOutcome o = awaitDone(vm.export()::state, "export");
        assertEquals(Files.size(out), o.bytes());
        try (Model written = ModelOpener.open(out)) {
            for (TensorChoice c : PresetPlanner.plan(Preset.Q4_K_M, (GgufFile) doc.model().details())) {
                assertEquals(c.type(), written.tensor(c.name()).orElseThrow().dtype(), c.name());
            }
        }
        long inputSize = Files.size(doc.model().source());
        robot.interact(() -> vm.exportTo(doc.model().source()));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.export().state() instanceof Async.Failed<?>);
        assertEquals(inputSize, Files.size(doc.model().source()), "the input is untouched");
    }

    // ---- helpers ----

    private static long plannedBytes(Preset p, Model m) {
        long total = 0;
        for (TensorChoice c : PresetPlanner.plan(p, (GgufFile) m.details())) {
            total += c.type().byteSize(Arrays.stream(c.source().ne()).reduce(1, Math::multiplyExact));
        }
        return total;
    }

    private ModelDocument openSynth(FxRobot robot) throws Exception {
        Path model = SharedFiles.file("models/synth-llama-dev-f16.gguf");
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    private static void selectTab(FxRobot robot, String query, int index) {
        TabPane tabs = robot.lookup(query).queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(index));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static TradeoffResult awaitTradeoffFor(CompressViewModel vm, String label) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.tradeoff().state() instanceof Async.Done<TradeoffResult>(
                TradeoffResult r) && r.current().plan().label().equals(label));
        WaitForAsyncUtils.waitForFxEvents();
        return ((Async.Done<TradeoffResult>) vm.tradeoff().state()).value();
    }

    private static TensorPreview awaitPreviewOf(CompressViewModel vm, String tensor, int firstColumn) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.preview().state() instanceof Async.Done<TensorPreview>(
                TensorPreview p) && p.plan().name().equals(tensor) && p.walkthrough().firstColumn() == firstColumn);
        WaitForAsyncUtils.waitForFxEvents();
        return ((Async.Done<TensorPreview>) vm.preview().state()).value();
    }

    private static <T> T awaitDone(Supplier<Async<T>> state, String what) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS,
                () -> !(state.get() instanceof Async.Running<T>) && !(state.get() instanceof Async.Idle<T>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<T> s = state.get();
        assertInstanceOf(Async.Done.class, s, () -> what + " did not complete: " + s);
        return ((Async.Done<T>) s).value();
    }
}
