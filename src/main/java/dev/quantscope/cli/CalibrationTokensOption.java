package dev.quantscope.cli;

import dev.quantscope.pipeline.prune.PruneCalibration;
import picocli.CommandLine.Option;

/** {@code --calibration-tokens N}: how much of a calibration text Wanda and SparseGPT run (prune, bench prune, sweep). */
public final class CalibrationTokensOption {

    @Option(names = "--calibration-tokens", paramLabel = "N", defaultValue = "" + PruneCalibration.DEFAULT_TOKENS,
            description = "Calibration tokens run for Wanda and SparseGPT, in windows of --ctx (default: ${DEFAULT-VALUE}).")
    int tokens;
}
