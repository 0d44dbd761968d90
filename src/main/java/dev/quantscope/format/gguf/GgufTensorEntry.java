package dev.quantscope.format.gguf;

/**
 * A tensor-info entry as the file states it.
 *
 * @param ne         dimensions, fastest-varying first
 * @param ggmlType   ggml's type number
 * @param offset     offset of the data relative to the start of the data section
 */
public record GgufTensorEntry(String name, long[] ne, int ggmlType, long offset) {
    public GgufTensorEntry {
        ne = ne.clone();
    }

    @Override
    public long[] ne() { return ne.clone(); }
}
