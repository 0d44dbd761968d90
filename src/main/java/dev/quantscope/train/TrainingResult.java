package dev.quantscope.train;

import java.time.Duration;
import java.util.List;

/**
 * A finished run: every epoch's report, the epoch whose weights the model holds (the best by validation accuracy when
 * keep-best is on, else the last), and whether it stopped early or was cancelled.
 */
public record TrainingResult(List<EpochReport> epochs, int keptEpoch, boolean stoppedEarly, boolean cancelled, Duration elapsed) {}
