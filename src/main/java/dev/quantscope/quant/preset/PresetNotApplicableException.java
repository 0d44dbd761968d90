package dev.quantscope.quant.preset;

/**
 * llama-quantize refuses this preset for this model: a tensor's rows cannot be cut into blocks of the chosen type
 * and llama.cpp defines no fallback for it (for instance rows of 172 with Q4_0, whose blocks are 32 long).
 */
public final class PresetNotApplicableException extends IllegalArgumentException {
    private final String tensor;

    public PresetNotApplicableException(String tensor, String message) {
        super(tensor + ": " + message);
        this.tensor = tensor;
    }

    public String tensor() { return tensor; }
}
