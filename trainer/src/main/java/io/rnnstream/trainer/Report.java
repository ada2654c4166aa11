package io.rnnstream.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.model.Model;
import io.rnnstream.model.TrainingInfo;
import io.rnnstream.trainer.nn.LayerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --report DIR} folder: {@code metrics.json} (test accuracy, per-class precision and
 * recall, confusion matrix, training curves, accuracy by timesteps seen, seconds per epoch), four
 * PNG plots and an {@code index.html} that shows them.
 */
public final class Report {
    private Report() {}

    public static void write(Path dir, TrainRun.Options o, TrainRun.Outcome out) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        Map<String, Object> metrics = metrics(o, out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("metrics.json").toFile(), metrics);
        List<EpochStats> h = out.result().history();
        double[] epochs = new double[h.size()];
        double[] loss = new double[h.size()];
        double[] valLoss = new double[h.size()];
        double[] acc = new double[h.size()];
        double[] valAcc = new double[h.size()];
        for (int i = 0; i < h.size(); i++) {
            epochs[i] = h.get(i).epoch();
            loss[i] = h.get(i).loss();
            valLoss[i] = h.get(i).valLoss();
            acc[i] = h.get(i).accuracy();
            valAcc[i] = h.get(i).valAccuracy();
        }
        boolean val = !h.isEmpty() && h.get(0).hasValidation();
        List<Plot.Series> ls = new ArrayList<>(List.of(new Plot.Series("training", epochs, loss)));
        List<Plot.Series> as = new ArrayList<>(List.of(new Plot.Series("training", epochs, acc)));
        if (val) {
            ls.add(new Plot.Series("validation", epochs, valLoss));
            as.add(new Plot.Series("validation", epochs, valAcc));
        }
        Plot.lines("Cross-entropy loss per epoch").xAxis("epoch").yAxis("loss").yFrom(0).series(ls)
                .writeTo(dir.resolve("loss.png"));
        Plot.lines("Accuracy per epoch").xAxis("epoch").yAxis("accuracy").yTo(1).series(as)
                .writeTo(dir.resolve("accuracy.png"));
        double[] at = out.test().accuracyAtStep();
        double[] steps = new double[at.length];
        for (int t = 0; t < at.length; t++) {
            steps[t] = t + 1;
        }
        Plot.lines("Test accuracy when classifying after t timesteps").xAxis("timesteps seen (t)").yAxis("accuracy")
                .yFrom(0).yTo(1).series(List.of(new Plot.Series("test", steps, at)))
                .writeTo(dir.resolve("accuracy-by-steps.png"));
        Plot.confusion(dir.resolve("confusion.png"), "Confusion matrix (test)", out.test().confusion(),
                out.test().classNames());
        decisionPlots(dir, out);
        Files.writeString(dir.resolve("index.html"), html(o, out), StandardCharsets.UTF_8);
    }

    /** What a person judging early decisions looks at: the trade-off, and whether confidence can be believed. */
    private static void decisionPlots(Path dir, TrainRun.Outcome out) throws IOException {
        Evaluation test = out.test();
        Trainer.CalibrationResult cal = out.result().calibration();
        List<Plot.Series> trade = new ArrayList<>(List.of(tradeOff("test", test)));
        if (cal != null) {
            trade.add(tradeOff("validation", cal.after()));
        }
        Plot.lines("Early decisions: precision vs mean decision step (one point per threshold)")
                .xAxis("mean decision step (undecided: at the last step)").yAxis("precision of first decisions")
                .yTo(1).series(trade).writeTo(dir.resolve("decisions.png"));
        List<Plot.Series> rel = new ArrayList<>(List.of(new Plot.Series("perfectly calibrated",
                new double[] {0, 1}, new double[] {0, 1})));
        if (cal != null && cal.before() != cal.after()) {
            rel.add(reliability("validation, as trained", cal.before()));
            rel.add(reliability("validation, calibrated", cal.after()));
        }
        rel.add(reliability("test", test));
        Plot.lines("Reliability (every step pooled): accuracy vs confidence").xAxis("confidence (top probability)")
                .yAxis("accuracy").yFrom(0).yTo(1).series(rel).writeTo(dir.resolve("reliability.png"));
        double[] at = test.eceAtStep();
        double[] steps = new double[at.length];
        for (int t = 0; t < at.length; t++) {
            steps[t] = t + 1;
        }
        List<Plot.Series> ece = new ArrayList<>(List.of(new Plot.Series("test", steps, at)));
        if (cal != null && cal.before() != cal.after()) {
            ece.add(new Plot.Series("validation, as trained", steps(cal.before()), cal.before().eceAtStep()));
            ece.add(new Plot.Series("validation, calibrated", steps(cal.after()), cal.after().eceAtStep()));
        }
        Plot.lines("Expected calibration error at each step").xAxis("step (t)").yAxis("expected calibration error")
                .yFrom(0).series(ece).writeTo(dir.resolve("ece-by-step.png"));
    }

    private static double[] steps(Evaluation e) {
        double[] s = new double[e.eceAtStep().length];
        for (int t = 0; t < s.length; t++) {
            s[t] = t + 1;
        }
        return s;
    }

    private static Plot.Series tradeOff(String name, Evaluation e) {
        double[] x = new double[e.decisions().size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = e.decisions().get(i).meanDecisionStep();
            y[i] = e.decisions().get(i).precision();
        }
        return new Plot.Series(name, x, y);
    }

    private static Plot.Series reliability(String name, Evaluation e) {
        Evaluation.Reliability r = e.reliability();
        return new Plot.Series(name, r.confidence(), r.accuracy());
    }

    private static List<Map<String, Object>> decisionRows(Evaluation e) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TrainingInfo.DecisionPoint d : e.decisions()) {
            rows.add(d.asJson());
        }
        return rows;
    }

    private static List<Object> nums(double[] v) {
        List<Object> out = new ArrayList<>();
        for (double x : v) {
            out.add(num(x));
        }
        return out;
    }

    static Map<String, Object> metrics(TrainRun.Options o, TrainRun.Outcome out) {
        TrainResult r = out.result();
        Evaluation e = out.test();
        Model m = r.model();
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", m.info().name());
        model.put("layers", m.describe());
        model.put("trainable_params", m.trainableParamCount());
        model.put("class_names", m.info().classNames());
        root.put("model", model);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data", o.data());
        data.put("train_sequences", r.trainSize());
        data.put("validation_sequences", r.validationSize());
        data.put("test_sequences", e.size());
        root.put("data", data);
        TrainConfig c = o.config();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("layers", LayerSpec.format(c.layers()));
        cfg.put("epochs", c.epochs());
        cfg.put("batch", c.batchSize());
        cfg.put("optimizer", c.optimizer());
        cfg.put("learning_rate", c.effectiveLearningRate());
        cfg.put("clip_norm", c.clipNorm());
        cfg.put("seed", c.seed());
        cfg.put("validation_split", c.validationSplit());
        cfg.put("patience", c.patience());
        cfg.put("loss", c.loss().label());
        cfg.put("step_weights", c.loss().stepWeights());
        cfg.put("calibrate", c.calibrate());
        cfg.put("limit", o.limit());
        root.put("config", cfg);
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("accuracy", e.accuracy());
        test.put("loss", num(e.loss()));
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (int k = 0; k < e.classNames().size(); k++) {
            Map<String, Object> pc = new LinkedHashMap<>();
            pc.put("class", e.classNames().get(k));
            pc.put("precision", num(e.precision()[k]));
            pc.put("recall", num(e.recall()[k]));
            int support = 0;
            for (int v : e.confusion()[k]) {
                support += v;
            }
            pc.put("support", support);
            perClass.add(pc);
        }
        test.put("per_class", perClass);
        test.put("confusion_matrix", e.confusion());
        test.put("confusion_matrix_axes", "rows: true class, columns: predicted class, in class_names order");
        List<Map<String, Object>> byStep = new ArrayList<>();
        for (int t = 0; t < e.accuracyAtStep().length; t++) {
            byStep.add(Map.of("timesteps", t + 1, "accuracy", e.accuracyAtStep()[t]));
        }
        test.put("accuracy_by_timesteps", byStep);
        test.put("decisions", decisionRows(e));
        test.put("decisions_rule", "a sequence's decision is its first step whose top probability reaches the"
                + " threshold, as the stream's decision flag; mean_decision_step is 1-based, an undecided sequence"
                + " counted at its last step");
        test.put("ece", num(e.ece()));
        test.put("ece_by_step", nums(e.eceAtStep()));
        test.put("evaluated_by", "io.rnnstream.model.StepKernel (identical to predict)");
        test.put("eval_seconds", out.evalSeconds());
        root.put("test", test);
        Trainer.CalibrationResult cal = r.calibration();
        if (cal != null) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("sequences", r.validationSize());
            v.put("temperature", num(cal.temperature()));
            v.put("ece_before", num(cal.before().ece()));
            v.put("ece_after", num(cal.after().ece()));
            v.put("ece_by_step_before", nums(cal.before().eceAtStep()));
            v.put("ece_by_step_after", nums(cal.after().eceAtStep()));
            v.put("decisions", decisionRows(cal.after()));
            root.put("validation", v);
        }
        Map<String, Object> training = new LinkedHashMap<>();
        List<Map<String, Object>> curve = new ArrayList<>();
        for (EpochStats s : r.history()) {
            Map<String, Object> ep = new LinkedHashMap<>();
            ep.put("epoch", s.epoch());
            ep.put("loss", s.loss());
            ep.put("accuracy", s.accuracy());
            ep.put("val_loss", num(s.valLoss()));
            ep.put("val_accuracy", num(s.valAccuracy()));
            ep.put("seconds", s.seconds());
            ep.put("examples_per_second", s.examplesPerSecond());
            curve.add(ep);
        }
        training.put("epochs", curve);
        training.put("best_epoch", r.bestEpoch());
        training.put("stopped_early", r.stoppedEarly());
        training.put("seconds_per_epoch", r.meanSecondsPerEpoch());
        root.put("training", training);
        return root;
    }

    private static Object num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static String html(TrainRun.Options o, TrainRun.Outcome out) {
        Evaluation e = out.test();
        TrainResult r = out.result();
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rnnstream training report: ")
                .append(esc(r.model().info().name())).append("</title>\n<style>body{font-family:sans-serif;margin:2em;"
                        + "max-width:1400px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
                        + "text-align:right}th{background:#f3f3f3}img{margin:6px;border:1px solid #eee}</style></head>"
                        + "<body>\n");
        s.append("<h1>Training report: ").append(esc(r.model().info().name())).append("</h1>\n");
        s.append("<p>").append(esc(r.model().describe())).append(", ").append(r.model().trainableParamCount())
                .append(" trainable parameters. Data <code>").append(esc(o.data())).append("</code>: ")
                .append(r.trainSize()).append(" training, ").append(r.validationSize()).append(" validation, ")
                .append(e.size()).append(" test sequences.</p>\n");
        TrainConfig c = o.config();
        s.append(String.format(Locale.ROOT, "<p>%s, learning rate %s, batch %d, clip-norm %s, seed %d; %d epochs run"
                + " (best %d%s), %.2f s per epoch.</p>%n", c.optimizer(), c.effectiveLearningRate(), c.batchSize(),
                c.clipNorm(), c.seed(), r.history().size(), r.bestEpoch(), r.stoppedEarly() ? ", stopped early" : "",
                r.meanSecondsPerEpoch()));
        s.append(String.format(Locale.ROOT, "<h2>Test accuracy %.2f %%</h2>%n", 100 * e.accuracy()));
        s.append("<p>Computed by the model core's step kernel, the same code as <code>predict</code> and the"
                + " stream.</p>\n");
        s.append("<img src=\"loss.png\" alt=\"loss per epoch\"><img src=\"accuracy.png\" alt=\"accuracy per epoch\">"
                + "\n<img src=\"accuracy-by-steps.png\" alt=\"accuracy by timesteps seen\">"
                + "<img src=\"confusion.png\" alt=\"confusion matrix\">\n");
        s.append("<h2>Per-step outputs and early decisions</h2>\n<p>Trained with the ").append(c.loss().label())
                .append(" loss");
        Trainer.CalibrationResult cal = r.calibration();
        if (cal != null && !Double.isNaN(cal.temperature())) {
            s.append(String.format(Locale.ROOT, "; calibrated on %d validation sequences: temperature %.4f folded into"
                    + " the head, expected calibration error %.4f → %.4f (every step pooled)", r.validationSize(),
                    cal.temperature(), cal.before().ece(), cal.after().ece()));
        }
        s.append(String.format(Locale.ROOT, ". Test: expected calibration error %.4f.</p>%n", e.ece()));
        s.append("<img src=\"decisions.png\" alt=\"precision vs mean decision step\">"
                + "<img src=\"reliability.png\" alt=\"reliability diagram\">"
                + "<img src=\"ece-by-step.png\" alt=\"calibration error by step\">\n");
        s.append("<p>The stream's <code>--decide-at-confidence p</code> flags each sequence's first step whose top"
                + " probability reaches p; <code>--decide-at-precision q</code> picks p from the validation table"
                + " stored in the model file.</p>\n<table><tr><th>threshold</th><th>test precision</th><th>test"
                + " decided</th><th>test mean decision step</th>");
        if (cal != null) {
            s.append("<th>validation precision</th><th>validation mean decision step</th>");
        }
        s.append("</tr>\n");
        for (int i = 0; i < e.decisions().size(); i++) {
            TrainingInfo.DecisionPoint d = e.decisions().get(i);
            s.append(String.format(Locale.ROOT, "<tr><td>%.3f</td><td>%s</td><td>%s</td><td>%.2f of %.1f</td>",
                    d.threshold(), pct(d.precision()), pct(d.decided()), d.meanDecisionStep(), d.meanLength()));
            if (cal != null) {
                TrainingInfo.DecisionPoint v = cal.after().decisions().get(i);
                s.append(String.format(Locale.ROOT, "<td>%s</td><td>%.2f</td>", pct(v.precision()),
                        v.meanDecisionStep()));
            }
            s.append("</tr>\n");
        }
        s.append("</table>\n");
        s.append("<h2>Per class</h2>\n<table><tr><th>class</th><th>precision</th><th>recall</th><th>support</th></tr>\n");
        for (int k = 0; k < e.classNames().size(); k++) {
            int support = 0;
            for (int v : e.confusion()[k]) {
                support += v;
            }
            s.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>%n",
                    esc(e.classNames().get(k)), pct(e.precision()[k]), pct(e.recall()[k]), support));
        }
        s.append("</table>\n<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>loss</th><th>accuracy</th>"
                + "<th>val loss</th><th>val accuracy</th><th>seconds</th><th>examples/s</th></tr>\n");
        for (EpochStats ep : r.history()) {
            s.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%s</td>"
                    + "<td>%.2f</td><td>%.0f</td></tr>%n", ep.epoch(), ep.loss(), ep.accuracy(),
                    Double.isNaN(ep.valLoss()) ? "–" : String.format(Locale.ROOT, "%.4f", ep.valLoss()),
                    Double.isNaN(ep.valAccuracy()) ? "–" : String.format(Locale.ROOT, "%.4f", ep.valAccuracy()),
                    ep.seconds(), ep.examplesPerSecond()));
        }
        s.append("</table>\n<p>All numbers: <a href=\"metrics.json\">metrics.json</a>.</p>\n</body></html>\n");
        return s.toString();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
