package dev.quantscope.eval.sweep;

/**
 * Receives each point as soon as it is ready, in request order, on the thread running the sweep (a GUI hands it
 * to its own thread).
 */
@FunctionalInterface
public interface SweepListener {
    void pointReady(SweepPoint point);

    SweepListener NONE = p -> {};
}
