package dev.quantscope.quant.preview;

import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Builds {@link BlockWalkthrough}s: quantizes the (super-)block that holds the chosen 32 weights with the real ggml
 * quantizer, then reads the stored fields back out of ggml's bytes, so every number shown is one a GGUF file would
 * hold. Layouts follow ggml's block structs (ggml-common.h); types whose layout is not spelled out here still show
 * their decoded values, errors and grid.
 */
public final class Walkthroughs {
    /** Weights shown at once: one Q4_0/Q8_0 block, one K-quant sub-block. */
    public static final int BLOCK = 32;

    /** IQ4_NL's non-linear code book (kvalues_iq4nl). */
    private static final int[] IQ4_NL_VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private Walkthroughs() {}

    /** Blocks of {@link #BLOCK} weights in a row of {@code rowLength} (the last may be shorter). */
    public static int blocksPerRow(long rowLength) {
        return (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(rowLength, (long) BLOCK));
    }

    /**
     * Walks block {@code block} (of {@link #BLOCK} weights) of one row through {@code scheme}: ggml block types
     * are read back from ggml's bytes, the other schemes from their codec's stored parameters.
     *
     * @param rowValues the row's weights, decoded from the source
     */
    public static BlockWalkthrough explain(String tensor, QuantScheme scheme, long row, float[] rowValues, int block) {
        int first = Math.multiplyExact(block, BLOCK);
        if (block < 0 || first >= rowValues.length) throw new IllegalArgumentException("no block " + block);
        return switch (scheme) {
            case Keep _ -> {
                float[] x = Arrays.copyOfRange(rowValues, first, Math.min(rowValues.length, first + BLOCK));
                yield new BlockWalkthrough(tensor, "keep", row, first,
                        List.of(new BlockWalkthrough.Step("kept", "the source bytes are copied", "no error")),
                        "y = x", x, null, x.clone(), distinct(x));
            }
            case GgmlBlock g -> stored(tensor, g.type(), row, rowValues, first);
            case Cast c -> stored(tensor, c.type(), row, rowValues, first);
            default -> SchemeWalkthroughs.explain(tensor, scheme, row, rowValues, first);
        };
    }

    private static BlockWalkthrough stored(String tensor, DType type, long row, float[] rowValues, int first) {
        if (!type.isBlockQuantized()) {
            float[] x = Arrays.copyOfRange(rowValues, first, Math.min(rowValues.length, first + BLOCK));
            float[] q = RoundTrip.apply(new Cast(type), x, x.length);
            return new BlockWalkthrough(tensor, type.name(), row, first,
                    List.of(new BlockWalkthrough.Step("cast", "each weight rounded to the nearest " + type
                            + " value (round to nearest even)", type.bitsPerElement() + " bits per weight")),
                    "y = round_" + type + "(x)", x, null, q, distinct(q));
        }
        int sb = type.blockElements();
        int superStart = first / sb * sb;
        float[] x = Arrays.copyOfRange(rowValues, superStart, superStart + sb);
        byte[] bytes = RoundTrip.quantize(type, x, sb);
        float[] decoded = new float[sb];
        Decoders.find(type).orElseThrow().decode(MemorySegment.ofArray(bytes), 0, decoded, 0, sb);
        int offset = first - superStart;
        int n = Math.min(BLOCK, sb - offset);
        Layout l = switch (type) {
            case Q4_0 -> q4_0(bytes);
            case Q4_1 -> q4_1(bytes);
            case Q5_0 -> q5(bytes, false);
            case Q5_1 -> q5(bytes, true);
            case Q8_0 -> q8_0(bytes);
            case IQ4_NL -> iq4_nl(bytes);
            case Q2_K -> q2_k(bytes, offset);
            case Q4_K -> q45_k(bytes, offset, false);
            case Q5_K -> q45_k(bytes, offset, true);
            case Q6_K -> q6_k(bytes, offset);
            default -> null; // Q3_K, TQ1_0, TQ2_0: values and grid only
        };
        float[] orig = Arrays.copyOfRange(x, offset, offset + n);
        float[] deq = Arrays.copyOfRange(decoded, offset, offset + n);
        if (l == null) {
            return new BlockWalkthrough(tensor, type.name(), row, first,
                    List.of(new BlockWalkthrough.Step("block", "quantized by ggml's " + type + " quantizer as a block"
                            + " of " + sb, type.blockBytes() + " bytes for " + sb + " weights")),
                    "y = " + type + " dequantization", orig, null, deq, distinct(deq));
        }
        int[] codes = l.codes().length == sb ? Arrays.copyOfRange(l.codes(), offset, offset + n) : l.codes();
        float[] rebuilt = l.rebuilt().length == sb ? Arrays.copyOfRange(l.rebuilt(), offset, offset + n) : l.rebuilt();
        // The formula shown must give what ggml's dequantizer gives: a mismatch means a field was misread.
        for (int i = 0; i < n; i++) {
            if (Math.abs(rebuilt[i] - deq[i]) > 1e-5 * Math.max(1, Math.abs(deq[i]))) {
                throw new IllegalStateException(type + " walkthrough misread weight " + i + ": " + rebuilt[i]
                        + " vs " + deq[i]);
            }
        }
        return new BlockWalkthrough(tensor, type.name(), row, first, l.steps(), l.rule(), orig, codes, deq, l.levels());
    }

