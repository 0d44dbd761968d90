package dev.quantscope.train;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * One finished epoch: mean training loss, training accuracy (of the batches as they were trained), validation
 * accuracy and loss when a validation set was given, the learning rate at its end and the time since training started.
 */
public record EpochReport(int epoch, double trainLoss, double trainAccuracy, OptionalDouble validationAccuracy,
                          OptionalDouble validationLoss, double learningRate, Duration elapsed) {}
