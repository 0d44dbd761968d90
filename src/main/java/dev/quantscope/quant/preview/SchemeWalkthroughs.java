package dev.quantscope.quant.preview;

import dev.quantscope.quant.scheme.Binary;
import dev.quantscope.quant.scheme.Fp4;
import dev.quantscope.quant.scheme.Fp8;
import dev.quantscope.quant.scheme.Granularity;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Mxfp4;
import dev.quantscope.quant.scheme.Nf4;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.QuantizedTensor;
import dev.quantscope.quant.scheme.Ternary;
import dev.quantscope.tensor.MiniFloats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Walkthroughs for the schemes that are not ggml block types: the row is quantized by the scheme's own codec
 * (the one the estimates and exports use), and the stored scale, zero point and codes are read back from its
 * {@link QuantizedTensor}; every value shown is rebuilt with the formula shown and checked against the codec's
 * dequantizer. A per-tensor scale is shown as computed over the chosen row (the walkthrough sees one row).
 */
final class SchemeWalkthroughs {
    private SchemeWalkthroughs() {}

    static BlockWalkthrough explain(String tensor, QuantScheme scheme, long row, float[] rowValues, int first) {
        int n = Math.min(Walkthroughs.BLOCK, rowValues.length - first);
        QuantizedTensor q = scheme.quantize(rowValues, 1, rowValues.length);
        float[] y = scheme.dequantize(q);
        float[] orig = Arrays.copyOfRange(rowValues, first, first + n);
        float[] deq = Arrays.copyOfRange(y, first, first + n);
        return switch (scheme) {
            case IntegerScheme s -> integer(tensor, s, row, rowValues, first, q, orig, deq);
            case Nf4 f -> nf4(tensor, f, row, rowValues, first, q, orig, deq);
            case Fp8 f -> fp8(tensor, f, row, rowValues, first, q, orig, deq);
            default -> generic(tensor, scheme, row, rowValues.length, first, q, y, orig, deq);
        };
    }

    /** Scale units along one row: group k of {@code size}, or the whole row. */
    static int unitSize(QuantScheme scheme, int rowLength) {
        Granularity g = switch (scheme) {
            case IntegerScheme s -> s.granularity();
            case Ternary t -> t.granularity();
            case Binary b -> b.granularity();
            case Fp8 f -> f.granularity();
            case Nf4 f -> Granularity.group(f.block());
            case Fp4 f -> Granularity.group(f.block());
            case Mxfp4 _ -> Granularity.group(Mxfp4.BLOCK);
            default -> Granularity.CHANNEL;
        };
        return g instanceof Granularity.Group(int size) ? Math.min(size, rowLength) : rowLength;
    }

    private static BlockWalkthrough integer(String tensor, IntegerScheme s, long row, float[] x, int first,
                                            QuantizedTensor q, float[] orig, float[] deq) {
        int unit = unitSize(s, x.length);
        int bits = s.bits();
        int half = 1 << (bits - 1);
        int top = (1 << bits) - 1;
        int[] codes = new int[orig.length];
        float[] rebuilt = new float[orig.length];
        for (int i = 0; i < orig.length; i++) {
            int k = (first + i) / unit;
            float scale = q.scales()[k];
            int zero = s.symmetric() ? half : (int) q.offsets()[k];
            codes[i] = scale == 0 ? zero : (int) Math.rint(deq[i] / scale) + zero;
            rebuilt[i] = (codes[i] - zero) * scale;
        }
        check(s, rebuilt, deq);
        int k = first / unit;
        int from = k * unit, to = Math.min(x.length, from + unit);
        float scale = q.scales()[k];
        int zero = s.symmetric() ? half : (int) q.offsets()[k];
        List<BlockWalkthrough.Step> steps = new ArrayList<>();
        String where = unitName(s.granularity(), k, from, to);
        boolean mse = s.rounding() == dev.quantscope.quant.scheme.Rounding.MSE_CLIP;
        if (s.symmetric()) {
            float absMax = 0;
            for (int i = from; i < to; i++) absMax = Math.max(absMax, Math.abs(x[i]));
            steps.add(step("absmax", "max |x| over " + where, fmt(absMax)));
            if (mse) steps.add(step("clip ratio r", "of 1.00, 0.95, …, 0.50 the one with the least squared error "
                    + "over the unit", ratio(scale * (half - 1), absMax)));
            steps.add(step("s (FP16)", "s = absmax" + (mse ? " · r" : "") + " / " + (half - 1)
                    + ", rounded up to FP16", fmt(scale)));
            steps.add(step("zero point", "implied: codes are stored offset by 2^(b−1)", Integer.toString(half)));
        } else {
            float lo = 0, hi = 0;
            for (int i = from; i < to; i++) {
                lo = Math.min(lo, x[i]);
                hi = Math.max(hi, x[i]);
            }
            steps.add(step("min, max", "min(x, 0) and max(x, 0) over " + where, fmt(lo) + ", " + fmt(hi)));
            if (mse) steps.add(step("clip ratio r", "of 1.00, 0.95, …, 0.50 the one with the least squared error "
                    + "over the unit", ratio(scale * top, hi - lo)));
            steps.add(step("s (FP16)", "s = (max − min)" + (mse ? " · r" : "") + " / " + top
                    + ", rounded up to FP16", fmt(scale)));
            steps.add(step("z (FP16)", "z = clamp(round(−min" + (mse ? " · r" : "") + " / s), 0, " + top + ")",
                    Integer.toString(zero)));
        }
        if (first / unit != (first + orig.length - 1) / unit) {
            steps.add(step("note", "these weights span several " + s.granularity().label()
                    + " units: each weight uses its own unit's s" + (s.symmetric() ? "" : " and z"), ""));
        }
        String rule = s.symmetric()
                ? "y = s · (q − " + half + "),  q = clamp(round(x / s), −" + half + ", " + (half - 1) + ") + " + half
                : "y = s · (q − z),  q = clamp(round(x / s) + z, 0, " + top + ")";
        double[] levels = new double[top + 1];
        for (int c = 0; c <= top; c++) levels[c] = (double) ((c - zero) * scale);
        return new BlockWalkthrough(tensor, s.label(), row, first, steps, rule, orig, codes, deq, sorted(levels));
    }

