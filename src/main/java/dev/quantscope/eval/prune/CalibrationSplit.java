package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.pipeline.prune.PruneCalibration;

import java.io.IOException;
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

    /** The calibration part read after the measured one: 64 KB, several times the 2,048 tokens calibrated on. */
    static final long CALIBRATION_BYTES = 64 * 1024;

    /**
     * The first {@code measuredBytes} of {@code text} (cut at a line break, as {@link SweepText#read} cuts) measured,
     * and what follows calibrating; a text with nothing after that part is cut in {@link #halves} instead.
     */
    public static CalibrationSplit after(SweepText text, long measuredBytes) throws IOException {
        String measured = text.read(measuredBytes);
        String both = text.read(measuredBytes + CALIBRATION_BYTES);
        String rest = both.length() > measured.length() ? both.substring(measured.length()) : "";
        return rest.isBlank() ? halves(measured) : of(measured, rest);
    }

    /** {@code measured} measured, {@code calibration} to calibrate on: two texts the user chose. */
    public static CalibrationSplit of(String measured, String calibration) {
        return new CalibrationSplit(measured, PruneCalibration.ofText(calibration));
    }
}
