package dev.quantscope.engine.classifier;

/** The normal distribution's functions that GELU needs (Java has no erf). */
public final class Gaussian {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private Gaussian() {}

    /**
     * erf by Abramowitz and Stegun 7.1.26 refined: the rational approximation of W. J. Cody is longer; this one's
     * absolute error is below 1.2e-7 (Numerical Recipes' erfc with Chebyshev coefficients), under float's resolution.
     */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }

    /** The standard normal CDF Φ(x). */
    public static double cdf(double x) {
        return 0.5 * (1 + erf(x * INV_SQRT2));
    }

    public static double pdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** GELU(x) = x Φ(x), the exact (erf) form of nn.GELU(). */
    public static double gelu(double x) {
        return x * cdf(x);
    }

    /** dGELU/dx = Φ(x) + x φ(x). */
    public static double geluDerivative(double x) {
        return cdf(x) + x * pdf(x);
    }
}
