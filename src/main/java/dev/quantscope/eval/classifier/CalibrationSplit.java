package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.LabeledImages;

import java.util.List;

/**
 * A labelled set cut for a comparison of variants: Wanda and SparseGPT calibrate on its first {@code setAside}
 * images (up to {@link ClassifierCompression#CALIBRATION_IMAGES}, at most a quarter of the set), and every variant is
 * measured on the rest, so that no pruned classifier is graded on the images it was pruned with. Without a calibrated
 * method in the comparison nothing is set aside.
 */
public record CalibrationSplit(LabeledImages calibration, LabeledImages measured, int setAside) {

    public static CalibrationSplit of(LabeledImages set, List<ClassifierVariant> variants) {
        boolean calibrated = variants.stream().anyMatch(v -> v instanceof ClassifierVariant.Pruned p && p.method().calibrated());
        int count = calibrated ? Math.min(ClassifierCompression.CALIBRATION_IMAGES, set.count() / 4) : 0;
        // Magnitude needs no calibration images, but a sweep takes a set: then one image stands in, unused.
        return new CalibrationSplit(set.slice(0, Math.max(count, Math.min(1, set.count()))), set.slice(count, set.count()), count);
    }
}
