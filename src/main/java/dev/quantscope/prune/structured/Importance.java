package dev.quantscope.prune.structured;

/** What a unit's, head's or block's importance is measured on. */
public sealed interface Importance {

    /** The weights alone (no text run through the model); blocks cannot be ranked this way. */
    record WeightOnly() implements Importance {}

    /** The weights together with the activations a calibration text produced. */
    record Calibrated(Calibration calibration) implements Importance {
        public Calibrated {
            java.util.Objects.requireNonNull(calibration);
        }
    }

    Importance WEIGHT_ONLY = new WeightOnly();
}
