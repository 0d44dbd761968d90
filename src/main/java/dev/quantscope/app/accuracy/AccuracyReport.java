package dev.quantscope.app.accuracy;

import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.LabeledImages;

import java.nio.file.Path;

/** One Accuracy run as the page shows it: the figures, the images they were measured on (for the grid) and the class names. */
public record AccuracyReport(AccuracyResult result, LabeledImages data, ClassNames names, Path images) {}
