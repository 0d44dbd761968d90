package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.eval.prune.SensitivityPoint;
import dev.quantscope.eval.prune.SensitivityResult;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** {@code sweep --sensitivity}'s output: one row per tensor or block as it finishes, then the ones to spare. */
final class SensitivityTable {
    /** How many of the costliest units the footer names. */
    static final int TO_SPARE = 5;

    private static final String ROW = "%-28s %10s %10s %10s %7s %9s%n";

    private final PrintWriter out;

    SensitivityTable(PrintWriter out) { this.out = out; }

    void header() {
        out.printf(Locale.ROOT, ROW, "unit", "weights", "KLD mean", "KLD p99", "top-1", "PPL");
    }

    void row(SensitivityPoint p) {
        switch (p) {
            case SensitivityPoint.Measured m -> out.printf(Locale.ROOT, ROW, m.name(), Long.toString(m.weights()),
                    String.format(Locale.ROOT, "%.6f", m.accuracy().kldMean()),
                    String.format(Locale.ROOT, "%.4f", m.accuracy().kldP99()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * m.accuracy().sameTopP()),
                    String.format(Locale.ROOT, "%.4f", m.accuracy().ppl()));
            case SensitivityPoint.Skipped s -> out.printf(Locale.ROOT, "%-28s skipped: %s%n", s.name(), s.reason());
        }
        out.flush();
    }

    void footer(SensitivityResult r) {
        out.println();
        out.println("Most sensitive (spare these): " + String.join(", ",
                r.mostSensitive(TO_SPARE).stream().map(SensitivityPoint::name).toList()));
    }

    static String json(Path model, SensitivityResult r) throws Exception {
        ObjectNode doc = CliJson.object();
        doc.put("model", model.toString());
        doc.put("method", r.sparsity().method().id());
        doc.put("pattern", r.sparsity().pattern().label());
        doc.put("sparsity", r.sparsity().pattern().sparsity());
        doc.put("unit", r.unit().id());
        ArrayNode points = doc.putArray("points");
        for (SensitivityPoint p : r.points()) {
            ObjectNode o = points.addObject();
            o.put("name", p.name());
            switch (p) {
                case SensitivityPoint.Measured m -> {
                    o.put("status", "measured");
                    ArrayNode tensors = o.putArray("tensors");
                    m.tensors().forEach(tensors::add);
                    o.put("weights", m.weights());
                    o.put("kld_mean", m.accuracy().kldMean());
                    o.put("kld_p99", m.accuracy().kldP99());
                    o.put("same_top_p", m.accuracy().sameTopP());
                    o.put("ppl", m.accuracy().ppl());
                    o.put("ppl_base", m.accuracy().pplBase());
                }
                case SensitivityPoint.Skipped s -> {
                    o.put("status", "skipped");
                    o.put("reason", s.reason());
                }
            }
        }
        ArrayNode spare = doc.putArray("most_sensitive");
        r.mostSensitive(TO_SPARE).forEach(m -> spare.add(m.name()));
        return CliJson.pretty(doc);
    }
}
