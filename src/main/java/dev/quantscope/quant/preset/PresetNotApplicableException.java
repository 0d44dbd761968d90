package dev.quantscope.quant.preset;

/**
 * llama-quantize refuses this preset for this model: a tensor's rows cannot be cut into blocks of the chosen type
 * and llama.cpp defines no fallback for it (for instance rows of 172 with Q4_0, whose blocks are 32 long).
 */
public final class PresetNotApplicableException extends IllegalArgumentException {
    private final String tensor;

    /** @param problem what is wrong with the tensor, read after its name: "blk.0.ffn_down.weight cannot be Q8_0: ..." */
    public PresetNotApplicableException(String tensor, String problem) {
        super(tensor + " " + problem);
        this.tensor = tensor;
    }

    public String tensor() { return tensor; }
}
