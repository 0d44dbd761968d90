package dev.quantscope.engine.classifier;

/**
 * An architecture as JSON, saved in safetensors' {@code __metadata__} under {@link #METADATA_KEY} and in
 * {@code NAME.architecture.json} beside other files:
 * {@code {"input": [1, 28, 28], "classes": 10, "layers": [{"name": "conv1", "type": "conv", "channels": 32, "kernel": 3}, …]}}.
 */
public final class ArchitectureJson {
    public static final String METADATA_KEY = "quantscope.architecture";

    private ArchitectureJson() {}

    public static String write(Architecture architecture) {
        throw new UnsupportedOperationException("API draft");
    }

    /** @throws IllegalArgumentException with one sentence saying what is wrong */
    public static Architecture read(String json) {
        throw new UnsupportedOperationException("API draft");
    }
}
