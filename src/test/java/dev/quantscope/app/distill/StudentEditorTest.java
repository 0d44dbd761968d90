package dev.quantscope.app.distill;

import dev.quantscope.distill.StudentRun;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.train.Augmentation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Distill page's student editor, settings and file names, without the FX thread. */
class StudentEditorTest {
    private static final InputShape IMAGE = InputShape.image(28, 28);
    /** ggml's MNIST MLP: 784 → 500 → 10. */
    private static final Architecture GGML_MLP = Architecture.parse("fc:500", IMAGE, 10);

    @Test
    void aStudentSaysItsParametersF32SizeAndShareOfTheTeacher() {
        StudentCheck.Valid v = assertInstanceOf(StudentCheck.Valid.class,
                StudentCheck.of("fc:32", IMAGE, 10, OptionalLong.of(GGML_MLP.parameterCount())));
        assertEquals(784 * 32 + 32 + 32 * 10 + 10, v.parameters());
        assertEquals(4 * v.parameters(), v.f32Bytes(), "no batch norm: every tensor is a trained one");
        assertEquals(397_510, GGML_MLP.parameterCount());
        assertEquals((double) v.parameters() / 397_510, v.ratio().orElseThrow(), 1e-12);
        assertTrue(v.ratio().orElseThrow() < 0.07);
    }

    @Test
    void batchNormsRunningStatisticsCountInTheFileButNotAmongTheParameters() {
        StudentCheck.Valid v = assertInstanceOf(StudentCheck.Valid.class,
                StudentCheck.of("conv:8,bn,pool,fc:16", IMAGE, 10, OptionalLong.empty()));
        assertEquals(4 * (v.parameters() + 2 * 8), v.f32Bytes(), "running mean and variance of 8 channels");
        assertTrue(v.ratio().isEmpty(), "no teacher yet, no ratio");
    }

    @Test
    void aBadSpecIsOneSentenceNamingTheItem() {
        StudentCheck.Invalid bad = assertInstanceOf(StudentCheck.Invalid.class,
                StudentCheck.of("fc:12x", IMAGE, 10, OptionalLong.empty()));
        assertTrue(bad.message().contains("fc:12x") && bad.message().endsWith("."), bad.message());
        StudentCheck.Invalid tooSmall = assertInstanceOf(StudentCheck.Invalid.class,
                StudentCheck.of("conv:4,pool:16,pool:16", IMAGE, 10, OptionalLong.empty()));
        assertTrue(tooSmall.message().contains("pooling"), tooSmall.message());
        assertInstanceOf(StudentCheck.Invalid.class, StudentCheck.of("  ", IMAGE, 10, OptionalLong.empty()));
    }

    @Test
    void theQuarterPresetIsTheWidestOneLayerStudentWithinAQuarterOfTheTeacher() {
        List<StudentPreset> presets = StudentPreset.forTeacher(GGML_MLP);
        StudentPreset quarter = presets.getFirst();
        assertEquals("fc:124", quarter.spec(), quarter.label());
        long quarterParams = Architecture.parse(quarter.spec(), IMAGE, 10).parameterCount();
        long wider = Architecture.parse("fc:125", IMAGE, 10).parameterCount();
        assertTrue(quarterParams <= 397_510 / 4 && wider > 397_510 / 4, quarterParams + " / " + wider);
        for (StudentPreset p : presets) Architecture.parse(p.spec(), IMAGE, 10);   // every preset parses
        assertTrue(presets.stream().anyMatch(p -> p.spec().startsWith("conv:")), "a CNN is offered for images");
        // A flat input takes no convolution: that preset is left out rather than offered broken.
        Architecture flat = Architecture.parse("fc:64", InputShape.flat(100), 3);
        assertTrue(StudentPreset.forTeacher(flat).stream().noneMatch(p -> p.spec().startsWith("conv:")));
    }

    @Test
    void settingsTellTheFieldThatIsWrong() {
        RunSettings.Valid ok = assertInstanceOf(RunSettings.Valid.class,
                RunSettings.of(5, 64, "0.001", RunSettings.OptimizerChoice.ADAM, 2, true, 4, 0.1, RunSettings.AugmentChoice.NONE, 2));
        assertEquals(64, ok.training().batchSize());
        assertEquals(0.001, ok.training().schedule().rate(0, 100), 1e-12, "the cosine starts at the rate given");
        assertEquals(0, ok.training().schedule().rate(99, 100), 1e-12, "and ends at zero");
        assertEquals(RunSettings.SEED, ok.training().seed());
        assertEquals(4, ok.distillation().temperature());
        assertEquals(Augmentation.NONE, ok.training().augmentation());
        RunSettings.Valid mirrored = assertInstanceOf(RunSettings.Valid.class, RunSettings.of(5, 64, "0.001",
                RunSettings.OptimizerChoice.ADAM, 2, true, 4, 0.1, RunSettings.AugmentChoice.SHIFT_AND_MIRROR, 2));
        assertEquals(new Augmentation(2, true), mirrored.training().augmentation());
        RunSettings.Invalid rate = assertInstanceOf(RunSettings.Invalid.class,
                RunSettings.of(5, 64, "1e-3x", RunSettings.OptimizerChoice.SGD, 0, true, 4, 0.1, RunSettings.AugmentChoice.NONE, 2));
        assertTrue(rate.message().contains("\"1e-3x\""), rate.message());
        assertInstanceOf(RunSettings.Invalid.class, RunSettings.of(5, 64, "0", RunSettings.OptimizerChoice.SGD, 0, true, 4, 0.1, RunSettings.AugmentChoice.NONE, 2));
        assertInstanceOf(RunSettings.Invalid.class, RunSettings.of(5, 64, "0.01", RunSettings.OptimizerChoice.SGD, 0, true, 4, 1.5, RunSettings.AugmentChoice.NONE, 2));
    }

    @Test
    void anExportedStudentIsNamedByItsLayersAndHowItWasTrained() {
        assertEquals("student-conv8-pool-fc32-distilled.safetensors", StudentFiles.exportName("conv:8,pool,fc:32", StudentRun.DISTILLED));
        assertEquals("student-fc124-labels-only.safetensors", StudentFiles.exportName("fc:124", StudentRun.LABELS_ONLY));
        assertEquals("student-linear-distilled.safetensors", StudentFiles.exportName("", StudentRun.DISTILLED));
    }
}