    /** What a layout parser reads out of a block's bytes. */
    private record Layout(List<BlockWalkthrough.Step> steps, String rule, int[] codes, double[] levels,
                          float[] rebuilt) {}

    // ---- 32-weight blocks ----

    private static Layout q4_0(byte[] b) {
        float d = f16(b, 0);
        int[] q = new int[32];
        for (int j = 0; j < 16; j++) {
            q[j] = b[2 + j] & 0xF;
            q[j + 16] = (b[2 + j] & 0xFF) >>> 4;
        }
        return new Layout(List.of(
                step("m", "the weight of largest magnitude, with its sign", "see d"),
                step("d (FP16)", "d = m / −8, so m maps to code 0", d)),
                "y = d · (q − 8),  q = clamp(round(x / d) + 8, 0, 15)", q, grid(d, -8, 0, 15), map(q, k -> d * (k - 8)));
    }

    private static Layout q4_1(byte[] b) {
        float d = f16(b, 0), m = f16(b, 2);
        int[] q = new int[32];
        for (int j = 0; j < 16; j++) {
            q[j] = b[4 + j] & 0xF;
            q[j + 16] = (b[4 + j] & 0xFF) >>> 4;
        }
        return new Layout(List.of(
                step("m = min (FP16)", "m = min(x)", m),
                step("d (FP16)", "d = (max(x) − min(x)) / 15", d)),
                "y = d · q + m,  q = clamp(round((x − m) / d), 0, 15)", q, affine(d, m, 15), map(q, k -> d * k + m));
    }

    private static Layout q5(byte[] b, boolean withMin) {
        float d = f16(b, 0);
        float m = withMin ? f16(b, 2) : 0;
        int h = withMin ? 4 : 2;
        int qh = (b[h] & 0xFF) | (b[h + 1] & 0xFF) << 8 | (b[h + 2] & 0xFF) << 16 | (b[h + 3] & 0xFF) << 24;
        int qs = h + 4;
        int[] q = new int[32];
        for (int j = 0; j < 16; j++) {
            q[j] = (b[qs + j] & 0xF) | ((qh >>> j) << 4 & 0x10);
            q[j + 16] = ((b[qs + j] & 0xFF) >>> 4) | ((qh >>> (j + 12)) & 0x10);
        }
        if (withMin) {
            return new Layout(List.of(
                    step("m = min (FP16)", "m = min(x)", m),
                    step("d (FP16)", "d = (max(x) − min(x)) / 31", d),
                    step("qh", "the 5th bit of each code, packed in 32 bits", String.format(Locale.ROOT, "0x%08x", qh))),
                    "y = d · q + m,  q = clamp(round((x − m) / d), 0, 31)", q, affine(d, m, 31), map(q, k -> d * k + m));
        }
        return new Layout(List.of(
                step("m", "the weight of largest magnitude, with its sign", "see d"),
                step("d (FP16)", "d = m / −16", d),
                step("qh", "the 5th bit of each code, packed in 32 bits", String.format(Locale.ROOT, "0x%08x", qh))),
                "y = d · (q − 16),  q = clamp(round(x / d) + 16, 0, 31)", q, grid(d, -16, 0, 31), map(q, k -> d * (k - 16)));
    }

    private static Layout q8_0(byte[] b) {
        float d = f16(b, 0);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = b[2 + j];
        return new Layout(List.of(step("d (FP16)", "d = max|x| / 127", d)),
                "y = d · q,  q = round(x / d) ∈ [−127, 127]", q, grid(d, 0, -127, 127), map(q, k -> d * k));
    }

