package dev.quantscope.eval.prune;

import dev.quantscope.pipeline.prune.PruneCalibration;

import java.util.Objects;

/**
 * One text cut in two: Wanda and SparseGPT fit the pruned model to the calibration part, so its accuracy is
 * measured on the other, as the papers measure on a held-out set. Without the cut a calibrated method would be
 * graded on the very tokens it was fitted to and look better than it is.
 *
 * @param measured    the part a sweep measures accuracy on (the first)
 * @param calibration what the calibrated methods prune from (the rest)
 */
public record CalibrationSplit(String measured, PruneCalibration calibration) {
    public CalibrationSplit {
        Objects.requireNonNull(measured);
        Objects.requireNonNull(calibration);
    }

    /** The first half of {@code text} (to a line break, so no word is cut) to measure, the second to calibrate on. */
    public static CalibrationSplit halves(String text) {
        int middle = text.length() / 2;
        int cut = text.indexOf('\n', middle);
        if (cut < 0 || cut >= text.length() - 1) cut = middle;
        else cut++;
        return new CalibrationSplit(text.substring(0, cut), PruneCalibration.ofText(text.substring(cut)));
    }

    /** {@code measured} measured, {@code calibration} to calibrate on: two texts the user chose. */
    public static CalibrationSplit of(String measured, String calibration) {
        return new CalibrationSplit(measured, PruneCalibration.ofText(calibration));
    }
}
