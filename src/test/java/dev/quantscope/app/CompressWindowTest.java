package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.app.compress.CompressViewModel;
import dev.quantscope.app.compress.RuleRow;
import dev.quantscope.app.compress.TradeoffResult;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.preview.TensorPreview;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.RecipeJson;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Compress page in the real window under Xvfb, on the synthetic F16 Llama. */
@ExtendWith(ApplicationExtension.class)
class CompressWindowTest {
    private static final double MIB = 1024.0 * 1024.0;

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "compress");
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
            vm.customSchemeProperty().set(new GgmlBlock(DType.Q4_0));
        });
        long q40 = vm.plan().bytes();
        // Several changes inside the debounce window: only the last may reach the chart.
        robot.interact(() -> {
            vm.customSchemeProperty().set(new GgmlBlock(DType.Q8_0));
            vm.customSchemeProperty().set(new GgmlBlock(DType.Q5_K));
            vm.rules().add(new RuleRow("token_embd.weight", "keep"));
        });
        long withRule = vm.plan().bytes();
        assertTrue(withRule > q40);
        TradeoffResult r = awaitTradeoffFor(vm, vm.plan().label());
        assertEquals(withRule, r.current().plan().bytes());
        assertEquals(Keep.INSTANCE, r.current().plan().tensor("token_embd.weight").orElseThrow().scheme());
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

    @Test
    void buildingInt4AsymG128ShowsTheSchemesExactSizeAndAChartPoint(FxRobot robot) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        selectTab(robot, ".document-pages", 2);
        robot.clickOn("#customRadio");
        @SuppressWarnings("unchecked")
        ComboBox<Object> family = robot.lookup("#schemeFamily").queryAs(ComboBox.class);
        robot.interact(() -> family.getSelectionModel().select(
                family.getItems().stream().filter(f -> f.toString().equals("INTEGER")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        javafx.scene.control.Spinner<Integer> bits = robot.lookup("#schemeBits").queryAs(javafx.scene.control.Spinner.class);
        javafx.scene.control.CheckBox sym = robot.lookup("#schemeSymmetric").queryAs(javafx.scene.control.CheckBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<Object> unit = robot.lookup("#schemeUnit").queryAs(ComboBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<Integer> group = robot.lookup("#schemeGroupSize").queryAs(ComboBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<Object> rounding = robot.lookup("#schemeRounding").queryAs(ComboBox.class);
        robot.interact(() -> {
            bits.getValueFactory().setValue(4);
            sym.setSelected(false);
            unit.getSelectionModel().select(unit.getItems().stream().filter(u -> u.toString().equals("GROUP"))
                    .findFirst().orElseThrow());
            group.setValue(128);
            rounding.getSelectionModel().select(rounding.getItems().stream()
                    .filter(r -> r.toString().equals("NEAREST")).findFirst().orElseThrow());
        });
        WaitForAsyncUtils.waitForFxEvents();
        QuantScheme int4 = QuantScheme.parse("int4-asym-g128-rtn");
        assertEquals(int4, vm.customSchemeProperty().get(), "the builder made the scheme");
        assertEquals("int4-asym-g128-rtn", robot.lookup("#schemeId").queryAs(Label.class).getText());

        // The exact size: the scheme's own accounting for every matrix, norms and vectors kept as they are.
        long expected = 0;
        for (TensorInfo t : doc.model().tensors()) {
            long nonUnit = Arrays.stream(t.shape().dims()).filter(d -> d > 1).count();
            boolean kept = nonUnit < 2 || t.name().contains("norm");
            expected += kept ? t.byteSize() : int4.size(t.dtype(), t.shape().rows(), t.shape().rowLength()).bytes();
        }
        assertEquals(expected, vm.plan().bytes());
        assertEquals(Numbers.bytes(expected), robot.lookup(".compress-size").queryAs(Label.class).getText());

        TradeoffResult r = awaitTradeoffFor(vm, int4.label());
        XYDataset chart = robot.lookup("#tradeoffChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(1, chart.getItemCount(2), "the custom scheme's point");
        assertEquals(expected / MIB, chart.getXValue(2, 0), 1e-9);
        for (int i = 0; i < chart.getItemCount(0); i++) {
            assertTrue(Math.abs(chart.getXValue(0, i) - expected / MIB) > 1e-9, "not one of the presets");
        }
        double sqnr = r.current().total().sqnrDb();
        assertTrue(sqnr > 15 && sqnr < 35, "int4 g128 SQNR " + sqnr);
        Screenshots.save(robot, window.stage().getScene(), "compress-int4-tradeoff");
        selectTab(robot, "#compressTabs", 1);
        CategoryDataset bars = robot.lookup("#perTensorChart").queryAs(ChartViewer.class).getChart()
                .getCategoryPlot().getDataset();
        assertEquals(r.current().tensors().stream().filter(t -> t.plan().changesValues()).count(), bars.getColumnCount());
        assertEquals(r.current().tensors().stream().filter(t -> t.plan().name().equals("blk.1.ffn_down.weight"))
                .findFirst().orElseThrow().metrics().sqnrDb(), bars.getValue("SQNR", "blk.1.ffn_down.weight").doubleValue(), 1e-9);

        robot.interact(() -> vm.selectedTensorProperty().set("blk.1.ffn_down.weight"));
        robot.interact(() -> vm.blockProperty().set(2));
        awaitPreviewOf(vm, "blk.1.ffn_down.weight", 2 * 32);
        selectTab(robot, "#compressTabs", 2);
        assertEquals(16, robot.lookup("#overlayChart").queryAs(ChartViewer.class).getChart().getXYPlot()
                .getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size(), "the 16 levels of the group's grid");
        Screenshots.save(robot, window.stage().getScene(), "compress-int4-overlay");
        selectTab(robot, "#compressTabs", 3);
        String rule = robot.lookup("#howRule").queryAs(Label.class).getText();
        assertTrue(rule.contains("q − z"), rule);
        assertEquals(32, robot.lookup("#howWeights").queryAs(TableView.class).getItems().size());
        Screenshots.save(robot, window.stage().getScene(), "compress-int4-how-it-works");

        // NF4 with double quantization: the builder follows a scheme set from outside, the walkthrough shows the
        // 8-bit coded absmax.
        robot.interact(() -> vm.customSchemeProperty().set(QuantScheme.parse("nf4-b64-dq")));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.preview().state() instanceof Async.Done<TensorPreview>(
                TensorPreview p) && p.scheme().id().equals("nf4-b64-dq"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("nf4-b64-dq", robot.lookup("#schemeId").queryAs(Label.class).getText());
        assertEquals("y = NF4[q] · a", robot.lookup("#howRule").queryAs(Label.class).getText());
        Screenshots.save(robot, window.stage().getScene(), "compress-nf4-how-it-works");
    }

    @Test
    void aRuleLoadedFromARecipeFileApplies(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        selectTab(robot, ".document-pages", 2);
        Path file = dir.resolve("recipe.json");
        Files.writeString(file, """
                {
                  "format": "quantscope.recipe/1",
                  "name": "Q4_K_M with 8-bit ffn_down",
                  "preset": "Q4_K_M",
                  "rules": [ { "match": "blk.*.ffn_down*", "scheme": "int8-sym-row-rtn" } ]
                }
                """);
        robot.interact(() -> {
            try {
                vm.loadRecipe(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(CompressViewModel.Mode.PRESET, vm.modeProperty().get());
        assertEquals(Preset.Q4_K_M, vm.presetProperty().get());
        assertEquals(1, robot.lookup("#rulesTable").queryAs(TableView.class).getItems().size());
        QuantScheme int8 = QuantScheme.parse("int8-sym-row-rtn");
        assertEquals(int8, vm.plan().tensor("blk.0.ffn_down.weight").orElseThrow().scheme());
        assertEquals(new GgmlBlock(DType.Q4_K), vm.plan().tensor("blk.0.ffn_up.weight").orElseThrow().scheme());
        long withRule = vm.plan().bytes();
        assertTrue(withRule > plannedBytes(Preset.Q4_K_M, doc.model()), "8-bit ffn_down is larger than Q4_K_M's");
        TradeoffResult r = awaitTradeoffFor(vm, "Q4_K_M + 1 rule");
        assertEquals(withRule, r.current().plan().bytes());
        assertTrue(r.current().total().sqnrDb() > r.presets().stream().filter(e -> e.plan().label().equals("Q4_K_M"))
                .findFirst().orElseThrow().total().sqnrDb(), "8-bit ffn_down lowers the error");
        Screenshots.save(robot, window.stage().getScene(), "compress-recipe-loaded");

        Path saved = dir.resolve("saved.json");
        vm.saveRecipe(saved);
        assertEquals(vm.recipe().rules(), RecipeJson.read(saved).rules(), "save → load gives the same rules");
    }

    /** The export dialog takes an importance matrix for GGUF, refuses a missing one, and the export is weighted. */
    @Test
    void exportWithAnImportanceMatrixWeightsTheGgufQuantizers(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        robot.interact(() -> vm.presetProperty().set(Preset.Q4_K_M));
        Path imFile = dir.resolve("synth.imatrix.gguf");
        dev.quantscope.quant.imatrix.ImatrixFiles.writeGguf(
                dev.quantscope.cli.QuantizeImatrixTest.computeImatrix(doc.model().source()), imFile);

        Path out = dir.resolve("synth-Q4_K_M-weighted.gguf");
        var d = showExportDialog(robot, doc, vm);
        assertEquals(dev.quantscope.app.compress.ExportDialog.Choice.GGUF, d.formatBox().getValue());
        robot.interact(() -> {
            d.fileField().setText(out.toString());
            d.imatrixField().setText(dir.resolve("missing.imatrix.gguf").toString());
        });
        assertTrue(d.problem().startsWith("No importance matrix file at"), d.problem());
        robot.interact(() -> d.imatrixField().setText(imFile.toString()));
        assertEquals("", d.problem());
        Screenshots.save(robot, d.getDialogPane().getScene(), "compress-export-imatrix");
        var request = d.request();
        robot.interact(d::close);
        assertEquals(imFile, request.imatrix());

        robot.interact(() -> vm.exportTo(request.target(), request.options(), request.imatrix()));
        awaitDone(vm.export()::state, "weighted export");
        Path plain = dir.resolve("synth-Q4_K_M-plain.gguf");
        robot.interact(() -> vm.exportTo(plain, request.options()));
        awaitDone(vm.export()::state, "plain export");
        try (Model weighted = ModelOpener.open(out); Model unweighted = ModelOpener.open(plain)) {
            String key = dev.quantscope.quant.imatrix.ImatrixFile.KEY_FILE;
            assertTrue(((GgufFile) weighted.details()).kv(key).isPresent(), "llama-quantize's imatrix keys");
            assertTrue(((GgufFile) unweighted.details()).kv(key).isEmpty());
            TensorInfo a = weighted.tensor("blk.0.ffn_down.weight").orElseThrow();
            TensorInfo b = unweighted.tensor("blk.0.ffn_down.weight").orElseThrow();
            assertEquals(a.dtype(), b.dtype());
            assertTrue(a.data().mismatch(b.data()) >= 0, "the weighted quantizer chose other codes");
        }

        // a file that is not an importance matrix fails the export with its name, and nothing is written
        Path notAMatrix = dir.resolve("notes.dat");
        Files.writeString(notAMatrix, "hello");
        Path third = dir.resolve("synth-Q4_K_M-bad.gguf");
        robot.interact(() -> vm.exportTo(third, request.options(), notAMatrix));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.export().state() instanceof Async.Failed<?>);
        String message = ((Async.Failed<?>) vm.export().state()).message();
        assertTrue(message.contains(notAMatrix.toString()), message);
        assertTrue(!Files.exists(third));
    }

    @Test
    void exportToSafetensorsWritesAFileTheReaderReadsBack(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = openSynth(robot);
        CompressViewModel vm = doc.compress();
        QuantScheme int4 = QuantScheme.parse("int4-asym-g128-rtn");
        robot.interact(() -> {
            vm.modeProperty().set(CompressViewModel.Mode.CUSTOM);
            vm.customSchemeProperty().set(int4);
        });
        // The dialog offers what the plan allows: no GGUF for an integer grid; dequantized or packed safetensors.
        Path out = dir.resolve("synth-int4.safetensors");
        var d = showExportDialog(robot, doc, vm);
        assertEquals(java.util.List.of(dev.quantscope.app.compress.ExportDialog.Choice.SAFETENSORS,
                dev.quantscope.app.compress.ExportDialog.Choice.PACKED), d.formatBox().getItems());
        assertTrue(d.fileField().getText().endsWith("synth-llama-dev-INT4-asym-g128-RTN.safetensors"),
                d.fileField().getText());
        robot.interact(() -> d.fileField().setText(doc.model().source().toString()));
        assertTrue(!d.problem().isEmpty(), "the input itself is refused");
        robot.interact(() -> {
            d.fileField().setText(out.toString());
            d.dtypeBox().setValue(dev.quantscope.format.safetensors.export.FloatFormat.F16);
        });
        assertEquals("", d.problem());
        Screenshots.save(robot, d.getDialogPane().getScene(), "compress-export-dialog");
        var request = d.request();
        robot.interact(d::close);
        assertEquals(out, request.target());
        robot.interact(() -> vm.exportTo(request.target(), request.options()));
        CompressViewModel.ExportOutcome o = awaitDone(vm.export()::state, "export");
        assertEquals(Files.size(out), o.bytes());
        try (Model written = dev.quantscope.format.safetensors.SafetensorsReader.open(out)) {
            TensorInfo down = written.tensor("model.layers.1.mlp.down_proj.weight").orElseThrow();
            assertEquals(DType.F16, down.dtype());
            // The file holds the int4 round trip of the source, rounded to F16.
            TensorInfo src = doc.model().tensor("blk.1.ffn_down.weight").orElseThrow();
            float[] x = dev.quantscope.tensor.Decoders.decodeAll(src);
            int rowLength = (int) src.shape().rowLength();
            float[] y = int4.dequantize(int4.quantize(x, x.length / rowLength, rowLength));
            float[] read = dev.quantscope.tensor.Decoders.decodeAll(down);
            assertEquals(y.length, read.length);
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(y[i])), read[i], "element " + i);
            }
        }
        // Packed: int4 codes as compressed-tensors int32 words, with config.json beside the file.
        Path packedDir = Files.createDirectory(dir.resolve("packed"));
        Path packed = packedDir.resolve("model.safetensors");
        robot.interact(() -> vm.exportTo(packed, dev.quantscope.pipeline.export.ExportOptions.forTarget(packed)
                .withPacked(true).withThreads(1)));
        awaitDone(vm.export()::state, "packed export");
        try (Model written = dev.quantscope.format.safetensors.SafetensorsReader.open(packed)) {
            TensorInfo codes = written.tensor("model.layers.1.mlp.down_proj.weight_packed").orElseThrow();
            assertEquals(DType.I32, codes.dtype());
            assertTrue(written.tensor("model.layers.1.mlp.down_proj.weight_scale").isPresent());
        }
        assertTrue(Files.exists(packedDir.resolve("config.json")));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(out), files.filter(f -> !f.equals(packedDir)).toList(),
                    "no temporary file left beside it");
        }
    }


    /**
     * The first run: the bundled stories260K (ffn_down rows of 172, which no 32-block preset fits) opened on
     * the Compress page with its defaults. Every view ends in what happened; nothing waits, errs or names a class.
     */
    @Test
    void theBundledModelOpensOnAnApplicablePresetAndEveryViewEnds(FxRobot robot) throws Exception {
        ModelDocument doc = open(robot, Path.of("assets/models/stories260K.gguf"));
        CompressViewModel vm = doc.compress();
        selectTab(robot, ".document-pages", 2);

        // The default is the first preset in the chooser's order that applies; Q8_0 before it does not.
        Preset first = vm.presetChoices().stream().filter(PresetApplicability::applies).findFirst().orElseThrow().preset();
        assertEquals(Preset.Q6_K, first);
        assertEquals(first, vm.presetProperty().get());
        @SuppressWarnings("unchecked")
        ComboBox<Preset> presets = robot.lookup("#presetCombo").queryAs(ComboBox.class);
        assertEquals(first, presets.getValue());
        robot.interact(presets::show);
        WaitForAsyncUtils.waitForFxEvents();
        ListCell<?> q80 = presetCell(robot, Preset.Q8_0);
        assertTrue(q80.getStyleClass().contains("unavailable"), "Q8_0 is greyed out");
        assertTrue(q80.getTooltip() != null && q80.getTooltip().getText().contains("rows of 172"),
                () -> "the reason in the tooltip: " + (q80.getTooltip() == null ? null : q80.getTooltip().getText()));
        ListCell<?> q6k = presetCell(robot, Preset.Q6_K);
        assertTrue(!q6k.getStyleClass().contains("unavailable") && q6k.getTooltip() == null);
        robot.clickOn(q80);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(first, vm.presetProperty().get(), "a refused preset cannot be chosen");
        robot.interact(presets::hide);
        robot.interact(() -> presets.setValue(Preset.Q8_0)); // as the keyboard can
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(first, vm.presetProperty().get(), "nor reached by keyboard");
        assertEquals(first, presets.getValue(), "the chooser shows the choice again");

        @SuppressWarnings("unchecked")
        ComboBox<String> tensors = robot.lookup("#tensorCombo").queryAs(ComboBox.class);
        assertTrue(tensors.getValue() != null, "the tensor box starts on a tensor");
        TradeoffResult r = awaitTradeoffFor(vm, "Q6_K");
        assertEquals(vm.plan().bytes(), r.current().plan().bytes());
        awaitDone(vm.preview()::state, "preview");
        assertEquals(Numbers.bytes(vm.plan().bytes()), robot.lookup(".compress-size").queryAs(Label.class).getText(),
                "RESULT is filled");

        // Export is in view at 1440×900, without scrolling the settings.
        javafx.scene.control.ScrollPane settings = robot.lookup(".compress-settings-scroll")
                .queryAs(javafx.scene.control.ScrollPane.class);
        javafx.scene.Node export = robot.lookup("#exportButton").query();
        assertEquals(0, settings.getVvalue());
        javafx.geometry.Bounds viewport = settings.localToScene(settings.getLayoutBounds());
        javafx.geometry.Bounds button = export.localToScene(export.getLayoutBounds());
        assertTrue(viewport.contains(button), () -> "Export " + button + " within the settings' view " + viewport);
        assertTrue(button.getMaxY() <= export.getScene().getHeight() && export.getScene().getHeight() <= 900);

        TabPane pages = robot.lookup("#compressTabs").queryAs(TabPane.class);
        for (int i = 0; i < pages.getTabs().size(); i++) {
            selectTab(robot, "#compressTabs", i);
            assertNothingPendingOrWrong(robot);
        }
        selectTab(robot, "#compressTabs", 0);
        Screenshots.save(robot, window.stage().getScene(), "compress-first-run");

        // ggml Q4_K fits no row of this model (64 and 172 against blocks of 256): said plainly, and in full.
        robot.interact(() -> vm.modeProperty().set(CompressViewModel.Mode.CUSTOM));
        WaitForAsyncUtils.waitForFxEvents();
        Label hint = robot.lookup("#typeHint").queryAs(Label.class);
        assertEquals("No tensor of this model can take Q4_K: its rows (64, 172) are not multiples of 256; every "
                + "tensor would be kept as is.", hint.getText());
        assertTrue(hint.getHeight() >= hint.prefHeight(hint.getWidth()) - 0.5, "the explanation is not clipped");
        awaitTradeoffFor(vm, vm.plan().label());
        TensorPreview p = awaitDone(vm.preview()::state, "preview of a kept tensor");
        assertTrue(!p.changesValues());
        selectTab(robot, "#compressTabs", 3);
        assertEquals("y = x", robot.lookup("#howRule").queryAs(Label.class).getText());
        String how = robot.lookup("#howSummary").queryAs(Label.class).getText();
        assertTrue(how.startsWith("Kept as it is") && !how.contains("level"), how);
        assertNothingPendingOrWrong(robot);
        Screenshots.save(robot, window.stage().getScene(), "compress-first-run-q4k-kept");
    }

    // ---- helpers ----

    /** The open chooser's cell for {@code p}. */
    private static ListCell<?> presetCell(FxRobot robot, Preset p) {
        return robot.lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> c.getItem() == p && c.isVisible()).findFirst().orElseThrow(() -> new AssertionError(p + " cell"));
    }

    /**
     * No text showing on the Compress page that says work is still under way, an error, a class name, or a
     * placeholder for a result that should be there (the caller waits until the work has ended).
     */
    private static void assertNothingPendingOrWrong(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.Node page = robot.lookup(".compress").query();
        List<String> showing = new ArrayList<>();
        collectShowing(page, showing);
        for (String text : showing) {
            assertTrue(!text.matches("(?s).*\\b[A-Z]\\w*(Exception|Error)\\b.*"), "a class name: " + text);
            for (String pending : List.of("Measuring", "Computing", "Quantizing", "Exporting", "Pick a tensor",
                    "Not measured", "Cancelled", "failed")) {
                assertTrue(!text.contains(pending), "still showing: " + text);
            }
        }
        assertTrue(!robot.lookup("#activityBox").query().isVisible(), "the activity bar is gone");
    }

    /** Texts of labels and buttons that are on screen, with the error-styled ones marked. */
    private static void collectShowing(javafx.scene.Node n, List<String> out) {
        if (!n.isVisible()) return;
        if (n instanceof javafx.scene.control.Labeled l && l.getText() != null && !l.getText().isEmpty()) {
            assertTrue(!l.getStyleClass().contains("state-error"), "red error text: " + l.getText());
            out.add(l.getText());
        }
        if (n instanceof javafx.scene.control.TabPane tp) {
            javafx.scene.control.Tab t = tp.getSelectionModel().getSelectedItem();
            if (t != null && t.getContent() != null) collectShowing(t.getContent(), out);
            return;
        }
        if (n instanceof javafx.scene.control.ScrollPane sp && sp.getContent() != null) collectShowing(sp.getContent(), out);
        if (n instanceof javafx.scene.control.SplitPane split) split.getItems().forEach(i -> collectShowing(i, out));
        if (n instanceof javafx.scene.Parent parent && !(n instanceof javafx.scene.control.TableView<?>)) {
            parent.getChildrenUnmodifiable().forEach(c -> collectShowing(c, out));
        }
    }

    private static long plannedBytes(Preset p, Model m) {
        long total = 0;
        for (TensorChoice c : PresetPlanner.plan(p, (GgufFile) m.details())) {
            total += c.type().byteSize(Arrays.stream(c.source().ne()).reduce(1, Math::multiplyExact));
        }
        return total;
    }

    /** The export dialog for the current plan, shown (GGUF offered: the synthetic model is a GGUF file). */
    private dev.quantscope.app.compress.ExportDialog showExportDialog(FxRobot robot, ModelDocument doc, CompressViewModel vm) {
        dev.quantscope.app.compress.ExportDialog[] dialog = new dev.quantscope.app.compress.ExportDialog[1];
        robot.interact(() -> {
            dialog[0] = new dev.quantscope.app.compress.ExportDialog(window.stage(), doc.model().source(), vm.plan(), true);
            dialog[0].show();
        });
        return dialog[0];
    }

    private ModelDocument openSynth(FxRobot robot) throws Exception {
        return open(robot, SharedFiles.file("models/synth-llama-dev-f16.gguf"));
    }

    private ModelDocument open(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
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
                TensorPreview p) && p.tensor().equals(tensor) && p.walkthrough().firstColumn() == firstColumn);
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
