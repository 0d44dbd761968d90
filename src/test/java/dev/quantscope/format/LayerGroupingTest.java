package dev.quantscope.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerGroupingTest {
    private static void assertKey(String tensor, String layer, int index) {
        assertEquals(new LayerGrouping.LayerKey(layer, index), LayerGrouping.keyOf(tensor), tensor);
    }

    @Test
    void numberedLayersOfCommonNamingSchemes() {
        assertKey("blk.12.attn_q.weight", "blk.12", 12);
        assertKey("model.layers.3.self_attn.q_proj.weight", "model.layers.3", 3);
        assertKey("encoder.layer.5.attention.self.query.weight", "encoder.layer.5", 5);
        assertKey("bert.encoder.layer.0.output.dense.bias", "bert.encoder.layer.0", 0);
        assertKey("transformer.h.7.mlp.c_fc.weight", "transformer.h.7", 7);
        assertKey("layers.2.feed_forward.w1.weight", "layers.2", 2);
        assertKey("model.decoder.layers.1.fc1.weight", "model.decoder.layers.1", 1);
    }

    @Test
    void tensorsOutsideLayersGroupByTheirFirstComponent() {
        assertKey("token_embd.weight", "token_embd", -1);
        assertKey("output_norm.weight", "output_norm", -1);
        assertKey("fc1.weight", "fc1", -1);
        assertKey("model.embed_tokens.weight", "model.embed_tokens", -1);
        assertKey("lm_head.weight", "lm_head", -1);
        assertKey("scalar", "scalar", -1);
        // a number that is not a layer index does not make a layer
        assertKey("conv2d_3.weight", "conv2d_3", -1);
    }
}
