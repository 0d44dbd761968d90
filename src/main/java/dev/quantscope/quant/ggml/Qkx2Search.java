package dev.quantscope.quant.ggml;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code make_qkx2_quants} with squared errors for the groups of 32 of one or two Q4_K/Q5_K blocks at once
 * ({@link #GROUPS}): one vector lane per group. Groups are independent, so each lane runs exactly the float operations of
 * {@link ScaleSearch#makeQkx2Quants} for its group in the same order (every sum still runs over the group's
 * elements one by one); data-dependent steps (a candidate accepted, the minimum moved) become per-lane masks.
 * So the scales, minimums and levels are bit-identical to the scalar search's, a lane's worth of groups for the price of one.
 *
 * <p>The scalar version skips a candidate whose levels equal its predecessor's; such a candidate has the same
 * fit and error and so can never be accepted, so evaluating it here changes nothing.
 */
final class Qkx2Search {
    /** Groups searched at once: one per lane, 16 (two blocks) where the hardware has 512-bit vectors, else 8. */
    static final int GROUPS = QxLaneSearch.F.length();
    private static final int N = 32;
    private static final VectorSpecies<Float> F = QxLaneSearch.F;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final float MAGIC = 12582912f;

    private final int nmax;
    private final float rmin;
    private final float rdelta;
    private final int nstep;
    /** The block's values and weights transposed: element i of group j at [i * 8 + j]. */
    private final float[] xT = new float[N * GROUPS];
    private final float[] wT = new float[N * GROUPS];
    /** A candidate's levels, as floats, in the same layout. */
    private final float[] lT = new float[N * GROUPS];
    /** Per-lane state between the phases of a search. */
    private final float[] sMin = new float[GROUPS], sFlatMin = new float[GROUPS], sMax = new float[GROUPS],
            sSumW = new float[GROUPS], sSumX = new float[GROUPS], sScale = new float[GROUPS],
            sBestError = new float[GROUPS], sLevelIscale = new float[GROUPS], sLevelMin = new float[GROUPS];
    private final int[] laneLevels = new int[GROUPS];

    Qkx2Search(int nmax, float rmin, float rdelta, int nstep) {
        if (nstep < 1) throw new IllegalArgumentException("the lane search needs candidates");
        this.nmax = nmax;
        this.rmin = rmin;
        this.rdelta = rdelta;
        this.nstep = nstep;
    }

    /**
     * Fits the {@code groups} (at most {@link #GROUPS}) groups of 32 at {@code x[xo..xo+32*groups)} with weights
     * {@code weights[0..32*groups)} (same layout): levels (0..nmax) into {@code L[0..32*groups)}, scales into
     * {@code scales[0..groups)}, negated minimums into {@code mins[0..groups)}. Unused lanes search a group of
     * zeros and are dropped.
     */
    void search(float[] x, int xo, int groups, float[] weights, byte[] L, float[] scales, float[] mins) {
        if (groups < 1 || groups > GROUPS) throw new IllegalArgumentException(groups + " groups");
        for (int j = 0; j < GROUPS; ++j) {
            for (int i = 0; i < N; ++i) {
                boolean real = j < groups;
                xT[i * GROUPS + j] = real ? x[xo + N * j + i] : 0f;
                wT[i * GROUPS + j] = real ? weights[N * j + i] : 1f;
            }
        }
        // Each phase is its own small method with the lanes' state in small arrays between phases: one method
        // holding every loop grew past what C2 inlines, and vector operations left as calls run the slow
        // (boxed) fallback.
        start();
        for (int is = 0; is <= nstep; ++is) candidate(rmin + rdelta * is + nmax);
        finish(groups, L, scales, mins);
    }

    private void start() {
        IntVector zero = IntVector.zero(I);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector x0 = FloatVector.fromArray(F, xT, 0);
        FloatVector min = x0, max = x0;
        FloatVector sumW = FloatVector.fromArray(F, wT, 0);
        FloatVector sumX = sumW.mul(x0);
        for (int i = 1; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            FloatVector w = FloatVector.fromArray(F, wT, i * GROUPS);
            min = min.blend(xi, xi.compare(VectorOperators.LT, min));
            max = max.blend(xi, xi.compare(VectorOperators.GT, max));
            sumW = sumW.add(w);
            sumX = sumX.add(w.mul(xi));
        }
        min = min.blend(0f, min.compare(VectorOperators.GT, 0f));

        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(max.sub(min));
        FloatVector scale = FloatVector.broadcast(F, 1f).div(iscale);
        FloatVector bestError = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            FloatVector l = (FloatVector) iscale.mul(xi.sub(min)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
            FloatVector diff = scale.mul(l).add(min).sub(xi);
            bestError = bestError.add(FloatVector.fromArray(F, wT, i * GROUPS).mul(diff.mul(diff)));
        }
        min.intoArray(sMin, 0);
        min.intoArray(sFlatMin, 0);
        max.intoArray(sMax, 0);
        sumW.intoArray(sSumW, 0);
        sumX.intoArray(sSumX, 0);
        scale.intoArray(sScale, 0);
        bestError.intoArray(sBestError, 0);
        // The levels kept so far are those of (levelIscale, levelMin); they are re-derived once at the end.
        iscale.intoArray(sLevelIscale, 0);
        min.intoArray(sLevelMin, 0);
    }

    private void candidate(float numerator) {
        IntVector zero = IntVector.zero(I);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector min = FloatVector.fromArray(F, sMin, 0);
        FloatVector cand = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, sMax, 0).sub(min));
        FloatVector sumL = FloatVector.zero(F), sumL2 = FloatVector.zero(F), sumXL = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            FloatVector w = FloatVector.fromArray(F, wT, i * GROUPS);
            FloatVector l = (FloatVector) cand.mul(xi.sub(min)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
            l.intoArray(lT, i * GROUPS); // the error pass below needs the same levels
            FloatVector wl = w.mul(l);
            sumL = sumL.add(wl);
            sumL2 = sumL2.add(wl.mul(l));
            sumXL = sumXL.add(wl.mul(xi));
        }
        FloatVector sumW = FloatVector.fromArray(F, sSumW, 0);
        FloatVector sumX = FloatVector.fromArray(F, sSumX, 0);
        FloatVector d = sumW.mul(sumL2).sub(sumL.mul(sumL));
        VectorMask<Float> solvable = d.compare(VectorOperators.GT, 0f);
        if (!solvable.anyTrue()) return;
        FloatVector thisScale = sumW.mul(sumXL).sub(sumX.mul(sumL)).div(d);
        FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXL)).div(d);
        VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
        thisScale = thisScale.blend(sumXL.div(sumL2), positive);
        thisMin = thisMin.blend(0f, positive);
        FloatVector err = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            FloatVector l = FloatVector.fromArray(F, lT, i * GROUPS);
            FloatVector diff = thisScale.mul(l).add(thisMin).sub(xi);
            err = err.add(FloatVector.fromArray(F, wT, i * GROUPS).mul(diff.mul(diff)));
        }
        FloatVector bestError = FloatVector.fromArray(F, sBestError, 0);
        VectorMask<Float> accept = solvable.and(err.compare(VectorOperators.LT, bestError));
        if (!accept.anyTrue()) return;
        bestError.blend(err, accept).intoArray(sBestError, 0);
        FloatVector.fromArray(F, sScale, 0).blend(thisScale, accept).intoArray(sScale, 0);
        FloatVector.fromArray(F, sLevelIscale, 0).blend(cand, accept).intoArray(sLevelIscale, 0);
        FloatVector.fromArray(F, sLevelMin, 0).blend(min, accept).intoArray(sLevelMin, 0);
        min.blend(thisMin, accept).intoArray(sMin, 0);
    }

    private void finish(int groups, byte[] L, float[] scales, float[] mins) {
        IntVector zero = IntVector.zero(I);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector levelIscale = FloatVector.fromArray(F, sLevelIscale, 0);
        FloatVector levelMin = FloatVector.fromArray(F, sLevelMin, 0);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            levelIscale.mul(xi.sub(levelMin)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000)
                    .max(zero).min(top).intoArray(laneLevels, 0);
            for (int j = 0; j < groups; ++j) L[N * j + i] = (byte) laneLevels[j];
        }
        for (int j = 0; j < groups; ++j) {
            // a flat group (max == min): all levels 0, scale 0, minimum as found
            if (sMax[j] == sFlatMin[j]) {
                scales[j] = 0f;
                mins[j] = -sFlatMin[j];
                for (int i = 0; i < N; ++i) L[N * j + i] = 0;
            } else {
                scales[j] = sScale[j];
                mins[j] = -sMin[j];
            }
        }
    }
}
