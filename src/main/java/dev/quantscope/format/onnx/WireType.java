package dev.quantscope.format.onnx;

import java.util.Optional;

/**
 * Protobuf wire types. Groups (3, 4) are a proto2 feature ONNX never uses, and 6 and 7 are undefined, so the
 * reader refuses them rather than guessing at their length.
 */
enum WireType {
    VARINT(0), I64(1), LEN(2), START_GROUP(3), END_GROUP(4), I32(5);

    private final int id;

    WireType(int id) { this.id = id; }

    int id() { return id; }

    static Optional<WireType> of(int id) {
        for (WireType w : values()) if (w.id == id) return Optional.of(w);
        return Optional.empty();
    }
}
