package dev.quantscope.app.distill;

import dev.quantscope.distill.StudentRun;

import java.util.Locale;

/** The file name the export dialog proposes for a student. */
final class StudentFiles {
    private StudentFiles() {}

    /** {@code fc:128,fc:64} distilled → {@code student-fc128-fc64-distilled.safetensors}. */
    static String exportName(String spec, StudentRun which) {
        String layers = spec.toLowerCase(Locale.ROOT).replace(":", "").replace(",", "-").replaceAll("[^a-z0-9.-]", "");
        String kind = switch (which) {
            case DISTILLED -> "distilled";
            case LABELS_ONLY -> "labels-only";
        };
        return "student-" + (layers.isEmpty() ? "linear" : layers) + "-" + kind + ".safetensors";
    }
}
