package dev.quantscope.format.gguf;

/**
 * One metadata key/value with its GGUF type, as an exporter needs it to write the value back unchanged.
 *
 * @param value Long for integer types (UINT64 bit pattern as-is), Double for floats, Boolean, String, or
 *              {@link GgufArray}
 */
public record GgufKv(String key, GgufValueType type, Object value) {
}
