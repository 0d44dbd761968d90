package dev.quantscope.pipeline.plan;

import dev.quantscope.recipe.*;

import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rule matching, keep rules and size totals on the real stories260K model (5 layers, rows of 64 and 172). */
class PlansTest {
    private static Model stories;

    @BeforeAll
    static void open() throws IOException {
        stories = GgufReader.open(SharedFiles.file("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static QuantScheme s(String id) { return QuantScheme.parse(id); }

    @Test
    void globsMatchWholeNamesAcrossDots() {
        TensorPattern p = TensorPattern.parse("blk.*.ffn_down*");
        assertTrue(p.matches("blk.0.ffn_down.weight"));
        assertTrue(p.matches("blk.17.ffn_down_exps.weight"));
        assertFalse(p.matches("xblk.0.ffn_down.weight"));
        assertFalse(p.matches("blk.0.ffn_up.weight"));
        assertTrue(TensorPattern.parse("blk.?.attn_q.weight").matches("blk.3.attn_q.weight"));
        assertFalse(TensorPattern.parse("blk.?.attn_q.weight").matches("blk.13.attn_q.weight"));
        assertFalse(TensorPattern.parse("blk.0.attn_q.weight").matches("blk_0_attn_q_weight"), "dots are literal");
        // regexes search, as llama-quantize's --tensor-type does; anchors make them whole-name
        assertTrue(TensorPattern.parse("re:attn_(q|k)").matches("blk.1.attn_k.weight"));
        assertFalse(TensorPattern.parse("re:^attn_q").matches("blk.1.attn_q.weight"));
        assertTrue(TensorPattern.exactly("blk.1.attn_q.weight").matches("blk.1.attn_q.weight"));
        assertFalse(TensorPattern.exactly("blk.1.attn_q.weight").matches("blk.11.attn_q.weight"));
    }

    @Test
    void firstMatchingRuleWinsAndVectorsAreKeptByDefault() {
        Recipe r = Recipe.of(s("int4-asym-g32-rtn"),
                Rule.of("blk.0.*", "keep"),                      // before the broader rule: wins for layer 0
                Rule.of("blk.*.ffn_down*", "int8-sym-row-rtn"),
                Rule.of("re:attn_(q|k)\\.weight$", "nf4-b64"),
                Rule.of("blk.*.ffn_down.weight", "ternary-row")); // shadowed by rule 2: never used
        ModelPlan plan = Plans.resolve(r, stories);
        assertEquals(stories.tensors().size(), plan.tensors().size());
        assertEquals(Keep.INSTANCE, plan.tensor("blk.0.ffn_down.weight").orElseThrow().scheme());
        assertEquals("rule 1 (blk.0.*)", plan.tensor("blk.0.attn_q.weight").orElseThrow().decidedBy());
        assertEquals(s("int8-sym-row-rtn"), plan.tensor("blk.3.ffn_down.weight").orElseThrow().scheme());
        assertEquals(s("nf4-b64"), plan.tensor("blk.2.attn_k.weight").orElseThrow().scheme());
        assertEquals(s("int4-asym-g32-rtn"), plan.tensor("blk.2.attn_v.weight").orElseThrow().scheme());
        assertEquals("default", plan.tensor("blk.2.attn_v.weight").orElseThrow().decidedBy());
        TensorPlan norm = plan.tensor("blk.3.attn_norm.weight").orElseThrow();
        assertEquals(Keep.INSTANCE, norm.scheme());
        assertEquals("1-D/norm kept", norm.decidedBy());
        assertTrue(plan.tensors().stream().noneMatch(p -> p.decidedBy().startsWith("rule 4")));
        assertTrue(plan.problems().isEmpty());
    }

    @Test
    void aRuleCanQuantizeNorms() {
        ModelPlan plan = Plans.resolve(Recipe.of(s("keep"), Rule.of("*norm*", "int8-sym-tensor-rtn")), stories);
        TensorPlan norm = plan.tensor("output_norm.weight").orElseThrow();
        assertEquals(s("int8-sym-tensor-rtn"), norm.scheme());
        assertEquals(64 + 2, norm.size().bytes());
    }

    @Test
    void totalsAddUpEveryTensor() {
        ModelPlan plan = Plans.resolve(Recipe.of(s("int4-asym-g32-rtn")), stories);
        long bytes = 0;
        long elements = 0;
        for (TensorInfo t : stories.tensors()) {
            long rows = t.shape().rows();
            long len = t.shape().rowLength();
            boolean vector = t.shape().rank() < 2 || rows == 1;
            long expected = vector ? t.byteSize()                                   // F32 kept
                    : (rows * len) / 2 + rows * Math.ceilDiv(len, 32) * 4;         // nibbles + f16 scale & zero
            assertEquals(expected, plan.tensor(t.name()).orElseThrow().size().bytes(), t.name());
            bytes += expected;
            elements += t.parameters();
        }
        assertEquals(bytes, plan.bytes());
        assertEquals(elements, plan.total().elements());
        assertEquals(stories.tensorBytes(), plan.sourceBytes());
        assertEquals(bytes * 8.0 / elements, plan.bitsPerWeight(), 1e-12);
    }

    @Test
    void blockTypesThatDoNotFitTheRowsAreReportedNotHidden() {
        ModelPlan plan = Plans.resolve(Recipe.of(new GgmlBlock(DType.Q4_K)), stories);
        TensorPlan down = plan.tensor("blk.0.ffn_down.weight").orElseThrow();
        assertTrue(down.problem().orElseThrow().contains("172"), down.problem().toString());
        assertEquals(down.size().bytes(), 172L * 64 * 4, "counted at its source size");
        assertFalse(plan.problems().isEmpty());
    }
}
