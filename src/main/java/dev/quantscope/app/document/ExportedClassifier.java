package dev.quantscope.app.document;

import java.nio.file.Path;

/**
 * A classifier made from the open one in this session (a distilled student, or a student trained on labels alone),
 * written to {@code file}: its file size and its top-1 accuracy (0 to 1) on the data set it was validated on, for the
 * Trade-off chart.
 */
public record ExportedClassifier(String label, Path file, long bytes, long parameters, double top1) {}
