package dev.quantscope.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so tests can build both torch.save-like pickles and hostile ones. */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter op(int code) { out.write(code); return this; }

    PickleWriter raw(byte... b) { out.writeBytes(b); return this; }

    PickleWriter u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    PickleWriter u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    PickleWriter proto(int v) { return op(0x80).op(v); }

    PickleWriter mark() { return op('('); }

    PickleWriter stop() { return op('.'); }

    PickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleWriter stackGlobal(String module, String name) { return str(module).str(name).op(0x93); }

    PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) return op(0x8c).op(b.length).raw(b);
        return op('X').u32(b.length).raw(b);
    }

    PickleWriter binunicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').u32(b.length).raw(b);
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) return op('K').op((int) v);
        if (v >= 0 && v < 65536) return op('M').op((int) v & 0xFF).op((int) (v >>> 8));
        if (v == (int) v) return op('J').u32(v);
        return op(0x8a).op(8).u64(v);
    }

    PickleWriter binfloat(double d) {
        op('G');
        long bits = Double.doubleToLongBits(d);
        for (int i = 7; i >= 0; i--) out.write((int) (bits >>> (8 * i)));
        return this;
    }

    PickleWriter put(int memo) { return op('q').op(memo); }

    PickleWriter get(int memo) { return op('h').op(memo); }

    PickleWriter ints(long... v) {
        mark();
        for (long x : v) integer(x);
        return op('t');
    }

    PickleWriter orderedDict() { return global("collections", "OrderedDict").op(')').op('R'); }

    /** _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) as torch.save writes it. */
    PickleWriter tensorV2(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        persistent(storageClass, key, numel);
        integer(offset).ints(size).ints(stride).op(0x89).orderedDict();
        return op('t').op('R');
    }

    PickleWriter persistent(String storageClass, String key, long numel) {
        mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).op('t');
        return op('Q');
    }

    byte[] bytes() { return out.toByteArray(); }
}
