package dev.quantscope.quant.preset;

/**
 * What the per-tensor rules know about one quantizable tensor when llama-quantize reaches it.
 *
 * @param name           tensor name
 * @param category       its role, from the name
 * @param rowLength      ne[0], the contiguous row length that must be a whole number of blocks
 * @param layer          for ffn_down/gate/up: the count of such tensors seen before this one (or, in a mixture of
 *                       experts, the block number parsed from the name); otherwise the block number from the name,
 *                       or -1 outside the blocks
 * @param nLayers        the model's block count
 * @param attnVIndex     for attn_v-like tensors: how many attn_v-like tensors came before this one
 * @param attnVCount     attn_v-like tensors in the whole model
 * @param tiedEmbeddings the model has no output.weight, so token_embd doubles as the output projection
 * @param hparams        model hyper-parameters
 */
public record TensorContext(String name, TensorCategory category, long rowLength, int layer, int nLayers,
                            int attnVIndex, int attnVCount, boolean tiedEmbeddings, ModelHparams hparams) {
}
