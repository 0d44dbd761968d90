package dev.quantscope.distill;

/** Which of a distillation's two students a report is about. */
public enum StudentRun {
    /** Trained against the teacher's softened logits and the labels. */
    DISTILLED,
    /** The same architecture from the same initial weights, trained on the labels alone: the baseline. */
    LABELS_ONLY
}
