package dev.quantscope.quant.scheme;

import dev.quantscope.tensor.DType;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the ids that {@link QuantScheme#id()} writes. Each form is one regular expression. */
final class SchemeIds {
    private SchemeIds() {}

    private static final String GRAN = "(tensor|row|g\\d{1,7})";
    private static final Pattern GGML = Pattern.compile("ggml:(\\w+)");
    private static final Pattern CAST = Pattern.compile("cast:(\\w+)");
    private static final Pattern INT = Pattern.compile("int(\\d)-(sym|asym)-" + GRAN + "-(rtn|mse)");
    private static final Pattern TERNARY = Pattern.compile("ternary-" + GRAN);
    private static final Pattern BINARY = Pattern.compile("binary-" + GRAN);
    private static final Pattern FP8 = Pattern.compile("fp8-(e4m3|e5m2)-(tensor|row)");
    private static final Pattern NF4 = Pattern.compile("nf4-b(\\d{1,7})(-dq)?");
    private static final Pattern FP4 = Pattern.compile("fp4-e2m1-b(\\d{1,7})");

    static QuantScheme parse(String id) {
        if (id == null) throw new IllegalArgumentException("missing scheme id");
        try {
            return parseId(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme '" + id + "': " + e.getMessage(), e);
        }
    }

    private static QuantScheme parseId(String id) {
        if (id.equals("keep")) return Keep.INSTANCE;
        if (id.equals("mxfp4")) return new Mxfp4();
        Matcher m;
        if ((m = GGML.matcher(id)).matches()) {
            String name = m.group(1);
            DType t = DType.ofName(name).filter(d -> d.name().equals(name))
                    .orElseThrow(() -> new IllegalArgumentException("unknown ggml type " + name));
            return new GgmlBlock(t);
        }
        if ((m = CAST.matcher(id)).matches()) {
            String name = m.group(1);
            return new Cast(DType.ofName(name).filter(d -> d.name().equals(name))
                    .orElseThrow(() -> new IllegalArgumentException("unknown type " + name)));
        }
        if ((m = INT.matcher(id)).matches()) {
            return new IntegerScheme(Integer.parseInt(m.group(1)), m.group(2).equals("sym"), granularity(m.group(3)),
                    m.group(4).equals("rtn") ? Rounding.NEAREST : Rounding.MSE_CLIP);
        }
        if ((m = TERNARY.matcher(id)).matches()) return new Ternary(granularity(m.group(1)));
        if ((m = BINARY.matcher(id)).matches()) return new Binary(granularity(m.group(1)));
        if ((m = FP8.matcher(id)).matches()) {
            return new Fp8(m.group(1).equals("e4m3") ? Fp8.Format.E4M3 : Fp8.Format.E5M2, granularity(m.group(2)));
        }
        if ((m = NF4.matcher(id)).matches()) return new Nf4(Integer.parseInt(m.group(1)), m.group(2) != null);
        if ((m = FP4.matcher(id)).matches()) return new Fp4(Integer.parseInt(m.group(1)));
        throw new IllegalArgumentException("unknown scheme (expected e.g. ggml:Q4_K, int4-asym-g128-rtn, "
                + "ternary-row, binary-g64, fp8-e4m3-row, nf4-b64-dq, fp4-e2m1-b32, mxfp4, cast:F16, keep)");
    }

    private static Granularity granularity(String s) {
        return switch (s) {
            case "tensor" -> Granularity.TENSOR;
            case "row" -> Granularity.CHANNEL;
            default -> Granularity.group(Integer.parseInt(s.substring(1)));
        };
    }
}