    private static Layout iq4_nl(byte[] b) {
        float d = f16(b, 0);
        int[] q = new int[32];
        for (int j = 0; j < 16; j++) {
            q[j] = b[2 + j] & 0xF;
            q[j + 16] = (b[2 + j] & 0xFF) >>> 4;
        }
        double[] levels = new double[16];
        for (int k = 0; k < 16; k++) levels[k] = (double) d * IQ4_NL_VALUES[k];
        return new Layout(List.of(
                step("code book", "16 fixed non-uniform levels (kvalues_iq4nl)", Arrays.toString(IQ4_NL_VALUES)),
                step("d (FP16)", "d fitted by least squares to the nearest code-book levels", d)),
                "y = d · kvalues[q]", q, levels, map(q, k -> d * IQ4_NL_VALUES[k]));
    }

    // ---- K-quants: super-blocks of 256 ----

    private static Layout q45_k(byte[] b, int offset, boolean five) {
        float d = f16(b, 0), dmin = f16(b, 2);
        int j = offset / 32; // sub-block
        int sc, m;
        int s = 4;
        if (j < 4) {
            sc = b[s + j] & 63;
            m = b[s + j + 4] & 63;
        } else {
            sc = (b[s + j + 4] & 0xF) | ((b[s + j - 4] & 0xFF) >>> 6) << 4;
            m = ((b[s + j + 4] & 0xFF) >>> 4) | ((b[s + j] & 0xFF) >>> 6) << 4;
        }
        int chunk = j / 2;
        boolean high = (j & 1) == 1;
        int qsBase = five ? 48 : 16;
        int[] q = new int[32];
        for (int l = 0; l < 32; l++) {
            int byteV = b[qsBase + 32 * chunk + l] & 0xFF;
            q[l] = high ? byteV >>> 4 : byteV & 0xF;
            if (five) {
                int bit = high ? 2 << (2 * chunk) : 1 << (2 * chunk);
                if ((b[16 + l] & bit) != 0) q[l] += 16;
            }
        }
        int max = five ? 31 : 15;
        float scale = d * sc, min = dmin * m;
        String name = five ? "Q5_K" : "Q4_K";
        return new Layout(List.of(
                step("super-block", "256 weights = 8 sub-blocks of 32; this is sub-block " + j, "weights "
                        + (offset / 32 * 32) + "–" + (offset / 32 * 32 + 31) + " of 256"),
                step("d (FP16)", "super-block scale of the sub-block scales: d = max(scale_j) / 63", d),
                step("dmin (FP16)", "super-block scale of the sub-block minimums: dmin = max(min_j) / 63", dmin),
                step("sc (6 bits)", "sub-block scale code: sc = round(scale_j / d)", sc),
                step("m (6 bits)", "sub-block minimum code: m = round(min_j / dmin)", m),
                step("scale = d · sc", "the sub-block's step between levels", scale),
                step("min = dmin · m", "subtracted from every level (the sub-block's minimum is −min)", min)),
                "y = d·sc · q − dmin·m,  q ∈ [0, " + max + "]  (" + name + ")", q, affine(scale, -min, max), map(q, k -> scale * k - min));
    }

