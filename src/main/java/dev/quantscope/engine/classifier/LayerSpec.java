package dev.quantscope.engine.classifier;

/**
 * One layer of a classifier, as PyTorch's modules of the same name compute it. Weights are row-major in PyTorch's
 * layouts: Dense weight [out, in], Conv weight [out, in, k, k], biases [out]; BatchNorm has weight (γ), bias (β),
 * running_mean and running_var, per channel (per feature after a Flatten or Dense).
 */
public sealed interface LayerSpec {

    /** A fully connected layer (nn.Linear) with bias. */
    record Dense(int units) implements LayerSpec {
        public Dense {
            if (units < 1) throw new IllegalArgumentException("A dense layer of " + units + " units.");
        }
    }

    /** A 2-D convolution (nn.Conv2d) with bias, stride 1 and "same" zero padding of kernel / 2; the kernel is odd. */
    record Conv(int channels, int kernel) implements LayerSpec {
        public Conv {
            if (channels < 1) throw new IllegalArgumentException("A convolution of " + channels + " channels.");
            if (kernel < 1 || kernel % 2 == 0) throw new IllegalArgumentException("A convolution kernel of " + kernel + " (odd sizes only).");
        }
    }

    /** Max pooling over size × size windows with stride size (nn.MaxPool2d(size)); a partial last row/column is dropped. */
    record MaxPool(int size) implements LayerSpec {
        public MaxPool {
            if (size < 2) throw new IllegalArgumentException("A pooling window of " + size + ".");
        }
    }

    /** Channels × height × width to one feature vector, in that order (nn.Flatten). */
    record Flatten() implements LayerSpec {}

    record Relu() implements LayerSpec {}

    /** GELU with the exact erf form (nn.GELU()). */
    record Gelu() implements LayerSpec {}

    /** Batch normalisation (nn.BatchNorm1d / 2d, ε = 1e-5, momentum 0.1): batch statistics in training, running ones at inference. */
    record BatchNorm() implements LayerSpec {
        /** ε added to the variance, PyTorch's default: every pass (training, inference, scalar) and the ONNX reader use it. */
        public static final double EPSILON = 1e-5;
    }

    /** Dropout (nn.Dropout): zeroes each value with probability {@code rate} in training, identity at inference. */
    record Dropout(double rate) implements LayerSpec {
        public Dropout {
            if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("A dropout rate of " + rate + ".");
        }
    }
}
