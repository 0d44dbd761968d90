package dev.quantscope.train;

import dev.quantscope.engine.classifier.InputShape;

import java.util.SplittableRandom;

/**
 * Random changes to each training image that keep its class: a shift of up to {@code maxShift} pixels on each axis
 * (the edge pixels repeated into the uncovered border, which is the background whatever the input scaling) and, when
 * {@code horizontalFlip}, a mirror image half of the time. A fresh draw per example and epoch, from the run's seed,
 * on one thread in the batch's order, so a seeded run still repeats bit for bit.
 * <p>
 * For distillation it matters twice: the labels-only student sees more varied images, and the teacher, asked about
 * the very image the student sees, answers about images it was not trained on, whose softened logits say more than
 * its near-certain answers on its own training set.
 */
public record Augmentation(int maxShift, boolean horizontalFlip) {
    /** No change: each example as the data set holds it. */
    public static final Augmentation NONE = new Augmentation(0, false);
    /** Shifts of up to two pixels and mirror images: what Fashion-MNIST's classes allow (MNIST's digits do not mirror). */
    public static final Augmentation SHIFT_AND_FLIP = new Augmentation(2, true);

    public Augmentation {
        if (maxShift < 0) throw new IllegalArgumentException("A shift of " + maxShift + " pixels.");
    }

    /**
     * Reads {@code none}, or a comma-separated list of {@code shift:N} and {@code flip}; refuses anything else in one
     * sentence.
     */
    public static Augmentation parse(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("none") || t.isEmpty()) return NONE;
        int shift = 0;
        boolean flip = false;
        for (String part : t.split(",")) {
            String p = part.strip();
            if (p.equals("flip")) {
                flip = true;
            } else if (p.startsWith("shift:")) {
                try {
                    shift = Integer.parseInt(p.substring("shift:".length()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + p + "\" needs a whole number of pixels, as in shift:2.");
                }
                if (shift < 0 || shift > 8) throw new IllegalArgumentException("a shift of " + shift + " pixels: give 0 to 8.");
            } else {
                throw new IllegalArgumentException("\"" + p + "\" is not none, shift:N or flip.");
            }
        }
        return new Augmentation(shift, flip);
    }

    /** As {@link #parse} reads it back. */
    public String spec() {
        if (none()) return "none";
        if (maxShift == 0) return "flip";
        return "shift:" + maxShift + (horizontalFlip ? ",flip" : "");
    }

    public boolean none() {
        return maxShift == 0 && !horizontalFlip;
    }

    /** The draw for one example: a shift of (dx, dy) pixels (the content moves right and down) and a mirror image or not. */
    public record Draw(int dx, int dy, boolean flip) {
        public static final Draw IDENTITY = new Draw(0, 0, false);
    }

    /** The next example's draw from {@code random}. */
    public Draw draw(SplittableRandom random) {
        int span = 2 * maxShift + 1;
        int dx = maxShift == 0 ? 0 : random.nextInt(span) - maxShift;
        int dy = maxShift == 0 ? 0 : random.nextInt(span) - maxShift;
        boolean flip = horizontalFlip && random.nextBoolean();
        return new Draw(dx, dy, flip);
    }

    /**
     * Writes the image at {@code src[srcOff…]} changed by {@code draw} into {@code dst[dstOff…]}: output pixel (y, x) of
     * each channel is input pixel (y − dy, x' − dx), x' = width − 1 − x when mirrored, with coordinates clamped to the
     * image (the edge repeated). Mirroring comes first, then the shift.
     */
    public static void apply(Draw draw, float[] src, int srcOff, InputShape shape, float[] dst, int dstOff) {
        int h = shape.height(), w = shape.width(), plane = h * w;
        for (int c = 0; c < shape.channels(); c++) {
            int in = srcOff + c * plane, out = dstOff + c * plane;
            for (int y = 0; y < h; y++) {
                int sy = clamp(y - draw.dy(), h);
                for (int x = 0; x < w; x++) {
                    int sx = clamp(x - draw.dx(), w);
                    if (draw.flip()) sx = w - 1 - sx;
                    dst[out + y * w + x] = src[in + sy * w + sx];
                }
            }
        }
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : Math.min(v, size - 1);
    }
}
