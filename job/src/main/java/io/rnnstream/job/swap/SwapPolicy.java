package io.rnnstream.job.swap;

import java.util.Locale;

/** What a model update does to sequences already running when it takes effect (one per deployment). */
public enum SwapPolicy {
    /** Running sequences finish on the model they started with; new ones start on the new model. */
    NEW_SEQUENCES("new-sequences"),
    /** Running sequences move to the new model at their next event, keeping their recurrent state. */
    SWITCH_CARRY("switch-carry"),
    /** Running sequences move to the new model at their next event, their recurrent state zeroed. */
    SWITCH_RESET("switch-reset");

    private final String cliName;

    SwapPolicy(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public boolean switchesRunning() {
        return this != NEW_SEQUENCES;
    }

    public static SwapPolicy parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (SwapPolicy p : values()) {
            if (p.cliName.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--swap-policy must be new-sequences, switch-carry or switch-reset, not '"
                + s + "'");
    }
}
