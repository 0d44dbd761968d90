package dev.quantscope.format;

/** The file formats QuantScope reads. */
public enum ModelFormat {
    GGUF("GGUF"), SAFETENSORS("safetensors"), PYTORCH("PyTorch"), ONNX("ONNX");

    private final String displayName;

    ModelFormat(String displayName) { this.displayName = displayName; }

    public String displayName() { return displayName; }
}
