package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.bench.harness.soak.SoakReport;
import io.rnnstream.bench.harness.soak.SoakResult;
import io.rnnstream.bench.harness.soak.SoakRun;
import io.rnnstream.bench.harness.soak.SoakSample;
import io.rnnstream.bench.harness.soak.SoakSpec;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream stream} soaked through a real broker (docs/RELIABILITY.md, "Soak"): a fixed rate over
 * keys that keep turning over, then silence. The short form (CI, about two minutes) runs 60 s of traffic
 * on a small GRU and asserts what does not depend on the JIT having settled: every event answered once,
 * every abandoned sequence closed by its idle-timeout record, no dead letters, state back at its baseline
 * once the traffic stops, the report and plots written; its slopes are printed, not judged (the first
 * minutes on two shared cores are JIT compiling). The long form ({@code -Psoak}, 30 minutes unless
 * {@code -Drnnstream.soak.minutes=M}) runs the bundled MNIST model at 500 events/s and also asserts that
 * every series is flat.
 */
class SoakTest {
    /** Minutes of traffic of the long form; 0 (or unset, as in CI): the short form. */
    static final double MINUTES = Double.parseDouble(System.getProperty("rnnstream.soak.minutes", "0").strip()
            .replaceFirst("^$", "0"));
    static final boolean LONG = MINUTES > 0;

    @TempDir
    Path dir;

    @Test
    void stateComesBackAndEveryEventIsAnswered() throws Exception {
        SoakSpec spec;
        Path modelFile;
        int features;
        if (LONG) {
            modelFile = Path.of("..", DemoCommand.MODEL_FILE).toAbsolutePath().normalize();
            features = ModelLoader.load(modelFile).inputSize();
            spec = SoakSpec.builder().traffic(Duration.ofMillis((long) (MINUTES * 60_000)))
                    .warmup(Duration.ofSeconds(Math.min(120, (long) (MINUTES * 60 / 5))))
                    .jobMainClass(Rnnstream.class.getName()).build();
        } else {
            Model model = FaultRig.model();
            modelFile = dir.resolve("soak.rnns");
            ModelFile.write(model, modelFile);
            features = model.inputSize();
            spec = SoakSpec.builder().traffic(Duration.ofSeconds(60)).rate(200).keys(200).sequenceLength(20)
                    .idleTimeout(Duration.ofSeconds(5)).sampleEvery(Duration.ofSeconds(5))
                    .fullGcEvery(Duration.ofSeconds(15)).warmup(Duration.ofSeconds(20)).jobHeap("256m")
                    .jobMainClass(Rnnstream.class.getName()).build();
        }
        SoakResult r = SoakRun.run(spec, modelFile, features, dir.resolve("run"), SoakRun.Listener.NONE);
        Path report = Path.of("target", LONG ? "soak-report-long" : "soak-report");
        String md = SoakReport.write(r, report);
        System.out.println(md);

        assertTrue(r.sent() > 0.9 * spec.rate() * spec.traffic().toSeconds(), "the traffic kept its rate: " + r.sent());
        assertEquals(r.acked(), r.outputs(), "every event answered");
        assertEquals(r.acked(), r.distinct(), "every (key, step) answered, none twice");
        assertEquals(0, r.duplicates());
        assertEquals(r.unfinished(), r.finals(), "every sequence left to the idle timeout closed by its record");
        assertEquals(0, r.deadLetters() + r.jobDeadLetters(), "no dead letters");
        assertTrue(r.backToBaseline(), "state back at its baseline after the traffic stopped: " + md);
        assertEquals(r.baseline().activeSequences(), r.samples().get(r.samples().size() - 1).activeSequences());
        long heapPoints = r.samples().stream().filter(s -> !Double.isNaN(s.heapAfterGcMiB())).count();
        assertTrue(heapPoints >= 3, "the live heap read after full GCs: " + heapPoints + " times");
        assertTrue(r.samples().stream().anyMatch(s -> s.phase().equals(SoakSample.TRAFFIC) && !Double.isNaN(s.p99Millis())));
        for (String p : SoakReport.PLOTS) {
            assertTrue(Files.size(report.resolve(p)) > 1000, p);
        }
        assertTrue(Files.size(report.resolve("soak.json")) > 1000);
        if (LONG) {
            for (SoakResult.Slope s : r.slopes()) {
                assertTrue(s.flat(), s.metric() + " is not flat: " + s);
            }
        }
    }
}
