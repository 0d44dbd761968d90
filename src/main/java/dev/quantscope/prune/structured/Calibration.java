package dev.quantscope.prune.structured;

/**
 * What running a calibration text through a Llama showed, per block: how much each FFN unit and each attention
 * output dimension carried, and how much each block changed the residual stream.
 *
 * @param tokens          tokens the figures are summed over
 * @param ffnInputEnergy  per block, per FFN unit j: the sum over tokens of h_j², h being ffn_down's input
 * @param attnInputEnergy per block, per attention output dimension (query head × head dimension): the sum over
 *                        tokens of its square, the input of attn_output
 * @param blockInfluence  per block l, ShortGPT's Block Influence: 1 − the mean over tokens of cos(x_l, x_{l+1}),
 *                        x_l being the hidden state entering block l; low means the block changes little
 */
public record Calibration(long tokens, double[][] ffnInputEnergy, double[][] attnInputEnergy, double[] blockInfluence) {

    public Calibration {
        if (tokens < 1) throw new IllegalArgumentException("A calibration needs at least one token.");
        if (ffnInputEnergy.length != blockInfluence.length || attnInputEnergy.length != blockInfluence.length) {
            throw new IllegalArgumentException("calibration figures for different block counts");
        }
    }

    public int blocks() { return blockInfluence.length; }
}
