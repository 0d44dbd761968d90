package dev.quantscope.app.common;

import dev.quantscope.tensor.Units;

import java.util.Locale;

/** How the GUI writes counts, byte sizes and statistics: fixed rules so columns line up and compare. */
public final class Numbers {
    private Numbers() {}

    /** 292800 → "292,800". */
    public static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 292800 → "292.8 K", 7_000_000_000 → "7.00 B": parameter counts at a glance. */
    public static String compactCount(long n) {
        if (n < 1_000) return Long.toString(n);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        if (n < 1_000_000_000) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        return String.format(Locale.ROOT, "%.2f B", n / 1e9);
    }

    /** Binary units, as file managers show them: 1171200 → "1.12 MiB" (the engine's one rule, shared with the CLI). */
    public static String bytes(long n) {
        return Units.bytes(n);
    }

    /** A statistic with four significant digits, switching to scientific notation for tiny or huge values. */
    public static String stat(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) return String.format(Locale.ROOT, "%.4g", v);
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** 0.0123 → "1.23 %". */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }
}
