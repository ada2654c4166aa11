package io.rnnstream.job.swap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.connectors.Event;

/**
 * What became of one model update: accepted (the id it is served under) or refused (and why; the
 * model served before keeps serving). Every parallel instance decides the same, so one (subtask 0)
 * reports it. A Flink POJO.
 */
public class ModelStatus {
    public static final String ACCEPTED = "accepted";
    public static final String REFUSED = "refused";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The update's model id; null when the update could not be read as a model. */
    public String model;
    public String status;
    /** Why it was refused (null when accepted). */
    public String reason;
    public long effectiveTs = Event.NO_TS;
    public String origin;
    /** The policy the job runs, e.g. {@code new-sequences}. */
    public String policy;

    public ModelStatus() {}

    static ModelStatus accepted(String model, long effectiveTs, String origin, SwapPolicy policy) {
        ModelStatus s = new ModelStatus();
        s.model = model;
        s.status = ACCEPTED;
        s.effectiveTs = effectiveTs;
        s.origin = origin;
        s.policy = policy.cliName();
        return s;
    }

    static ModelStatus refused(String model, String reason, long effectiveTs, String origin, SwapPolicy policy) {
        ModelStatus s = accepted(model, effectiveTs, origin, policy);
        s.status = REFUSED;
        s.reason = reason;
        return s;
    }

    public boolean accepted() {
        return ACCEPTED.equals(status);
    }

    /** One JSON line: {"model", "status", "reason", "effective_ts", "origin", "policy"}. */
    public String json() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", model);
        n.put("status", status);
        if (reason != null) {
            n.put("reason", reason);
        }
        if (effectiveTs != Event.NO_TS) {
            n.put("effective_ts", effectiveTs);
        }
        if (origin != null) {
            n.put("origin", origin);
        }
        n.put("policy", policy);
        return n.toString();
    }

    @Override
    public String toString() {
        return json();
    }
}
