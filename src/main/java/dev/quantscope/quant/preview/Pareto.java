package dev.quantscope.quant.preview;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The Pareto front of size-versus-error points: the choices no other choice beats on both counts. */
public final class Pareto {
    private Pareto() {}

    /** A point to compare: smaller {@code size} and smaller {@code cost} (an error, or minus a SQNR) are better. */
    public record Point<T>(T item, double size, double cost) {}

    /**
     * The non-dominated points, by increasing size (so a line through them is the front). A point is dominated when
     * another is no larger and no worse, and strictly better in one of the two. NaN costs never make the front.
     */
    public static <T> List<Point<T>> front(List<Point<T>> points) {
        List<Point<T>> sorted = new ArrayList<>(points.stream().filter(p -> !Double.isNaN(p.cost())).toList());
        sorted.sort(Comparator.<Point<T>>comparingDouble(Point::size).thenComparingDouble(Point::cost));
        List<Point<T>> front = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (Point<T> p : sorted) {
            if (p.cost() < best) {
                front.add(p);
                best = p.cost();
            }
        }
        return front;
    }
}
