package dev.quantscope.quant.ggml;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code make_qx_quants} (x²-weighted, {@code rmse_type == 1}) for the sixteen groups of 16 of one Q6_K block at
 * once: one vector lane per group, as {@link Qkx2Search} does for Q4_K/Q5_K. Each lane runs exactly the float
 * operations of {@link ScaleSearch#makeQxQuants} for its group in the same order (every sum still runs over the
 * group's elements one by one); data-dependent steps (the extreme value, a candidate accepted) become per-lane
 * masks. The levels of the winning candidate are re-derived once at the end from its inverse scale, which is what
 * the scalar search stores when it accepts it. So scales and levels are bit-identical to the scalar search's.
 */
final class QxLaneSearch {
    static final int GROUPS = 16;
    private static final int N = 16;
    /** 16 lanes where the hardware has 512-bit vectors, else two passes of 8. */
    static final VectorSpecies<Float> F =
            FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final float MAGIC = 12582912f;

    private final int nmax;
    /** The block's values transposed: element i of group j at [i * 16 + j]. */
    private final float[] xT = new float[N * GROUPS];
    private final int[] laneLevels = new int[GROUPS];
    /** Per-lane state between the phases of a search. */
    private final float[] sAmax = new float[GROUPS], sMax = new float[GROUPS], sScale = new float[GROUPS],
            sBest = new float[GROUPS], sLevelIscale = new float[GROUPS];

    QxLaneSearch(int nmax) {
        this.nmax = nmax;
    }

    /**
     * Fits the 16 groups of 16 at {@code x[xo..xo+256)}: levels offset by nmax into {@code L[0..256)}, scales into
     * {@code scales[0..16)}.
     */
    void search(float[] x, int xo, byte[] L, float[] scales) {
        for (int j = 0; j < GROUPS; ++j) {
            for (int i = 0; i < N; ++i) xT[i * GROUPS + j] = x[xo + N * j + i];
        }
        for (int g0 = 0; g0 < GROUPS; g0 += F.length()) searchLanes(g0, L, scales);
    }

    // Each phase is its own small method with the lanes' state in small arrays between phases, and every level is
    // computed inline as ggml's nearest_int(iscale * x) clamped to [-nmax, nmax-1]: C2 then compiles each phase
    // once, quickly, with every vector operation intrinsic (a vector crossing a call C2 does not inline is boxed
    // and runs the slow fallback; one method holding every loop cost seconds of JIT time).
    private void searchLanes(int g0, byte[] L, float[] scales) {
        start(g0);
        for (int is = -9; is <= 9; ++is) {
            if (is != 0) candidate(g0, -(nmax + 0.1f * is));
        }
        finish(g0, L, scales);
    }

    private void start(int g0) {
        IntVector lo = IntVector.broadcast(I, -nmax);
        IntVector hi = IntVector.broadcast(I, nmax - 1);
        FloatVector amax = FloatVector.zero(F), max = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS + g0);
            FloatVector ax = xi.abs();
            VectorMask<Float> larger = ax.compare(VectorOperators.GT, amax);
            amax = amax.blend(ax, larger);
            max = max.blend(xi, larger);
        }
        FloatVector iscale = FloatVector.broadcast(F, (float) -nmax).div(max);
        FloatVector sumlx = FloatVector.zero(F), suml2 = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS + g0);
            FloatVector l = (FloatVector) iscale.mul(xi).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(lo).min(hi).convert(VectorOperators.I2F, 0);
            FloatVector w = xi.mul(xi);
            sumlx = sumlx.add(w.mul(xi).mul(l));
            suml2 = suml2.add(w.mul(l).mul(l));
        }
        FloatVector scale = sumlx.div(suml2).blend(0f, suml2.compare(VectorOperators.EQ, 0f));
        amax.intoArray(sAmax, 0);
        max.intoArray(sMax, 0);
        scale.intoArray(sScale, 0);
        scale.mul(sumlx).intoArray(sBest, 0);
        iscale.intoArray(sLevelIscale, 0);
    }

    private void candidate(int g0, float numerator) {
        IntVector lo = IntVector.broadcast(I, -nmax);
        IntVector hi = IntVector.broadcast(I, nmax - 1);
        FloatVector cand = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, sMax, 0));
        FloatVector sumlx = FloatVector.zero(F), suml2 = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS + g0);
            FloatVector l = (FloatVector) cand.mul(xi).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(lo).min(hi).convert(VectorOperators.I2F, 0);
            FloatVector w = xi.mul(xi);
            sumlx = sumlx.add(w.mul(xi).mul(l));
            suml2 = suml2.add(w.mul(l).mul(l));
        }
        FloatVector best = FloatVector.fromArray(F, sBest, 0);
        VectorMask<Float> accept = suml2.compare(VectorOperators.GT, 0f)
                .and(sumlx.mul(sumlx).compare(VectorOperators.GT, best.mul(suml2)));
        if (!accept.anyTrue()) return;
        FloatVector thisScale = sumlx.div(suml2);
        FloatVector.fromArray(F, sScale, 0).blend(thisScale, accept).intoArray(sScale, 0);
        best.blend(thisScale.mul(sumlx), accept).intoArray(sBest, 0);
        FloatVector.fromArray(F, sLevelIscale, 0).blend(cand, accept).intoArray(sLevelIscale, 0);
    }

    private void finish(int g0, byte[] L, float[] scales) {
        IntVector lo = IntVector.broadcast(I, -nmax);
        IntVector hi = IntVector.broadcast(I, nmax - 1);
        IntVector offset = IntVector.broadcast(I, nmax);
        FloatVector levelIscale = FloatVector.fromArray(F, sLevelIscale, 0);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS + g0);
            levelIscale.mul(xi).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(lo).min(hi)
                    .add(offset).intoArray(laneLevels, 0);
            for (int j = 0; j < F.length(); ++j) L[N * (g0 + j) + i] = (byte) laneLevels[j];
        }
        for (int j = 0; j < F.length(); ++j) {
            // a flat group (largest magnitude below GROUP_MAX_EPS): all levels 0 (not nmax), scale 0
            if (sAmax[j] < ScaleSearch.GROUP_MAX_EPS) {
                scales[g0 + j] = 0f;
                for (int i = 0; i < N; ++i) L[N * (g0 + j) + i] = 0;
            } else {
                scales[g0 + j] = sScale[j];
            }
        }
    }
}
