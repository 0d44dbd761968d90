package dev.quantscope.stats;

import dev.quantscope.tensor.TensorInfo;

/** A tensor's element type has no decoder (e.g. ONNX strings, complex numbers, repacked ggml layouts). */
public final class NotDecodableException extends UnsupportedOperationException {
    public NotDecodableException(TensorInfo t) {
        super(t.name() + ": " + t.dtype() + " is not decodable");
    }
}
