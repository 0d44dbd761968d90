package dev.quantscope.engine.classifier;

/**
 * The shape of one example between layers, channels × height × width, in PyTorch's NCHW order. A flat vector (after
 * Flatten or Dense) is features × 1 × 1, so batch norm on it normalises each feature as BatchNorm1d does.
 */
public record InputShape(int channels, int height, int width) {

    public InputShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("An input shape of " + channels + "×" + height + "×" + width + ".");
        }
    }

    /** A grey-scale image, as IDX image files hold. */
    public static InputShape image(int height, int width) {
        return new InputShape(1, height, width);
    }

    public static InputShape flat(int features) {
        return new InputShape(features, 1, 1);
    }

    public int features() {
        return Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    public boolean isFlat() {
        return height == 1 && width == 1;
    }

    @Override
    public String toString() {
        return channels + "×" + height + "×" + width;
    }
}
