package dev.quantscope.distill;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.train.TrainingResult;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A finished distillation: the distilled student and its run; the labels-only student and its run when a baseline
 * was asked for; the teacher's top-1 accuracy on the validation set when one was given.
 */
public record DistillationResult(Classifier distilled, TrainingResult distilledRun,
                                 Optional<Classifier> labelsOnly, Optional<TrainingResult> labelsOnlyRun,
                                 OptionalDouble teacherValidationAccuracy) {}