    private static Layout q6_k(byte[] b, int offset) {
        float d = f16(b, 208);
        int[] all = new int[256];
        int[] scaleIdx = new int[256];
        for (int n = 0; n < 2; n++) {
            int ql = 64 * n, qh = 128 + 32 * n, sc = 8 * n, y = 128 * n;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = b[qh + l] & 0xFF;
                all[y + l] = ((b[ql + l] & 0xF) | (h & 3) << 4);
                all[y + l + 32] = ((b[ql + l + 32] & 0xF) | ((h >>> 2) & 3) << 4);
                all[y + l + 64] = (((b[ql + l] & 0xFF) >>> 4) | ((h >>> 4) & 3) << 4);
                all[y + l + 96] = (((b[ql + l + 32] & 0xFF) >>> 4) | ((h >>> 6) & 3) << 4);
                scaleIdx[y + l] = sc + is;
                scaleIdx[y + l + 32] = sc + is + 2;
                scaleIdx[y + l + 64] = sc + is + 4;
                scaleIdx[y + l + 96] = sc + is + 6;
            }
        }
        int sA = b[192 + scaleIdx[offset]], sB = b[192 + scaleIdx[offset + 16]];
        int[] q = Arrays.copyOfRange(all, offset, offset + 32);
        TreeSet<Double> levels = new TreeSet<>();
        for (int k = 0; k < 64; k++) {
            levels.add((double) d * sA * (k - 32));
            levels.add((double) d * sB * (k - 32));
        }
        return new Layout(List.of(
                step("super-block", "256 weights = 16 sub-blocks of 16; these 32 weights span two", "sub-blocks "
                        + scaleIdx[offset] + " and " + scaleIdx[offset + 16]),
                step("d (FP16)", "super-block scale: d = max|scale_j| / 127 (negated when the extreme is negative)", d),
                step("sc (int8), first 16", "sub-block scale code: sc = round(scale_j / d)", sA),
                step("sc (int8), last 16", "sub-block scale code of the second sub-block", sB),
                step("scale = d · sc", "step between levels, first / second sub-block",
                        fmt(d * sA) + " / " + fmt(d * sB))),
                "y = d · sc · (q − 32),  q ∈ [0, 63]  (6 bits: 4 in ql, 2 in qh)", q, unbox(levels),
                rebuild(q, i -> d * b[192 + scaleIdx[offset + i]] * (q[i] - 32)));
    }

    private static Layout q2_k(byte[] b, int offset) {
        float d = f16(b, 80), dmin = f16(b, 82);
        int[] all = new int[256];
        int[] scaleIdx = new int[256];
        for (int h = 0; h < 2; h++) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 16; l++) {
                    int y = 128 * h + 32 * j + l;
                    all[y] = ((b[16 + 32 * h + l] & 0xFF) >>> (2 * j)) & 3;
                    scaleIdx[y] = 8 * h + 2 * j;
                    all[y + 16] = ((b[16 + 32 * h + 16 + l] & 0xFF) >>> (2 * j)) & 3;
                    scaleIdx[y + 16] = 8 * h + 2 * j + 1;
                }
            }
        }
        int a = b[scaleIdx[offset]] & 0xFF, c = b[scaleIdx[offset + 16]] & 0xFF;
        int[] q = Arrays.copyOfRange(all, offset, offset + 32);
        TreeSet<Double> levels = new TreeSet<>();
        for (int k = 0; k < 4; k++) {
            levels.add((double) d * (a & 0xF) * k - (double) dmin * (a >>> 4));
            levels.add((double) d * (c & 0xF) * k - (double) dmin * (c >>> 4));
        }
        return new Layout(List.of(
                step("super-block", "256 weights = 16 sub-blocks of 16; these 32 weights span two", "sub-blocks "
                        + scaleIdx[offset] + " and " + scaleIdx[offset + 16]),
                step("d (FP16)", "super-block scale of the 4-bit sub-block scales: d = max(scale_j) / 15", d),
                step("dmin (FP16)", "super-block scale of the 4-bit sub-block minimums: dmin = max(min_j) / 15", dmin),
                step("sc, m (4+4 bits)", "scale and minimum codes of the two sub-blocks",
                        (a & 0xF) + ", " + (a >>> 4) + "  /  " + (c & 0xF) + ", " + (c >>> 4))),
                "y = d·sc · q − dmin·m,  q ∈ [0, 3]", q, unbox(levels), rebuild(q, i -> {
                    int v = b[scaleIdx[offset + i]] & 0xFF;
                    return d * (v & 0xF) * q[i] - dmin * (v >>> 4);
                }));
    }

    // ---- helpers ----

    private interface CodeToValue { float apply(int code); }

    private interface IndexToValue { float apply(int i); }

    /** Each code through the decode formula, in float arithmetic as ggml's dequantizer does it. */
    private static float[] map(int[] q, CodeToValue f) {
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) out[i] = f.apply(q[i]);
        return out;
    }

    private static float[] rebuild(int[] q, IndexToValue f) {
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) out[i] = f.apply(i);
        return out;
    }

    private static float f16(byte[] b, int off) {
        return Float.float16ToFloat((short) ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8));
    }

    private static BlockWalkthrough.Step step(String name, String formula, float v) {
        return new BlockWalkthrough.Step(name, formula, fmt(v));
    }

    private static BlockWalkthrough.Step step(String name, String formula, int v) {
        return new BlockWalkthrough.Step(name, formula, Integer.toString(v));
    }

    private static BlockWalkthrough.Step step(String name, String formula, String v) {
        return new BlockWalkthrough.Step(name, formula, v);
    }

    static String fmt(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    /** d · (k + shift) for k in [lo, hi]. */
    private static double[] grid(float d, int shift, int lo, int hi) {
        TreeSet<Double> s = new TreeSet<>();
        for (int k = lo; k <= hi; k++) s.add((double) d * (k + shift));
        return unbox(s);
    }

    /** d · k + m for k in [0, max]. */
    private static double[] affine(float d, float m, int max) {
        TreeSet<Double> s = new TreeSet<>();
        for (int k = 0; k <= max; k++) s.add((double) d * k + m);
        return unbox(s);
    }

    private static double[] distinct(float[] v) {
        TreeSet<Double> s = new TreeSet<>();
        for (float f : v) s.add((double) f);
        return unbox(s);
    }

    private static double[] unbox(TreeSet<Double> s) {
        List<Double> l = new ArrayList<>(s);
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = l.get(i);
        return out;
    }
}
