package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.Activation;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An {@link EngineBuffers} that counts what the engine asks for and remembers each array it handed out, so a test
 * can tell the engine's own buffers from anything made later.
 */
final class CountingBuffers implements EngineBuffers {
    private int requests;
    private final Set<Object> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());

    @Override
    public float[] floats(int length) {
        return remember(new float[length]);
    }

    @Override
    public short[] halves(int length) {
        return remember(new short[length]);
    }

    @Override
    public Activation activation(int capacity) {
        Activation a = new Activation(capacity);
        remember(a.values());
        return a;
    }

    private <T> T remember(T array) {
        requests++;
        handedOut.add(array);
        return array;
    }

    /** Buffers asked for so far. */
    int requests() { return requests; }

    /** Whether {@code array} is one of the buffers (or an activation's values) handed out here. */
    boolean handedOut(Object array) { return handedOut.contains(array); }
}
