package dev.quantscope.engine.tokenizer;

import java.util.Arrays;

/** A growable int array, so token output does not box every id. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) { values = new int[Math.max(4, capacity)]; }

    void add(int v) {
        if (size == values.length) values = Arrays.copyOf(values, Math.multiplyExact(values.length, 2));
        values[size++] = v;
    }

    int size() { return size; }

    int get(int i) { return values[i]; }

    int[] toArray() { return Arrays.copyOf(values, size); }
}
