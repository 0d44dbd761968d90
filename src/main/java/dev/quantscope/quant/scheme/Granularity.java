package dev.quantscope.quant.scheme;

/**
 * Which weights share one scale: the whole tensor, one row (an output channel), or a group of consecutive weights
 * along a row. Each unit is a contiguous range of the row-major tensor, which keeps every codec a simple loop over
 * {@link Segments}.
 */
public sealed interface Granularity {

    /** Short form used in scheme ids: {@code tensor}, {@code row}, {@code g128}. */
    String id();

    /** Human form used in labels. */
    String label();

    /** Scale units of a {@code rows × rowLength} tensor. */
    long units(long rows, long rowLength);

    record PerTensor() implements Granularity {
        public String id() { return "tensor"; }
        public String label() { return "per tensor"; }
        public long units(long rows, long rowLength) { return rows == 0 || rowLength == 0 ? 0 : 1; }
    }

    record PerChannel() implements Granularity {
        public String id() { return "row"; }
        public String label() { return "per channel"; }
        public long units(long rows, long rowLength) { return rowLength == 0 ? 0 : rows; }
    }

    /** Groups of {@code size} weights along a row; a row that is not a multiple ends with one shorter group. */
    record Group(int size) implements Granularity {
        public Group {
            if (size < 2) throw new IllegalArgumentException("group size must be at least 2, not " + size);
        }
        public String id() { return "g" + size; }
        public String label() { return "g" + size; }
        public long units(long rows, long rowLength) {
            return Math.multiplyExact(rows, Math.ceilDiv(rowLength, (long) size));
        }
    }

    Granularity TENSOR = new PerTensor();
    Granularity CHANNEL = new PerChannel();

    static Granularity group(int size) { return new Group(size); }
}
