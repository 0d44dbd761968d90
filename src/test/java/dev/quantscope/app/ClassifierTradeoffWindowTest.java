package dev.quantscope.app;

import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.app.document.ClassifierData;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.app.tradeoff.classifier.ClassifierTradeoffViewModel;
import dev.quantscope.app.tradeoff.classifier.TradeoffEntry;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.eval.classifier.ClassifierCompression;
import dev.quantscope.eval.classifier.ClassifierVariant;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.app.tradeoff.classifier.VariantOutcome;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Trade-off page of a classifier document in the real window under Xvfb: one click measures ggml's MNIST MLP
 * compressed every default way on MNIST's first 2,000 test digits, and a student exported earlier in the session is drawn as its
 * own series beside them.
 */
@ExtendWith(ApplicationExtension.class)
class ClassifierTradeoffWindowTest {
    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "classifier-tradeoff");
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
    void oneClickMeasuresEveryDefaultVariantAndTheStudentsShowBeside(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = AccuracyWindowTest.openClassifier(robot, shell);
        // The first 2,000 test digits keep the test short: 18 variants are each stored and measured.
        ClassifierData.IdxPair digits = firstDigits(dir, 2_000);
        ExportedClassifier student = new ExportedClassifier("fc:32 distilled", Path.of("student.safetensors"), 102_000, 25_450, 0.955);
        robot.interact(() -> {
            doc.classifierData().testProperty().set(Optional.of(digits));
            doc.classifierExports().list().add(student);
        });
        WindowFixture.selectPage(robot, "classifierTradeoffPage");
        ClassifierTradeoffViewModel vm = doc.classifierTradeoff();
        assertEquals(List.of(TradeoffEntry.of(student)), List.copyOf(vm.entries()), "an exported student shows before any run");

        robot.clickOn("#classifierSweepButton");
        List<VariantOutcome> outcomes = AccuracyWindowTest.awaitDone(vm.job()::state, "the classifier sweep");
        int variants = ClassifierCompression.defaults().size();
        assertEquals(variants, outcomes.size(), "every default variant is tried");
        assertTrue(outcomes.stream().allMatch(o -> o instanceof VariantOutcome.Measured), () -> "all measured: " + vm.skippedProperty().get());
        assertEquals(variants + 1, vm.entries().size(), "the variants, then the student");
        TradeoffEntry original = vm.original().orElseThrow();
        assertTrue(original.top1() > 0.97, "ggml's MLP on the digits: " + original.top1());
        // ggml's 32-weight blocks do not fit rows of 784 and 500: INT8 per row is the 8-bit scheme that applies.
        String int8 = new ClassifierVariant.Quantized(QuantScheme.parse("int8-sym-row-rtn")).label();
        TradeoffEntry q8 = vm.entries().stream().filter(e -> e.label().equals(int8)).findFirst().orElseThrow();
        assertTrue(Math.abs(q8.top1() - original.top1()) < 0.005, "8 bits keep the accuracy: " + q8.top1());
        assertTrue(q8.bytes() < original.bytes() / 3, "at about a quarter of the size: " + q8.bytes());

        TradeoffEntry q8_0 = vm.entries().stream().filter(e -> e.label().equals("Q8_0")).findFirst().orElseThrow();
        assertTrue(q8_0.note().contains("do not fit Q8_0"), "the table says why Q8_0 is as big as F32: " + q8_0.note());
        String status = robot.lookup("#classifierSweepStatus").queryAs(Label.class).getText();
        assertTrue(status.contains("1,500 test images measured (the first 500 calibrate Wanda and SparseGPT"), status);

        XYDataset chart = robot.lookup("#classifierTradeoffChart").queryAs(ChartViewer.class).getChart().getXYPlot().getDataset();
        assertEquals(4, chart.getSeriesCount(), "original, quantized, pruned and the student");
        assertEquals("student: fc:32 distilled", chart.getSeriesKey(3));
        assertEquals(95.5, chart.getYValue(3, 0), 1e-9);
        int plotted = 0;
        for (int s = 0; s < chart.getSeriesCount(); s++) plotted += chart.getItemCount(s);
        assertEquals(variants + 1, plotted, "a point per entry");
        assertEquals(variants + 1, robot.lookup("#classifierPointsTable").queryAs(TableView.class).getItems().size());
        // The documentation's picture shows measured points only: the student above is a fixture, not a real run.
        robot.interact(() -> doc.classifierExports().list().remove(student));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(variants, vm.entries().size(), "a removed export leaves the chart");
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-classifier");
    }

    /** MNIST's first {@code n} test digits as plain IDX files (big-endian magic, counts and sizes, then the bytes). */
    static ClassifierData.IdxPair firstDigits(Path dir, int n) throws Exception {
        Path mnist = AccuracyWindowTest.MNIST;
        LabeledImages all = LabeledImages.read(mnist.resolve("t10k-images-idx3-ubyte.gz"),
                mnist.resolve("t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
        int side = all.shape().height();
        ByteBuffer images = ByteBuffer.allocate(16 + n * side * side).putInt(0x803).putInt(n).putInt(side).putInt(side)
                .put(all.pixels(), 0, n * side * side);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) labels.put((byte) all.labels()[i]);
        Path imagesFile = Files.write(dir.resolve("first-images-idx3-ubyte"), images.array());
        Path labelsFile = Files.write(dir.resolve("first-labels-idx1-ubyte"), labels.array());
        return new ClassifierData.IdxPair(imagesFile, labelsFile);
    }
}
