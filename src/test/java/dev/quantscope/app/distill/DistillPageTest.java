package dev.quantscope.app.distill;

import dev.quantscope.app.Screenshots;
import dev.quantscope.app.WindowFixture;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.distill.DistillationResult;
import dev.quantscope.distill.StudentRun;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.ParameterTensor;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYSeriesCollection;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Distill page in the real window under Xvfb, on ggml's MNIST MLP: a teacher trained here on a slice of
 * Fashion-MNIST, a student of an eighth of its size distilled and trained on labels alone for two epochs, both
 * students' curves drawn, and the distilled one exported and read back.
 */
@ExtendWith(ApplicationExtension.class)
class DistillPageTest {
    private static final Path GGML_MLP = Path.of("..", "shared", "models", "ggml-mnist-mlp.state_dict");
    /** Fashion-MNIST's test split: always beside the checkout; the training split comes from a Debian package. */
    private static final Path SHARED_FASHION = Path.of("..", "shared", "data", "fashion-mnist");

    private WindowFixture app;
    private ShellViewModel shell;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "distill");
        shell = app.shell();
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
    }

    @Test
    void distilsTwoEpochsOnASliceDrawsBothStudentsAndExportsTheDistilledOne(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = open(robot, GGML_MLP);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, doc::isClassifier);
        WaitForAsyncUtils.waitForFxEvents();
        DistillViewModel vm = doc.distill();
        robot.interact(() -> {
            // Without the 60,000-image training split, the test split is both: the test is about the page, not the figures.
            // (A digit model is offered MNIST's test digits and no training split: the teacher here learns garments.)
            if (doc.classifierData().trainProperty().get().isEmpty()) {
                doc.classifierData().trainProperty().set(Optional.of(sharedTestSplit()));
                doc.classifierData().testProperty().set(Optional.of(sharedTestSplit()));
            }
            vm.trainLimitProperty().set(2000);
            vm.validationLimitProperty().set(1000);
            vm.epochsProperty().set(2);
            vm.teacherSpecProperty().set("fc:256");
            vm.teacherEpochsProperty().set(2);
        });
        WindowFixture.selectPage(robot, ModelDocument.DISTILL_PAGE);
        DistillViewModel.Teacher open = await(vm::openTeacherState, "reading the open model");
        assertEquals(397_510, open.model().architecture().parameterCount());

        robot.clickOn("#trainHereRadio");
        robot.clickOn("#trainTeacherButton");
        DistillViewModel.Teacher teacher = await(() -> vm.trainedTeacherJob().state(), "training the teacher");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(teacher, vm.teacherProperty().get(), "the trained teacher is the one used");
        DistillViewModel.TeacherAccuracy measured = await(() -> vm.teacherAccuracy().state(), "measuring the teacher");
        assertEquals(1000, measured.images());
        assertTrue(measured.top1() > 0.5, "a teacher that learnt: " + measured.top1());
        assertTrue(robot.lookup("#teacherLabel").queryAs(Label.class).getText().contains("on 1,000 validation images"));

        // The student is typed; its size and share of the teacher show at once.
        robot.interact(() -> vm.studentSpecProperty().set("fc:32"));
        String summary = robot.lookup("#studentSummary").queryAs(Label.class).getText();
        assertTrue(summary.startsWith("25,450 parameters") && summary.contains("12.5 % of the teacher"), summary);
        robot.interact(() -> vm.studentSpecProperty().set("fc:3x"));
        assertTrue(robot.lookup("#studentProblem").queryAs(Label.class).getText().contains("fc:3x"));
        assertTrue(robot.lookup("#startButton").queryAs(Button.class).isDisabled(), "no Start with a bad student");
        robot.interact(() -> vm.studentSpecProperty().set("fc:32"));

        DistillViewModel.Estimate estimate = await(() -> vm.estimate().state(), "the estimate");
        assertEquals(2000, estimate.trainImages());
        assertTrue(estimate.withLabelsOnly(), "the labels-only baseline is on by default");
        WaitForAsyncUtils.waitForFxEvents();
        String estimateText = robot.lookup("#estimateLabel").queryAs(Label.class).getText();
        assertTrue(estimateText.startsWith("About ") && estimateText.contains("both students"), estimateText);
        Screenshots.save(robot, app.window().stage().getScene(), "distill-estimate");

        robot.clickOn("#startButton");
        DistillationResult result = await(() -> vm.run().state(), "the distillation");
        WaitForAsyncUtils.waitForFxEvents();

        for (StudentRun run : StudentRun.values()) {
            assertEquals(2, vm.curves().validationAccuracy(run).size(), run + ": a validation point per epoch");
            List<DistillCurves.Point> loss = vm.curves().batchLoss(run);
            assertTrue(loss.size() >= 4, run + ": loss points within the epochs, " + loss.size());
            assertTrue(loss.getLast().value() < loss.getFirst().value(), run + ": the loss went down, " + loss);
            double last = vm.curves().validationAccuracy(run).getLast().value();
            assertTrue(last > 0.3, run + ": well above chance (0.1) after two epochs, " + last);
        }
        XYSeriesCollection accuracy = (XYSeriesCollection) robot.lookup("#distillAccuracyChart").queryAs(ChartViewer.class)
                .getChart().getXYPlot().getDataset();
        XYSeriesCollection loss = (XYSeriesCollection) robot.lookup("#distillLossChart").queryAs(ChartViewer.class)
                .getChart().getXYPlot().getDataset();
        assertEquals(2, accuracy.getSeries(0).getItemCount(), "distilled validation accuracy on the chart");
        assertEquals(2, accuracy.getSeries(1).getItemCount(), "labels-only validation accuracy on the chart");
        assertTrue(loss.getSeries(0).getItemCount() >= 4 && loss.getSeries(1).getItemCount() >= 4, "both training losses drawn");
        assertEquals(5, accuracy.getSeriesCount(), "both students' validation and training accuracy, and the teacher's line");
        assertTrue(accuracy.getSeriesKey(4).toString().startsWith("teacher: "), accuracy.getSeriesKey(4).toString());
        assertFalse(robot.lookup("#resetZoomCorner .button").queryAllAs(Button.class).stream().anyMatch(Button::isVisible),
                "the charts show their whole range: no Reset zoom");
        assertTrue(result.labelsOnly().isPresent() && result.teacherValidationAccuracy().isPresent());
        String resultText = robot.lookup("#resultLabel").queryAs(Label.class).getText();
        assertTrue(resultText.contains("distilled") && resultText.contains("labels only") && resultText.contains("teacher"), resultText);
        Screenshots.save(robot, app.window().stage().getScene(), "distill-run");

        assertTrue(vm.isOpenFile(GGML_MLP), "the open file is never an export target");
        Path out = dir.resolve(StudentFiles.exportName("fc:32", StudentRun.DISTILLED));
        robot.interact(() -> vm.exportTo(StudentRun.DISTILLED, out));
        ExportedClassifier exported = await(() -> vm.export().state(), "the export");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(exported), doc.classifierExports().list(), "the Trade-off page sees the student");
        assertEquals(Files.size(out), exported.bytes());
        assertEquals(25_450, exported.parameters());
        assertTrue(exported.top1() > 0.1 && exported.top1() <= 1, "top-1 " + exported.top1());
        Classifier back = Classifier.load(out);
        assertEquals(result.distilled().architecture(), back.architecture(), "the architecture is in the file");
        for (ParameterTensor p : back.architecture().parameters()) {
            assertArrayEquals(result.distilled().tensor(p.name()), back.tensor(p.name()), p.name());
        }
        assertTrue(robot.lookup("#exportStatus").queryAs(Label.class).getText().startsWith("Wrote "));
        Screenshots.save(robot, app.window().stage().getScene(), "distill-exported");
    }

    private static IdxPair sharedTestSplit() {
        return new IdxPair(SHARED_FASHION.resolve("t10k-images-idx3-ubyte.gz").toAbsolutePath().normalize(),
                SHARED_FASHION.resolve("t10k-labels-idx1-ubyte.gz").toAbsolutePath().normalize());
    }

    private ModelDocument open(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    @SuppressWarnings("unchecked")
    private static <T> T await(Supplier<Async<T>> state, String what) throws Exception {
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS,
                () -> !(state.get() instanceof Async.Running<T>) && !(state.get() instanceof Async.Idle<T>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<T> s = state.get();
        assertInstanceOf(Async.Done.class, s, () -> what + " did not complete: " + s);
        return ((Async.Done<T>) s).value();
    }
}
