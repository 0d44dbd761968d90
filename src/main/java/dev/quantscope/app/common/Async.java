package dev.quantscope.app.common;

/**
 * The state of one background result as a view shows it. Views switch over it exhaustively, so every state —
 * including failure — has a rendering.
 */
public sealed interface Async<T> {
    record Idle<T>() implements Async<T> {}

    record Running<T>() implements Async<T> {}

    record Done<T>(T value) implements Async<T> {}

    record Failed<T>(String message) implements Async<T> {}

    record Cancelled<T>() implements Async<T> {}

    static <T> Async<T> idle() { return new Idle<>(); }

    default boolean isDone() { return this instanceof Done<T>; }
}
