package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.app.prune.curves.CurveMetric;
import dev.quantscope.app.prune.curves.SparsityCurvesPane;
import dev.quantscope.app.prune.curves.SparsityCurvesViewModel;
import dev.quantscope.eval.prune.SensitivityPoint;
import dev.quantscope.eval.prune.SensitivityResult;
import dev.quantscope.eval.prune.SensitivityUnit;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sparsity-curves pane on stories260K, as the Prune view will host it: curves, then sensitivity bars. */
@ExtendWith(ApplicationExtension.class)
class SparsityCurvesPaneTest {
    private Model model;
    private ExecutorService pool;
    private SparsityCurvesPane pane;
    private Scene scene;
    private Path cache;

    @Start
    void start(Stage stage) throws Exception {
        cache = Files.createTempDirectory("curves-cache");
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, cache.toString());
        model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String calibration = new String(Arrays.copyOfRange(all, all.length - 40_000, all.length), StandardCharsets.UTF_8);
        pool = dev.quantscope.app.common.Workers.newPool();
        pane = new SparsityCurvesPane(new ModelSession(model), calibration, pool);
        ScrollPane scroll = new ScrollPane(pane);
        scroll.setFitToWidth(true);
        // The app's theme, as the shell sets it: app.css looks its colours up there.
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        scene = new Scene(scroll, 1200, 900);
        scene.getStylesheets().add(ChartStyle.class.getResource("/dev/quantscope/app/app.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void tearDown(FxRobot robot) {
        robot.interact(() -> pane.viewModel().cancelAll());
        pool.shutdownNow();
        model.close();
        System.clearProperty(SweepCache.DIRECTORY_PROPERTY);
    }

    @Test
    void curvesHaveALinePerMethodAndBarsMarkTheLayersToSpare(FxRobot robot) throws Exception {
        SparsityCurvesViewModel vm = pane.viewModel();
        robot.interact(() -> {
            vm.methodProperty(PruneMethod.SPARSEGPT).set(false);
            vm.sparsitiesProperty().set("0, 50%, 2:4");
        });
        robot.clickOn("#curvesRunButton");
        await(vm.curvesJob(), 240);
        assertEquals(5, vm.points().size(), "dense, two methods at 50 % and 2:4");
        assertTrue(vm.points().stream().allMatch(p -> p instanceof SweepPoint.Measured), vm.points().toString());

        XYDataset curves = robot.lookup("#sparsityCurveChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(List.of("magnitude", "magnitude N:M", "wanda", "wanda N:M"),
                java.util.stream.IntStream.range(0, curves.getSeriesCount()).mapToObj(i -> curves.getSeriesKey(i).toString()).toList());
        assertEquals(2, curves.getItemCount(0), "the dense model at 0 %, then 50 %");
        assertEquals(0.0, curves.getXValue(0, 0));
        assertEquals(50.0, curves.getXValue(0, 1));
        assertEquals(50.0, curves.getXValue(1, 0), "2:4 drawn at its sparsity");
        assertTrue(curves.getYValue(2, 1) < curves.getYValue(0, 1), "Wanda stays closer than magnitude at 50 %");
        Screenshots.save(robot, scene, "sparsity-curves-kld");

        robot.interact(() -> vm.metricProperty().set(CurveMetric.PPL));
        WaitForAsyncUtils.waitForFxEvents();
        XYDataset ppl = robot.lookup("#sparsityCurveChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        SweepPoint.Measured dense = (SweepPoint.Measured) vm.points().getFirst();
        assertEquals(dense.accuracy().ppl(), ppl.getYValue(0, 0), 1e-9, "the dense model's perplexity at 0 %");

        robot.interact(() -> {
            vm.sensitivityMethodProperty().set(PruneMethod.MAGNITUDE);
            vm.sensitivitySparsityProperty().set("50%");
            vm.sensitivityUnitProperty().set(SensitivityUnit.BLOCK);
        });
        robot.clickOn("#sensitivityRunButton");
        SensitivityResult scan = await(vm.sensitivityJob(), 120);
        CategoryDataset bars = robot.lookup("#sensitivityChart").queryAs(ChartViewer.class).getChart().getCategoryPlot()
                .getDataset();
        assertEquals(List.of("blk.0", "blk.1", "blk.2", "blk.3", "blk.4"), bars.getColumnKeys());
        for (SensitivityPoint.Measured m : scan.measured()) {
            assertEquals(m.accuracy().kldMean(), bars.getValue(0, bars.getColumnIndex(m.name())).doubleValue(), 1e-12);
        }
        Screenshots.save(robot, scene, "sparsity-sensitivity");
    }

    @Test
    void aBadSparsityIsOneSentenceAndCancelStopsTheSweep(FxRobot robot) throws Exception {
        SparsityCurvesViewModel vm = pane.viewModel();
        robot.interact(() -> vm.sparsitiesProperty().set("half"));
        robot.clickOn("#curvesRunButton");
        assertTrue(vm.problemProperty().get().contains("is not a sparsity"), vm.problemProperty().get());
        robot.interact(() -> vm.sparsitiesProperty().set(String.join(", ", "10%", "20%", "30%", "40%", "50%", "60%")));
        robot.clickOn("#curvesRunButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.points().isEmpty());
        robot.clickOn("#curvesCancelButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.curvesJob().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Cancelled.class, vm.curvesJob().state());
        assertTrue(vm.points().size() < 18, "cancelled before all 18 points");
    }

    @SuppressWarnings("unchecked")
    private static <T> T await(BackgroundJob<T> job, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS,
                () -> !job.runningProperty().get() && !(job.state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, job.state(), () -> "did not complete: " + job.state());
        return ((Async.Done<T>) job.state()).value();
    }
}
