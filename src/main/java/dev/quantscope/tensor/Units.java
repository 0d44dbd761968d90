package dev.quantscope.tensor;

import java.util.Locale;

/** Human-readable sizes and counts, shared by the command line and the GUI. */
public final class Units {
    private Units() {}

    /** Bytes in binary units: "1.13 MiB". */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }

    /** Parameter counts as people quote them: "292.8K", "7.24B". */
    public static String count(long n) {
        if (n < 1000) return Long.toString(n);
        String[] units = {"K", "M", "B", "T"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.1f%s" : "%.2f%s", v, units[u]);
    }
}
