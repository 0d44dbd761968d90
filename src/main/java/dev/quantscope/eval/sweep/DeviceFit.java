package dev.quantscope.eval.sweep;

import dev.quantscope.tensor.Units;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Fit my device": among a sweep's points, the most accurate one (lowest mean KL divergence) whose weights fit a
 * memory budget and, optionally, stay under a KL divergence limit. Ties — means equal to within
 * {@value #KLD_TIE} nats, closer than a short text can tell apart — go to the smaller point, then the faster one.
 * The budget is compared with the weights' bytes; the KV cache and the runtime come on top.
 */
public final class DeviceFit {
    private DeviceFit() {}

    /** Mean KL divergences closer than this count as equal. */
    static final double KLD_TIE = 1e-6;

    private static final Comparator<SweepPoint.Measured> PREFERENCE = (a, b) -> {
        double ka = a.accuracy().kldMean(), kb = b.accuracy().kldMean();
        if (Math.abs(ka - kb) > KLD_TIE) return Double.compare(ka, kb);
        int bySize = Long.compare(a.bytes(), b.bytes());
        if (bySize != 0) return bySize;
        return Double.compare(b.latency().generationTokensPerSecond(), a.latency().generationTokensPerSecond());
    };

    /**
     * @param budgetBytes memory for the weights
     * @param maxKld      the largest acceptable mean KL divergence, if any
     */
    public static Recommendation recommend(List<? extends SweepPoint> points, long budgetBytes, OptionalDouble maxKld) {
        if (budgetBytes <= 0) throw new IllegalArgumentException("the budget must be positive");
        List<SweepPoint.Measured> fitting = new ArrayList<>();
        List<Recommendation.Exclusion> excluded = new ArrayList<>();
        for (SweepPoint p : points) {
            switch (p) {
                case SweepPoint.Skipped s -> excluded.add(new Recommendation.Exclusion(s,
                        Recommendation.Reason.NOT_MEASURED, s.reason()));
                case SweepPoint.Measured m -> {
                    if (m.bytes() > budgetBytes) {
                        excluded.add(new Recommendation.Exclusion(m, Recommendation.Reason.TOO_LARGE,
                                Units.bytes(m.bytes()) + " > " + Units.bytes(budgetBytes)));
                    } else if (maxKld.isPresent() && !(m.accuracy().kldMean() <= maxKld.getAsDouble())) {
                        excluded.add(new Recommendation.Exclusion(m, Recommendation.Reason.TOO_INACCURATE,
                                String.format(Locale.ROOT, "KLD %.4f > %.4f", m.accuracy().kldMean(), maxKld.getAsDouble())));
                    } else {
                        fitting.add(m);
                    }
                }
            }
        }
        fitting.sort(PREFERENCE);
        Optional<SweepPoint.Measured> choice = fitting.stream().findFirst();
        // The runners-up are not "excluded": they fit, they are just less accurate.
        return new Recommendation(choice, explain(choice, fitting, excluded, points, budgetBytes, maxKld), excluded);
    }

    private static String explain(Optional<SweepPoint.Measured> choice, List<SweepPoint.Measured> fitting,
                                  List<Recommendation.Exclusion> excluded, List<? extends SweepPoint> points,
                                  long budget, OptionalDouble maxKld) {
        String limit = maxKld.isPresent() ? String.format(Locale.ROOT, " with mean KLD ≤ %.4f", maxKld.getAsDouble()) : "";
        if (choice.isEmpty()) {
            Optional<SweepPoint.Measured> smallest = points.stream()
                    .filter(p -> p instanceof SweepPoint.Measured).map(p -> (SweepPoint.Measured) p)
                    .min(Comparator.comparingLong(SweepPoint.Measured::bytes));
            if (smallest.isEmpty()) return "No scheme could be measured, so none can be recommended.";
            SweepPoint.Measured s = smallest.get();
            if (s.bytes() > budget) {
                return "Nothing fits in " + Units.bytes(budget) + ": the smallest measured scheme, " + s.label()
                        + ", needs " + Units.bytes(s.bytes()) + ".";
            }
            return "Nothing fits in " + Units.bytes(budget) + limit + ": every scheme small enough diverges more (the "
                    + "closest, " + closestWithin(points, budget).map(SweepPoint.Measured::label).orElse("?")
                    + ", has mean KLD " + closestWithin(points, budget)
                    .map(m -> String.format(Locale.ROOT, "%.4f", m.accuracy().kldMean())).orElse("?") + ").";
        }
        SweepPoint.Measured c = choice.get();
        String first = String.format(Locale.ROOT, "%s fits in %s%s (%s, %.2f bpw) and is the closest to the base of "
                        + "the %d scheme%s that do (mean KLD %.4f, same top token %.1f %%).",
                c.label(), Units.bytes(budget), limit, Units.bytes(c.bytes()), c.bitsPerWeight(), fitting.size(),
                fitting.size() == 1 ? "" : "s", c.accuracy().kldMean(), 100 * c.accuracy().sameTopP());
        if (excluded.isEmpty()) return first;
        List<String> why = new ArrayList<>();
        for (Recommendation.Exclusion e : excluded) {
            why.add(e.point().label() + " (" + switch (e.reason()) {
                case TOO_LARGE -> "too large: " + e.detail();
                case TOO_INACCURATE -> e.detail();
                case NOT_MEASURED -> "not measured: " + e.detail();
            } + ")");
        }
        return first + " Excluded: " + String.join(", ", why) + ".";
    }

    private static Optional<SweepPoint.Measured> closestWithin(List<? extends SweepPoint> points, long budget) {
        return points.stream().filter(p -> p instanceof SweepPoint.Measured).map(p -> (SweepPoint.Measured) p)
                .filter(m -> m.bytes() <= budget).min(PREFERENCE);
    }

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t)?\\s*");

    /**
     * A memory size as people write it: "100MB" (10^6), "1.5GiB" (2^30), "512M" (binary, as ulimit reads it),
     * or plain bytes.
     * @throws IllegalArgumentException when {@code text} is not a size
     */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 100MB, 1.5GiB, 4096)");
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "b" -> 1;
            case "kb" -> 1_000;
            case "mb" -> 1_000_000;
            case "gb" -> 1_000_000_000;
            case "tb" -> 1_000_000_000_000L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "t", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        try {
            return bytes.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }
}
