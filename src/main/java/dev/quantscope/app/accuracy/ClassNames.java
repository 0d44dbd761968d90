package dev.quantscope.app.accuracy;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What a data set's classes are called on the page: Fashion-MNIST's ten garments when the images are
 * Fashion-MNIST's (the file or its folder says so: IDX files carry no class names), the class numbers otherwise
 * (MNIST's digits are their own names).
 */
public record ClassNames(List<String> names) {
    /** Fashion-MNIST's labels 0–9, as its README lists them. */
    static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public ClassNames {
        names = List.copyOf(names);
    }

    public static ClassNames of(Path images, int classes) {
        boolean fashion = images.toAbsolutePath().normalize().toString().toLowerCase(Locale.ROOT).contains("fashion");
        if (fashion && classes == FASHION_MNIST.size()) return new ClassNames(FASHION_MNIST);
        return new ClassNames(IntStream.range(0, classes).mapToObj(Integer::toString).toList());
    }

    /** The name of class {@code i}; its number when the classifier predicts a class the data set has no name for. */
    public String name(int i) {
        return i >= 0 && i < names.size() ? names.get(i) : Integer.toString(i);
    }

    public int size() {
        return names.size();
    }
}
