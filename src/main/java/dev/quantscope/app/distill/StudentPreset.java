package dev.quantscope.app.distill;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.InputShape;

import java.util.ArrayList;
import java.util.List;

/** A student the editor offers with one click: a name and its SPEC. */
public record StudentPreset(String label, String spec) {

    /** Small convolutional and dense students that train in seconds on 28 × 28 images, whatever the teacher. */
    private static final List<StudentPreset> FIXED = List.of(
            new StudentPreset("MLP fc:32", "fc:32"),
            new StudentPreset("Small CNN", "conv:8,pool,conv:16,pool,fc:32"));

    /**
     * The presets for a teacher: MLPs of one hidden layer sized to a quarter and to a tenth of its parameters (the
     * issue's target is a student of at most ¼), then the fixed ones that fit its input.
     */
    public static List<StudentPreset> forTeacher(Architecture teacher) {
        List<StudentPreset> out = new ArrayList<>();
        long params = teacher.parameterCount();
        int features = teacher.input().features(), classes = teacher.classes();
        addFraction(out, "¼ of the teacher", params / 4, features, classes);
        addFraction(out, "1/10 of the teacher", params / 10, features, classes);
        for (StudentPreset p : FIXED) {
            if (fits(p.spec(), teacher.input(), classes)) out.add(p);
        }
        return List.copyOf(out);
    }

    /**
     * The widest one-hidden-layer MLP within {@code budget} parameters: (features + 1)·h + (h + 1)·classes ≤ budget.
     */
    static int hiddenUnitsWithin(long budget, int features, int classes) {
        long h = (budget - classes) / ((long) features + 1 + classes);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, h));
    }

    private static void addFraction(List<StudentPreset> out, String label, long budget, int features, int classes) {
        int h = hiddenUnitsWithin(budget, features, classes);
        if (h >= 1) out.add(new StudentPreset(label + " (fc:" + h + ")", "fc:" + h));
    }

    private static boolean fits(String spec, InputShape input, int classes) {
        try {
            Architecture.parse(spec, input, classes);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
