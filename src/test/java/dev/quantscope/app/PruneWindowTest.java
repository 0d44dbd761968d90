package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.prune.AfterPruning;
import dev.quantscope.app.prune.MaskView;
import dev.quantscope.app.prune.PruneRun;
import dev.quantscope.app.prune.PruneViewModel;
import dev.quantscope.app.prune.TensorResult;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.prune.SparsityMask;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.category.CategoryDataset;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prune page in the real window under Xvfb, on the bundled stories260K model as a new user meets it. */
@ExtendWith(ApplicationExtension.class)
class PruneWindowTest {
    private static final Path BUNDLED_MODEL = Path.of("assets", "models", "stories260K.gguf");
    private static final SparsityPattern.NOfM TWO_FOUR = new SparsityPattern.NOfM(2, 4);

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "prune");
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
    void twoOfFourShowsTwoKeptInEveryFourAndExportsThem(FxRobot robot, @TempDir Path dir) throws Exception {
        PruneViewModel vm = openBundled(robot).prune();
        WindowFixture.selectPage(robot, ModelDocument.PRUNE_PAGE);
        TensorResult first = awaitShown(vm, "blk.0.attn_q.weight");
        assertEquals(0.5, first.sparsity().orElseThrow(), 1e-12, "the default is magnitude at 50 %");
        assertTrue(readout(robot).startsWith("50.0 %"), readout(robot));
        Screenshots.save(robot, window.stage().getScene(), "prune-default");

        robot.clickOn("#nOfMRadio");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TWO_FOUR, vm.pattern(), "2:4 is the N:M the page offers first");
        robot.interact(() -> vm.selectedTensorProperty().set("blk.1.ffn_down.weight"));
        awaitShown(vm, "blk.1.ffn_down.weight");
        MaskView view = robot.lookup("#maskView").queryAs(MaskView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> view.mask() != null && view.mask().cols() == 172);
        SparsityMask mask = view.mask();
        for (int r = 0; r < mask.rows(); r++) {
            for (int c = 0; c < mask.cols(); c += 4) {
                assertEquals(2, mask.keptIn(r * mask.cols() + c, 4), "row " + r + ", weights " + c + "-" + (c + 3));
            }
        }
        assertTrue(readout(robot).startsWith("50.0 %"), readout(robot));
        // The sizes are measured from the mask after it is drawn: wait for the 2:4 mask's, not the previous tensor's.
        Label sizes = robot.lookup("#tensorSizes").queryAs(Label.class);
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                    () -> sizes.getText().contains("2:4 with 2-bit indices") && !sizes.getText().contains("not 2:4"));
        } catch (java.util.concurrent.TimeoutException e) {
            org.junit.jupiter.api.Assertions.fail("the 2:4 sizes never showed: " + sizes.getText());
        }
        assertTrue(robot.lookup("#denseSizeLabel").queryAs(Label.class).getText()
                .startsWith("GGUF has no sparse layout: the file is as big as the dense one"));
        // Magnified at its top-left corner, the screenshot shows the pattern weight by weight.
        // A result may still replace the preview (the view is empty for a moment): zoom once a mask is on screen.
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> {
            if (view.mask() != null && view.zoom() == 1) view.zoomBy(8, 0, 0);
            return view.zoom() == 8;
        }).get());
        Screenshots.save(robot, window.stage().getScene(), "prune-2of4");

        Path out = dir.resolve("stories260K-2of4.gguf");
        robot.interact(() -> vm.exportTo(out, ExportOptions.forTarget(out)));
        PruneViewModel.ExportOutcome o = awaitDone(vm.export()::state, "export");
        assertEquals(Files.size(out), o.bytes());
        assertEquals(0.5, o.sparsityStored(), 1e-12, "F32 keeps every pruned zero");
        String status = robot.lookup("#pruneExportStatus").queryAs(Label.class).getText();
        assertTrue(status.contains("50.0 % of the pruned weights are zero in the file"), status);
        try (Model written = ModelOpener.open(out)) {
            assertEquals(48, written.tensors().size(), "every tensor is written");
            for (String name : vm.prunableTensors()) {
                TensorInfo t = written.tensor(name).orElseThrow();
                SparsityMask m = SparsityMask.of(Decoders.decodeAll(t), (int) t.shape().rows(), (int) t.shape().rowLength());
                assertTrue(m.fits(TWO_FOUR), name + " is 2:4 in the file");
                assertEquals(m.size() / 2, m.zeros(), name);
            }
            TensorInfo embd = written.tensor("token_embd.weight").orElseThrow();
            assertEquals(0, SparsityMask.of(Decoders.decodeAll(embd), (int) embd.shape().rows(),
                    (int) embd.shape().rowLength()).zeros(), "the embeddings stay dense");
        }
    }

    @Test
    void choicesTheModelOrTheTextCannotTakeAreExplainedInOneSentence(FxRobot robot) throws Exception {
        PruneViewModel vm = openBundled(robot).prune();
        WindowFixture.selectPage(robot, ModelDocument.PRUNE_PAGE);
        robot.interact(() -> {
            vm.targetKindProperty().set(PruneViewModel.TargetKind.N_OF_M);
            vm.nOfMProperty().set("4:8");
        });
        String problem = robot.lookup("#pruneProblemLabel").queryAs(Label.class).getText();
        assertTrue(problem.contains("groups of 8") && problem.contains("ffn_down"), problem);
        assertEquals(1, problem.split("\\. ").length, () -> "one sentence: " + problem);
        assertTrue(robot.lookup("#pruneRunButton").queryAs(Button.class).isDisabled(), "nothing to run");

        // Wanda without a calibration text is not run on nothing: the page says what it needs.
        robot.interact(() -> {
            vm.targetKindProperty().set(PruneViewModel.TargetKind.SPARSITY);
            vm.methodProperty().set(PruneMethod.WANDA);
            vm.calibrationProperty().set(null);
        });
        String missing = robot.lookup("#pruneProblemLabel").queryAs(Label.class).getText();
        assertEquals("Wanda needs a calibration text: choose one, or the bundled sample.", missing);
        assertTrue(robot.lookup("#pruneRunButton").queryAs(Button.class).isDisabled(), "nothing to run on");
        assertTrue(robot.lookup("#pruneExportButton").queryAs(Button.class).isDisabled(), "nothing to export");
    }

    @Test
    void sparseGptPrunesTheWholeModelInTheBackground(FxRobot robot) throws Exception {
        PruneViewModel vm = openBundled(robot).prune();
        WindowFixture.selectPage(robot, ModelDocument.PRUNE_PAGE);
        robot.interact(() -> vm.methodProperty().set(PruneMethod.SPARSEGPT));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.shownProperty().get() != null
                && vm.shownProperty().get().mask().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(vm.shownProperty().get().mask().isEmpty(), "SparseGPT has no per-tensor preview");
        String note = robot.lookup("#maskNote").queryAs(Label.class).getText();
        assertTrue(note.contains("Prune model"), note);
        robot.interact(() -> robot.lookup("#pruneRunButton").queryAs(Button.class).fire());
        PruneRun run = awaitDone(vm.run()::state, "SparseGPT run");
        assertEquals(35, run.tensors().size(), "every prunable tensor of the five blocks");
        assertEquals(0.5, run.sparsity(), 0.01);
        WaitForAsyncUtils.waitForFxEvents();
        TensorResult shown = vm.shownProperty().get();
        assertTrue(shown.measured() && shown.mask().isPresent(), "the run's tensor is shown");
        assertFalse(robot.lookup("#maskNote").queryAs(Label.class).isVisible());
        CategoryDataset bars = robot.lookup("#sparsityBars").queryAs(ChartViewer.class).getChart()
                .getCategoryPlot().getDataset();
        assertEquals(2, bars.getRowCount(), "planned and measured after pruning");
        assertEquals(35, bars.getColumnCount());
        assertTrue(robot.lookup("#sparseSizeLabel").queryAs(Label.class).getText().contains("CSR"));
        Screenshots.save(robot, window.stage().getScene(), "prune-sparsegpt");
    }

    @Test
    void aPresetAfterPruningCountsTheZerosThatSurviveIt(FxRobot robot) throws Exception {
        PruneViewModel vm = openBundled(robot).prune();
        WindowFixture.selectPage(robot, ModelDocument.PRUNE_PAGE);
        // stories260K's rows of 172 take no 32-weight block type: the K-quant presets apply, with llama-quantize's fallbacks.
        AfterPruning q4km = vm.afterChoices().stream()
                .filter(a -> a instanceof AfterPruning.Quantized(Preset p) && p == Preset.Q4_K_M).findFirst().orElseThrow();
        robot.interact(() -> vm.afterProperty().set(q4km));
        assertTrue(robot.lookup("#denseSizeLabel").queryAs(Label.class).getText()
                .contains("the pruned Q4_K_M file is as big as the unpruned Q4_K_M one"));
        robot.interact(vm::runPlan);
        PruneRun run = awaitDone(vm.run()::state, "magnitude + Q4_K_M run");
        for (TensorResult t : run.tensors()) {
            long stored = t.storedZeros().orElseThrow();
            assertTrue(stored >= 0 && stored <= t.before().total(), t.tensor() + ": " + stored);
        }
        String status = robot.lookup("#runStatus").queryAs(Label.class).getText();
        assertTrue(status.contains("after Q4_K_M"), status);
        WaitForAsyncUtils.waitForFxEvents();
        CategoryDataset bars = robot.lookup("#sparsityBars").queryAs(ChartViewer.class).getChart()
                .getCategoryPlot().getDataset();
        assertEquals(3, bars.getRowCount(), "planned, after pruning and after quantization");
    }

    private ModelDocument openBundled(FxRobot robot) throws Exception {
        robot.interact(() -> shell.open(BUNDLED_MODEL));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    private static String readout(FxRobot robot) {
        return robot.lookup("#sparsityReadout").queryAs(Label.class).getText();
    }

    private static TensorResult awaitShown(PruneViewModel vm, String tensor) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> {
            TensorResult r = vm.shownProperty().get();
            return r != null && r.tensor().equals(tensor) && r.mask().isPresent()
                    || vm.preview().state() instanceof Async.Failed<?>;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(vm.preview().state() instanceof Async.Failed<?>, () -> "preview failed: " + vm.preview().state());
        return vm.shownProperty().get();
    }

    @SuppressWarnings("unchecked")
    private static <T> T awaitDone(Supplier<Async<T>> state, String what) throws Exception {
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS,
                () -> !(state.get() instanceof Async.Running<T>) && !(state.get() instanceof Async.Idle<T>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<T> s = state.get();
        assertInstanceOf(Async.Done.class, s, () -> what + " did not complete: " + s);
        return ((Async.Done<T>) s).value();
    }
}
