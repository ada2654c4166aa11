package io.rnnstream.job.step;

import io.rnnstream.connectors.Event;

/** Events built in code skip the parser's checks; the kernel must never see what it would refuse. */
final class EventCheck {
    private EventCheck() {}

    /** Why the kernel cannot take {@code e}, or null when it can. */
    static String whyNot(Event e, int featureCount) {
        if (e.features == null) {
            return "missing \"features\": expected an array of " + featureCount + " numbers";
        }
        if (e.features.length != featureCount) {
            return "wrong feature count: the model expects " + featureCount + " features per step, the event has "
                    + e.features.length;
        }
        for (int i = 0; i < featureCount; i++) {
            if (!Float.isFinite(e.features[i])) {
                return "feature " + i + " is " + e.features[i];
            }
        }
        if (e.step < Event.NO_STEP) {
            return "\"step\" must be a non-negative integer, not " + e.step;
        }
        return null;
    }
}
