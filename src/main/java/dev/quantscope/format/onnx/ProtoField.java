package dev.quantscope.format.onnx;

/**
 * One field read off the wire: its number and wire type, where its tag starts, and its payload. For VARINT, I32
 * and I64 fields the payload is {@code value} (the raw bits); for LEN fields it is {@code length} bytes starting at
 * file offset {@code start}, already checked to lie inside the enclosing message.
 *
 * @param number    field number (1 .. 2^29-1)
 * @param wire      wire type
 * @param tagOffset file offset of the field's tag, for error messages
 * @param value     the scalar value's bits (VARINT, I32, I64), else 0
 * @param start     file offset of a LEN payload, else -1
 * @param length    byte length of a LEN payload, else 0
 */
record ProtoField(int number, WireType wire, long tagOffset, long value, long start, long length) {

    long end() { return start + length; }
}
