package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.app.tradeoff.SchemeOption;
import dev.quantscope.app.tradeoff.TradeoffViewModel;
import dev.quantscope.eval.prune.CompressionKind;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.control.CheckBox;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Trade-off page with its original and pruned variants ticked: original, quantized, pruned and pruned-then-
 * quantized points in one chart, each kind its own series.
 */
@ExtendWith(ApplicationExtension.class)
class TradeoffPrunedPointsTest {
    private static final double MIB = 1024.0 * 1024.0;

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "tradeoff-pruned");
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
    void originalQuantizedPrunedAndBothAreFourKindsOfPoint(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        Path text = dir.resolve("shakespeare.txt");
        try (InputStream in = Files.newInputStream(SharedFiles.file("data/text/tinyshakespeare.txt"))) {
            Files.write(text, in.readNBytes(40_000)); // 8 KB measured, the rest calibrates Wanda
        }
        robot.interact(() -> shell.open(SharedFiles.file("models/stories260K.gguf")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        ModelDocument doc = shell.documents().getFirst();
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        robot.interact(() -> {
            for (SchemeOption o : vm.presets()) o.selectedProperty().set(o.scheme().id().equals("Q6_K"));
            vm.textProperty().set(new SweepText.FromFile(text));
            vm.textKilobytesProperty().set(8);
            vm.ctxProperty().set(64);
        });
        // The page's own check boxes, in a section collapsed at first: the original, Wanda at 50 %, and pruned
        // variants quantized too.
        robot.clickOn("#variantsPane");
        robot.clickOn("#variant-original");
        robot.clickOn("#variant-wanda-50pct");
        robot.clickOn("#quantizePrunedBox");
        assertTrue(vm.quantizePrunedProperty().get());
        // 2:4 fits stories260K's rows (64 and 172 weights), so every pruned variant can be ticked.
        assertFalse(robot.lookup("#variant-sparsegpt-2of4").queryAs(CheckBox.class).isDisabled());
        robot.clickOn("#runButton");
        WaitForAsyncUtils.waitFor(240, TimeUnit.SECONDS,
                () -> !vm.job().runningProperty().get() && !(vm.job().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        SweepResult result = ((Async.Done<SweepResult>) assertInstanceOf(Async.Done.class, vm.job().state())).value();
        assertEquals(List.of("Keep", "Q6_K", "wanda 50%", "wanda 50% + Q6_K"),
                vm.points().stream().map(SweepPoint::label).toList());
        assertEquals(4, result.measured().size(), () -> result.points().toString());
        assertEquals(List.of(CompressionKind.ORIGINAL, CompressionKind.QUANTIZED, CompressionKind.PRUNED,
                CompressionKind.PRUNED_QUANTIZED), vm.points().stream().map(vm::kindOf).toList());

        SweepPoint.Measured pruned = (SweepPoint.Measured) vm.points().get(2);
        SweepPoint.Measured both = (SweepPoint.Measured) vm.points().get(3);
        for (String id : List.of("#sweepSizeChart", "#sweepSpeedChart")) {
            XYDataset data = robot.lookup(id).queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
            assertEquals(7, data.getSeriesCount(), id);
            assertEquals("original and quantized", data.getSeriesKey(0), id);
            assertEquals(2, data.getItemCount(0), id + ": the original and Q6_K");
            assertEquals(0, data.getItemCount(3), id + ": no importance matrix");
            assertEquals(1, data.getItemCount(5), id + ": the pruned point");
            assertEquals(1, data.getItemCount(6), id + ": the pruned and quantized point");
            assertEquals(pruned.accuracy().kldMean(), data.getYValue(5, 0), 1e-15, id);
            assertEquals(both.accuracy().kldMean(), data.getYValue(6, 0), 1e-15, id);
        }
        XYDataset size = robot.lookup("#sweepSizeChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(both.bytes() / MIB, size.getXValue(6, 0), 1e-12);
        // No sparse layout: pruned alone, the model keeps its dense size.
        assertEquals(((SweepPoint.Measured) vm.points().getFirst()).bytes(), pruned.bytes());
        // Generate quantizes without pruning: a pruned point is not offered there.
        robot.interact(() -> vm.currentProperty().set(both));
        assertTrue(both.schemeId().startsWith(SweepScheme.Pruned.ID_PREFIX), both.schemeId());
        assertFalse(vm.canTryCurrent());
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-pruned");
    }
}
