package dev.quantscope.format.safetensors;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it, already validated against its file.
 *
 * @param name         the tensor's name
 * @param type         its dtype
 * @param shape        row-major dimensions (0-size dimensions are allowed)
 * @param begin        first byte, relative to the start of the data buffer
 * @param end          one past the last byte, relative to the start of the data buffer
 * @param headerOffset byte offset in the file of the entry in the JSON header, for error messages
 */
public record SafetensorsEntry(String name, SafetensorsDType type, long[] shape, long begin, long end,
                               long headerOffset) {

    public SafetensorsEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    public long byteSize() { return end - begin; }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && e.name.equals(name) && e.type == type
                && Arrays.equals(e.shape, shape) && e.begin == begin && e.end == end;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
