package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemeIdsTest {

    static List<QuantScheme> sampleSchemes() {
        List<QuantScheme> all = new ArrayList<>();
        for (DType t : GgmlQuantizer.supportedTypes()) all.add(new GgmlBlock(t));
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean sym : new boolean[] {true, false}) {
                for (Granularity g : List.of(Granularity.TENSOR, Granularity.CHANNEL, Granularity.group(64))) {
                    for (Rounding r : Rounding.values()) all.add(new IntegerScheme(bits, sym, g, r));
                }
            }
        }
        all.add(new Ternary(Granularity.CHANNEL));
        all.add(new Ternary(Granularity.group(128)));
        all.add(new Binary(Granularity.TENSOR));
        for (Fp8.Format f : Fp8.Format.values()) {
            all.add(new Fp8(f, Granularity.TENSOR));
            all.add(new Fp8(f, Granularity.CHANNEL));
        }
        all.add(Nf4.standard(false));
        all.add(Nf4.standard(true));
        all.add(new Nf4(128, true));
        all.add(new Fp4(16));
        all.add(new Mxfp4());
        for (DType t : List.of(DType.F32, DType.F16, DType.BF16)) all.add(new Cast(t));
        all.add(Keep.INSTANCE);
        return all;
    }

    @Test
    void everyIdParsesBackToItsScheme() {
        Set<String> ids = new HashSet<>();
        for (QuantScheme s : sampleSchemes()) {
            assertEquals(s, QuantScheme.parse(s.id()), s.id());
            assertTrue(ids.add(s.id()), "ids are unique: " + s.id());
            assertFalse(s.label().isBlank());
        }
    }

    @Test
    void examples() {
        assertEquals(new IntegerScheme(4, false, Granularity.group(128), Rounding.NEAREST),
                QuantScheme.parse("int4-asym-g128-rtn"));
        assertEquals("INT4 asym g128 RTN", QuantScheme.parse("int4-asym-g128-rtn").label());
        assertEquals(new GgmlBlock(DType.Q4_K), QuantScheme.parse("ggml:Q4_K"));
        assertEquals(new Nf4(64, true), QuantScheme.parse("nf4-b64-dq"));
    }

    @Test
    void badIdsAreRejectedWithTheReason() {
        for (String bad : List.of("", "int9-sym-row-rtn", "int1-sym-row-rtn", "int4-sym-g1-rtn", "int4-sym-row",
                "ggml:Q4_K_M", "ggml:q4_k", "ggml:IQ2_XXS", "fp8-e4m3-g32", "nf4-b1", "Keep", "ternary", "cast:Q4_0", "cast:f16")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantScheme.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
