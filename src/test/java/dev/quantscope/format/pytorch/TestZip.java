package dev.quantscope.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes zip archives by hand: stored or deflated members, optionally with every ZIP64 structure. */
final class TestZip {
    private TestZip() {}

    record Member(String name, byte[] data, boolean deflate) {
        static Member stored(String name, byte[] data) { return new Member(name, data, false); }
        static Member deflated(String name, byte[] data) { return new Member(name, data, true); }
    }

    static byte[] write(List<Member> members, boolean zip64) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Member m : members) {
            byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
            byte[] body = m.deflate() ? deflate(m.data()) : m.data();
            CRC32 crc = new CRC32();
            crc.update(m.data());
            long offset = out.size();
            int method = m.deflate() ? 8 : 0;

            u32(out, 0x04034b50);
            u16(out, zip64 ? 45 : 20);
            u16(out, 0);
            u16(out, method);
            u32(out, 0);
            u32(out, crc.getValue());
            u32(out, zip64 ? 0xFFFFFFFFL : body.length);
            u32(out, zip64 ? 0xFFFFFFFFL : m.data().length);
            u16(out, name.length);
            u16(out, zip64 ? 20 : 0);
            out.writeBytes(name);
            if (zip64) {
                u16(out, 1);
                u16(out, 16);
                u64(out, m.data().length);
                u64(out, body.length);
            }
            out.writeBytes(body);

            u32(central, 0x02014b50);
            u16(central, zip64 ? 45 : 20);
            u16(central, zip64 ? 45 : 20);
            u16(central, 0);
            u16(central, method);
            u32(central, 0);
            u32(central, crc.getValue());
            u32(central, zip64 ? 0xFFFFFFFFL : body.length);
            u32(central, zip64 ? 0xFFFFFFFFL : m.data().length);
            u16(central, name.length);
            u16(central, zip64 ? 28 : 0);
            u16(central, 0);
            u16(central, 0);
            u16(central, 0);
            u32(central, 0);
            u32(central, zip64 ? 0xFFFFFFFFL : offset);
            central.writeBytes(name);
            if (zip64) {
                u16(central, 1);
                u16(central, 24);
                u64(central, m.data().length);
                u64(central, body.length);
                u64(central, offset);
            }
        }
        long cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        long cdSize = central.size();
        if (zip64) {
            long z64 = out.size();
            u32(out, 0x06064b50);
            u64(out, 44);
            u16(out, 45);
            u16(out, 45);
            u32(out, 0);
            u32(out, 0);
            u64(out, members.size());
            u64(out, members.size());
            u64(out, cdSize);
            u64(out, cdOffset);
            u32(out, 0x07064b50);
            u32(out, 0);
            u64(out, z64);
            u32(out, 1);
        }
        u32(out, 0x06054b50);
        u16(out, 0);
        u16(out, 0);
        u16(out, zip64 ? 0xFFFF : members.size());
        u16(out, zip64 ? 0xFFFF : members.size());
        u32(out, zip64 ? 0xFFFFFFFFL : cdSize);
        u32(out, zip64 ? 0xFFFFFFFFL : cdOffset);
        u16(out, 0);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream o, int v) {
        o.write(v);
        o.write(v >>> 8);
    }

    private static void u32(ByteArrayOutputStream o, long v) {
        for (int i = 0; i < 4; i++) o.write((int) (v >>> (8 * i)));
    }

    private static void u64(ByteArrayOutputStream o, long v) {
        for (int i = 0; i < 8; i++) o.write((int) (v >>> (8 * i)));
    }
}
