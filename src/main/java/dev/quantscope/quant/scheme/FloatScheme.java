package dev.quantscope.quant.scheme;

/** Schemes whose codes are small floating-point or non-uniform values rather than an integer grid. */
public sealed interface FloatScheme extends QuantScheme permits Fp8, Nf4, Fp4, Mxfp4 {
}
