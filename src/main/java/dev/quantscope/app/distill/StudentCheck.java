package dev.quantscope.app.distill;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.ParameterTensor;
import dev.quantscope.failure.FailureDescriber;

import java.util.OptionalLong;

/**
 * What the student editor says about the SPEC being typed: the architecture with its size, or the one sentence on
 * why it is not one. Checked on every keystroke, so it only parses (no weights are made).
 */
public sealed interface StudentCheck {

    /**
     * A student that parses: its trained parameters, its size as an F32 file holds it (every tensor, batch norm's
     * running statistics too, four bytes each; the header aside) and, when the teacher is known, its parameter count.
     */
    record Valid(Architecture architecture, long parameters, long f32Bytes, OptionalLong teacherParameters) implements StudentCheck {
        /** Student parameters over the teacher's (0.25 is a quarter), when the teacher is known. */
        public java.util.OptionalDouble ratio() {
            return teacherParameters.isPresent() && teacherParameters.getAsLong() > 0
                    ? java.util.OptionalDouble.of((double) parameters / teacherParameters.getAsLong())
                    : java.util.OptionalDouble.empty();
        }
    }

    record Invalid(String message) implements StudentCheck {}

    /** Checks {@code spec} for inputs of {@code input} and {@code classes} outputs. */
    static StudentCheck of(String spec, InputShape input, int classes, OptionalLong teacherParameters) {
        String text = spec == null ? "" : spec.strip();
        if (text.isEmpty()) return new Invalid("Describe the student's hidden layers, e.g. fc:128 or conv:8,pool,fc:32.");
        try {
            Architecture a = Architecture.parse(text, input, classes);
            long bytes = 0;
            for (ParameterTensor p : a.parameters()) bytes = Math.addExact(bytes, 4L * p.size());
            return new Valid(a, a.parameterCount(), bytes, teacherParameters);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return new Invalid(FailureDescriber.describe(e));
        }
    }
}
