package dev.quantscope.prune;

import java.util.Optional;

/**
 * Which weights of a tensor become zero: a fraction of them anywhere, or exactly {@code kept} of every {@code group}
 * consecutive weights of a row (N:M, e.g. 2:4).
 */
public sealed interface SparsityPattern {

    /** The fraction of the pruned weights that become zero, in [0, 1). */
    double sparsity();

    /** How a user writes it: "50%" or "2:4". */
    String label();

    /** Why a tensor whose rows hold {@code rowLength} weights cannot take this pattern, if it cannot. */
    Optional<String> problem(long rowLength);

    /** {@code sparsity} of the weights become zero, wherever the method's scores are lowest. */
    record Unstructured(double sparsity) implements SparsityPattern {
        public Unstructured {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new IllegalArgumentException("a sparsity must lie in [0, 1), got " + sparsity);
            }
        }

        @Override
        public String label() {
            double percent = sparsity * 100;
            return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
        }

        @Override
        public Optional<String> problem(long rowLength) { return Optional.empty(); }
    }

    /** In every run of {@code group} consecutive weights of a row, exactly the {@code kept} with the highest score stay. */
    record NOfM(int kept, int group) implements SparsityPattern {
        public NOfM {
            if (kept < 1 || group < 2 || kept >= group) {
                throw new IllegalArgumentException("an N:M pattern needs 1 ≤ N < M, got " + kept + ":" + group);
            }
        }

        @Override
        public double sparsity() { return 1 - (double) kept / group; }

        @Override
        public String label() { return kept + ":" + group; }

        @Override
        public Optional<String> problem(long rowLength) {
            return rowLength % group == 0 ? Optional.empty()
                    : Optional.of("its rows of " + rowLength + " weights do not split into groups of " + group);
        }
    }

    /**
     * Reads "2:4" (N:M), "50%" or "0.5" (unstructured).
     * @throws IllegalArgumentException naming what is wrong
     */
    static SparsityPattern parse(String text) {
        String s = text.strip();
        int colon = s.indexOf(':');
        try {
            if (colon >= 0) {
                return new NOfM(Integer.parseInt(s.substring(0, colon).strip()),
                        Integer.parseInt(s.substring(colon + 1).strip()));
            }
            if (s.endsWith("%")) return new Unstructured(Double.parseDouble(s.substring(0, s.length() - 1)) / 100);
            return new Unstructured(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a sparsity: write a fraction (0.5), "
                    + "a percentage (50%) or an N:M pattern (2:4)");
        }
    }
}
