package dev.quantscope.format.safetensors;

import java.util.Comparator;

/**
 * Orders tensor names with embedded numbers compared by value, so "layers.2" comes before "layers.10".
 * Safetensors headers carry no meaningful order (writers sort names as plain strings, shards split them
 * arbitrarily), and this is the order in which a reader expects to see layers.
 */
final class NaturalNameOrder implements Comparator<String> {
    static final NaturalNameOrder INSTANCE = new NaturalNameOrder();

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ea = runEnd(a, i);
                int eb = runEnd(b, j);
                int c = compareNumbers(a.substring(i, ea), b.substring(j, eb));
                if (c != 0) return c;
                i = ea;
                j = eb;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b); // "01" vs "1": equal in value, still distinct names
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private static int runEnd(String s, int from) {
        int k = from;
        while (k < s.length() && isDigit(s.charAt(k))) k++;
        return k;
    }

    /** Compares digit strings of any length by value, without parsing (they may not fit a long). */
    private static int compareNumbers(String x, String y) {
        String a = stripZeros(x);
        String b = stripZeros(y);
        if (a.length() != b.length()) return Integer.compare(a.length(), b.length());
        return a.compareTo(b);
    }

    private static String stripZeros(String s) {
        int k = 0;
        while (k < s.length() - 1 && s.charAt(k) == '0') k++;
        return s.substring(k);
    }
}
