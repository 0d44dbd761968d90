package dev.quantscope.quant.ggml;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code make_qkx2_quants} with squared errors for the eight groups of 32 of one Q4_K/Q5_K block at once: one
 * vector lane per group. Groups are independent, so each lane runs exactly the float operations of
 * {@link ScaleSearch#makeQkx2Quants} for its group in the same order (every sum still runs over the group's
 * elements one by one); data-dependent steps (a candidate accepted, the minimum moved) become per-lane masks.
 * So the scales, minimums and levels are bit-identical to the scalar search's, eight groups for the price of one.
 *
 * <p>The scalar version skips a candidate whose levels equal its predecessor's; such a candidate has the same
 * fit and error and so can never be accepted, so evaluating it here changes nothing.
 */
final class Qkx2Search {
    static final int GROUPS = 8;
    private static final int N = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final float MAGIC = 12582912f;

    private final int nmax;
    private final float rmin;
    private final float rdelta;
    private final int nstep;
    /** The block's values and weights transposed: element i of group j at [i * 8 + j]. */
    private final float[] xT = new float[N * GROUPS];
    private final float[] wT = new float[N * GROUPS];
    private final float[] laneScale = new float[GROUPS];
    private final float[] laneMin = new float[GROUPS];

    Qkx2Search(int nmax, float rmin, float rdelta, int nstep) {
        if (nstep < 1) throw new IllegalArgumentException("the lane search needs candidates");
        this.nmax = nmax;
        this.rmin = rmin;
        this.rdelta = rdelta;
        this.nstep = nstep;
    }

    /**
     * Fits the 8 groups of 32 at {@code x[xo..xo+256)} with weights {@code weights[0..256)} (same layout): levels
     * (0..nmax) into {@code L[0..256)}, scales into {@code scales[0..8)}, negated minimums into {@code mins[0..8)}.
     */
    void search(float[] x, int xo, float[] weights, byte[] L, float[] scales, float[] mins) {
        for (int j = 0; j < GROUPS; ++j) {
            for (int i = 0; i < N; ++i) {
                xT[i * GROUPS + j] = x[xo + N * j + i];
                wT[i * GROUPS + j] = weights[N * j + i];
            }
        }
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
        VectorMask<Float> flat = max.compare(VectorOperators.EQ, min);
        FloatVector flatMin = min;

        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(max.sub(min));
        FloatVector scale = FloatVector.broadcast(F, 1f).div(iscale);
        FloatVector bestError = FloatVector.zero(F);
        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            FloatVector l = (FloatVector) iscale.mul(xi.sub(min)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
            FloatVector diff = scale.mul(l).add(min).sub(xi);
            bestError = bestError.add(FloatVector.fromArray(F, wT, i * GROUPS).mul(diff.mul(diff)));
        }
        // The levels kept so far are those of (levelIscale, levelMin); they are re-derived once at the end.
        FloatVector levelIscale = iscale, levelMin = min;

        for (int is = 0; is <= nstep; ++is) {
            FloatVector cand = FloatVector.broadcast(F, rmin + rdelta * is + nmax).div(max.sub(min));
            FloatVector sumL = FloatVector.zero(F), sumL2 = FloatVector.zero(F), sumXL = FloatVector.zero(F);
            for (int i = 0; i < N; ++i) {
                FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
                FloatVector w = FloatVector.fromArray(F, wT, i * GROUPS);
                FloatVector l = (FloatVector) cand.mul(xi.sub(min)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
                FloatVector wl = w.mul(l);
                sumL = sumL.add(wl);
                sumL2 = sumL2.add(wl.mul(l));
                sumXL = sumXL.add(wl.mul(xi));
            }
            FloatVector d = sumW.mul(sumL2).sub(sumL.mul(sumL));
            VectorMask<Float> solvable = d.compare(VectorOperators.GT, 0f);
            if (!solvable.anyTrue()) continue;
            FloatVector thisScale = sumW.mul(sumXL).sub(sumX.mul(sumL)).div(d);
            FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXL)).div(d);
            VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
            thisScale = thisScale.blend(sumXL.div(sumL2), positive);
            thisMin = thisMin.blend(0f, positive);
            FloatVector err = FloatVector.zero(F);
            for (int i = 0; i < N; ++i) {
                FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
                FloatVector l = (FloatVector) cand.mul(xi.sub(min)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
                FloatVector diff = thisScale.mul(l).add(thisMin).sub(xi);
                err = err.add(FloatVector.fromArray(F, wT, i * GROUPS).mul(diff.mul(diff)));
            }
            VectorMask<Float> accept = solvable.and(err.compare(VectorOperators.LT, bestError));
            bestError = bestError.blend(err, accept);
            scale = scale.blend(thisScale, accept);
            levelIscale = levelIscale.blend(cand, accept);
            levelMin = levelMin.blend(min, accept);
            min = min.blend(thisMin, accept);
        }

        for (int i = 0; i < N; ++i) {
            FloatVector xi = FloatVector.fromArray(F, xT, i * GROUPS);
            IntVector l = levelIscale.mul(xi.sub(levelMin)).add(MAGIC).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top);
            for (int j = 0; j < GROUPS; ++j) L[N * j + i] = (byte) l.lane(j);
        }
        // a flat group (max == min): all levels 0, scale 0, minimum as found
        scale.blend(0f, flat).intoArray(laneScale, 0);
        min.blend(flatMin, flat).neg().intoArray(laneMin, 0);
        for (int j = 0; j < GROUPS; ++j) {
            scales[j] = laneScale[j];
            mins[j] = laneMin[j];
            if (flat.laneIsSet(j)) for (int i = 0; i < N; ++i) L[N * j + i] = 0;
        }
    }
}
