package dev.quantscope.quant.scheme;

/** The precision that a quantized tensor's float side data (scales, zero points, offsets) is stored in. */
public enum SideFormat {
    F16(2), F32(4);

    private final int bytes;

    SideFormat(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }
}