    private static BlockWalkthrough nf4(String tensor, Nf4 f, long row, float[] x, int first, QuantizedTensor q,
                                        float[] orig, float[] deq) {
        float[] table = Nf4.levels();
        int unit = unitSize(f, x.length);
        float[] decodedAbsMax = new float[Math.ceilDiv(x.length, unit)];
        float[] y = f.dequantize(q);
        for (int k = 0; k < decodedAbsMax.length; k++) {
            // The weight of largest |x| gets code ±1, so its value is ± the stored (decoded) absmax.
            for (int i = k * unit; i < Math.min(x.length, (k + 1) * unit); i++) {
                decodedAbsMax[k] = Math.max(decodedAbsMax[k], Math.abs(y[i]));
            }
        }
        int[] codes = new int[orig.length];
        float[] rebuilt = new float[orig.length];
        for (int i = 0; i < orig.length; i++) {
            float a = decodedAbsMax[(first + i) / unit];
            codes[i] = nearest(table, a == 0 ? 0 : deq[i] / a);
            rebuilt[i] = table[codes[i]] * a;
        }
        check(f, rebuilt, deq);
        int k = first / unit;
        int from = k * unit, to = Math.min(x.length, from + unit);
        float absMax = 0;
        for (int i = from; i < to; i++) absMax = Math.max(absMax, Math.abs(x[i]));
        List<BlockWalkthrough.Step> steps = new ArrayList<>();
        steps.add(step("absmax", "max |x| over block " + k + " (weights " + from + "–" + (to - 1) + ")", fmt(absMax)));
        if (f.doubleQuant()) {
            steps.add(step("offset c (F32)", "mean of the row's absmax values, subtracted before coding them",
                    fmt(q.offsets()[0])));
            steps.add(step("s₂ (F32)", "max |absmax − c| over " + Nf4.SCALE_BLOCK + " blocks", fmt(q.scales()[k / Nf4.SCALE_BLOCK])));
            steps.add(step("a-code (8 bit)", "nearest of the 256-value dynamic map to (absmax − c) / s₂",
                    Integer.toString(q.scaleCodes()[k] & 0xFF)));
            steps.add(step("a (decoded)", "a = dynamic[a-code] · s₂ + c", fmt(decodedAbsMax[k])));
        } else {
            steps.add(step("a (F32)", "a = absmax, stored as it is", fmt(decodedAbsMax[k])));
        }
        steps.add(step("q (4 bit)", "index of the NF4 level nearest to x / absmax (16 normal quantiles in [−1, 1])",
                "0 … 15"));
        double[] levels = new double[table.length];
        for (int c = 0; c < table.length; c++) levels[c] = (double) (table[c] * decodedAbsMax[k]);
        return new BlockWalkthrough(tensor, f.label(), row, first, steps, "y = NF4[q] · a", orig, codes, deq,
                sorted(levels));
    }

