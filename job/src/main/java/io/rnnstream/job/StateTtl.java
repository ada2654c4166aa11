package io.rnnstream.job;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The TTL of every stage's keyed state (docs/STREAMING.md, "State and TTL"), in one place. */
public final class StateTtl {
    private StateTtl() {}

    /** Processing-time TTL refreshed on write, expired values never returned; null {@code ttl}: none. */
    public static StateTtlConfig of(Duration ttl) {
        if (ttl == null) {
            return null;
        }
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }
}
