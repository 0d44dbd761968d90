package dev.quantscope.quant.scheme;

/**
 * Packs unsigned codes of 1..8 bits contiguously, least significant bit first: element {@code i} occupies bits
 * {@code [i*bits, (i+1)*bits)} of the byte stream. No padding between rows, so a tensor takes exactly
 * {@code ceil(n * bits / 8)} bytes.
 */
final class BitPacking {
    private BitPacking() {}

    static long bytesFor(long elements, int bits) {
        return Math.ceilDiv(Math.multiplyExact(elements, (long) bits), 8L);
    }

    static byte[] pack(int[] codes, int bits) {
        byte[] out = new byte[Math.toIntExact(bytesFor(codes.length, bits))];
        long acc = 0;
        int accBits = 0;
        int o = 0;
        int mask = (1 << bits) - 1;
        for (int c : codes) {
            if ((c & ~mask) != 0) throw new IllegalArgumentException("code " + c + " does not fit " + bits + " bits");
            acc |= (long) c << accBits;
            accBits += bits;
            while (accBits >= 8) {
                out[o++] = (byte) acc;
                acc >>>= 8;
                accBits -= 8;
            }
        }
        if (accBits > 0) out[o] = (byte) acc;
        return out;
    }

    static int[] unpack(byte[] packed, int bits, int count) {
        int[] out = new int[count];
        long acc = 0;
        int accBits = 0;
        int i = 0;
        int mask = (1 << bits) - 1;
        for (int k = 0; k < count; k++) {
            while (accBits < bits) {
                acc |= (long) (packed[i++] & 0xFF) << accBits;
                accBits += 8;
            }
            out[k] = (int) (acc & mask);
            acc >>>= bits;
            accBits -= bits;
        }
        return out;
    }
}