    /** FP8 stores one code byte per weight (unpacked) and an F32 scale per unit: y = fp8(code) · s. */
    private static BlockWalkthrough fp8(String tensor, Fp8 f, long row, float[] x, int first, QuantizedTensor q,
                                        float[] orig, float[] deq) {
        float[] table = f.format() == Fp8.Format.E4M3 ? MiniFloats.E4M3FN : MiniFloats.E5M2;
        int unit = unitSize(f, x.length);
        float scale = q.scales()[first / unit];
        int[] codes = new int[orig.length];
        float[] rebuilt = new float[orig.length];
        for (int i = 0; i < orig.length; i++) {
            codes[i] = q.codes()[first + i] & 0xFF;
            rebuilt[i] = table[codes[i]] * scale;
        }
        check(f, rebuilt, deq);
        float absMax = 0;
        for (float v : x) absMax = Math.max(absMax, Math.abs(v));
        List<BlockWalkthrough.Step> steps = List.of(
                step("absmax", "max |x| over the row" + (f.granularity() instanceof Granularity.PerTensor
                        ? " (per-tensor: the tensor's scale is taken over every row)" : ""), fmt(absMax)),
                step("s (F32)", "s = absmax / " + fmt(f.format().max()) + ", so the largest weight maps to the "
                        + f.format() + " maximum", fmt(scale)),
                step("code (8 bit)", "the " + f.format() + " value nearest to x / s (sign, exponent, mantissa)",
                        "0 … 255"));
        TreeSet<Double> levels = new TreeSet<>();
        for (float v : table) if (Float.isFinite(v) && Math.abs(v) <= f.format().max()) levels.add((double) (v * scale));
        return new BlockWalkthrough(tensor, f.label(), row, first, steps, "y = " + f.format() + "(code) · s", orig,
                codes, deq, levels.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static BlockWalkthrough generic(String tensor, QuantScheme s, long row, int rowLength, int first,
                                            QuantizedTensor q, float[] y, float[] orig, float[] deq) {
        int unit = unitSize(s, rowLength);
        int k = first / unit;
        int from = k * unit, to = Math.min(rowLength, from + unit);
        List<BlockWalkthrough.Step> steps = new ArrayList<>();
        steps.add(step("unit", "weights sharing one scale: " + (to - from) + " (" + from + "–" + (to - 1) + ")",
                s.label()));
        if (k < q.scales().length) steps.add(step("scale", "stored per unit (" + q.sideFormat() + ")", fmt(q.scales()[k])));
        if (k < q.scaleCodes().length) steps.add(step("scale code", "8-bit coded scale", Integer.toString(q.scaleCodes()[k] & 0xFF)));
        steps.add(step("value", "nearest representable value of the scaled grid", "see the table"));
        TreeSet<Double> values = new TreeSet<>();
        for (int i = from; i < to; i++) values.add((double) y[i]);
        double[] levels = values.stream().mapToDouble(Double::doubleValue).toArray();
        return new BlockWalkthrough(tensor, s.label(), row, first, steps, "y = " + s.label() + " dequantization "
                + "(the levels drawn are those this unit's weights use)", orig, null, deq, levels);
    }

    private static String unitName(Granularity g, int k, int from, int to) {
        return switch (g) {
            case Granularity.Group gr -> "group " + k + " of " + gr.size() + " (weights " + from + "–" + (to - 1) + ")";
            case Granularity.PerChannel _ -> "the row (per-channel scale)";
            case Granularity.PerTensor _ -> "the row (per-tensor: the tensor's scale is taken over every row)";
        };
    }

    private static void check(QuantScheme s, float[] rebuilt, float[] deq) {
        for (int i = 0; i < deq.length; i++) {
            if (Math.abs(rebuilt[i] - deq[i]) > 1e-5 * Math.max(1, Math.abs(deq[i]))) {
                throw new IllegalStateException(s.id() + " walkthrough misread weight " + i + ": " + rebuilt[i]
                        + " vs " + deq[i]);
            }
        }
    }

    private static int nearest(float[] table, float v) {
        int best = 0;
        for (int i = 1; i < table.length; i++) if (Math.abs(table[i] - v) < Math.abs(table[best] - v)) best = i;
        return best;
    }

    private static String ratio(double num, double den) {
        return den == 0 ? "—" : String.format(Locale.ROOT, "≈ %.2f", num / den);
    }

    private static double[] sorted(double[] v) {
        return Arrays.stream(v).distinct().sorted().toArray();
    }

    private static BlockWalkthrough.Step step(String name, String formula, String value) {
        return new BlockWalkthrough.Step(name, formula, value);
    }

    private static String fmt(double v) { return Walkthroughs.fmt(v); }
}
