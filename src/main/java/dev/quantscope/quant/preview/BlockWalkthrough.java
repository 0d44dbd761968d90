package dev.quantscope.quant.preview;

import java.util.List;

/**
 * One block of weights taken through a quantization step by step, for teaching: the stored parameters with the
 * formula that produced each, then per weight its integer code, the value it decodes to and the error.
 *
 * @param tensor      tensor name
 * @param target      the scheme's label
 * @param row         row of the tensor
 * @param firstColumn column of the block's first weight
 * @param steps       the stored parameters, in the order they are computed
 * @param decodeRule  the formula that turns a code into a value, e.g. "y = d · (q − 8)"
 * @param original    the weights
 * @param codes       their integer codes, or null when the scheme has none (a float cast, an unknown layout)
 * @param dequantized what they decode to
 * @param levels      the values this block can decode to (its quantization grid), ascending
 */
public record BlockWalkthrough(String tensor, String target, long row, int firstColumn, List<Step> steps,
                               String decodeRule, float[] original, int[] codes, float[] dequantized,
                               double[] levels) {

    public BlockWalkthrough {
        steps = List.copyOf(steps);
        if (original.length != dequantized.length || (codes != null && codes.length != original.length)) {
            throw new IllegalArgumentException("per-weight arrays differ in length");
        }
    }

    /** One stored (or derived) parameter: what it is, how it is computed, its value. */
    public record Step(String name, String formula, String value) {}

    public int size() { return original.length; }

    public double error(int i) { return (double) dequantized[i] - original[i]; }

    /** Largest |error| in the block. */
    public double maxAbsError() {
        double m = 0;
        for (int i = 0; i < original.length; i++) m = Math.max(m, Math.abs(error(i)));
        return m;
    }
}
