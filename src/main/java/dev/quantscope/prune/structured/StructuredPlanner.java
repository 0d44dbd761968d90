package dev.quantscope.prune.structured;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.format.Model;
import dev.quantscope.tensor.TensorInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Decides what a list of cuts keeps of a Llama, scoring every unit, head group and block on the source.
 *
 * <p>Scores, for FFN unit j of a block, whose output is silu(g_j·x)·(u_j·x) times column j of W_down:
 * <ul>
 *   <li>calibrated: ‖W_down[:, j]‖₂ · ‖h_j‖₂, with ‖h_j‖₂² the sum of h_j² over the calibration tokens — how much
 *       the unit actually added to the residual stream;</li>
 *   <li>weight-only: ‖W_down[:, j]‖₂ · ‖W_gate[j, :]‖₂ · ‖W_up[j, :]‖₂, which bounds the unit's output for an input
 *       of unit norm (|silu(z)| ≤ |z|).</li>
 * </ul>
 * For a KV group (a KV head and the query heads that share it), the sum over its query heads h of
 * ‖W_o[:, h]‖_F · ‖a_h‖, a_h being head h's attention output: calibrated, ‖a_h‖ is its norm over the calibration
 * tokens; weight-only, it is ‖W_v[g]‖_F, the norm of the group's value rows, which bounds it (attention averages
 * value vectors). Blocks are ranked by Block Influence only, so dropping blocks needs a calibration.
 */
final class StructuredPlanner {
    private StructuredPlanner() {}

    static StructuredPlan plan(Model model, LlamaConfig c, List<StructuredCut> cuts, Importance importance) {
        if (cuts.isEmpty()) throw new IllegalArgumentException("Choose at least one structure to prune.");
        Set<Class<?>> kinds = new HashSet<>();
        for (StructuredCut cut : cuts) {
            if (!kinds.add(cut.getClass())) throw new IllegalArgumentException("Each kind of cut can be given only once.");
        }
        if (importance instanceof Importance.Calibrated(Calibration cal) && cal.blocks() != c.layers()) {
            throw new IllegalArgumentException("The calibration was measured on " + cal.blocks()
                    + " blocks, but the model has " + c.layers() + ".");
        }
        int groupSize = c.heads() / c.kvHeads();
        int[] blocks = IntStream.range(0, c.layers()).toArray();
        int[][] units = new int[c.layers()][];
        int[][] groups = new int[c.layers()][];
        for (int l = 0; l < c.layers(); l++) {
            units[l] = IntStream.range(0, c.ffnDim()).toArray();
            groups[l] = IntStream.range(0, c.kvHeads()).toArray();
        }
        for (StructuredCut cut : cuts) {
            switch (cut) {
                case StructuredCut.Blocks(int count) -> blocks = keptBlocks(c, count, importance);
                case StructuredCut.FfnUnits(double ratio, int alignment) -> {
                    int kept = Ratios.keptAligned(c.ffnDim(), ratio, alignment, "FFN units");
                    for (int l = 0; l < c.layers(); l++) {
                        WeightSlices.requireColumnCuttable(tensor(model, l, "ffn_down.weight"), " to remove FFN units");
                    }
                    for (int l = 0; l < c.layers(); l++) units[l] = TopScores.keep(ffnScores(model, l, importance), kept);
                }
                case StructuredCut.KvGroups(double ratio) -> {
                    int kept = Ratios.kept(c.kvHeads(), ratio, groupSize == 1 ? "attention heads" : "KV groups");
                    for (int l = 0; l < c.layers(); l++) {
                        WeightSlices.requireColumnCuttable(tensor(model, l, "attn_output.weight"), " to remove heads");
                    }
                    for (int l = 0; l < c.layers(); l++) {
                        groups[l] = TopScores.keep(groupScores(model, c, l, importance), kept);
                    }
                }
            }
        }
        return new StructuredPlan(blocks, units, groups, groupSize, c.headDim());
    }

    private static int[] keptBlocks(LlamaConfig c, int count, Importance importance) {
        if (count >= c.layers()) {
            throw new IllegalArgumentException("Dropping " + count + " of " + c.layers() + " blocks leaves none; at most "
                    + (c.layers() - 1) + " can go.");
        }
        return switch (importance) {
            case Importance.WeightOnly() -> throw new IllegalArgumentException(
                    "Ranking blocks by Block Influence needs a calibration text.");
            case Importance.Calibrated(Calibration cal) -> TopScores.dropLowest(cal.blockInfluence(), count);
        };
    }

    private static double[] ffnScores(Model model, int l, Importance importance) {
        double[] down = UnitNorms.ofColumns(tensor(model, l, "ffn_down.weight"));
        double[] scores = new double[down.length];
        switch (importance) {
            case Importance.WeightOnly() -> {
                double[] gate = UnitNorms.ofRows(tensor(model, l, "ffn_gate.weight"));
                double[] up = UnitNorms.ofRows(tensor(model, l, "ffn_up.weight"));
                for (int j = 0; j < scores.length; j++) scores[j] = down[j] * gate[j] * up[j];
            }
            case Importance.Calibrated(Calibration cal) -> {
                double[] energy = cal.ffnInputEnergy()[l];
                for (int j = 0; j < scores.length; j++) scores[j] = down[j] * Math.sqrt(energy[j]);
            }
        }
        return scores;
    }

    private static double[] groupScores(Model model, LlamaConfig c, int l, Importance importance) {
        int hd = c.headDim(), groupSize = c.heads() / c.kvHeads();
        double[] outputColumns = UnitNorms.ofColumns(tensor(model, l, "attn_output.weight"));
        double[] headInput = switch (importance) {
            case Importance.WeightOnly() -> {
                double[] valueRows = UnitNorms.ofRows(tensor(model, l, "attn_v.weight"));
                double[] perHead = new double[c.heads()];
                for (int h = 0; h < c.heads(); h++) perHead[h] = Math.sqrt(sumOfSquares(valueRows, (h / groupSize) * hd, hd));
                yield perHead;
            }
            case Importance.Calibrated(Calibration cal) -> {
                double[] energy = cal.attnInputEnergy()[l];
                double[] perHead = new double[c.heads()];
                for (int h = 0; h < c.heads(); h++) {
                    double s = 0;
                    for (int d = 0; d < hd; d++) s += energy[h * hd + d];
                    perHead[h] = Math.sqrt(s);
                }
                yield perHead;
            }
        };
        double[] scores = new double[c.kvHeads()];
        for (int h = 0; h < c.heads(); h++) {
            scores[h / groupSize] += Math.sqrt(sumOfSquares(outputColumns, h * hd, hd)) * headInput[h];
        }
        return scores;
    }

    private static double sumOfSquares(double[] norms, int from, int count) {
        double s = 0;
        for (int i = from; i < from + count; i++) s += norms[i] * norms[i];
        return s;
    }

    static TensorInfo tensor(Model model, int block, String suffix) {
        String name = "blk." + block + "." + suffix;
        return model.tensor(name).orElseThrow(() -> new IllegalArgumentException("The model has no tensor " + name + "."));
    }
}
