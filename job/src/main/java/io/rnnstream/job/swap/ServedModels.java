package io.rnnstream.job.swap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.connectors.Event;
import io.rnnstream.job.ModelAssignment;
import io.rnnstream.job.StreamOptions;
import io.rnnstream.job.step.Head;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelLoader;
import io.rnnstream.model.layers.Layer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The models one step subtask serves: the job's own model (from its {@link io.rnnstream.job.ModelProvider}) and the
 * accepted updates, with the history that decides which model a sequence starts on.
 *
 * <p>The rule: a sequence starting at event time t runs the <em>latest-accepted</em> update whose
 * effective time is at most t (the job's own model is update 0, effective from the beginning). It
 * depends only on t and on the order of the updates, which is the same on every parallel instance
 * (one source subtask broadcasts them), so the answer does not depend on when an update happened to
 * arrive relative to the events, provided it arrives before the events it applies to.
 *
 * <p>The model files and the history live in the maps {@link #attach} gives (the step operator's broadcast state, part of every checkpoint); decoded
 * models are cached per subtask, built on first use, so a restored job serves the same models.
 * Not thread-safe: one subtask, one thread.
 */
public final class ServedModels {
    /** A model that became unreachable for new sequences keeps its file this many accepted updates longer. */
    public static final int RETAINED_SUPERSEDED = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServedModel initial;
    private final StreamOptions opts;
    private final Map<String, ServedModel> decoded = new HashMap<>();
    /** Every entry still reachable or retained, in arrival order. */
    private final List<ModelAssignment> history = new ArrayList<>();
    private Map<String, byte[]> files;
    private Map<Long, ModelAssignment> historyState;

    public ServedModels(Model initialModel, String initialId, StreamOptions opts) {
        this.initial = new ServedModel(initialId, initialModel, opts);
        this.opts = opts;
        history.add(new ModelAssignment(0, Long.MIN_VALUE, null));
    }

    /**
     * Keeps the history and files in {@code files} and {@code historyState} from now on, taking what they
     * hold (restored, or empty on a fresh start). Without it, the job's own model is the only one.
     */
    public void attach(Map<String, byte[]> files, Map<Long, ModelAssignment> historyState) {
        this.files = files;
        this.historyState = historyState;
        List<ModelAssignment> restored = new ArrayList<>();
        for (Map.Entry<Long, ModelAssignment> e : historyState.entrySet()) {
            restored.add(e.getValue());
        }
        if (!restored.isEmpty()) {
            restored.sort((a, b) -> Long.compare(a.seq, b.seq));
            history.clear();
            history.addAll(restored);
        }
        decoded.clear();
    }

    public int inputSize() {
        return initial.model.inputSize();
    }

    public ServedModel initial() {
        return initial;
    }

    /** The model a sequence starting at {@code ts} runs: its id (null: the job's own model). */
    public String assign(long ts) {
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelAssignment a = history.get(i);
            if (a.supersededBy < 0 && a.effectiveTs <= ts) {
                return a.modelId;
            }
        }
        return null;
    }

    /**
     * The model a running sequence on {@code current} continues on under a switching policy: the one a
     * sequence starting at {@code ts} would get, if it is still served and, unless the policy resets the
     * state, has the same recurrent layers (updates that differ were refused under switch-carry, so
     * that only guards a job restarted with another policy); else {@code current}.
     */
    public String switchTo(String current, long ts, SwapPolicy policy) {
        String target = assign(ts);
        if (java.util.Objects.equals(target, current)) {
            return current;
        }
        ServedModel t = get(target);
        ServedModel m = get(current);
        return t != null && (policy == SwapPolicy.SWITCH_RESET || m == null || t.layout.equals(m.layout)) ? target
                : current;
    }

    /** The model by id (null: the job's own), or null when its file was retired. */
    public ServedModel get(String id) {
        if (id == null) {
            return initial;
        }
        ServedModel s = decoded.get(id);
        if (s == null && files != null) {
            try {
                byte[] bytes = files.get(id);
                if (bytes != null) {
                    s = new ServedModel(id, ModelFile.decode(bytes, "model " + id), opts);
                    decoded.put(id, s);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot read model " + id + " from the job's state", e);
            }
        }
        return s;
    }

    /**
     * The id of the model a sequence starting at the latest ts would get (the job's own model's id when
     * no update was accepted), without decoding it: what the modelServed metric shows.
     */
    public String latestId() {
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelAssignment a = history.get(i);
            if (a.supersededBy < 0) {
                return a.modelId == null ? initial.id : a.modelId;
            }
        }
        return initial.id;
    }

    /** The id of the latest accepted model (what a sequence starting now at the latest ts would get). */
    public ServedModel latest() {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).supersededBy < 0) {
                ServedModel s = get(history.get(i).modelId);
                if (s != null) {
                    return s;
                }
            }
        }
        return initial;
    }

    /** Decides on one update: accepted (now in the history) or refused (nothing changes). */
    public ModelStatus offer(ModelUpdate u, SwapPolicy policy) {
        String origin = u.origin;
        long eff = u.effectiveTs;
        Model m;
        byte[] bytes;
        try {
            byte[] p = u.payload;
            if (p == null || p.length == 0) {
                throw new ModelException("the update is empty: send a native model file's bytes or a JSON reference"
                        + " {\"path\": …}");
            }
            if (p.length >= ModelFile.MAGIC.length && Arrays.equals(p, 0, ModelFile.MAGIC.length, ModelFile.MAGIC, 0,
                    ModelFile.MAGIC.length)) {
                bytes = p;
                m = ModelFile.decode(p, "the model update" + (origin == null ? "" : " " + origin));
            } else if (p[0] == '{') {
                JsonNode ref;
                try {
                    ref = JSON.readTree(new String(p, StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new ModelException("the update is neither a model file nor valid JSON: " + e.getMessage());
                }
                if (ref.path("error").isTextual()) {
                    throw new ModelException(ref.get("error").asText());
                }
                if (!ref.path("path").isTextual()) {
                    throw new ModelException("the JSON reference has no \"path\": send {\"path\": \"/models/m.rnns\"}");
                }
                if (ref.has("effective_ts")) {
                    if (!ref.get("effective_ts").canConvertToLong()) {
                        throw new ModelException("\"effective_ts\" must be epoch milliseconds");
                    }
                    eff = ref.get("effective_ts").asLong();
                }
                m = ModelLoader.load(ModelDirectory.resolve(opts.modelDirectory(), ref.get("path").asText()));
                if (ref.path("sha256").isTextual()) {
                    String want = ref.get("sha256").asText().toLowerCase(java.util.Locale.ROOT);
                    if (want.isEmpty() || !m.sha256().startsWith(want)) {
                        throw new ModelException(ref.get("path").asText() + ": SHA-256 " + m.sha256().substring(0, 12)
                                + "… is not the " + want + " the update names: the file changed or is corrupted");
                    }
                }
                bytes = ModelFile.encode(m);
            } else {
                throw new ModelException("the update is not a model: expected a native rnnstream model file (it starts"
                        + " with RNNSTRM) or a JSON reference {\"path\": …}");
            }
        } catch (ModelException e) {
            return ModelStatus.refused(null, e.getMessage(), eff, origin, policy);
        }
        String id = m.id();
        String why = whyRefused(m, policy);
        if (why != null) {
            return ModelStatus.refused(id, why, eff, origin, policy);
        }
        accept(id, bytes, m, eff);
        return ModelStatus.accepted(id, eff, origin, policy);
    }

    private String whyRefused(Model m, SwapPolicy policy) {
        if (m.inputSize() != inputSize()) {
            return "it reads " + m.inputSize() + " features per step but the stream's events have " + inputSize()
                    + "; the model serving now keeps serving";
        }
        try {
            Head.check(m, opts);
        } catch (ModelException e) {
            return e.getMessage();
        }
        if (policy == SwapPolicy.SWITCH_CARRY) {
            String now = latest().layout;
            String next = layout(m);
            if (!now.equals(next)) {
                return "--swap-policy switch-carry carries running sequences' state, which needs the same recurrent"
                        + " layers: the serving model has " + now + ", this one " + next
                        + "; use new-sequences or switch-reset for a different architecture";
            }
        }
        return null;
    }

    private void accept(String id, byte[] bytes, Model m, long eff) {
        long seq = history.get(history.size() - 1).seq + 1;
        long effectiveTs = eff == Event.NO_TS ? Long.MIN_VALUE : eff;
        // An earlier update this one covers entirely (effective at or after this one) is never chosen again.
        for (ModelAssignment a : history) {
            if (a.supersededBy < 0 && a.effectiveTs >= effectiveTs) {
                a.supersededBy = seq;
            }
        }
        history.add(new ModelAssignment(seq, effectiveTs, id));
        if (files.get(id) == null) {
            files.put(id, bytes);
        }
        decoded.computeIfAbsent(id, k -> new ServedModel(k, m, opts));
        // Running sequences may still use a superseded model (new-sequences policy): keep its file a while.
        history.removeIf(a -> a.supersededBy >= 0 && seq - a.supersededBy >= RETAINED_SUPERSEDED);
        Set<String> kept = new HashSet<>();
        for (ModelAssignment a : history) {
            if (a.modelId != null) {
                kept.add(a.modelId);
            }
        }
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (!kept.contains(e.getKey())) {
                drop.add(e.getKey());
            }
        }
        for (String k : drop) {
            files.remove(k);
            decoded.remove(k);
        }
        List<Long> old = new ArrayList<>();
        old.addAll(historyState.keySet());
        for (Long k : old) {
            historyState.remove(k);
        }
        for (ModelAssignment a : history) {
            historyState.put(a.seq, a);
        }
    }

    /** The recurrent layers' types and state sizes, e.g. "LSTM(12) GRU(5)": what switch-carry needs equal. */
    static String layout(Model m) {
        StringBuilder b = new StringBuilder();
        for (Layer l : m.layers()) {
            if (l.stateSize() > 0) {
                b.append(b.length() == 0 ? "" : " ").append(l.type()).append('(').append(l.stateSize()).append(')');
            }
        }
        return b.length() == 0 ? "no recurrent state" : b.toString();
    }
}
