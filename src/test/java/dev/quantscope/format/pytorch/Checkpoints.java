package dev.quantscope.format.pytorch;

import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds torch.save-shaped archives for tests: archive/data.pkl, archive/data/N, byteorder and version. */
final class Checkpoints {
    private Checkpoints() {}

    static Path write(Path dir, String fileName, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        return write(dir, fileName, pickle, storages, false);
    }

    static Path write(Path dir, String fileName, byte[] pickle, Map<String, byte[]> storages, boolean zip64)
            throws IOException {
        List<TestZip.Member> members = new ArrayList<>();
        members.add(TestZip.Member.stored("archive/data.pkl", pickle));
        members.add(TestZip.Member.stored("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII)));
        storages.forEach((k, v) -> members.add(TestZip.Member.stored("archive/data/" + k, v)));
        members.add(TestZip.Member.stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        return writeZip(dir, fileName, members, zip64);
    }

    static Path writeZip(Path dir, String fileName, List<TestZip.Member> members, boolean zip64) throws IOException {
        Path p = dir.resolve(fileName);
        Files.write(p, TestZip.write(members, zip64));
        return p;
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    static byte[] halves(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putShort(Float.floatToFloat16(f));
        return b.array();
    }

    static Map<String, byte[]> storages(Object... keyThenBytes) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < keyThenBytes.length; i += 2) m.put((String) keyThenBytes[i], (byte[]) keyThenBytes[i + 1]);
        return m;
    }

    /** A one-tensor state_dict {"w": FloatStorage tensor} with the given view of storage "0". */
    static byte[] oneTensor(long numel, long offset, long[] size, long[] stride) {
        return new PickleWriter().proto(2).orderedDict().mark()
                .str("w").tensorV2("FloatStorage", "0", numel, offset, size, stride)
                .op('u').stop().bytes();
    }

    static float[] decode(TensorInfo t) {
        int n = (int) t.parameters();
        float[] out = new float[n];
        Decoders.find(t.dtype()).orElseThrow().decode(t.data(), 0, out, 0, n);
        return out;
    }
}
