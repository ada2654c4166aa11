package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Off a terminal (as in CI and here), progress must not garble the log. */
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String[] lines() {
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        return text.split("\n");
    }

    @Test
    void aLineEveryTenthAtMost() throws Exception {
        Progress p = Progress.start(out, "replay", 1000, "events", false);
        for (int i = 1; i <= 1000; i++) {
            p.update(i);
            if (i % 50 == 0) {
                Thread.sleep(30); // several redraws within each tenth
            }
        }
        p.finish(1000);
        String[] lines = lines();
        // A line per tenth (0 to 10), and the last count once more if a tenth's line was drawn before it.
        assertTrue(lines.length >= 2 && lines.length <= 12, String.join("\n", lines));
        for (String l : lines) {
            assertTrue(l.startsWith("replay "), l);
            assertTrue(l.length() <= Progress.LOG_WIDTH, l);
        }
        assertTrue(lines[lines.length - 1].contains("1000/1000 events"), lines[lines.length - 1]);
    }

    @Test
    void theLastCountIsPrintedWhenTheWorkEndsShortOfATenth() {
        Progress p = Progress.start(out, "stream", 100, "outputs", false);
        p.update(95);
        p.finish(97);
        String[] lines = lines();
        assertTrue(lines[lines.length - 1].contains("97/100 outputs"), String.join("\n", lines));
    }

    @Test
    void theLastCountIsPrintedEvenWhenTheBarsThreadHandsOverAnOlderLineLate() {
        // The library draws on its own thread: run it many times so that its first line, drawn at 0,
        // often arrives after the count moved on (CI saw "0/? events" as the last line once).
        for (int i = 0; i < 200; i++) {
            bytes.reset();
            Progress.start(out, "replay", 0, "events", false).finish(42);
            String[] lines = lines();
            assertTrue(lines[lines.length - 1].contains("42/? events"), String.join("\n", lines));
        }
    }

    @Test
    void aCountWithoutATotalHasNoBar() {
        Progress.start(out, "replay", 0, "events", false).finish(42);
        String[] lines = lines();
        assertTrue(lines[lines.length - 1].contains("42/? events"), String.join("\n", lines));
    }
}
